/**
 * The PyTorch expression of each graph op, written as a person writes it:
 * layers through their modules (`self.conv(x)`), the rest with `F.*`, tensor
 * methods and operators. Each call matches build/torch/runner.py's op exactly
 * (same aten ops, so the same grad_fns, values and error messages).
 */
import type { GraphNode } from '../graph/document';
import { pyFloat, pyNumber, pyPair, pyStr, pyTuple } from './literals';

/** Variables of a node's wired inputs, by port. */
export type PortVars = ReadonlyMap<string, string>;

type Params = Readonly<Record<string, unknown>>;

const isPair = (v: unknown, x: number) => (Array.isArray(v) ? v[0] === x && v[1] === x : v === x);

/** `nn.Conv2d(...)` / `nn.Linear(...)` for a layer node, with PyTorch's defaults left out. */
export function layerConstructor(node: GraphNode): string {
  const p = node.params;
  if (node.op === 'Linear') {
    return `nn.Linear(${p.in_features}, ${p.out_features}${p.bias === false ? ', bias=False' : ''})`;
  }
  const args = [String(p.in_channels), String(p.out_channels), pyPair(p.kernel_size)];
  if (!isPair(p.stride, 1)) args.push(`stride=${pyPair(p.stride)}`);
  if (!isPair(p.padding, 0)) args.push(`padding=${pyPair(p.padding)}`);
  if (!isPair(p.dilation, 1)) args.push(`dilation=${pyPair(p.dilation)}`);
  if (p.groups !== 1) args.push(`groups=${p.groups}`);
  if (p.bias === false) args.push('bias=False');
  if (p.padding_mode !== 'zeros') args.push(`padding_mode=${pyStr(p.padding_mode as string)}`);
  return `nn.Conv2d(${args.join(', ')})`;
}

/** F.pad's list for a Conv2d's padding_mode (as nn.Conv2d's _reversed_padding_repeated_twice). */
export function reversedPadding(p: Params): number[] {
  const pad = p.padding;
  const k = p.kernel_size as number[];
  const d = p.dilation as number[];
  if (pad === 'valid') return [0, 0, 0, 0];
  if (pad === 'same') {
    const out = [0, 0, 0, 0];
    for (const i of [1, 0]) {
      const total = d[i]! * (k[i]! - 1);
      const j = i === 1 ? 0 : 2;
      out[j] = Math.floor(total / 2);
      out[j + 1] = total - Math.floor(total / 2);
    }
    return out;
  }
  const [ph, pw] = pad as number[];
  return [pw!, pw!, ph!, ph!];
}

function kw(name: string, value: string): string {
  return `${name}=${value}`;
}

/** A functional Conv2d/Linear call for a node with a wired weight or bias. */
function wiredLayer(node: GraphNode, x: PortVars, layer: string): string {
  const p = node.params;
  const w = x.get('weight') ?? `${layer}.weight`;
  const b = x.get('bias') ?? (p.bias === false ? null : `${layer}.bias`);
  const input = x.get('input')!;
  if (node.op === 'Linear') return `F.linear(${input}, ${w}${b ? `, ${b}` : ''})`;
  const args: string[] = [];
  let inp = input;
  if (p.padding_mode !== 'zeros') {
    inp = `F.pad(${input}, [${reversedPadding(p).join(', ')}], mode=${pyStr(p.padding_mode as string)})`;
  } else if (!isPair(p.padding, 0)) args.push(kw('padding', pyPair(p.padding)));
  if (!isPair(p.stride, 1)) args.unshift(kw('stride', pyPair(p.stride)));
  if (!isPair(p.dilation, 1)) args.push(kw('dilation', pyPair(p.dilation)));
  if (p.groups !== 1) args.push(kw('groups', String(p.groups)));
  return `F.conv2d(${[inp, w, b ?? 'None', ...args].join(', ')})`;
}

function reduceDim(dim: unknown): string {
  return Array.isArray(dim) ? pyTuple(dim as number[]) : String(dim);
}

function lossArgs(p: Params, x: PortVars): string[] {
  const out: string[] = [];
  const w = x.get('weight');
  if (w) out.push(kw('weight', w));
  if (p.ignore_index !== -100) out.push(kw('ignore_index', pyNumber(p.ignore_index as number)));
  if (p.reduction !== 'mean') out.push(kw('reduction', pyStr(p.reduction as string)));
  if (p.label_smoothing !== undefined && p.label_smoothing !== 0) {
    out.push(kw('label_smoothing', pyFloat(p.label_smoothing as number)));
  }
  return out;
}

/**
 * The expression computing `node`'s output from its inputs' variables. `layer` is
 * the module expression of a Conv2d/Linear node (`self.conv`); Grad and Tensor
 * nodes are written by the caller.
 */
export function opExpression(node: GraphNode, x: PortVars, layer: string): string {
  const p = node.params;
  const i = x.get('input') ?? '';
  const call = (fn: string, ...args: (string | null)[]) => `${fn}(${args.filter((a) => a !== null).join(', ')})`;
  switch (node.op) {
    case 'Conv2d':
    case 'Linear':
      return x.has('weight') || x.has('bias') ? wiredLayer(node, x, layer) : `${layer}(${i})`;
    case 'MaxPool2d':
      return call(
        'F.max_pool2d',
        i,
        pyPair(p.kernel_size),
        p.stride === null ? null : kw('stride', pyPair(p.stride)),
        isPair(p.padding, 0) ? null : kw('padding', pyPair(p.padding)),
        isPair(p.dilation, 1) ? null : kw('dilation', pyPair(p.dilation)),
        p.ceil_mode ? 'ceil_mode=True' : null,
      );
    case 'AvgPool2d':
      return call(
        'F.avg_pool2d',
        i,
        pyPair(p.kernel_size),
        p.stride === null ? null : kw('stride', pyPair(p.stride)),
        isPair(p.padding, 0) ? null : kw('padding', pyPair(p.padding)),
        p.ceil_mode ? 'ceil_mode=True' : null,
        p.count_include_pad ? null : 'count_include_pad=False',
        p.divisor_override === null ? null : kw('divisor_override', String(p.divisor_override)),
      );
    case 'ReLU':
      return call('F.relu', i, p.inplace ? 'inplace=True' : null);
    case 'Flatten':
      return call('torch.flatten', i, String(p.start_dim), p.end_dim === -1 ? null : String(p.end_dim));
    case 'Reshape': {
      const s = p.shape as number[];
      return `${i}.reshape(${s.length === 0 ? '()' : s.join(', ')})`;
    }
    case 'LogSoftmax':
    case 'Softmax':
      return call(
        node.op === 'Softmax' ? 'F.softmax' : 'F.log_softmax',
        i,
        p.dim === null ? null : kw('dim', String(p.dim)),
      );
    case 'Log':
      return `torch.log(${i})`;
    case 'Exp':
      return `torch.exp(${i})`;
    case 'Sign':
      return `torch.sign(${i})`;
    case 'Neg':
      return `-${i}`;
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const sym = { Add: '+', Sub: '-', Mul: '*', Div: '/' }[node.op];
      return `${x.get('a')} ${sym} ${x.get('b')}`;
    }
    case 'Sum':
    case 'Mean': {
      const m = node.op.toLowerCase();
      if (p.dim === null && !p.keepdim) return `${i}.${m}()`;
      return `${i}.${m}(dim=${p.dim === null ? 'None' : reduceDim(p.dim)}${p.keepdim ? ', keepdim=True' : ''})`;
    }
    case 'Clamp': {
      const lo = p.min === null ? null : kw('min', pyNumber(p.min as number));
      const hi = p.max === null ? null : kw('max', pyNumber(p.max as number));
      return lo === null && hi === null ? `torch.clamp(${i}, min=None, max=None)` : call('torch.clamp', i, lo, hi);
    }
    case 'NLLLoss':
      return call('F.nll_loss', i, x.get('target')!, ...lossArgs(p, x));
    case 'CrossEntropyLoss':
      return call('F.cross_entropy', i, x.get('target')!, ...lossArgs(p, x));
    case 'Detach':
      return `${i}.detach()`;
    case 'Clone':
      return `${i}.clone()`;
    default:
      throw new Error(`exportPython: no Python for op ${node.op}`);
  }
}
