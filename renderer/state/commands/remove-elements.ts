import { edgeKey, type GraphDocument, type RunSpec } from '../../document/types';
import type { Applied, Command, RemoveElements } from './types';

function runWithout(run: RunSpec | undefined, gone: ReadonlySet<string>): RunSpec | undefined {
  if (!run) return run;
  const feedback = run.feedback?.filter((f) => !gone.has(f.from) && !gone.has(f.to));
  const dropRoot = run.backward !== undefined && gone.has(run.backward);
  if (!dropRoot && feedback?.length === run.feedback?.length) return run;
  const { backward, ...rest } = run;
  return { ...(dropRoot ? rest : { ...rest, backward }), ...(feedback ? { feedback } : {}) };
}

/**
 * Removes nodes, every edge touching them, the listed edges, and run references
 * to removed nodes; the inverse puts all of it back at the same indices.
 */
export function applyRemoveElements(doc: GraphDocument, cmd: RemoveElements): Applied {
  const gone = new Set(cmd.nodeIds);
  const goneEdges = new Set(cmd.edgeKeys);
  const removedNodes = doc.nodes.flatMap((node, index) => (gone.has(node.id) ? [{ node, index }] : []));
  const removedEdges = doc.edges.flatMap((edge, index) =>
    gone.has(edge.source) || gone.has(edge.target) || goneEdges.has(edgeKey(edge)) ? [{ edge, index }] : [],
  );
  const run = runWithout(doc.run, gone);
  const next = {
    ...doc,
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((_, i) => !removedEdges.some((r) => r.index === i)),
    ...(run !== doc.run ? { run } : {}),
  };
  const restore: Command = { type: 'addElements', nodes: removedNodes, edges: removedEdges };
  const inverse: Command =
    run !== doc.run ? { type: 'batch', commands: [restore, { type: 'setRun', run: doc.run ?? null }] } : restore;
  return { doc: next, inverse };
}
