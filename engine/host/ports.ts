/**
 * What `load` tells the canvas before anything runs: the shape, dtype and
 * autograd flags of every port of the first iteration, parameters included,
 * from the graph layer's shape inference (nothing is computed or allocated),
 * and the shape problems it found, by node. Graphs over the memory budget never
 * get here: `load` refuses them first, from the same inference.
 */
import { MAX_GRAPH_ELEMENTS } from '../core/limits';
import type { CompiledGraph } from '../graph/compile';
import { inferShapes, type ShapeReport } from '../graph/index';
import type { PortInfo } from '../protocol/messages';
import { dict } from '../protocol/dict';

/** The inference's findings, in protocol form. */
export interface PortReport {
  readonly ports: Record<string, PortInfo>;
  readonly problems: { node: string; message: string }[];
  readonly elements: number;
  readonly budget: number;
}

/** Ports, problems (in execution order) and total elements of a compiled graph (its inferred shapes when known). */
export function inferPorts(g: CompiledGraph, report: ShapeReport = inferShapes(g)): PortReport {
  const ports = dict<PortInfo>();
  let elements = 0;
  for (const [name, m] of report.ports) {
    ports[name] = {
      shape: m.shape ? [...m.shape] : null,
      dtype: m.dtype,
      requires_grad: m.requiresGrad,
      is_leaf: m.isLeaf,
    };
    if (m.shape) elements += m.shape.reduce((a, b) => a * b, 1);
  }
  const problems = [...g.forward, ...g.update]
    .filter((n) => report.problems.has(n.id))
    .map((n) => ({ node: n.id, message: report.problems.get(n.id)! }));
  return { ports, problems, elements, budget: MAX_GRAPH_ELEMENTS };
}
