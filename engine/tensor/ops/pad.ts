import { allocFor } from '../../core/dtype';
import { runtimeError } from '../../core/errors';
import { checkBudget, numel } from '../../core/shape';
import { takeSequenceNr, FunctionNode } from '../../autograd/node';
import { gradRules } from '../../autograd/rules/index';
import { needsGrad, record, save } from '../record';
import { reflectionPad2d, replicationPad2d, type Pad2d } from '../../kernels/pad';
import { forEachInRegion, type Region } from '../../kernels/slice';
import { Tensor } from '../tensor';
import { slice } from './view';

/** `F.pad(t, [left, right, top, bottom])` with zeros (ConstantPadNdBackward0). */
export function constantPad2d(t: Tensor, p: Pad2d): Tensor {
  const nd = t.ndim;
  const shape = [...t.shape];
  shape[nd - 1]! += p.left + p.right;
  shape[nd - 2]! += p.top + p.bottom;
  checkBudget(shape);
  const out = Tensor.zeros(shape, t.dtype);
  const region: Region = shape.map((s, i) =>
    i === nd - 1 ? [p.left, s - p.right] : i === nd - 2 ? [p.top, s - p.bottom] : [0, s],
  );
  const src = t.contiguousData();
  const d = out.storage.data;
  forEachInRegion(shape, region, (ti, ri) => {
    d[ti] = src[ri]!;
  });
  return record(out, 'ConstantPadNdBackward0', [t], () => ({ paddedShape: shape, region, shape: t.shape }));
}

function padded(t: Tensor, p: Pad2d): { shape: number[]; planes: number; h: number; w: number } {
  const h = t.shape[t.ndim - 2]!;
  const w = t.shape[t.ndim - 1]!;
  const shape = [...t.shape.slice(0, -2), h + p.top + p.bottom, w + p.left + p.right];
  checkBudget(shape);
  return { shape, planes: numel(t.shape.slice(0, -2)), h, w };
}

/** `F.pad(t, pad, mode='reflect')` on the last two dims (ReflectionPad2DBackward0). */
export function reflectionPad2d_(t: Tensor, p: Pad2d): Tensor {
  const dimW = t.ndim - 1;
  const { shape, planes, h, w } = padded(t, p);
  if (!(p.left < w && p.right < w)) {
    throw runtimeError(
      `Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ` +
        `(${p.left}, ${p.right}) at dimension ${dimW} of input ${t.ndim}`,
    );
  }
  if (!(p.top < h && p.bottom < h)) {
    throw runtimeError(
      `Argument #6: Padding size should be less than the corresponding input dimension, but got: padding ` +
        `(${p.top}, ${p.bottom}) at dimension ${dimW - 1} of input ${t.ndim}`,
    );
  }
  if (t.dtype === 'int64') throw runtimeError(`"reflection_pad2d" not implemented for 'Long'`);
  const out = Tensor.fromData(reflectionPad2d(t.contiguousData(), planes, h, w, p), shape, t.dtype);
  return record(out, 'ReflectionPad2DBackward0', [t], () => ({ self: save(t), shape: t.shape, planes, pad: p }));
}

/** `F.pad(t, pad, mode='replicate')` on the last two dims (ReplicationPad2DBackward0). */
export function replicationPad2d_(t: Tensor, p: Pad2d): Tensor {
  const { shape, planes, h, w } = padded(t, p);
  if (t.dtype === 'int64') throw runtimeError(`"replication_pad2d_cpu" not implemented for 'Long'`);
  const out = Tensor.fromData(replicationPad2d(t.contiguousData(), planes, h, w, p), shape, t.dtype);
  return record(out, 'ReplicationPad2DBackward0', [t], () => ({ self: save(t), shape: t.shape, planes, pad: p }));
}

/**
 * `base[region].copy_(src)` where base is contiguous: writes in place and, when
 * autograd records, rebases base's history on a CopySlices node.
 */
function copyIntoRegion(base: Tensor, region: Region, src: Tensor): void {
  // As in PyTorch's generated in-place code, the edges are collected before the write bumps
  // the version: `src` may be a view of `base` (Note [View + in-place], engine/tensor/tensor.ts).
  const grad = needsGrad([base, src]);
  if (grad) takeSequenceNr(); // the CopyBackwards node CopySlices wraps
  const edges = grad
    ? [base.requiresGrad ? base.gradientEdge() : null, src.requiresGrad ? src.gradientEdge() : null]
    : [];
  const values = src.contiguousData().slice();
  const d = base.storage.data;
  forEachInRegion(base.shape, region, (ti, ri) => {
    d[ti] = values[ri]!;
  });
  base.storage.bumpVersion();
  if (!grad) return;
  const name = 'torch::autograd::CopySlices';
  base.gradFn = new FunctionNode(name, gradRules[name], { shape: base.shape, region }, edges, [
    { shape: base.shape, dtype: base.dtype },
  ]);
  base.outputNr = 0;
}

/**
 * `F.pad(t, pad, mode='circular')`, built exactly as PyTorch 1.13's
 * `_pad_circular`: an empty result, the input copied into its middle, then the
 * borders copied from the opposite side, each copy a CopySlices of a slice.
 */
export function circularPad2d_(t: Tensor, p: Pad2d): Tensor {
  const nd = t.ndim;
  const { shape, h, w } = padded(t, p);
  if (p.left > w || p.right > w || p.top > h || p.bottom > h) {
    throw runtimeError('Padding value causes wrapping around more than once.');
  }
  const out = Tensor.fromData(allocFor(t.dtype, numel(shape)), shape, t.dtype);
  const full = (dim: number, a: number, b: number): Region => shape.map((s, i) => (i === dim ? [a, b] : [0, s]));
  const pads: [number, number, number][] = [
    [nd - 1, p.left, p.right],
    [nd - 2, p.top, p.bottom],
  ];
  let inner: Region = shape.map((s) => [0, s] as const);
  let src = t;
  for (const [dim, l, r] of pads) {
    inner = inner.map((x, i) => (i === dim ? [l, shape[dim]! - r] : x));
    src = slice(src, dim, 0, t.shape[dim]!);
  }
  copyIntoRegion(out, inner, src);
  for (const [dim, l, r] of pads) {
    const size = shape[dim]!;
    if (l > 0) copyIntoRegion(out, full(dim, 0, l), slice(out, dim, size - l - r, size - r));
    if (r > 0) copyIntoRegion(out, full(dim, size - r, size), slice(out, dim, l, l + r));
  }
  return out;
}
