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

function checkShapeForward(input: Tensor, weight: Tensor, bias: Tensor | null, a: Conv2dArgs, pad: Pair): void {
  const ws = weight.shape;
  const groups = a.groups;
  if (groups <= 0) throw runtimeError('non-positive groups is not supported');
  if (ws.length !== input.ndim) {
    throw runtimeError(
      `Expected ${ws.length}-dimensional input for ${ws.length}-dimensional weight ${formatShape(ws)}, but got ` +
        `${input.ndim}-dimensional input of size ${formatShape(input.shape)} instead`,
    );
  }
  if (ws[0]! % groups !== 0) {
    throw runtimeError(
      `Given groups=${groups}, expected weight to be divisible by ${groups} at dimension 0, but got weight of size ` +
        `${formatShape(ws)} instead`,
    );
  }
  if (input.shape[1] !== ws[1]! * groups) {
    throw runtimeError(
      `Given groups=${groups}, weight of size ${formatShape(ws)}, expected input${formatShape(input.shape)} to have ` +
        `${ws[1]! * groups} channels, but got ${input.shape[1]} channels instead`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== ws[0])) {
    throw runtimeError(
      `Given weight of size ${formatShape(ws)}, expected bias to be 1-dimensional with ${ws[0]} elements, but got ` +
        `bias of size ${formatShape(bias.shape)} instead`,
    );
  }
  const ph = input.shape[2]! + 2 * pad[0];
  const pw = input.shape[3]! + 2 * pad[1];
  const kh = a.dilation[0] * (ws[2]! - 1) + 1;
  const kw = a.dilation[1] * (ws[3]! - 1) + 1;
  if (ph < kh || pw < kw) {
    throw runtimeError(
      `Calculated padded input size per channel: (${ph} x ${pw}). Kernel size: (${kh} x ${kw}). Kernel size can't ` +
        `be greater than actual input size`,
    );
  }
}

/** `F.conv2d` on a batched input with symmetric zero padding (ConvolutionBackward0). */
function convolution(input: Tensor, weight: Tensor, bias: Tensor | null, a: Conv2dArgs, pad: Pair): Tensor {
  checkShapeForward(input, weight, bias, a, pad);
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

/**
 * `F.conv2d(input, weight, bias, stride, padding, dilation, groups)`, with
 * unbatched (3-D) input and `padding='same'`/`'valid'` handled as PyTorch 1.13 does.
 */
export function conv2d(input: Tensor, weight: Tensor, bias: Tensor | null, a: Conv2dArgs): Tensor {
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw runtimeError(
      `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${formatShape(input.shape)}`,
    );
  }
  if (input.ndim === 3) {
    return squeeze(conv2d(unsqueeze(input, 0), weight, bias, a), 0);
  }
  let x = input;
  let pad: Pair = [0, 0];
  if (a.padding === 'same') {
    if (a.stride[0] !== 1 || a.stride[1] !== 1) {
      throw runtimeError("padding='same' is not supported for strided convolutions");
    }
    const k = weight.shape.slice(2);
    const total = [0, 1].map((i) => a.dilation[i]! * (k[i]! - 1));
    const left = total.map((t) => Math.floor(t / 2));
    if (total[0]! - left[0]! !== left[0] || total[1]! - left[1]! !== left[1]) {
      x = constantPad2d(x, { left: 0, right: total[1]! - 2 * left[1]!, top: 0, bottom: total[0]! - 2 * left[0]! });
    }
    pad = [left[0]!, left[1]!];
  } else if (a.padding !== 'valid') {
    pad = a.padding;
  }
  return convolution(x, weight, bias, a, pad);
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
  let p: { left: number; right: number; top: number; bottom: number };
  if (a.padding === 'same') {
    const k = weight.shape.slice(2);
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
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw runtimeError(
      `Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${formatShape(input.shape)}`,
    );
  }
  if (mode === 'circular' && input.ndim !== 4) {
    throw runtimeError(`Invalid padding size, expected ${2 * (input.ndim - 2)} but got 4`);
  }
  const padded = padForConv(input, mode, p);
  return conv2d(padded, weight, bias, { ...a, padding: [0, 0] });
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
