import { scalarTypeName, type DType } from '../core/dtype';
import { runtimeError, TorchError } from '../core/errors';
import { checkBudget, formatShape } from '../core/shape';
import { conv2dForward, convOutputSize, type Conv2dGeometry } from '../kernels/conv2d';
import { record, save } from '../tensor/record';
import { Tensor } from '../tensor/tensor';
import { constantPad2d, circularPad2d_, reflectionPad2d_, replicationPad2d_ } from '../tensor/ops/pad';
import { squeeze, unsqueeze } from '../tensor/ops/view';

/** A pair `[h, w]`. */
export type Pair = readonly [number, number];
/** Conv2d's `padding`: a pair, or PyTorch's strings. */
export type ConvPadding = Pair | 'same' | 'valid';
/** Conv2d's `padding_mode`. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Arguments of `F.conv2d`. */
export interface Conv2dArgs {
  readonly stride: Pair;
  readonly padding: ConvPadding;
  readonly dilation: Pair;
  readonly groups: number;
}

function checkShapeForward(
  xs: readonly number[],
  ws: readonly number[],
  bs: readonly number[] | null,
  a: Conv2dArgs,
  pad: Pair,
): void {
  const groups = a.groups;
  if (groups <= 0) throw runtimeError('non-positive groups is not supported');
  if (ws.length !== xs.length) {
    throw runtimeError(
      `Expected ${ws.length}-dimensional input for ${ws.length}-dimensional weight ${formatShape(ws)}, but got ` +
        `${xs.length}-dimensional input of size ${formatShape(xs)} instead`,
    );
  }
  if (ws[0]! % groups !== 0) {
    throw runtimeError(
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ` +
        `${formatShape(ws)} instead`,
    );
  }
  if (xs[1] !== ws[1]! * groups) {
    throw runtimeError(
      `Given groups=${groups}, weight of size ${formatShape(ws)}, expected input${formatShape(xs)} to have ` +
        `${ws[1]! * groups} channels, but got ${xs[1]} channels instead`,
    );
  }
  if (bs && (bs.length !== 1 || bs[0] !== ws[0])) {
    throw runtimeError(
      `Given weight of size ${formatShape(ws)}, expected bias to be 1-dimensional with ${ws[0]} elements, but got ` +
        `bias of size ${formatShape(bs)} instead`,
    );
  }
  const ph = xs[2]! + 2 * pad[0];
  const pw = xs[3]! + 2 * pad[1];
  const kh = a.dilation[0] * (ws[2]! - 1) + 1;
  const kw = a.dilation[1] * (ws[3]! - 1) + 1;
  if (ph < kh || pw < kw) {
    throw runtimeError(
      `Calculated padded input size per channel: (${ph} x ${pw}). Kernel size: (${kh} x ${kw}). Kernel size can't ` +
        `be greater than actual input size`,
    );
  }
}

/** C++'s name of a dtype, as ATen's conv checks print it. */
const cTypeName = (d: DType): string => (d === 'int64' ? 'long int' : d === 'float64' ? 'double' : 'float');

/**
 * The dtype checks of PyTorch 1.13's CPU convolution, in its order: with integer padding the
 * bias's type is checked before the shapes (`_convolution`), the weight's after them, at the
 * kernel (an int64 image into a float Conv2d: "Input type (long int) and bias type (float)
 * should be the same", or without bias "expected scalar type Long but found Float").
 */
function checkBiasDtype(input: Tensor, bias: Tensor | null): void {
  if (bias && bias.dtype !== input.dtype) {
    throw runtimeError(
      `Input type (${cTypeName(input.dtype)}) and bias type (${cTypeName(bias.dtype)}) should be the same`,
    );
  }
}

/** `F.conv2d` on a batched input with symmetric zero padding (ConvolutionBackward0). */
function convolution(input: Tensor, weight: Tensor, bias: Tensor | null, a: Conv2dArgs, pad: Pair): Tensor {
  checkShapeForward(input.shape, weight.shape, bias?.shape ?? null, a, pad);
  if (weight.dtype !== input.dtype) {
    throw runtimeError(`expected scalar type ${scalarTypeName(input.dtype)} but found ${scalarTypeName(weight.dtype)}`);
  }
  const [n, cIn, h, w] = input.shape as [number, number, number, number];
  const [cOut, , kH, kW] = weight.shape as [number, number, number, number];
  const g: Conv2dGeometry = {
    n,
    cIn,
    h,
    w,
    cOut,
    kH,
    kW,
    strideH: a.stride[0],
    strideW: a.stride[1],
    padH: pad[0],
    padW: pad[1],
    dilH: a.dilation[0],
    dilW: a.dilation[1],
    groups: a.groups,
    hOut: convOutputSize(h, kH, a.stride[0], pad[0], a.dilation[0]),
    wOut: convOutputSize(w, kW, a.stride[1], pad[1], a.dilation[1]),
  };
  checkBudget([n, cOut, g.hOut, g.wOut]);
  const data = conv2dForward(input.contiguousData(), weight.contiguousData(), bias?.contiguousData() ?? null, g);
  const out = Tensor.fromData(data, [n, cOut, g.hOut, g.wOut], input.dtype);
  return record(out, 'ConvolutionBackward0', [input, weight, bias], () => ({
    input: save(input),
    weight: save(weight),
    geometry: g,
  }));
}

function checkInputRank(shape: readonly number[]): void {
  if (shape.length !== 3 && shape.length !== 4) {
    throw runtimeError(
      `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${formatShape(shape)}`,
    );
  }
}

/** Symmetric padding of `padding='same'` and the extra bottom/right row and column of an odd total. */
function samePadding(ws: readonly number[], a: Conv2dArgs): { pad: Pair; bottom: number; right: number } {
  if (a.stride[0] !== 1 || a.stride[1] !== 1) {
    throw runtimeError("padding='same' is not supported for strided convolutions");
  }
  const k = ws.slice(2);
  const total = [0, 1].map((i) => a.dilation[i]! * (k[i]! - 1));
  const left = total.map((t) => Math.floor(t / 2));
  return { pad: [left[0]!, left[1]!], bottom: total[0]! - 2 * left[0]!, right: total[1]! - 2 * left[1]! };
}

/**
 * `F.conv2d(input, weight, bias, stride, padding, dilation, groups)`, with
 * unbatched (3-D) input and `padding='same'`/`'valid'` handled as PyTorch 1.13 does.
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null, a: Conv2dArgs): Tensor {
  checkInputRank(input.shape);
  if (input.ndim === 3) {
    return squeeze(conv2d(unsqueeze(input, 0), weight, bias, a), 0);
  }
  if (a.padding !== 'same' && a.padding !== 'valid') checkBiasDtype(input, bias);
  let x = input;
  let pad: Pair = [0, 0];
  if (a.padding === 'same') {
    const s = samePadding(weight.shape, a);
    if (s.bottom !== 0 || s.right !== 0) x = constantPad2d(x, { left: 0, right: s.right, top: 0, bottom: s.bottom });
    pad = s.pad;
  } else if (a.padding !== 'valid') {
    pad = a.padding;
  }
  return convolution(x, weight, bias, a, pad);
}

/** The output shape of {@link conv2d}, with its checks, from shapes alone (shape inference). */
export function conv2dShape(
  xs: readonly number[],
  ws: readonly number[],
  bs: readonly number[] | null,
  a: Conv2dArgs,
): number[] {
  checkInputRank(xs);
  if (xs.length === 3) return conv2dShape([1, ...xs], ws, bs, a).slice(1);
  const [n, c] = [xs[0]!, xs[1]!];
  let [h, w] = [xs[2]!, xs[3]!];
  let pad: Pair = [0, 0];
  if (a.padding === 'same') {
    const s = samePadding(ws, a);
    h += s.bottom;
    w += s.right;
    pad = s.pad;
  } else if (a.padding !== 'valid') {
    pad = a.padding;
  }
  checkShapeForward([n, c, h, w], ws, bs, a, pad);
  const size = (v: number, i: 0 | 1) => convOutputSize(v, ws[2 + i]!, a.stride[i], pad[i], a.dilation[i]);
  return [n, ws[0]!, size(h, 0), size(w, 1)];
}

/** `F.pad(x, [left, right, top, bottom], mode)` for the non-zero padding modes of nn.Conv2d. */
export function padForConv(
  x: Tensor,
  mode: Exclude<PaddingMode, 'zeros'>,
  p: { left: number; right: number; top: number; bottom: number },
): Tensor {
  if (mode === 'reflect') return reflectionPad2d_(x, p);
  if (mode === 'replicate') return replicationPad2d_(x, p);
  return circularPad2d_(x, p);
}

type Sides = { left: number; right: number; top: number; bottom: number };

/** nn.Conv2d's `_reversed_padding_repeated_twice` for a `padding_mode` other than zeros, with its checks. */
function modulePadding(xs: readonly number[], ws: readonly number[], a: Conv2dArgs, mode: PaddingMode): Sides {
  let p: Sides;
  if (a.padding === 'same') {
    const k = ws.slice(2);
    const tot = [0, 1].map((i) => a.dilation[i]! * ((k[i] ?? 1) - 1));
    p = {
      top: Math.floor(tot[0]! / 2),
      bottom: tot[0]! - Math.floor(tot[0]! / 2),
      left: Math.floor(tot[1]! / 2),
      right: tot[1]! - Math.floor(tot[1]! / 2),
    };
  } else if (a.padding === 'valid') {
    p = { left: 0, right: 0, top: 0, bottom: 0 };
  } else {
    p = { top: a.padding[0], bottom: a.padding[0], left: a.padding[1], right: a.padding[1] };
  }
  checkInputRank(xs);
  if (mode === 'circular' && xs.length !== 4) {
    throw runtimeError(`Invalid padding size, expected ${2 * (xs.length - 2)} but got 4`);
  }
  return p;
}

/**
 * `nn.Conv2d.forward`: with `padding_mode` other than zeros the input is padded
 * explicitly (`_reversed_padding_repeated_twice`) and the conv runs with padding 0.
 */
export function conv2dModule(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  a: Conv2dArgs,
  mode: PaddingMode,
): Tensor {
  if (mode === 'zeros') return conv2d(input, weight, bias, a);
  const padded = padForConv(input, mode, modulePadding(input.shape, weight.shape, a, mode));
  return conv2d(padded, weight, bias, { ...a, padding: [0, 0] });
}

/**
 * The output shape of {@link conv2dModule} from shapes alone (shape inference):
 * the same checks, except those of the reflect/replicate/circular pads themselves.
 */
export function conv2dModuleShape(
  xs: readonly number[],
  ws: readonly number[],
  bs: readonly number[] | null,
  a: Conv2dArgs,
  mode: PaddingMode,
): number[] {
  if (mode === 'zeros') return conv2dShape(xs, ws, bs, a);
  const p = modulePadding(xs, ws, a, mode);
  const padded = [...xs.slice(0, -2), xs[xs.length - 2]! + p.top + p.bottom, xs[xs.length - 1]! + p.left + p.right];
  return conv2dShape(padded, ws, bs, { ...a, padding: [0, 0] });
}

/** nn.Conv2d's constructor checks (ValueError), with PyTorch's messages. */
export function checkConv2dModule(
  inChannels: number,
  outChannels: number,
  groups: number,
  padding: ConvPadding,
  stride: Pair,
): void {
  if (groups <= 0) throw new TorchError('ValueError', 'groups must be a positive integer');
  if (inChannels % groups !== 0) throw new TorchError('ValueError', 'in_channels must be divisible by groups');
  if (outChannels % groups !== 0) throw new TorchError('ValueError', 'out_channels must be divisible by groups');
  if (padding === 'same' && (stride[0] !== 1 || stride[1] !== 1)) {
    throw new TorchError('ValueError', "padding='same' is not supported for strided convolutions");
  }
}
