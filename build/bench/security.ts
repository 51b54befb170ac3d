/**
 * `npm run bench -- --security`: timings of the attack suite's large cases
 * (issue 16; the tests in test/security assert only behaviour):
 *
 *   validate + compile   a 50,000-node chain (load: validation, compile, shape inference)
 *   refuse a cycle       the same chain closing into a cycle
 *   host load (cycle)    SessionHost answering `load` of that cycle (issues and the valid part's shapes)
 *   50,000 ready nodes   one Tensor feeding 50,000 nodes (the ready heap of the tie rule)
 *
 *   --security       print these rows after W1-W4
 *   --security-only  print only these rows (skips W1-W4)
 */
import { load } from '../../engine/graph/index';
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
