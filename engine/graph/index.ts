/**
 * The graph layer's public face: validate a document, compile it, run it.
 */
import { compile, type CompiledGraph } from './compile';
import { checkDocument } from './validate';
import { GraphSession } from './session';
import { resultJson } from './result';
import type { DocumentIssue, RunResultJson } from '../protocol/result';
import { MAX_GRAPH_ELEMENTS } from '../core/limits';
import { inferShapes, type ShapeReport } from './shapes';
import { optimizerParamIssues } from './optimizer';
import { OPS_REGISTRY, type OpRegistry } from '../ops/index';

export { validateDocument, partialDocument } from './validate';
export { compile } from './compile';
export { GraphSession, tagOf } from './session';
export { resultJson, stringifyResult, parseJsonWithNaN, reportedTensors, tensorJson } from './result';

/** A loaded document: its plan and inferred shapes, or its issues and the plan of its valid part. */
export type Loaded =
  | { ok: true; graph: CompiledGraph; shapes: ShapeReport }
  | { ok: false; issues: DocumentIssue[]; partial: CompiledGraph | null };

/**
 * Validates and compiles a document, each once and in linear time; issues (with
 * JSON paths) when it is not a valid graph, with the plan of its valid part
 * (null when there is none), so the canvas can still show shapes.
 */
export function load(json: unknown, ops: OpRegistry = OPS_REGISTRY): Loaded {
  const v = checkDocument(json, ops);
  if (!v.ok) return { ok: false, issues: v.issues, partial: v.partial ? compile(v.partial) : null };
  const graph = compile(v.doc);
  const root = v.doc.run.backward;
  if (root !== null && graph.update.some((n) => n.id === root)) {
    const issue = {
      path: 'run.backward',
      message: `${root} depends on a Grad node, so it is computed after backward`,
      node: root,
    };
    return { ok: false, issues: [issue], partial: graph };
  }
  const optimizerIssues = optimizerParamIssues(graph);
  if (optimizerIssues.length > 0) return { ok: false, issues: optimizerIssues, partial: graph };
  const shapes = inferShapes(graph);
  const budget = graphBudgetIssue(shapes);
  if (budget) return { ok: false, issues: [budget], partial: graph };
  return { ok: true, graph, shapes };
}

/** Refuses a graph whose inferred tensors together exceed MAX_GRAPH_ELEMENTS, before anything is allocated. */
function graphBudgetIssue(shapes: ShapeReport): DocumentIssue | null {
  let total = 0;
  for (const m of shapes.ports.values()) if (m.shape) total += m.shape.reduce((a, b) => a * b, 1);
  if (total <= MAX_GRAPH_ELEMENTS) return null;
  return {
    path: 'nodes',
    message: `the graph's tensors would hold ${total} elements in all, more than the engine's budget of ${MAX_GRAPH_ELEMENTS}`,
  };
}

/** Runs a document to the end and returns the spec's result (or the document's issues). */
export function runDocument(
  json: unknown,
  ops: OpRegistry = OPS_REGISTRY,
): { ok: true; result: RunResultJson } | { ok: false; issues: DocumentIssue[] } {
  const l = load(json, ops);
  if (!l.ok) return { ok: false, issues: l.issues };
  const s = new GraphSession(l.graph);
  s.run();
  return { ok: true, result: resultJson(s) };
}
export { inferShapes, type PortMeta, type ShapeReport } from './shapes';
