import { adaptiveAvgPool2d, adaptiveAvgPool2dShape } from '../../nn/adaptive-pool';
import { avgPool2d, checkMaxPoolDtype, maxPool2d, pool2dShape, type Pool2dArgs } from '../../nn/pool';
import type { Pair } from '../../protocol/op-spec';
import { defineOp, derived, pairIs, port, pyCall, shapeOf, type PyLiterals } from '../define';
import { ADAPTIVE_AVG_POOL2D, AVG_POOL2D, MAX_POOL2D } from './spec';

interface Window {
  readonly kernel_size: Pair;
  readonly stride: Pair | null;
  readonly padding: Pair;
  readonly ceil_mode: boolean;
}

const args = (p: Window, dilation: Pair): Pool2dArgs => ({
  kernel: p.kernel_size,
  stride: p.stride ?? p.kernel_size,
  padding: p.padding,
  dilation,
  ceilMode: p.ceil_mode,
});

/** The arguments both pools write the same way, up to padding. */
const windowArgs = (py: PyLiterals, p: Window) => [
  py.pair(p.kernel_size),
  p.stride === null ? null : `stride=${py.pair(p.stride)}`,
  pairIs(p.padding, 0) ? null : `padding=${py.pair(p.padding)}`,
];

export const maxPool2dOp = defineOp(MAX_POOL2D, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    const shape = pool2dShape(shapeOf(x), args(p, p.dilation));
    if (x.dtype) checkMaxPoolDtype(x.dtype);
    return derived(shape, 'float32', [x]);
  },
  execute: (_ctx, ins, p) => maxPool2d(port(ins, 'input'), args(p, p.dilation)),
  python: (py, x, p) =>
    pyCall(
      'F.max_pool2d',
      port(x, 'input'),
      ...windowArgs(py, p),
      pairIs(p.dilation, 1) ? null : `dilation=${py.pair(p.dilation)}`,
      p.ceil_mode ? 'ceil_mode=True' : null,
    ),
});

export const avgPool2dOp = defineOp(AVG_POOL2D, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    return derived(pool2dShape(shapeOf(x), args(p, [1, 1])), x.dtype ?? 'float32', [x]);
  },
  execute: (_ctx, ins, p) => avgPool2d(port(ins, 'input'), args(p, [1, 1]), p.count_include_pad, p.divisor_override),
  python: (py, x, p) =>
    pyCall(
      'F.avg_pool2d',
      port(x, 'input'),
      ...windowArgs(py, p),
      p.ceil_mode ? 'ceil_mode=True' : null,
      p.count_include_pad ? null : 'count_include_pad=False',
      p.divisor_override === null ? null : `divisor_override=${p.divisor_override}`,
    ),
});

export const adaptiveAvgPool2dOp = defineOp(ADAPTIVE_AVG_POOL2D, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    const dtype = x.dtype ?? 'float32';
    return derived(adaptiveAvgPool2dShape(shapeOf(x), dtype, p.output_size), dtype, [x]);
  },
  execute: (_ctx, ins, p) => adaptiveAvgPool2d(port(ins, 'input'), p.output_size),
  python: (_py, x, p) => {
    const size = p.output_size;
    const s = typeof size === 'number' ? String(size) : `(${size.map((v) => (v === null ? 'None' : v)).join(', ')})`;
    return pyCall('F.adaptive_avg_pool2d', port(x, 'input'), s);
  },
});
