/**
 * Reading a graph document from JSON text or a parsed value. The document's
 * structure is checked by the one declaration the engine and the Electron
 * shell use too (`engine/protocol/document.ts`: the first fault, with its JSON
 * path); ops, params and ports are the engine's to check on `load`, shown on
 * the canvas. Every unknown key is kept.
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
import {
  checkDocumentJson,
  MAX_DOCUMENT_BYTES,
  type DocumentJson,
  type EdgeJson,
  type NodeJson,
  type RunJson,
} from '../../engine/protocol/document';
import { OP_BY_NAME } from '../../engine/protocol/ops';

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

function parseNode(v: NodeJson): GraphNode {
  const pos = v.position ? { x: v.position.x, y: v.position.y } : { x: Number.NaN, y: Number.NaN };
  const node: GraphNode = { id: v.id, op: v.op, params: v.params ?? {}, position: pos };
  const extra = rest(v, NODE_KEYS);
  return {
    ...node,
    ...(v.label !== undefined ? { label: v.label } : {}),
    ...(v.retain_grad !== undefined ? { retain_grad: v.retain_grad } : {}),
    ...(extra ? { extra } : {}),
  };
}

/**
 * An edge's input port: as written, or, when left out (or null), the target
 * op's only port, as docs/graph-format.md says and the engine does.
 */
function targetPort(e: EdgeJson, i: number, ops: ReadonlyMap<string, string>): string {
  if (typeof e.targetHandle === 'string') return e.targetHandle;
  const spec = OP_BY_NAME.get(ops.get(e.target)!);
  if (spec?.ports.length === 1) return spec.ports[0]!.name;
  const ports = spec ? spec.ports.map((p) => `"${p.name}"`).join(', ') || 'none' : 'unknown op';
  throw new DocumentParseError(`edges[${i}].targetHandle`, `expected a port name (ports: ${ports})`);
}

function parseEdge(v: EdgeJson, i: number, ops: ReadonlyMap<string, string>): GraphEdge {
  const extra = rest(v, EDGE_KEYS);
  return {
    source: v.source,
    // the output the edge reads: "out", or one of a multi-output op's (Dataset's images, labels); the engine checks it
    sourceHandle: typeof v.sourceHandle === 'string' ? v.sourceHandle : 'out',
    target: v.target,
    targetHandle: targetPort(v, i, ops),
    ...(extra ? { extra } : {}),
  };
}

function parseRun(v: RunJson): RunSpec {
  const extra = rest(v, RUN_KEYS);
  return {
    ...(typeof v.backward === 'string' ? { backward: v.backward } : {}),
    ...(v.iterations !== undefined ? { iterations: v.iterations } : {}),
    ...(v.feedback ? { feedback: v.feedback.map((f) => ({ from: f.from, to: f.to })) } : {}),
    ...(v.zero_grad !== undefined ? { zero_grad: v.zero_grad } : {}),
    ...(extra ? { extra } : {}),
  };
}

function parseView(v: unknown): ViewState | undefined {
  if (!isObj(v)) return undefined;
  const { x, y, zoom } = v;
  return typeof x === 'number' && typeof y === 'number' && typeof zoom === 'number' ? { x, y, zoom } : undefined;
}

/** Whether `text` is larger than the app reads (UTF-8 bytes; encoded only when it could be). */
function tooLarge(text: string): boolean {
  return text.length * 3 > MAX_DOCUMENT_BYTES && new TextEncoder().encode(text).length > MAX_DOCUMENT_BYTES;
}

/** Reads a graph document from JSON text or an already parsed value. Throws {@link DocumentParseError}. */
export function parseDocument(input: string | unknown): GraphDocument {
  let v: unknown = input;
  if (typeof input === 'string') {
    if (tooLarge(input)) throw new DocumentParseError('', `larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB`);
    try {
      v = JSON.parse(input);
    } catch (e) {
      throw new DocumentParseError('', `not valid JSON (${(e as Error).message})`);
    }
  }
  const checked = checkDocumentJson(v);
  if (!checked.ok) {
    const { path, message } = checked.issue;
    throw new DocumentParseError(path === '$' ? '' : path, message);
  }
  const d: DocumentJson = checked.document;
  const ops = new Map(d.nodes.map((n) => [n.id, n.op]));
  const view = parseView(d.view);
  return {
    format: FORMAT,
    version: VERSION,
    meta: d.meta ?? {},
    nodes: d.nodes.map(parseNode),
    edges: d.edges.map((e, i) => parseEdge(e, i, ops)),
    ...(d.run !== undefined ? { run: parseRun(d.run) } : {}),
    ...(view ? { view } : {}),
    extra: rest(d, TOP_KEYS) ?? {},
  };
}
