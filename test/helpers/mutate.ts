/**
 * Seeded mutations of graph documents for the fuzzer (test/fuzz). Each mutator
 * edits a deep copy of a valid document in place and returns a one-line
 * description, so a failing case can be reproduced from the seed and the text.
 */
import { OPS, OP_BY_NAME } from '../../engine/protocol/ops';
import { type Rng } from './random';

type Any = Record<string, unknown> & { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Doc = Any;
export type Mutator = (d: Doc, r: Rng) => string;

/** Values that break assumptions: wrong types, non-finite and extreme numbers, odd strings. */
export const NASTY: readonly unknown[] = [
  null,
  true,
  false,
  0,
  -0,
  -1,
  1,
  2,
  3,
  1.5,
  -0.5,
  NaN,
  Infinity,
  -Infinity,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53,
  1e9,
  '',
  '0',
  'x',
  'same',
  'valid',
  'NaN',
  'constructor',
  '__proto__',
  'Tensor',
  'out',
  'input',
  [],
  [0],
  [-1],
  [1, 2],
  [1, 2, 3],
  [1e9, 1e9],
  [NaN],
  [[1]],
  {},
  { kind: 'zeros' },
  { kind: 'values', data: [] },
  { x: 1, y: 2 },
  { __proto__: null, kind: 'ones' },
];

/** Shapes far beyond the per-tensor budget of 2^25 elements. */
export const HUGE_SHAPES: readonly number[][] = [
  [100000, 100000, 100],
  [2 ** 25 + 1],
  [1e9],
  [65536, 65536],
  [2 ** 13, 2 ** 13, 2 ** 13],
  [1, 1, 100000, 100000],
];

const ops = (d: Doc): Any[] =>
  Array.isArray(d.nodes) ? (d.nodes as unknown[]).filter((n): n is Any => typeof n === 'object' && n !== null) : [];
const ids = (d: Doc): string[] =>
  ops(d)
    .map((n) => n.id)
    .filter((x) => typeof x === 'string');
const params = (n: Any): Any => {
  if (typeof n.params !== 'object' || n.params === null || Array.isArray(n.params)) n.params = {};
  return n.params;
};

/** Every (container, key) in the document, with long numeric arrays sampled, for random edits. */
function slots(root: unknown): [Any, string | number, string][] {
  const out: [Any, string | number, string][] = [];
  const walk = (v: unknown, path: string, depth: number) => {
    if (depth > 7 || typeof v !== 'object' || v === null) return;
    const keys: (string | number)[] = Array.isArray(v) ? [...v.keys()].slice(0, 3) : Object.keys(v);
    for (const k of keys) {
      const p = typeof k === 'number' ? `${path}[${k}]` : `${path}.${k}`;
      out.push([v as Any, k, p]);
      walk((v as Any)[k], p, depth + 1);
    }
  };
  walk(root, '$', 0);
  return out;
}

/** A value of another JS type than `v`. */
function otherType(v: unknown, r: Rng): unknown {
  for (;;) {
    const c = r.pick(NASTY);
    if (typeof c !== typeof v || Array.isArray(c) !== Array.isArray(v) || (c === null) !== (v === null))
      return structuredClone(c);
  }
}

/** Nested arrays (or objects) `depth` levels deep, built without recursion. */
export function deep(depth: number, objects: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = objects ? { a: v } : [v];
  return v;
}

function portsOf(d: Doc, id: string): string[] {
  const n = ops(d).find((x) => x.id === id);
  const spec = n && typeof n.op === 'string' ? OP_BY_NAME.get(n.op) : undefined;
  return spec ? spec.ports.map((p) => p.name) : ['input'];
}

export const MUTATORS: Record<string, Mutator> = {
  'wrong-type': (d, r) => {
    const [c, k, p] = r.pick(slots(d));
    c[k] = otherType(c[k], r);
    return `${p} = ${String(JSON.stringify(c[k])).slice(0, 40)}`;
  },
  'delete-field': (d, r) => {
    const [c, k, p] = r.pick(slots(d));
    if (Array.isArray(c)) c.splice(k as number, 1);
    else delete c[k];
    return `delete ${p}`;
  },
  'duplicate-node': (d, r) => {
    const n = r.pick(ops(d));
    const twin = structuredClone(n);
    if (r.chance(0.5)) twin.id = `${n.id}_dup`;
    d.nodes.splice(r.int(0, d.nodes.length), 0, twin);
    return `duplicate ${n.id} as ${twin.id}`;
  },
  'random-edges': (d, r) => {
    const all = ids(d);
    const added: string[] = [];
    for (let i = r.int(1, 3); i > 0; i--) {
      const target = r.pick(all);
      const e = { source: r.pick(all), sourceHandle: 'out', target, targetHandle: r.pick(portsOf(d, target)) };
      d.edges.push(e);
      added.push(`${e.source}->${e.target}.${e.targetHandle}`);
    }
    return `add edges ${added.join(', ')}`;
  },
  cycle: (d, r) => {
    if ((d.edges as Any[]).length === 0) return MUTATORS['random-edges']!(d, r);
    // Re-route an edge into the source of a later edge so that it comes from that edge's target.
    const edges = d.edges as Any[];
    const e = r.pick(edges);
    const into = edges.filter((x) => x.target === e.source);
    if (into.length === 0) {
      edges.push({ source: e.target, target: e.target, targetHandle: e.targetHandle });
      return `self-loop on ${e.target}`;
    }
    r.pick(into).source = e.target;
    return `cycle through ${e.source} and ${e.target}`;
  },
  'huge-shape': (d, r) => {
    // Only sizes of tensors: a huge pooling kernel alone allocates nothing (PyTorch accepts
    // kernel_size [1, 1e9] with ceil_mode and gives a 1-wide output).
    const sized = ops(d).filter((x) => ['Tensor', 'Reshape', 'Conv2d', 'Linear'].includes(x.op));
    if (sized.length === 0) {
      // a document of other ops (a Dataset's): a Tensor of its own, as big
      const shape = [...r.pick(HUGE_SHAPES)];
      d.nodes.push({ id: 'huge', op: 'Tensor', params: { shape } });
      return `huge (Tensor) added: ${JSON.stringify(shape)}`;
    }
    const n = r.pick(sized);
    const p = params(n);
    if (n.op === 'Tensor' || n.op === 'Reshape') p.shape = [...r.pick(HUGE_SHAPES)];
    else if (n.op === 'Conv2d')
      Object.assign(
        p,
        r.pick([
          { out_channels: 1e6, in_channels: 1e6, groups: 1 },
          { kernel_size: 100000 },
          { out_channels: 2 ** 26 },
        ]),
      );
    else Object.assign(p, r.pick([{ in_features: 1e6, out_features: 1e6 }, { out_features: 2 ** 26 }]));
    return `${n.id} (${n.op}) huge: ${JSON.stringify(p.shape ?? p).slice(0, 80)}`;
  },
  'nasty-numbers': (d, r) => {
    const n = r.pick(ops(d));
    const p = params(n);
    const spec = OP_BY_NAME.get(n.op);
    const names = [
      ...Object.keys(p).filter((k) => typeof p[k] === 'number'),
      ...(spec?.params.map((x) => x.name) ?? []),
    ];
    const key = names.length > 0 ? r.pick(names) : 'shape';
    p[key] = r.pick([NaN, Infinity, -Infinity, -1, -3, 0.5, 2.5, 1e308, -0, 2 ** 31]);
    return `${n.id}.params.${key} = ${p[key]}`;
  },
  'unknown-op': (d, r) => {
    const n = r.pick(ops(d));
    n.op = r.pick([
      'Softplus',
      'tensor',
      'TENSOR',
      'Conv3d',
      '',
      ' ReLU',
      'ReLU ',
      'hasOwnProperty',
      'toString',
      '__proto__',
    ]);
    return `${n.id}.op = ${JSON.stringify(n.op)}`;
  },
  'param-pool': (d, r) => {
    const n = r.pick(ops(d));
    const spec = OP_BY_NAME.get(n.op) ?? r.pick(OPS);
    const key =
      spec.params.length > 0 && r.chance(0.9)
        ? r.pick(spec.params).name
        : r.pick(['bogus', 'constructor', '__proto__']);
    params(n)[key] = structuredClone(r.pick(NASTY));
    return `${n.id}.params.${key} = ${String(JSON.stringify(params(n)[key])).slice(0, 40)}`;
  },
  'swap-handles': (d, r) => {
    if ((d.edges as Any[]).length === 0) return MUTATORS['random-edges']!(d, r);
    const edges = d.edges as Any[];
    const a = r.pick(edges);
    if (r.chance(0.5) && edges.length > 1) {
      const b = r.pick(edges);
      [a.targetHandle, b.targetHandle] = [b.targetHandle, a.targetHandle];
      return `swap targetHandle of ${a.source}->${a.target} and ${b.source}->${b.target}`;
    }
    [a.source, a.target] = [a.target, a.source];
    return `reverse ${a.target}->${a.source}`;
  },
  'deep-nesting': (d, r) => {
    const depth = r.pick([1000, 5000, 100000]);
    const value = deep(depth, r.chance(0.5));
    const n = r.pick(ops(d));
    const id = String(n.id);
    const where = r.pick(['op', 'id', 'params', 'param', 'edge', 'run', 'meta', 'init']);
    if (where === 'op' || where === 'id') n[where] = value;
    else if (where === 'params') n.params = value;
    else if (where === 'param') params(n)[r.pick(OP_BY_NAME.get(n.op)?.params.map((p) => p.name) ?? ['x'])] = value;
    else if (where === 'edge' && d.edges.length > 0)
      r.pick(d.edges as Any[])[r.pick(['source', 'target', 'targetHandle'])] = value;
    else if (where === 'run') d.run = { ...(d.run ?? {}), [r.pick(['backward', 'feedback', 'iterations'])]: value };
    else if (where === 'meta') d.meta = value;
    else params(n).init = value;
    return `${depth}-deep value at ${where} of ${id}`;
  },
  'long-strings': (d, r) => {
    const s = r.pick([
      'x'.repeat(1_000_000),
      '\u0000'.repeat(1000),
      '\ud800'.repeat(1000),
      'é'.repeat(100000),
      '.'.repeat(64),
    ]);
    const n = r.pick(ops(d));
    const id = String(n.id);
    const where = r.pick(['id', 'op', 'label', 'enum', 'handle', 'backward', 'name']);
    if (where === 'id' || where === 'op' || where === 'label') n[where] = s;
    else if (where === 'enum') params(n)[r.pick(['padding_mode', 'reduction', 'dtype', 'padding'])] = s;
    else if (where === 'handle' && d.edges.length > 0) r.pick(d.edges as Any[]).targetHandle = s;
    else if (where === 'backward') d.run = { ...(d.run ?? {}), backward: s };
    else d.meta = { name: s };
    return `${s.length}-char string (${JSON.stringify(s.slice(0, 3))}...) at ${where} of ${id}`;
  },
  'run-section': (d, r) => {
    const all = [...ids(d), 'ghost'];
    const run: Any = typeof d.run === 'object' && d.run !== null ? d.run : {};
    const what = r.pick(['backward', 'feedback', 'iterations', 'zero_grad', 'update_no_grad', 'whole']);
    if (what === 'backward') run.backward = r.pick(all);
    else if (what === 'feedback')
      run.feedback = [
        { from: r.pick(all), to: r.pick(all) },
        ...(r.chance(0.3) ? [{ from: r.pick(all), to: r.pick(all) }] : []),
      ];
    else if (what === 'iterations') run.iterations = r.pick([0, -1, 1.5, 2, 3, 100001, 1e9, '2', NaN, null]);
    else if (what === 'whole') d.run = r.pick(NASTY);
    else run[what] = r.pick(NASTY);
    if (what !== 'whole') d.run = run;
    return `run.${what} = ${String(JSON.stringify(what === 'whole' ? d.run : run[what])).slice(0, 60)}`;
  },
  'plausible-params': (d, r) => {
    // Valid values of the right kind (so most documents pass validation and reach the
    // engine's own checks: shape mismatches, padding limits, in-place rules, ...).
    const VALID: Record<string, unknown[]> = {
      int: [0, 1, 2],
      posint: [1, 2, 3, 4],
      int2: [1, 2, 3, [1, 2], [3, 1]],
      int2nn: [0, 1, 2, [0, 1], [2, 0]],
      'int2|null': [null, 1, 2, [2, 1]],
      conv_padding: [0, 1, 2, 'same', 'valid', [1, 0]],
      bool: [true, false],
      number: [-100, -1, 0, 1, 2, 0.5],
      'number|null': [null, -1, 0, 0.5, 1],
      'integer|null': [null, 1, 2, 3, -1],
      integer: [-100, -1, 0, 1, 2],
      dim: [-2, -1, 0, 1, 2, 3],
      'dim|null': [null, -1, 0, 1, 2],
      'dims|null': [null, 0, 1, -1, [0, 1], [], [1, -1]],
      dims: [[0], [1, 0], [-1, 0], [2, 0, 1], []],
      output_size: [1, 2, [2, 3], [null, 1], [1, null], 0],
      shape: [[], [1], [2, 3], [1, 1, 4, 4], [2, 0]],
      reshape: [[-1], [2, -1], [1, 1, -1], [3, 4], [0]],
      dtype: ['float32', 'int64'],
      init: [{ kind: 'ones' }, { kind: 'randn', seed: 3 }, { kind: 'randint', high: 3, seed: 2 }],
      param_init: [{}, { weight: { kind: 'ones' } }, { bias: { kind: 'zeros' } }],
    };
    const changes: string[] = [];
    for (let k = r.int(1, 3); k > 0; k--) {
      const n = r.pick(ops(d));
      const spec = OP_BY_NAME.get(n.op);
      if (!spec || spec.params.length === 0) {
        n.retain_grad = r.chance(0.5);
        changes.push(`${n.id}.retain_grad = ${n.retain_grad}`);
        continue;
      }
      const p = r.pick(spec.params);
      params(n)[p.name] = structuredClone(p.kind === 'enum' ? r.pick(p.values!) : r.pick(VALID[p.kind] ?? [null]));
      changes.push(`${n.id}.${p.name} = ${JSON.stringify(params(n)[p.name])}`);
    }
    return changes.join(', ');
  },
  'init-values': (d, r) => {
    // Every node with an `init` parameter (Tensor, and the layers owning parameters); a seed may have none
    // (a Dataset feeding a BatchNorm2d has one, a graph of only Dataset and pooling none).
    const owners = ops(d).filter((x) => OP_BY_NAME.get(x.op)?.params.some((q) => q.name === 'init'));
    if (owners.length === 0) return 'no node with an init parameter: unchanged';
    const n = r.pick(owners);
    const p = params(n);
    const init = r.pick<unknown>([
      { kind: 'values', data: [NaN, Infinity, -Infinity] },
      { kind: 'values', data: [] },
      { kind: 'values', data: [1.5, 2.5] },
      { kind: 'full', value: NaN },
      { kind: 'full', value: 1e308 },
      { kind: 'randint', low: 5, high: 2, seed: 1 },
      { kind: 'randint', high: 1e300, seed: 1 },
      { kind: 'rand', seed: -1 },
      { kind: 'arange', start: 1e308, step: 1e308 },
      { kind: 'zeros', extra: true },
      { kind: 'gaussian' },
      { weight: { kind: 'ones' }, bias: { kind: 'values', data: [1] } },
    ]);
    p.init = structuredClone(init);
    if (n.op === 'Tensor' && r.chance(0.3)) p.dtype = r.pick(['int64', 'float32', 'float64']);
    return `${n.id}.params.init = ${JSON.stringify(p.init)}`;
  },
};
