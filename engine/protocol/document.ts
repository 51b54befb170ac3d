/**
 * The graph document's structure (format version 1), declared once with
 * valibot: each declaration gives the TypeScript type and the runtime check.
 * The engine (`engine/graph/validate.ts`), the request check
 * (`./validate.ts`), the renderer's reader (`renderer/document/parse.ts`) and
 * the Electron shell's gate (`electron/main/documents.ts`) all use it, so they
 * agree on what a document is. Structure only: whether an op exists, its
 * ports and params are the op catalog's business (`./ops.ts`), checked by the
 * engine.
 *
 * valibot checks by plain function calls (no eval, no `new Function`), so it
 * runs under the app's Content-Security-Policy. Every message is the one the
 * engine gave before (docs/graph-format.md quotes them) and names its JSON
 * path, e.g. `nodes[3].params`.
 */
import * as v from 'valibot';
import { FORMAT, VERSION } from './format';
import type { DocumentIssue } from './result';

/** Node ids: 1 to 64 characters of A-Z a-z 0-9 _ - (no "." : it separates a node from its parameters). */
export const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Most iterations one run may ask for. */
export const MAX_ITERATIONS = 100_000;
/** Largest document the app reads, writes or autosaves (the CLI reads any size). */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

const BOOL = 'expected true or false';
const OBJECT = 'expected an object';
const ARRAY = 'expected an array';

const nodeId = (message: string) => v.custom<string>((x) => typeof x === 'string' && NODE_ID.test(x), message);
const aString = (message: string) => v.custom<string>((x) => typeof x === 'string', message);
const anObject = () => v.custom<Obj>(isObj, OBJECT);

/**
 * An object with `entries` (other keys allowed, or refused with `strict`)
 * whose faults read like the engine's: a value that is not an object gets
 * `notObject` (an array too), a missing field that field's own message (as if
 * it were present and wrong), a field a strict object does not know
 * `unknown field of <what>`.
 */
function objectOf<E extends v.ObjectEntries>(entries: E, what: string, notObject = OBJECT, strict = false) {
  const message = (issue: v.BaseIssue<unknown>): string => {
    const key = issue.path?.[issue.path.length - 1]?.key;
    if (issue.expected === 'never') return `unknown field of ${what}`;
    if (typeof key === 'string' && Object.hasOwn(entries, key)) {
      return v.safeParse(entries[key]!, undefined).issues?.[0]?.message ?? notObject;
    }
    return notObject;
  };
  const object = strict ? v.strictObject(entries, message) : v.looseObject(entries, message);
  return v.pipe(v.custom<Obj>(isObj, notObject), object);
}

const nodeEntries = {
  id: nodeId('expected 1 to 64 characters of A-Z a-z 0-9 _ - (no ".")'),
  op: v.custom<string>((x) => typeof x === 'string' && x !== '', 'expected an op name'),
  params: v.optional(anObject()),
  position: v.optional(
    v.custom<{ x: number; y: number }>(
      (p) => isObj(p) && typeof p.x === 'number' && typeof p.y === 'number',
      'expected {x, y} numbers',
    ),
  ),
  label: v.optional(aString('expected a string')),
  retain_grad: v.optional(v.boolean(BOOL)),
};
/** A node: `id`, `op`, and optionally `params`, `position`, `label`, `retain_grad`; other keys are kept. */
export const NodeSchema = objectOf(nodeEntries, 'a node');

const edgeEntries = {
  source: nodeId('expected a node id'),
  // See docs/graph-format.md: left out (or null), it is the source op's only output ("out").
  sourceHandle: v.optional(v.nullable(aString('expected an output name'))),
  target: nodeId('expected a node id'),
  // See docs/graph-format.md: left out (or null), it is the target op's only port.
  targetHandle: v.optional(v.nullable(aString('expected a port name'))),
};
/** An edge from a node's output to an input port of another; other keys are kept. */
export const EdgeSchema = objectOf(edgeEntries, 'an edge');

const feedbackEntries = { from: nodeId('expected a node id'), to: nodeId('expected a node id') };
const FEEDBACK = 'expected {"from": node, "to": Tensor node}';

const runEntries = {
  backward: v.optional(v.nullable(nodeId('expected a node id'))),
  iterations: v.optional(
    v.custom<number>(
      (x) => Number.isInteger(x) && (x as number) >= 1 && (x as number) <= MAX_ITERATIONS,
      `expected an integer from 1 to ${MAX_ITERATIONS}`,
    ),
  ),
  feedback: v.optional(v.array(objectOf(feedbackEntries, 'feedback', FEEDBACK), ARRAY)),
  zero_grad: v.optional(v.boolean(BOOL)),
  update_no_grad: v.optional(v.boolean(BOOL)),
  mode: v.optional(v.custom<'train' | 'eval'>((x) => x === 'train' || x === 'eval', 'expected "train" or "eval"')),
  // Its fields are checked by the engine (engine/graph/optimizer.ts), with PyTorch's messages.
  optimizer: v.optional(anObject()),
};
/** The `run` section: its fields only (an unknown one is an error: it is likely a typo). */
export const RunSchema = objectOf(runEntries, 'run', OBJECT, true);

const format = v.literal(FORMAT, `expected "${FORMAT}"`);
const version = v.literal(VERSION, (issue) =>
  typeof issue.input === 'number' && issue.input > VERSION
    ? `version ${issue.input} is newer than this engine understands (${VERSION})`
    : `expected ${VERSION}`,
);
const meta = v.optional(anObject());

const envelopeEntries = {
  format,
  version,
  meta,
  nodes: v.array(v.unknown(), ARRAY),
  edges: v.array(v.unknown(), ARRAY),
};
/** The top level alone (nodes and edges unchecked): what must hold before any node is looked at. */
export const EnvelopeSchema = objectOf(envelopeEntries, 'the document', 'expected a JSON object');

const documentEntries = {
  format,
  version,
  meta,
  nodes: v.array(NodeSchema, ARRAY),
  edges: v.array(EdgeSchema, ARRAY),
  run: v.optional(RunSchema),
  view: v.optional(v.unknown()),
};
/** A whole graph document in its structure; other top-level keys are allowed (and kept by the app). */
export const DocumentSchema = objectOf(documentEntries, 'the document', 'expected a JSON object');

/** A graph document as JSON, in its structure (ops and params unchecked). */
export type DocumentJson = v.InferOutput<typeof DocumentSchema>;
export type NodeJson = v.InferOutput<typeof NodeSchema>;
export type EdgeJson = v.InferOutput<typeof EdgeSchema>;
export type RunJson = v.InferOutput<typeof RunSchema>;

/** `nodes[3].params`: a JSON path from `prefix` and a valibot issue's path; `$` for the root. */
function pathOf(prefix: string, issue: v.BaseIssue<unknown>): string {
  let out = prefix;
  for (const item of issue.path ?? []) {
    const key = (item as { key: unknown }).key;
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '$' : out;
}

/**
 * The structural faults of `value` against `schema`, each with its JSON path
 * under `prefix` (`nodes[3]`); all of them, or only the first with `first`.
 * Never throws.
 */
export function structureIssues(schema: v.GenericSchema, value: unknown, prefix = '', first = false): DocumentIssue[] {
  const r = v.safeParse(schema, value, { abortEarly: first });
  return (r.issues ?? []).map((i) => ({ path: pathOf(prefix, i), message: i.message }));
}

/** A document in its structure and its references, or the first fault found. */
export type DocumentCheck = { ok: true; document: DocumentJson } | { ok: false; issue: DocumentIssue };

/**
 * What the app asks of a file before it shows it: the structure, unique node
 * ids and edges between existing nodes (the canvas cannot draw anything
 * else). Whether the ops, params and ports make sense is the engine's
 * answer on `load`, shown on the canvas. Returns the first fault.
 */
export function checkDocumentJson(value: unknown): DocumentCheck {
  const [issue] = structureIssues(DocumentSchema, value, '', true);
  if (issue) return { ok: false, issue };
  const document = value as DocumentJson;
  const ids = new Set<string>();
  for (const [i, n] of document.nodes.entries()) {
    if (ids.has(n.id)) return { ok: false, issue: { path: `nodes[${i}].id`, message: `duplicate node id "${n.id}"` } };
    ids.add(n.id);
  }
  for (const [i, e] of document.edges.entries()) {
    for (const end of ['source', 'target'] as const) {
      if (!ids.has(e[end]))
        return { ok: false, issue: { path: `edges[${i}].${end}`, message: `no node with id "${e[end]}"` } };
    }
  }
  return { ok: true, document };
}
