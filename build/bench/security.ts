/**
 * `npm run bench -- --security`: timings of the attack suite's large cases
 * (issue 16; the tests in test/security assert only behaviour):
 *
 *   validate + compile   a 50,000-node chain (load: validation, compile, shape inference)
 *   refuse a cycle       the same chain closing into a cycle
 *   host load (cycle)    SessionHost answering `load` of that cycle (issues and the valid part's shapes)
 *   50,000 ready nodes   one Tensor feeding 50,000 nodes (the ready heap of the tie rule)
 *   read NaN JSON        parseJsonWithNaN of a 50 MB document with one NaN token
 *   write a result       writeJson of 2^22 float32 values (about 80 MB of JSON) into a counting sink
 *   export a script      exportPythonChunks --seeded engine of a 2^22-element randn tensor into a counting sink
 *
 *   --security       print these rows after W1-W4
 *   --security-only  print only these rows (skips W1-W4)
 */
import { exportPythonChunks } from '../../engine/bridge/index';
import { load } from '../../engine/graph/index';
import { parseJsonWithNaN, writeJson } from '../../engine/graph/result';
import { SessionHost } from '../../engine/host/session-host';

/** One timed case: the best of a few runs, in ms. */
export interface SecurityRow {
  name: string;
  ms: number;
  detail: string;
}

const N = 50_000;

type Doc = Record<string, unknown>;
const docOf = (nodes: Doc[], edges: Doc[], run?: Doc): Doc => ({
  format: 'autograd-studio/graph',
  version: 1,
  nodes,
  edges,
  ...(run ? { run } : {}),
});

function chain(length: number, cycle: boolean): Doc {
  const nodes: Doc[] = [{ id: 'x', op: 'Tensor', params: { shape: [2], requires_grad: true } }];
  const edges: Doc[] = [];
  for (let i = 0; i < length; i++) {
    nodes.push({ id: `n${i}`, op: 'Neg', params: {} });
    edges.push({
      source: i === 0 ? (cycle ? `n${length - 1}` : 'x') : `n${i - 1}`,
      target: `n${i}`,
      targetHandle: 'input',
    });
  }
  nodes.push({ id: 's', op: 'Sum', params: {} });
  edges.push({ source: `n${length - 1}`, target: 's', targetHandle: 'input' });
  return docOf(nodes, edges, { backward: 's' });
}

function fan(width: number): Doc {
  const nodes: Doc[] = [{ id: 'x', op: 'Tensor', params: { shape: [1] } }];
  const edges: Doc[] = [];
  for (let i = width - 1; i >= 0; i--) {
    nodes.push({ id: `w${i}`, op: 'Neg', params: {} });
    edges.push({ source: 'x', target: `w${i}`, targetHandle: 'input' });
  }
  return docOf(nodes, edges);
}

/** Best wall time of `reps` runs of `fn` on a fresh input each (making the input is not timed). */
function best<T>(reps: number, make: () => T, fn: (input: T) => void): number {
  let min = Infinity;
  for (let r = 0; r < reps; r++) {
    const input = make();
    const t0 = performance.now();
    fn(input);
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function expectLoad(d: Doc, ok: boolean): void {
  const l = load(d);
  if (l.ok !== ok) throw new Error(`load: expected ok=${ok}`);
}

/** A document-like text of about `mb` MB: numbers with seven decimals and one NaN in the middle. */
function nanText(mb: number): string {
  const n = Math.round((mb * 1e6) / 11);
  const values = Array.from({ length: n }, (_, i) => (i === n >> 1 ? 'NaN' : ((i % 997) / 997).toFixed(7)));
  return `{"data": [${values.join(', ')}]}`;
}

/** Runs every case. */
export function securityBench(reps = 3): SecurityRow[] {
  const host = new SessionHost({ post: () => {}, yieldToEvents: () => Promise.resolve() });
  return [
    {
      name: 'validate + compile',
      ms: best(
        reps,
        () => chain(N, false),
        (d) => expectLoad(d, true),
      ),
      detail: `${N}-node chain`,
    },
    {
      name: 'refuse a cycle',
      ms: best(
        reps,
        () => chain(N, true),
        (d) => expectLoad(d, false),
      ),
      detail: `${N}-node chain closing into a cycle`,
    },
    {
      name: 'host load (cycle)',
      ms: best(
        reps,
        () => chain(N, true),
        (d) => host.handle({ type: 'load', id: 1, document: d }),
      ),
      detail: "SessionHost: issues and the valid part's shapes",
    },
    {
      name: 'ready nodes',
      ms: best(
        reps,
        () => fan(N),
        (d) => expectLoad(d, true),
      ),
      detail: `${N} nodes ready at once`,
    },
    {
      name: 'read NaN JSON',
      ms: best(
        reps,
        () => nanText(50),
        (t) => parseJsonWithNaN(t),
      ),
      detail: '50 MB, one NaN token',
    },
    {
      name: 'write a result',
      ms: best(
        reps,
        () => new Float32Array(1 << 22).map((_, i) => Math.sin(i)),
        (data) => {
          let chars = 0;
          writeJson({ data }, (c) => (chars += c.length));
        },
      ),
      detail: '2^22 float32 values, in 64 KiB chunks',
    },
    {
      name: 'export a script',
      ms: best(
        reps,
        () => docOf([{ id: 'x', op: 'Tensor', params: { shape: [1 << 22], init: { kind: 'randn', seed: 7 } } }], []),
        (d) => {
          let chars = 0;
          exportPythonChunks(d, { seeded: 'engine' })((c) => (chars += c.length));
        },
      ),
      detail: 'export-python --seeded engine, 2^22 values spelled out, in 64 KiB chunks',
    },
  ];
}

/** The rows as the bench prints them. */
export function securityRows(rows: SecurityRow[]): string[] {
  return [
    '| security case | ms (best) | what |',
    '|---|---:|---|',
    ...rows.map((r) => `| ${r.name} | ${r.ms.toFixed(1)} | ${r.detail} |`),
  ];
}
