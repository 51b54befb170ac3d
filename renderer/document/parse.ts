/**
 * Reading a graph document from JSON text or a parsed value. Checks only what
 * the canvas needs to show the graph (the engine's validation is authoritative)
 * and keeps every unknown key.
 */
import {
  FORMAT,
  VERSION,
  type GraphDocument,
  type GraphEdge,
  type GraphNode,
  type RunSpec,
  type ViewState,
} from './types';
import { dict } from '../../engine/protocol/dict';

/** A document that cannot be read, with the JSON path of the fault. */
export class DocumentParseError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'DocumentParseError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function rest(o: Obj, known: readonly string[]): Obj | undefined {
  const out: Obj = dict<unknown>(); // unknown keys are data, "__proto__" too
  let any = false;
  for (const [k, v] of Object.entries(o)) {
    if (!known.includes(k)) {
      out[k] = v;
      any = true;
    }
  }
  return any ? out : undefined;
}

const NODE_KEYS = ['id', 'op', 'params', 'position', 'label', 'retain_grad'] as const;
const EDGE_KEYS = ['source', 'sourceHandle', 'target', 'targetHandle'] as const;
const RUN_KEYS = ['backward', 'iterations', 'feedback', 'zero_grad'] as const;
const TOP_KEYS = ['format', 'version', 'meta', 'nodes', 'edges', 'run', 'view'] as const;

function parseNode(v: unknown, i: number): GraphNode {
  const at = `nodes[${i}]`;
  if (!isObj(v)) throw new DocumentParseError(at, 'expected an object');
  if (typeof v.id !== 'string' || v.id === '') throw new DocumentParseError(`${at}.id`, 'expected a string');
  if (typeof v.op !== 'string') throw new DocumentParseError(`${at}.op`, 'expected a string');
  const params = v.params === undefined ? {} : v.params;
  if (!isObj(params)) throw new DocumentParseError(`${at}.params`, 'expected an object');
  const pos =
    isObj(v.position) && typeof v.position.x === 'number' && typeof v.position.y === 'number'
      ? { x: v.position.x, y: v.position.y }
      : { x: Number.NaN, y: Number.NaN };
  const node: GraphNode = { id: v.id, op: v.op, params, position: pos };
  const extra = rest(v, NODE_KEYS);
  return {
    ...node,
    ...(typeof v.label === 'string' ? { label: v.label } : {}),
    ...(typeof v.retain_grad === 'boolean' ? { retain_grad: v.retain_grad } : {}),
    ...(extra ? { extra } : {}),
  };
}

function parseEdge(v: unknown, i: number): GraphEdge {
  const at = `edges[${i}]`;
  if (!isObj(v)) throw new DocumentParseError(at, 'expected an object');
  for (const k of ['source', 'target', 'targetHandle'] as const) {
    if (typeof v[k] !== 'string') throw new DocumentParseError(`${at}.${k}`, 'expected a string');
  }
  const extra = rest(v, EDGE_KEYS);
  return {
    source: v.source as string,
    sourceHandle: typeof v.sourceHandle === 'string' ? v.sourceHandle : 'out',
    target: v.target as string,
    targetHandle: v.targetHandle as string,
    ...(extra ? { extra } : {}),
  };
}

function parseRun(v: unknown): RunSpec {
  if (!isObj(v)) throw new DocumentParseError('run', 'expected an object');
  const extra = rest(v, RUN_KEYS);
  const fb = Array.isArray(v.feedback)
    ? v.feedback.filter(isObj).map((f) => ({ from: String(f.from), to: String(f.to) }))
    : undefined;
  return {
    ...(typeof v.backward === 'string' ? { backward: v.backward } : {}),
    ...(typeof v.iterations === 'number' ? { iterations: v.iterations } : {}),
    ...(fb ? { feedback: fb } : {}),
    ...(typeof v.zero_grad === 'boolean' ? { zero_grad: v.zero_grad } : {}),
    ...(extra ? { extra } : {}),
  };
}

function parseView(v: unknown): ViewState | undefined {
  if (!isObj(v)) return undefined;
  const { x, y, zoom } = v;
  return typeof x === 'number' && typeof y === 'number' && typeof zoom === 'number' ? { x, y, zoom } : undefined;
}

/** Reads a graph document from JSON text or an already parsed value. Throws {@link DocumentParseError}. */
export function parseDocument(input: string | unknown): GraphDocument {
  let v: unknown = input;
  if (typeof input === 'string') {
    try {
      v = JSON.parse(input);
    } catch (e) {
      throw new DocumentParseError('', `not valid JSON (${(e as Error).message})`);
    }
  }
  if (!isObj(v)) throw new DocumentParseError('', 'expected a JSON object');
  if (v.format !== FORMAT) throw new DocumentParseError('format', `expected "${FORMAT}"`);
  if (v.version !== VERSION) {
    throw new DocumentParseError(
      'version',
      `version ${String(v.version)} is not supported (this app reads version ${VERSION})`,
    );
  }
  if (!Array.isArray(v.nodes)) throw new DocumentParseError('nodes', 'expected an array');
  const edgesIn = v.edges === undefined ? [] : v.edges;
  if (!Array.isArray(edgesIn)) throw new DocumentParseError('edges', 'expected an array');
  const meta = isObj(v.meta) ? v.meta : {};
  const view = parseView(v.view);
  return {
    format: FORMAT,
    version: VERSION,
    meta,
    nodes: v.nodes.map(parseNode),
    edges: edgesIn.map(parseEdge),
    ...(v.run !== undefined ? { run: parseRun(v.run) } : {}),
    ...(view ? { view } : {}),
    extra: rest(v, TOP_KEYS) ?? {},
  };
}
