import { OP_BY_NAME } from '../protocol/ops';
import type { DocumentIssue } from '../protocol/result';
import { checkInit, checkParam } from './params';
import { FORMAT, MAX_ITERATIONS, VERSION, type GraphDocument, type GraphEdge, type GraphNode } from './document';
import { findCycle } from './compile';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

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
export function validateDocument(json: unknown): Validation {
  const r = check(json);
  if (r.issues.length > 0 || !r.doc) return { ok: false, issues: r.issues };
  return { ok: true, issues: [], doc: r.doc };
}

/** A validated document, or the issues and the valid part of the document (see {@link partialOf}). */
export type CheckedDocument =
  | { ok: true; doc: GraphDocument; issues: [] }
  | { ok: false; issues: DocumentIssue[]; partial: GraphDocument | null };

/** Validates once and, on failure, keeps the valid part: what `load` needs for the canvas. */
export function checkDocument(json: unknown): CheckedDocument {
  const r = check(json);
  if (r.issues.length > 0 || !r.doc) return { ok: false, issues: r.issues, partial: partialOf(r) };
  return { ok: true, issues: [], doc: r.doc };
}

/**
 * The valid part of a faulty document: nodes without issues and the edges
 * between them (null if the document's structure is unusable or has a cycle).
 * Lets the canvas show shapes while a graph is still being built.
 */
export function partialDocument(json: unknown): GraphDocument | null {
  return partialOf(check(json));
}

function partialOf(r: Checked): GraphDocument | null {
  if (r.doc) return r.doc;
  if (!r.nodes || !r.edges) return null;
  const bad = new Set(r.issues.map((i) => i.node).filter((n): n is string => n !== undefined));
  const nodes = r.nodes.filter((n) => !bad.has(n.id));
  const ids = new Set(nodes.map((n) => n.id));
  const edges = r.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
  if (findCycle(nodes, edges)) return null;
  const run = { backward: null, iterations: 1, feedback: [], zeroGrad: false, updateNoGrad: false };
  return { name: '', nodes, edges, run };
}

interface Checked {
  issues: DocumentIssue[];
  nodes?: GraphNode[];
  edges?: GraphEdge[];
  doc?: GraphDocument;
}

function check(json: unknown): Checked {
  const issues: DocumentIssue[] = [];
  const add = (path: string, message: string, node?: string) =>
    issues.push(node === undefined ? { path, message } : { path, message, node });
  if (!isObj(json)) return { issues: [{ path: '$', message: 'expected a JSON object' }] };
  if (json.format !== FORMAT) add('format', `expected "${FORMAT}"`);
  if (json.version !== VERSION) {
    add(
      'version',
      typeof json.version === 'number' && json.version > VERSION
        ? `version ${json.version} is newer than this engine understands (${VERSION})`
        : `expected ${VERSION}`,
    );
  }
  if (json.meta !== undefined && !isObj(json.meta)) add('meta', 'expected an object');
  if (!Array.isArray(json.nodes)) add('nodes', 'expected an array');
  if (!Array.isArray(json.edges)) add('edges', 'expected an array');
  if (issues.length > 0) return { issues };
  const broken = new Set<string>();
  const nodes = validateNodes(json.nodes as unknown[], add, broken);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = validateEdges(json.edges as unknown[], byId, add, broken);
  const wired = new Set(edges.map((e) => `${e.target}:${e.targetHandle}`));
  for (const n of nodes) {
    const spec = OP_BY_NAME.get(n.op)!;
    for (const port of spec.ports) {
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
  if (issues.length > 0 || !run) return { issues, nodes, edges };
  const meta = isObj(json.meta) ? json.meta : {};
  return { issues, nodes, edges, doc: { name: typeof meta.name === 'string' ? meta.name : '', nodes, edges, run } };
}

type Add = (path: string, message: string, node?: string) => void;

/** The nodes around a cycle for a message (`a -> b -> a`), shortened when long; nothing for a self-loop. */
function cycleText(path: readonly string[]): string {
  if (path.length <= 2) return '';
  const nodes = path.length - 1;
  const shown = nodes <= 8 ? path : [...path.slice(0, 4), '...', ...path.slice(-3)];
  return ` (${nodes} nodes: ${shown.join(' -> ')})`;
}

function validateNodes(raw: unknown[], add: Add, broken: Set<string>): GraphNode[] {
  const nodes: GraphNode[] = [];
  const seen = new Set<string>();
  raw.forEach((n, i) => {
    const at = `nodes[${i}]`;
    if (!isObj(n)) return add(at, 'expected an object');
    const id = n.id;
    if (typeof id !== 'string' || !ID.test(id)) {
      return add(`${at}.id`, 'expected 1 to 64 characters of A-Z a-z 0-9 _ - (no ".")');
    }
    if (seen.has(id)) return add(`${at}.id`, `duplicate node id "${id}"`, id);
    seen.add(id);
    const spec = typeof n.op === 'string' ? OP_BY_NAME.get(n.op) : undefined;
    if (!spec) {
      broken.add(id);
      return add(`${at}.op`, `unknown op ${describe(n.op)}`, id);
    }
    if (
      n.position !== undefined &&
      !(isObj(n.position) && typeof n.position.x === 'number' && typeof n.position.y === 'number')
    ) {
      add(`${at}.position`, 'expected {"x": number, "y": number}', id);
    }
    if (n.label !== undefined && typeof n.label !== 'string') add(`${at}.label`, 'expected a string', id);
    if (n.retain_grad !== undefined && typeof n.retain_grad !== 'boolean')
      add(`${at}.retain_grad`, 'expected true or false', id);
    const rawParams = n.params === undefined ? {} : n.params;
    if (!isObj(rawParams)) {
      broken.add(id);
      return add(`${at}.params`, 'expected an object', id);
    }
    const params: Record<string, unknown> = {};
    for (const key of Object.keys(rawParams)) {
      if (!spec.params.some((p) => p.name === key)) add(`${at}.params.${key}`, `unknown parameter of ${spec.op}`, id);
    }
    for (const p of spec.params) {
      const v = Object.hasOwn(rawParams, p.name) ? rawParams[p.name] : undefined;
      if (v === undefined) {
        if (p.default === undefined) add(`${at}.params.${p.name}`, `required parameter of ${spec.op} is missing`, id);
        else {
          const d = checkParam(p, p.default);
          params[p.name] = d.ok ? d.value : p.default;
        }
        continue;
      }
      const r = checkParam(p, v);
      if (r.ok) params[p.name] = r.value;
      else add(`${at}.params.${p.name}`, r.message, id);
    }
    checkInits(spec.op, params, rawParams, `${at}.params`, id, add);
    nodes.push({ id, op: spec.op, params, retainGrad: n.retain_grad === true, index: i });
  });
  return nodes;
}

function checkInits(op: string, params: Obj, raw: Obj, at: string, id: string, add: Add): void {
  if (op === 'Tensor' && raw.init !== undefined && Array.isArray(params.shape)) {
    const count = (params.shape as number[]).reduce((a, b) => a * b, 1);
    for (const [p, m] of checkInit(raw.init, count, params.dtype === 'int64')) add(`${at}.init${p}`, m, id);
  }
  if ((op === 'Conv2d' || op === 'Linear') && raw.init !== undefined) {
    if (!isObj(raw.init)) return add(`${at}.init`, 'expected {"weight"?: init, "bias"?: init}', id);
    for (const key of Object.keys(raw.init)) {
      if (key !== 'weight' && key !== 'bias') add(`${at}.init.${key}`, 'expected only "weight" and "bias"', id);
      else for (const [p, m] of checkInit(raw.init[key], null, false)) add(`${at}.init.${key}${p}`, m, id);
    }
  }
}

function validateEdges(raw: unknown[], byId: Map<string, GraphNode>, add: Add, broken: Set<string>): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const taken = new Set<string>();
  raw.forEach((e, i) => {
    const at = `edges[${i}]`;
    if (!isObj(e)) return add(at, 'expected an object');
    const { source, target } = e;
    if ((typeof source === 'string' && broken.has(source)) || (typeof target === 'string' && broken.has(target))) {
      // The broken node has its own issue; its edges are not faults of their own.
      if (typeof target === 'string') broken.add(`${target}:${String(e.targetHandle)}`);
      return;
    }
    if (typeof source !== 'string' || !byId.has(source))
      return add(`${at}.source`, `no node with id ${describe(source)}`);
    if (typeof target !== 'string' || !byId.has(target))
      return add(`${at}.target`, `no node with id ${describe(target)}`);
    if (e.sourceHandle !== undefined && e.sourceHandle !== 'out')
      return add(`${at}.sourceHandle`, 'every op has one output, "out"', source);
    const spec = OP_BY_NAME.get(byId.get(target)!.op)!;
    const handle = e.targetHandle ?? (spec.ports.length === 1 ? spec.ports[0]!.name : undefined);
    if (typeof handle !== 'string' || !spec.ports.some((p) => p.name === handle)) {
      const names = spec.ports.map((p) => `"${p.name}"`).join(', ') || 'none';
      return add(
        `${at}.targetHandle`,
        `${spec.op} has no input port ${describe(e.targetHandle)} (ports: ${names})`,
        target,
      );
    }
    const key = `${target}:${handle}`;
    if (taken.has(key)) return add(`${at}.targetHandle`, `port "${handle}" of ${target} already has an edge`, target);
    taken.add(key);
    edges.push({ source, target, targetHandle: handle, index: i });
  });
  return edges;
}

function validateRun(raw: unknown, byId: Map<string, GraphNode>, add: Add): GraphDocument['run'] | null {
  if (raw === undefined) return { backward: null, iterations: 1, feedback: [], zeroGrad: false, updateNoGrad: false };
  if (!isObj(raw)) {
    add('run', 'expected an object');
    return null;
  }
  for (const key of Object.keys(raw)) {
    if (!['backward', 'iterations', 'feedback', 'zero_grad', 'update_no_grad'].includes(key))
      add(`run.${key}`, 'unknown field of run');
  }
  const backward = raw.backward === undefined ? null : raw.backward;
  if (backward !== null && (typeof backward !== 'string' || !byId.has(backward))) {
    add('run.backward', `no node with id ${describe(backward)}`);
  }
  const iterations = raw.iterations === undefined ? 1 : raw.iterations;
  if (!Number.isInteger(iterations) || (iterations as number) < 1 || (iterations as number) > MAX_ITERATIONS) {
    add('run.iterations', `expected an integer from 1 to ${MAX_ITERATIONS}`);
  }
  const zeroGrad = raw.zero_grad === undefined ? false : raw.zero_grad;
  if (typeof zeroGrad !== 'boolean') add('run.zero_grad', 'expected true or false');
  const updateNoGrad = raw.update_no_grad === undefined ? false : raw.update_no_grad;
  if (typeof updateNoGrad !== 'boolean') add('run.update_no_grad', 'expected true or false');
  const feedback: { from: string; to: string }[] = [];
  const fb = raw.feedback === undefined ? [] : raw.feedback;
  if (!Array.isArray(fb)) add('run.feedback', 'expected an array');
  else {
    const targets = new Set<string>();
    fb.forEach((f, i) => {
      const at = `run.feedback[${i}]`;
      if (!isObj(f)) return add(at, 'expected {"from": node, "to": Tensor node}');
      if (typeof f.from !== 'string' || !byId.has(f.from))
        return add(`${at}.from`, `no node with id ${describe(f.from)}`);
      if (typeof f.to !== 'string' || byId.get(f.to)?.op !== 'Tensor')
        return add(`${at}.to`, 'expected the id of a Tensor node');
      if (targets.has(f.to)) return add(`${at}.to`, `Tensor node ${f.to} already receives feedback`);
      targets.add(f.to);
      feedback.push({ from: f.from, to: f.to });
    });
  }
  return {
    backward: backward as string | null,
    iterations: iterations as number,
    feedback,
    zeroGrad: zeroGrad as boolean,
    updateNoGrad: updateNoGrad as boolean,
  };
}
