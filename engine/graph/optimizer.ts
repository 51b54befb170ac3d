/**
 * `run.optimizer`: which torch.optim optimizer a run steps after backward, with
 * its arguments checked as its constructor checks them (PyTorch's messages,
 * at the JSON path of the document), and the parameters it updates.
 */
import * as v from 'valibot';
import { isOptimizerKind, OPTIMIZER_DEFAULTS, OPTIMIZER_KINDS } from '../protocol/optimizer';
import type { DocumentIssue } from '../protocol/result';
import type { Tensor } from '../tensor/tensor';
import { Optimizer, type OptimizerOptions } from '../nn/optim';
import type { CompiledGraph } from './compile';
import type { GraphNode, OptimizerSpec } from './document';
import type { Owned } from './ops';

type Obj = Record<string, unknown>;
type Add = (path: string, message: string) => void;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const AT = 'run.optimizer';

/** The fields once checked, defaults filled in: a spec of the types the engine takes. */
const num = v.number();
const SPEC = v.variant('kind', [
  v.object({
    kind: v.literal('SGD'),
    lr: num,
    momentum: num,
    dampening: num,
    weight_decay: num,
    nesterov: v.boolean(),
    params: v.optional(v.array(v.string())),
  }),
  v.object({
    kind: v.picklist(['Adam', 'AdamW']),
    lr: num,
    betas: v.tuple([num, num]),
    eps: num,
    weight_decay: num,
    amsgrad: v.boolean(),
    params: v.optional(v.array(v.string())),
  }),
]);

/** A number as Python's `str()` writes what `json.loads` gave it: integers as ints, floats by repr. */
export function pyStr(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return String(x);
  const [digits = '', exp = ''] = x.toExponential().split('e');
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${digits}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return String(x);
}

/** The constructor's checks, in its order; each fault at its field. */
function constructorChecks(o: OptimizerOptions, add: Add): void {
  const at = (field: string, message: string) => add(`${AT}.${field}`, message);
  if (!(o.lr >= 0)) at('lr', `Invalid learning rate: ${pyStr(o.lr)}`);
  if (o.kind === 'SGD') {
    if (o.momentum < 0) at('momentum', `Invalid momentum value: ${pyStr(o.momentum)}`);
    if (o.weight_decay < 0) at('weight_decay', `Invalid weight_decay value: ${pyStr(o.weight_decay)}`);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      at('nesterov', 'Nesterov momentum requires a momentum and zero dampening');
    }
    return;
  }
  if (!(o.eps >= 0)) at('eps', `Invalid epsilon value: ${pyStr(o.eps)}`);
  o.betas.forEach((b, i) => {
    if (!(b >= 0 && b < 1)) at(`betas[${i}]`, `Invalid beta parameter at index ${i}: ${pyStr(b)}`);
  });
  if (!(o.weight_decay >= 0)) at('weight_decay', `Invalid weight_decay value: ${pyStr(o.weight_decay)}`);
}

/** The JSON type of each field's value. */
function fieldFault(field: string, value: unknown): string | null {
  if (field === 'nesterov' || field === 'amsgrad') return typeof value === 'boolean' ? null : 'expected true or false';
  if (field === 'betas') {
    const ok = Array.isArray(value) && value.length === 2 && value.every((b) => typeof b === 'number');
    return ok ? null : 'expected two numbers, [beta1, beta2]';
  }
  if (field === 'params') {
    const ok = Array.isArray(value) && value.every((p) => typeof p === 'string');
    return ok ? null : 'expected a list of parameter names (conv1.weight) and Tensor node ids';
  }
  return typeof value === 'number' && Number.isFinite(value) ? null : 'expected a number';
}

/**
 * Checks `run.optimizer` (the structure has made sure it is an object or
 * absent) and fills in torch.optim's defaults. Names in `params` are checked
 * later, against the compiled graph ({@link optimizerParamIssues}).
 */
export function parseOptimizer(raw: unknown, add: Add): OptimizerSpec | undefined {
  if (!isObj(raw)) return undefined;
  const kind = raw.kind;
  if (!isOptimizerKind(kind)) {
    add(`${AT}.kind`, `expected ${OPTIMIZER_KINDS.map((k) => `"${k}"`).join(', ')}`);
    return undefined;
  }
  const defaults: Obj = OPTIMIZER_DEFAULTS[kind];
  let ok = true;
  for (const [field, value] of Object.entries(raw)) {
    if (field === 'kind') continue;
    const fault = field in defaults || field === 'params' ? fieldFault(field, value) : `unknown field of ${kind}`;
    if (fault) {
      add(`${AT}.${field}`, fault);
      ok = false;
    }
  }
  if (kind === 'SGD' && raw.lr === undefined) {
    add(`${AT}.lr`, "parameter group didn't specify a value of required optimization parameter lr");
    ok = false;
  }
  if (!ok) return undefined;
  const { params = null, ...options } = v.parse(SPEC, { ...defaults, ...raw });
  const o: OptimizerSpec = { ...options, params };
  let faults = 0;
  constructorChecks(o, (path, message) => {
    faults++;
    add(path, message);
  });
  return faults === 0 ? o : undefined;
}

/** The parameter names a layer node owns (`fc.weight`, `fc.bias`): not the ones a wire replaces. */
function ownedNames(n: GraphNode, wired: ReadonlyMap<string, string>): string[] {
  const layer = n.impl.layer;
  if (!layer) return [];
  const names: string[] = [];
  if (layer.shapes.weight && !wired.has('weight')) names.push(`${n.id}.weight`);
  if (layer.shapes.bias && !wired.has('bias')) names.push(`${n.id}.bias`);
  return names;
}

/**
 * What the optimizer updates, in order: the names in `params`, or by default
 * every owned parameter (document order, weight before bias), then every
 * Tensor node with requires_grad (a leaf when the optimizer is made, before
 * the first iteration).
 */
export function optimizerParamNames(graph: Pick<CompiledGraph, 'doc' | 'inputs'>): string[] {
  const spec = graph.doc.run.optimizer;
  if (spec?.params) return [...spec.params];
  const owned = graph.doc.nodes.flatMap((n) => ownedNames(n, graph.inputs.get(n.id) ?? new Map()));
  const tensors = graph.doc.nodes.filter((n) => n.impl.leaf?.requiresGrad).map((n) => n.id);
  return [...owned, ...tensors];
}

/** Faults of `run.optimizer.params` against the graph: unknown or repeated names, an empty list. */
export function optimizerParamIssues(graph: Pick<CompiledGraph, 'doc' | 'inputs'>): DocumentIssue[] {
  const spec = graph.doc.run.optimizer;
  if (!spec) return [];
  const known = new Set(graph.doc.nodes.flatMap((n) => ownedNames(n, graph.inputs.get(n.id) ?? new Map())));
  for (const n of graph.doc.nodes) if (n.impl.leaf) known.add(n.id);
  const issues: DocumentIssue[] = [];
  const names = optimizerParamNames(graph);
  if (names.length === 0) {
    return [{ path: spec.params ? `${AT}.params` : AT, message: 'optimizer got an empty parameter list' }];
  }
  const seen = new Set<string>();
  names.forEach((name, i) => {
    const path = `${AT}.params[${i}]`;
    if (!known.has(name)) issues.push({ path, message: `no parameter or Tensor node named "${name}"` });
    else if (seen.has(name)) issues.push({ path, message: `"${name}" is listed twice` });
    seen.add(name);
  });
  return issues;
}

/** A layer's `weight` or `bias` by name (nothing for another name). */
function ownedTensor(p: Owned<Tensor> | undefined, which: string): Tensor | null | undefined {
  return which === 'weight' || which === 'bias' ? p?.[which] : undefined;
}

/** The run's optimizer over the session's tensors (made at the first setup, after the parameters). */
export function makeOptimizer(
  graph: CompiledGraph,
  params: ReadonlyMap<string, Owned<Tensor>>,
  leaves: ReadonlyMap<string, Tensor>,
): { optimizer: Optimizer; names: Map<Tensor, string> } | null {
  const spec = graph.doc.run.optimizer;
  if (!spec) return null;
  const names = new Map<Tensor, string>();
  for (const name of optimizerParamNames(graph)) {
    const [id = '', which] = name.split('.');
    const t = which ? ownedTensor(params.get(id), which) : leaves.get(id);
    if (t) names.set(t, name);
  }
  return { optimizer: new Optimizer(spec, [...names.keys()]), names };
}
