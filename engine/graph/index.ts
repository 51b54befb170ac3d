/**
 * The graph layer's public face: validate a document, compile it, run it.
 */
import { compile, type CompiledGraph } from './compile';
import { validateDocument } from './validate';
import { GraphSession } from './session';
import { resultJson } from './result';
import type { DocumentIssue, RunResultJson } from '../protocol/result';
import { MAX_GRAPH_ELEMENTS } from '../core/limits';
import { inferShapes } from './shapes';

export { validateDocument, partialDocument } from './validate';
export { compile } from './compile';
export { GraphSession, tagOf } from './session';
export { resultJson, stringifyResult, parseJsonWithNaN, reportedTensors, tensorJson } from './result';

/** Validates and compiles a document; issues (with JSON paths) when it is not a valid graph. */
export function load(json: unknown): { ok: true; graph: CompiledGraph } | { ok: false; issues: DocumentIssue[] } {
  const v = validateDocument(json);
  if (!v.ok) return { ok: false, issues: v.issues };
  const graph = compile(v.doc);
  const root = v.doc.run.backward;
  if (root !== null && graph.update.some((n) => n.id === root)) {
    return { ok: false, issues: [{ path: 'run.backward', message: `${root} depends on a Grad node, so it is computed after backward`, node: root }] };
  }
  const budget = graphBudgetIssue(graph);
  if (budget) return { ok: false, issues: [budget] };
  return { ok: true, graph };
}

/** Refuses a graph whose inferred tensors together exceed MAX_GRAPH_ELEMENTS, before anything is allocated. */
function graphBudgetIssue(graph: CompiledGraph): DocumentIssue | null {
  let total = 0;
  for (const m of inferShapes(graph).ports.values()) if (m.shape) total += m.shape.reduce((a, b) => a * b, 1);
  if (total <= MAX_GRAPH_ELEMENTS) return null;
  return {
    path: 'nodes',
    message: `the graph's tensors would hold ${total} elements in all, more than the engine's budget of ${MAX_GRAPH_ELEMENTS}`,
  };
}

/** Runs a document to the end and returns the spec's result (or the document's issues). */
export function runDocument(json: unknown): { ok: true; result: RunResultJson } | { ok: false; issues: DocumentIssue[] } {
  const l = load(json);
  if (!l.ok) return l;
  const s = new GraphSession(l.graph);
  s.run();
  return { ok: true, result: resultJson(s) };
}
export { inferShapes, type PortMeta, type ShapeReport } from './shapes';
