import type { Dtype } from '../../protocol/op-spec';
import { checkFloating, gelu, leakyRelu, leakyRelu_, sigmoid, tanh } from '../../tensor/ops/activation';
import { defineOp, derived, port, pyCall, shapeOf, type PortMeta } from '../define';
import { GELU, LEAKY_RELU, SIGMOID, TANH } from './spec';

/** The output of an op that keeps its input's shape, in `dtype` of the input's. */
const same = (ins: ReadonlyMap<string, PortMeta>, dtype: (d: Dtype) => Dtype) => {
  const x = port(ins, 'input');
  return derived(shapeOf(x), dtype(x.dtype ?? 'float32'), [x]);
};
/** Sigmoid and Tanh compute int64 inputs in float32. */
const floating = (d: Dtype): Dtype => (d === 'int64' ? 'float32' : d);
/** An op whose kernel takes floating types only raises PyTorch's "not implemented for 'Long'". */
const floatOnly = (kernel: string) => (d: Dtype) => {
  checkFloating(kernel, d);
  return d;
};

export const sigmoidOp = defineOp(SIGMOID, {
  infer: (ins) => same(ins, floating),
  execute: (_ctx, ins) => sigmoid(port(ins, 'input')),
  python: (_py, x) => `torch.sigmoid(${port(x, 'input')})`,
});

export const tanhOp = defineOp(TANH, {
  infer: (ins) => same(ins, floating),
  execute: (_ctx, ins) => tanh(port(ins, 'input')),
  python: (_py, x) => `torch.tanh(${port(x, 'input')})`,
});

export const leakyReluOp = defineOp(LEAKY_RELU, {
  infer: (ins) => same(ins, floatOnly('leaky_relu_cpu')),
  execute: (_ctx, ins, p) => (p.inplace ? leakyRelu_ : leakyRelu)(port(ins, 'input'), p.negative_slope),
  python: (py, x, p) =>
    pyCall(
      'F.leaky_relu',
      port(x, 'input'),
      p.negative_slope === 0.01 ? null : py.float(p.negative_slope),
      p.inplace ? 'inplace=True' : null,
    ),
});

export const geluOp = defineOp(GELU, {
  infer: (ins) => same(ins, floatOnly('GeluKernelImpl')),
  execute: (_ctx, ins, p) => gelu(port(ins, 'input'), p.approximate),
  python: (py, x, p) =>
    pyCall('F.gelu', port(x, 'input'), p.approximate === 'none' ? null : `approximate=${py.str(p.approximate)}`),
});
