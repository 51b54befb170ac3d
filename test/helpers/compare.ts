/**
 * Compares a run result with the result real PyTorch 1.13 computed for the same
 * document (`NAME.expected.json`). It follows `test/fixtures/check.py`, but is
 * stricter:
 *  - the tolerance scale is taken over FINITE expected values only (check.py lets an
 *    Infinity make every tolerance infinite); NaN must meet NaN, ±Infinity must be equal;
 *  - every grad_fn name must be equal (not only check.py's "stable" set);
 *  - the error's type and message must be equal (not only a prefix of a few messages);
 *  - the full `backward_steps` list (grad_fn and node, in order) must be equal;
 *  - the reported tensors must be the same set, with equal dtypes and grad shapes.
 * Returns a list of human-readable faults (empty when the results match).
 */

/** The parts of a result this comparer reads (loosely typed: results come from JSON). */
export interface ResultLike {
  tensors?: Record<string, TensorLike> | null;
  backward_steps?: { grad_fn: string; node: string | null }[] | null;
  iterations_run?: number;
  error?: ErrorLike | null;
  optimizer?: OptimizerLike;
}
type StateValue = number | null | { shape?: number[]; data?: (number | null)[] };
interface OptimizerLike {
  kind?: string;
  params?: string[];
  state?: Record<string, Record<string, StateValue>>;
}
interface TensorLike {
  shape?: number[];
  dtype?: string;
  data?: (number | null)[];
  requires_grad?: boolean;
  is_leaf?: boolean;
  grad_fn?: string | null;
  grad?: { shape?: number[]; data?: (number | null)[] } | null;
}
interface ErrorLike {
  type?: string;
  message?: string;
  node?: string | null;
  phase?: string;
  iteration?: number;
}

const show = (v: unknown): string => (typeof v === 'number' ? String(v) : JSON.stringify(v));

/**
 * Element-wise closeness as check.py defines it: |x - y| <= 1e-5 * scale + 1e-4 * |y|,
 * scale = max(1, max |y| over finite expected y). Returns a fault or null.
 */
export function closeArrays(
  got: readonly unknown[] | undefined | null,
  exp: readonly (number | null)[],
): string | null {
  if (!Array.isArray(got)) return `no data (got ${show(got)})`;
  if (got.length !== exp.length) return `length ${got.length} != expected ${exp.length}`;
  let scale = 1;
  for (const y of exp) if (typeof y === 'number' && Number.isFinite(y)) scale = Math.max(scale, Math.abs(y));
  for (let k = 0; k < exp.length; k++) {
    const x = got[k];
    const y = exp[k];
    if (typeof y !== 'number') return `element ${k}: expected value ${show(y)} is not a number`;
    if (typeof x !== 'number') return `element ${k}: ${show(x)} vs expected ${show(y)}`;
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (Number.isNaN(y) !== Number.isNaN(x)) return `element ${k}: ${show(x)} vs expected ${show(y)}`;
      continue;
    }
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x !== y) return `element ${k}: ${show(x)} vs expected ${show(y)}`;
      continue;
    }
    if (Math.abs(x - y) > 1e-5 * scale + 1e-4 * Math.abs(y)) return `element ${k}: ${x} vs expected ${y}`;
  }
  return null;
}

const sameList = (a: unknown, b: readonly number[]): boolean =>
  Array.isArray(a) && a.length === b.length && a.every((v, i) => v === b[i]);

function compareError(exp: ErrorLike | null | undefined, got: ErrorLike | null | undefined): string[] {
  if (!exp) return got ? [`unexpected error ${JSON.stringify(got)}`] : [];
  if (!got) return [`expected error ${exp.type}: ${show(exp.message)} at ${exp.node} (${exp.phase}), got none`];
  const faults: string[] = [];
  for (const k of ['type', 'message', 'node', 'phase', 'iteration'] as const) {
    if (got[k] !== exp[k]) faults.push(`error.${k} ${show(got[k])} != PyTorch's ${show(exp[k])}`);
  }
  return faults;
}

function compareTensor(name: string, exp: TensorLike, got: TensorLike): string[] {
  const faults: string[] = [];
  if (!sameList(got.shape, exp.shape ?? [])) return [`${name}: shape ${show(got.shape)} != ${show(exp.shape)}`];
  if (exp.dtype !== undefined && got.dtype !== exp.dtype)
    faults.push(`${name}: dtype ${show(got.dtype)} != ${show(exp.dtype)}`);
  for (const k of ['requires_grad', 'is_leaf', 'grad_fn'] as const) {
    if (got[k] !== exp[k]) faults.push(`${name}: ${k} ${show(got[k])} != ${show(exp[k])}`);
  }
  const d = closeArrays(got.data, exp.data ?? []);
  if (d) faults.push(`${name}: value ${d}`);
  const eg = exp.grad ?? null;
  const gg = got.grad ?? null;
  if ((eg === null) !== (gg === null)) {
    faults.push(`${name}: grad ${gg ? 'present' : 'None'}, expected ${eg ? 'present' : 'None'}`);
  } else if (eg && gg) {
    if (!sameList(gg.shape, eg.shape ?? [])) faults.push(`${name}: grad shape ${show(gg.shape)} != ${show(eg.shape)}`);
    else {
      const dg = closeArrays(gg.data, eg.data ?? []);
      if (dg) faults.push(`${name}: grad ${dg}`);
    }
  }
  return faults;
}

function compareSteps(exp: ResultLike['backward_steps'], got: ResultLike['backward_steps']): string[] {
  const e = exp ?? [];
  const g = got ?? [];
  const fmt = (s: { grad_fn: string; node: string | null } | undefined) => (s ? `${s.grad_fn}@${s.node}` : '(none)');
  const n = Math.max(e.length, g.length);
  for (let i = 0; i < n; i++) {
    if (e[i]?.grad_fn !== g[i]?.grad_fn || e[i]?.node !== g[i]?.node) {
      return [
        `backward_steps differ first at step ${i}: got ${fmt(g[i])}, PyTorch ${fmt(e[i])} ` +
          `(got ${g.length} steps, PyTorch ${e.length}); PyTorch's order: ${e.map(fmt).join(' ')}`,
      ];
    }
  }
  return [];
}

/** All differences between a result and PyTorch's expected result. */
export function compareResult(expected: ResultLike, got: ResultLike): string[] {
  const faults = compareError(expected.error, got.error);
  if (got.iterations_run !== expected.iterations_run) {
    faults.push(`iterations_run ${show(got.iterations_run)} != ${show(expected.iterations_run)}`);
  }
  const et = expected.tensors ?? {};
  const gt = got.tensors ?? {};
  for (const [name, e] of Object.entries(et)) {
    const g = gt[name];
    if (!g) faults.push(`${name}: missing`);
    else faults.push(...compareTensor(name, e, g));
  }
  for (const name of Object.keys(gt))
    if (!(name in et)) faults.push(`${name}: reported, but PyTorch's result has no such tensor`);
  faults.push(...compareSteps(expected.backward_steps, got.backward_steps));
  faults.push(...compareOptimizer(expected.optimizer, got.optimizer));
  return faults;
}

/** The `optimizer` sections: kind, params, and each state entry (tensors as values are compared). */
function compareOptimizer(exp: OptimizerLike | undefined, got: OptimizerLike | undefined): string[] {
  if (!exp) return got ? ["optimizer: reported, but PyTorch's result has none"] : [];
  if (!got) return ['optimizer: missing'];
  if (got.kind !== exp.kind || show(got.params) !== show(exp.params)) {
    return [`optimizer: ${got.kind} over ${show(got.params)} != PyTorch's ${exp.kind} over ${show(exp.params)}`];
  }
  const faults: string[] = [];
  const es = exp.state ?? {};
  const gs = got.state ?? {};
  if (show(Object.keys(gs)) !== show(Object.keys(es))) {
    return [`optimizer.state: parameters ${show(Object.keys(gs))} != PyTorch's ${show(Object.keys(es))}`];
  }
  for (const [name, entries] of Object.entries(es)) {
    const g = gs[name]!;
    if (show(Object.keys(g)) !== show(Object.keys(entries))) {
      faults.push(`optimizer.state.${name}: ${show(Object.keys(g))} != PyTorch's ${show(Object.keys(entries))}`);
      continue;
    }
    for (const [k, e] of Object.entries(entries)) {
      const at = `optimizer.state.${name}.${k}`;
      const v = g[k];
      if (e === null || typeof e === 'number') {
        if (v !== e) faults.push(`${at}: ${show(v)} != PyTorch's ${show(e)}`);
      } else if (v === null || typeof v !== 'object' || !sameList(v.shape, e.shape ?? [])) {
        faults.push(`${at}: ${show(v)} is not PyTorch's tensor of shape ${show(e.shape)}`);
      } else {
        const d = closeArrays(v.data, e.data ?? []);
        if (d) faults.push(`${at}: ${d}`);
      }
    }
  }
  return faults;
}
