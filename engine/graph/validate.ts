import { EdgeSchema, EnvelopeSchema, NodeSchema, RunSchema, structureIssues } from '../protocol/document';
import { OPS_REGISTRY, type BoundOp, type OpRegistry } from '../ops/index';
import type { OpSpec } from '../protocol/op-spec';
import type { DocumentIssue } from '../protocol/result';
import type { GraphDocument, GraphEdge, GraphNode } from './document';
import { findCycle } from './compile';
import { parseOptimizer } from './optimizer';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The structural faults of one item (see engine/protocol/document.ts) by the
 * field they concern (`''` for the item itself): the engine reports the op
 * catalog's faults beside them and skips what a fault makes meaningless.
 */
function faultsByField(schema: Parameters<typeof structureIssues>[0], item: unknown, at: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of structureIssues(schema, item, at)) {
    const field = f.path === at ? '' : f.path.slice(at.length + 1).split(/[.[]/)[0]!;
    if (!out.has(field)) out.set(field, f.message);
  }
  return out;
}

/** A short, never-throwing description of a JSON value for messages. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined) return 'nothing';
  return Array.isArray(v) ? 'an array' : 'an object';
}

/** The outcome of validation: a document, or the issues that prevent one. */
export type Validation = { ok: true; doc: GraphDocument; issues: [] } | { ok: false; issues: DocumentIssue[] };

/**
 * Validates a graph document (already parsed JSON). Every fault is reported with
 * its JSON path; nothing throws on any input.
 */
export function validateDocument(json: unknown, ops: OpRegistry = OPS_REGISTRY): Validation {
  const r = check(json, ops);
  if (r.issues.length > 0 || !r.doc) return { ok: false, issues: r.issues };
  return { ok: true, issues: [], doc: r.doc };
}

/** A validated document, or the issues and the valid part of the document (see {@link partialOf}). */
export type CheckedDocument =
  | { ok: true; doc: GraphDocument; issues: [] }
  | { ok: false; issues: DocumentIssue[]; partial: GraphDocument | null };

/** Validates once and, on failure, keeps the valid part: what `load` needs for the canvas. */
export function checkDocument(json: unknown, ops: OpRegistry = OPS_REGISTRY): CheckedDocument {
  const r = check(json, ops);
  if (r.issues.length > 0 || !r.doc) return { ok: false, issues: r.issues, partial: partialOf(r) };
  return { ok: true, issues: [], doc: r.doc };
}

/**
 * The valid part of a faulty document: nodes without issues and the edges
 * between them (null if the document's structure is unusable or has a cycle).
 * Lets the canvas show shapes while a graph is still being built.
 */
export function partialDocument(json: unknown, ops: OpRegistry = OPS_REGISTRY): GraphDocument | null {
  return partialOf(check(json, ops));
}

function partialOf(r: Checked): GraphDocument | null {
  if (r.doc) return r.doc;
  if (!r.nodes || !r.edges) return null;
  const bad = new Set(r.issues.map((i) => i.node).filter((n): n is string => n !== undefined));
  const nodes = r.nodes.filter((n) => !bad.has(n.id)).filter(isBound);
  const ids = new Set(nodes.map((n) => n.id));
  const edges = r.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  if (findCycle(nodes, edges)) return null;
  return { name: '', nodes, edges, run: DEFAULT_RUN };
}

/** A node being checked: its op's spec, and its bound op once its params passed. */
type Draft = Omit<GraphNode, 'impl'> & { readonly impl: BoundOp | null; readonly spec: OpSpec };

/** A node whose params passed (every node of a document without issues). */
const isBound = (n: Draft): n is Draft & GraphNode => n.impl !== null;

interface Checked {
  issues: DocumentIssue[];
  nodes?: Draft[];
  edges?: GraphEdge[];
  doc?: GraphDocument;
}

function check(json: unknown, ops: OpRegistry): Checked {
  const issues: DocumentIssue[] = [];
  const add = (path: string, message: string, node?: string) =>
    issues.push(node === undefined ? { path, message } : { path, message, node });
  // The structure is declared once, in engine/protocol/document.ts; the op catalog's checks follow.
  const top = structureIssues(EnvelopeSchema, json);
  if (top.length > 0) return { issues: top };
  if (!isObj(json)) return { issues };
  const broken = new Set<string>();
  const nodes = validateNodes(Array.isArray(json.nodes) ? json.nodes : [], add, broken, ops);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = validateEdges(Array.isArray(json.edges) ? json.edges : [], byId, add, broken);
  const wired = new Set(edges.map((e) => `${e.target}:${e.targetHandle}`));
  for (const n of nodes) {
    for (const port of n.spec.ports) {
      const key = `${n.id}:${port.name}`;
      if (!port.optional && !wired.has(key) && !broken.has(key)) {
        add(`nodes[${n.index}]`, `required input port "${port.name}" of ${n.op} is not connected`, n.id);
      }
    }
  }
  if (issues.length === 0) {
    const cycle = findCycle(nodes, edges);
    if (cycle) {
      const e = cycle.edge;
      add(`edges[${e.index}]`, `edge ${e.source} -> ${e.target} closes a cycle${cycleText(cycle.path)}`, e.target);
    }
  }
  const run = validateRun(json.run, byId, add);
  const bound = nodes.filter(isBound);
  if (issues.length > 0 || !run || bound.length < nodes.length) return { issues, nodes, edges };
  const meta = isObj(json.meta) ? json.meta : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  return { issues, nodes, edges, doc: { name, nodes: bound, edges, run } };
}

type Add = (path: string, message: string, node?: string) => void;

/** The nodes around a cycle for a message (`a -> b -> a`), shortened when long; nothing for a self-loop. */
function cycleText(path: readonly string[]): string {
  if (path.length <= 2) return '';
  const nodes = path.length - 1;
  const shown = nodes <= 8 ? path : [...path.slice(0, 4), '...', ...path.slice(-3)];
  return ` (${nodes} nodes: ${shown.join(' -> ')})`;
}

function validateNodes(raw: unknown[], add: Add, broken: Set<string>, ops: OpRegistry): Draft[] {
  const nodes: Draft[] = [];
  const seen = new Set<string>();
  raw.forEach((n, i) => {
    const at = `nodes[${i}]`;
    const fault = faultsByField(NodeSchema, n, at);
    if (!isObj(n) || fault.has('')) return add(at, fault.get('') ?? 'expected an object');
    if (fault.has('id')) return add(`${at}.id`, fault.get('id')!);
    const id = String(n.id); // a string: the structure was checked
    if (seen.has(id)) return add(`${at}.id`, `duplicate node id "${id}"`, id);
    seen.add(id);
    const op = fault.has('op') || typeof n.op !== 'string' ? undefined : ops.get(n.op);
    if (!op) {
      broken.add(id);
      return add(`${at}.op`, fault.get('op') ?? `unknown op ${describe(n.op)}`, id);
    }
    for (const field of ['position', 'label', 'retain_grad']) {
      if (fault.has(field)) add(`${at}.${field}`, fault.get(field)!, id);
    }
    if (fault.has('params')) {
      broken.add(id);
      return add(`${at}.params`, fault.get('params')!, id);
    }
    // The op module checks its params (See Note [An op is one folder] in engine/ops/define.ts).
    const parsed = op.parse(isObj(n.params) ? n.params : {});
    for (const [path, message] of parsed.issues) add(`${at}.params.${path}`, message, id);
    const { spec } = op;
    nodes.push({
      id,
      op: spec.op,
      spec,
      params: parsed.values,
      impl: parsed.bound,
      retainGrad: n.retain_grad === true,
      index: i,
    });
  });
  return nodes;
}

function validateEdges(raw: unknown[], byId: Map<string, Draft>, add: Add, broken: Set<string>): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const taken = new Set<string>();
  raw.forEach((e, i) => {
    const at = `edges[${i}]`;
    const fault = faultsByField(EdgeSchema, e, at);
    if (!isObj(e) || fault.has('')) return add(at, fault.get('') ?? 'expected an object');
    const { source, target } = e;
    if ((typeof source === 'string' && broken.has(source)) || (typeof target === 'string' && broken.has(target))) {
      // The broken node has its own issue; its edges are not faults of their own.
      if (typeof target === 'string') broken.add(`${target}:${String(e.targetHandle)}`);
      return;
    }
    for (const field of ['source', 'target', 'sourceHandle', 'targetHandle']) {
      if (fault.has(field)) return add(`${at}.${field}`, fault.get(field)!);
    }
    const from = typeof source === 'string' ? byId.get(source) : undefined;
    if (!from) return add(`${at}.source`, `no node with id ${describe(source)}`);
    const to = typeof target === 'string' ? byId.get(target) : undefined;
    if (!to) return add(`${at}.target`, `no node with id ${describe(target)}`);
    const spec = to.spec;
    const handle = e.targetHandle ?? (spec.ports.length === 1 ? spec.ports[0]!.name : undefined);
    if (typeof handle !== 'string' || !spec.ports.some((p) => p.name === handle)) {
      const names = spec.ports.map((p) => `"${p.name}"`).join(', ') || 'none';
      return add(
        `${at}.targetHandle`,
        `${spec.op} has no input port ${describe(e.targetHandle)} (ports: ${names})`,
        to.id,
      );
    }
    const key = `${to.id}:${handle}`;
    const output = sourceOutput(from.spec, e.sourceHandle);
    if (!output.ok) {
      broken.add(key); // wired, to an output that does not exist: one issue, not two
      return add(`${at}.sourceHandle`, output.message, from.id);
    }
    if (taken.has(key)) return add(`${at}.targetHandle`, `port "${handle}" of ${to.id} already has an edge`, to.id);
    taken.add(key);
    edges.push({ source: from.id, sourceHandle: output.name, target: to.id, targetHandle: handle, index: i });
  });
  return edges;
}

/**
 * The output an edge's `sourceHandle` names: left out (or null), the op's only
 * output; an op with several outputs needs it spelled out.
 */
function sourceOutput(spec: OpSpec, handle: unknown): { ok: true; name: string } | { ok: false; message: string } {
  const names = spec.outputs.map((o) => `"${o.name}"`).join(', ');
  if (handle === undefined || handle === null) {
    if (spec.outputs.length === 1) return { ok: true, name: spec.outputs[0]!.name };
    return { ok: false, message: `${spec.op} has several outputs: sourceHandle must name one (${names})` };
  }
  if (spec.outputs.some((o) => o.name === handle)) return { ok: true, name: String(handle) };
  return { ok: false, message: `${spec.op} has no output ${describe(handle)} (outputs: ${names})` };
}

/** The `run` of a document without one: one forward-only iteration in train mode. */
const DEFAULT_RUN: GraphDocument['run'] = {
  backward: null,
  iterations: 1,
  feedback: [],
  zeroGrad: false,
  updateNoGrad: false,
  mode: 'train',
};

function validateRun(raw: unknown, byId: Map<string, Draft>, add: Add): GraphDocument['run'] | null {
  if (raw === undefined) return DEFAULT_RUN;
  const structural = structureIssues(RunSchema, raw, 'run');
  for (const f of structural) add(f.path, f.message);
  if (!isObj(raw)) return null;
  const backward = raw.backward ?? null;
  if (typeof backward === 'string' && !structural.some((f) => f.path === 'run.backward') && !byId.has(backward)) {
    add('run.backward', `no node with id ${describe(backward)}`);
  }
  const iterations = raw.iterations ?? 1;
  const zeroGrad = raw.zero_grad ?? false;
  const updateNoGrad = raw.update_no_grad ?? false;
  const feedback: { from: string; to: string }[] = [];
  if (Array.isArray(raw.feedback)) {
    const targets = new Set<string>();
    raw.feedback.forEach((f: unknown, i) => {
      const at = `run.feedback[${i}]`;
      if (structural.some((s) => s.path === at || s.path.startsWith(`${at}.`))) return;
      if (!isObj(f) || typeof f.from !== 'string' || typeof f.to !== 'string') return; // the structure was checked
      const { from, to } = f;
      if (!byId.has(from)) return add(`${at}.from`, `no node with id ${describe(from)}`);
      if (byId.get(to)?.op !== 'Tensor') return add(`${at}.to`, 'expected the id of a Tensor node');
      if (targets.has(to)) return add(`${at}.to`, `Tensor node ${to} already receives feedback`);
      targets.add(to);
      feedback.push({ from, to });
    });
  }
  return {
    backward: typeof backward === 'string' ? backward : null,
    iterations: typeof iterations === 'number' ? iterations : 1,
    feedback,
    zeroGrad: zeroGrad === true,
    updateNoGrad: updateNoGrad === true,
    mode: raw.mode === 'eval' ? 'eval' : 'train',
    optimizer: parseOptimizer(raw.optimizer, add),
  };
}
