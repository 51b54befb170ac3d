/**
 * Data types, as PyTorch names them.
 *
 * `float32` is the default dtype of every tensor in a graph. `int64` holds class
 * targets; its values are stored in a `Float64Array` (exact for |v| < 2^53).
 * `float64` exists for finite-difference gradient checks and is not part of
 * version 1 of the graph format.
 */
import { newFloat32, newFloat64 } from './small-arrays';

export type DType = 'float32' | 'float64' | 'int64';

/** The typed arrays a floating-point kernel reads and writes. */
export type FloatArray = Float32Array | Float64Array;

/** Allocates a zero-filled array of the same element type as `like` (Note [Small arrays from slabs]). */
export function allocLike(like: FloatArray, length: number): FloatArray {
  return like instanceof Float64Array ? newFloat64(length) : newFloat32(length);
}

/** Allocates a zero-filled storage array for `dtype` (Note [Small arrays from slabs]). */
export function allocFor(dtype: DType, length: number): FloatArray {
  return dtype === 'float32' ? newFloat32(length) : newFloat64(length);
}

/** True for dtypes that can require gradients. */
export function isFloatingPoint(dtype: DType): boolean {
  return dtype !== 'int64';
}

/** PyTorch's legacy tensor type name, as used in autograd messages (`torch.FloatTensor`). */
export function legacyTypeName(dtype: DType): string {
  return dtype === 'float32' ? 'torch.FloatTensor' : dtype === 'float64' ? 'torch.DoubleTensor' : 'torch.LongTensor';
}

/** PyTorch's scalar type name as used in dtype messages (`Float`, `Long`). */
export function scalarTypeName(dtype: DType): string {
  return dtype === 'float32' ? 'Float' : dtype === 'float64' ? 'Double' : 'Long';
}
