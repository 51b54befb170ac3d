import { checkConv2dModule, conv2dModule, conv2dModuleShape, type Conv2dArgs } from '../../nn/conv';
import type { ParamsOf } from '../../protocol/op-spec';
import { defineOp, derived, pairIs, port, shapeOf, type Ports, type PyContext, type PyLiterals } from '../define';
import { CONV2D } from './spec';

type P = ParamsOf<(typeof CONV2D)['params']>;

const args = (p: P): Conv2dArgs => ({ stride: p.stride, padding: p.padding, dilation: p.dilation, groups: p.groups });

/** F.pad's list for a Conv2d's padding_mode (as nn.Conv2d's _reversed_padding_repeated_twice). */
function reversedPadding(p: Pick<P, 'padding' | 'kernel_size' | 'dilation'>): number[] {
  const { padding: pad, kernel_size: k, dilation: d } = p;
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad === 'same') {
    const out = [0, 0, 0, 0];
    for (const i of [1, 0] as const) {
      const total = d[i] * (k[i] - 1);
      const j = i === 1 ? 0 : 2;
      out[j] = Math.floor(total / 2);
      out[j + 1] = total - Math.floor(total / 2);
    }
    return out;
  }
  const [ph, pw] = pad;
  return [pw, pw, ph, ph];
}

/** `nn.Conv2d(...)`, PyTorch's defaults left out. */
function constructor(py: PyLiterals, p: P): string {
  const a = [String(p.in_channels), String(p.out_channels), py.pair(p.kernel_size)];
  if (!pairIs(p.stride, 1)) a.push(`stride=${py.pair(p.stride)}`);
  if (!pairIs(p.padding, 0)) a.push(`padding=${py.pair(p.padding)}`);
  if (!pairIs(p.dilation, 1)) a.push(`dilation=${py.pair(p.dilation)}`);
  if (p.groups !== 1) a.push(`groups=${p.groups}`);
  if (!p.bias) a.push('bias=False');
  if (p.padding_mode !== 'zeros') a.push(`padding_mode=${py.str(p.padding_mode)}`);
  return `nn.Conv2d(${a.join(', ')})`;
}

/** `F.conv2d(...)` for a node with a wired weight or bias. */
function functional(py: PyContext, x: Ports<string>, p: P): string {
  const w = x.get('weight') ?? `${py.layer}.weight`;
  const b = x.get('bias') ?? (p.bias ? `${py.layer}.bias` : null);
  const input = port(x, 'input');
  const a: string[] = [];
  let inp = input;
  if (p.padding_mode !== 'zeros') {
    inp = `F.pad(${input}, [${reversedPadding(p).join(', ')}], mode=${py.str(p.padding_mode)})`;
  } else if (!pairIs(p.padding, 0)) a.push(`padding=${py.pair(p.padding)}`);
  if (!pairIs(p.stride, 1)) a.unshift(`stride=${py.pair(p.stride)}`);
  if (!pairIs(p.dilation, 1)) a.push(`dilation=${py.pair(p.dilation)}`);
  if (p.groups !== 1) a.push(`groups=${p.groups}`);
  return `F.conv2d(${[inp, w, b ?? 'None', ...a].join(', ')})`;
}

export const conv2dOp = defineOp(CONV2D, {
  layer: (p) => {
    const cin = p.in_channels / p.groups;
    const [kh, kw] = p.kernel_size;
    return {
      shapes: { weight: [p.out_channels, cin, kh, kw], bias: p.bias ? [p.out_channels] : null, fanIn: cin * kh * kw },
      requiresGrad: p.requires_grad,
      init: p.init,
      check: () => checkConv2dModule(p.in_channels, p.out_channels, p.groups, p.padding, p.stride),
      module: (py) => constructor(py, p),
    };
  },
  infer: (ins, p) => {
    const x = port(ins, 'input');
    const w = port(ins, 'weight');
    const b = ins.get('bias');
    const shape = conv2dModuleShape(shapeOf(x), shapeOf(w), b ? shapeOf(b) : null, args(p), p.padding_mode);
    return derived(shape, 'float32', b ? [x, w, b] : [x, w]);
  },
  execute: (_ctx, ins, p) =>
    conv2dModule(port(ins, 'input'), port(ins, 'weight'), ins.get('bias') ?? null, args(p), p.padding_mode),
  python: (py, x, p) => (x.has('weight') || x.has('bias') ? functional(py, x, p) : `${py.layer}(${port(x, 'input')})`),
});
