import { classifyError, TorchError } from '../core/errors';
import { broadcastShapes, formatShape, normalizeDim, numel } from '../core/shape';
import { convOutputSize } from '../kernels/conv2d';
import { poolOutputSize } from '../kernels/pool';
import { inferShape } from '../tensor/ops/view';
import { reductionDims } from '../tensor/ops/reduce';
import type { CompiledGraph } from './compile';
import { OP_BY_NAME } from '../protocol/ops';
import type { GraphNode } from './document';
import { convParamShapes, linearParamShapes } from './ops';

/** What is known about a node's output before running. */
export interface PortMeta {
  readonly shape: number[] | null;
  readonly dtype: 'float32' | 'int64' | null;
  readonly requiresGrad: boolean;
  readonly isLeaf: boolean;
}

/** Shapes of every node output and parameter, and the problems found on the way. */
export interface ShapeReport {
  readonly ports: Map<string, PortMeta>;
  readonly problems: Map<string, string>;
}

type Pair = [number, number];
const UNKNOWN: PortMeta = { shape: null, dtype: null, requiresGrad: false, isLeaf: true };
const fail = (m: string): never => {
  throw new TorchError('RuntimeError', m);
};

/**
 * Infers the shape, dtype and requires_grad of every port of the first
 * iteration without computing anything, so the canvas can show shapes and mark
 * leaves as the graph is edited. A node whose shape cannot be inferred gets a
 * problem message and an unknown output; nodes after it are unknown too.
 */
export function inferShapes(g: CompiledGraph): ShapeReport {
  const ports = new Map<string, PortMeta>();
  const problems = new Map<string, string>();
  for (const n of [...g.forward, ...g.update]) {
    const ins = new Map<string, PortMeta>();
    for (const [port, src] of g.inputs.get(n.id)!) ins.set(port, ports.get(src) ?? UNKNOWN);
    const spec = OP_BY_NAME.get(n.op);
    if (spec?.ports.some((p) => !p.optional && !ins.has(p.name))) {
      ports.set(n.id, UNKNOWN); // still being wired (partial documents)
      continue;
    }
    try {
      if (n.op === 'Conv2d' || n.op === 'Linear') addParams(n, ins, ports);
      ports.set(n.id, inferNode(n, ins, ports));
    } catch (e) {
      const c = classifyError(e); // an engine bug says so (InternalError), a PyTorch error is PyTorch's text
      problems.set(n.id, c.type === 'InternalError' ? `InternalError: ${c.message}` : c.message);
      ports.set(n.id, UNKNOWN);
    }
  }
  return { ports, problems };
}

function addParams(n: GraphNode, ins: Map<string, PortMeta>, ports: Map<string, PortMeta>): void {
  const s = n.op === 'Conv2d' ? convParamShapes(n.params) : linearParamShapes(n.params);
  const rg = n.params.requires_grad !== false;
  if (!ins.has('weight'))
    ports.set(`${n.id}.weight`, { shape: s.weight, dtype: 'float32', requiresGrad: rg, isLeaf: true });
  if (s.bias && !ins.has('bias'))
    ports.set(`${n.id}.bias`, { shape: s.bias, dtype: 'float32', requiresGrad: rg, isLeaf: true });
}

function out(shape: number[], dtype: 'float32' | 'int64', inputs: PortMeta[]): PortMeta {
  const rg = inputs.some((i) => i.requiresGrad);
  return { shape, dtype, requiresGrad: rg, isLeaf: !rg };
}

function inferNode(n: GraphNode, ins: Map<string, PortMeta>, ports: Map<string, PortMeta>): PortMeta {
  const p = n.params;
  if (n.op === 'Tensor') {
    const dtype = p.dtype as 'float32' | 'int64';
    return { shape: p.shape as number[], dtype, requiresGrad: p.requires_grad === true, isLeaf: true };
  }
  const all = [...ins.values()];
  if (all.some((i) => i.shape === null)) return UNKNOWN;
  const x = ins.get('input') ?? ins.get('of') ?? ins.get('a');
  const xs = x?.shape ?? [];
  const float = 'float32' as const;
  switch (n.op) {
    case 'Conv2d': {
      const w = ins.get('weight') ?? ports.get(`${n.id}.weight`)!;
      const b = ins.get('bias') ?? ports.get(`${n.id}.bias`);
      if (xs.length !== 3 && xs.length !== 4)
        fail(`Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: ${formatShape(xs)}`);
      const ws = w.shape!;
      const c = xs[xs.length - 3]!;
      const groups = p.groups as number;
      if (c !== ws[1]! * groups) {
        fail(
          `Given groups=${groups}, weight of size ${formatShape(ws)}, expected input${formatShape(xs.length === 3 ? [1, ...xs] : xs)} to have ${ws[1]! * groups} channels, but got ${c} channels instead`,
        );
      }
      const [h, wd] = xs.slice(-2) as Pair;
      const k = ws.slice(2) as Pair;
      const d = p.dilation as Pair;
      const st = p.stride as Pair;
      const pad = p.padding === 'same' ? null : p.padding === 'valid' ? [0, 0] : (p.padding as Pair);
      const size = [h, wd].map((v, i) => (pad === null ? v : convOutputSize(v, k[i]!, st[i]!, pad[i]!, d[i]!)));
      if (size.some((s) => s < 1)) fail(`Kernel size can't be greater than actual input size`);
      return out([...xs.slice(0, -3), ws[0]!, ...size], float, [x!, w, ...(b ? [b] : [])]);
    }
    case 'MaxPool2d':
    case 'AvgPool2d': {
      if (xs.length !== 3 && xs.length !== 4) fail('non-empty 3D or 4D (batch mode) tensor expected for input');
      const k = p.kernel_size as Pair;
      const st = (p.stride as Pair | null) ?? k;
      const pad = p.padding as Pair;
      const d = (p.dilation as Pair | undefined) ?? [1, 1];
      const size = [0, 1].map((i) => {
        if (pad[i]! > Math.floor(k[i]! / 2))
          fail(`pad should be at most half of kernel size, but got pad=${pad[i]} and kernel_size=${k[i]}`);
        return poolOutputSize(xs[xs.length - 2 + i]!, k[i]!, pad[i]!, st[i]!, d[i]!, p.ceil_mode as boolean);
      });
      if (size.some((s) => s < 1)) fail('Output size is too small');
      return out([...xs.slice(0, -2), ...size], float, [x!]);
    }
    case 'Linear': {
      const w = ins.get('weight') ?? ports.get(`${n.id}.weight`)!;
      const b = ins.get('bias') ?? ports.get(`${n.id}.bias`);
      const ws = w.shape!;
      if (xs[xs.length - 1] !== ws[1]) {
        const rows = xs.length === 1 ? 1 : numel(xs.slice(0, -1));
        fail(`mat1 and mat2 shapes cannot be multiplied (${rows}x${xs[xs.length - 1]} and ${ws[1]}x${ws[0]})`);
      }
      return out([...xs.slice(0, -1), ws[0]!], float, [x!, w, ...(b ? [b] : [])]);
    }
    case 'Flatten': {
      if (xs.length === 0) return out([1], x!.dtype ?? float, [x!]);
      const a = normalizeDim(p.start_dim as number, xs.length);
      const b = normalizeDim(p.end_dim as number, xs.length);
      if (a > b) fail('flatten() has invalid args: start_dim cannot come after end_dim');
      return out([...xs.slice(0, a), numel(xs.slice(a, b + 1)), ...xs.slice(b + 1)], x!.dtype ?? float, [x!]);
    }
    case 'Reshape':
      return out(inferShape(p.shape as number[], numel(xs)), x!.dtype ?? float, [x!]);
    case 'LogSoftmax':
    case 'Softmax':
      if (p.dim !== null) normalizeDim(p.dim as number, xs.length);
      return out(xs, float, [x!]);
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const b = ins.get('b')!;
      const dtype = x!.dtype === 'int64' && b.dtype === 'int64' && n.op !== 'Div' ? 'int64' : float;
      return out(broadcastShapes(xs, b.shape!), dtype, [x!, b]);
    }
    case 'Sum':
    case 'Mean': {
      let dims = reductionDims(p.dim as number | number[] | null, xs.length);
      if (dims === null || dims.length === 0) dims = xs.map((_, i) => i);
      const shape = p.keepdim ? xs.map((s, i) => (dims!.includes(i) ? 1 : s)) : xs.filter((_, i) => !dims!.includes(i));
      return out(shape, n.op === 'Sum' ? (x!.dtype ?? float) : float, [x!]);
    }
    case 'NLLLoss':
    case 'CrossEntropyLoss': {
      const t = ins.get('target')!;
      const same = t.shape!.length === xs.length && t.shape!.every((v, i) => v === xs[i]);
      const shape =
        p.reduction !== 'none' ? [] : same ? xs.filter((_, i) => i !== (xs.length === 1 ? 0 : 1)) : [...t.shape!];
      return out(shape, float, [x!]);
    }
    case 'Detach':
      return { shape: xs, dtype: x!.dtype, requiresGrad: false, isLeaf: true };
    case 'Grad':
      return { shape: xs, dtype: x!.dtype, requiresGrad: false, isLeaf: true };
    case 'ReLU':
    case 'Clone':
    case 'Clamp':
      return out(xs, x!.dtype ?? float, [x!]);
    default:
      return out(xs, float, [x!]);
  }
}
