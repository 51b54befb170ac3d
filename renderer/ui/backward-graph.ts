/**
 * The backward graph for the autograd view: grad_fn nodes (internal ones and
 * AccumulateGrad included) in execution order, with edges exact from stepping
 * (each step says where it sent gradient) or inferred from the document after
 * a full run.
 */
import type { BackwardStepResult } from '../../engine/protocol/messages';
import type { BackwardStepJson } from '../../engine/protocol/result';
import type { GraphDocument } from '../document/types';

/** A grad_fn in the view. */
export interface BwNode {
  readonly index: number;
  readonly gradFn: string;
  readonly node: string | null;
  readonly depth: number;
}

/** The backward graph. */
export interface BackwardGraph {
  readonly nodes: readonly BwNode[];
  readonly edges: readonly { readonly from: number; readonly to: number }[];
  readonly exact: boolean;
}

const owner = (n: string | null): string | null => (n ? n.split('.')[0]! : null);

/** Builds the backward graph from step results (exact) or the step list and the document (inferred). */
export function backwardGraph(
  doc: GraphDocument,
  steps: readonly BackwardStepJson[],
  results: readonly BackwardStepResult[],
): BackwardGraph {
  const exact = results.length > 0;
  const list: BackwardStepJson[] = exact
    ? results.map((r) => ({ grad_fn: r.grad_fn ?? '?', node: r.node }))
    : [...steps];
  const edges: { from: number; to: number }[] = [];
  const findAfter = (i: number, pred: (s: BackwardStepJson) => boolean): number =>
    list.findIndex((s, k) => k > i && pred(s));
  list.forEach((s, i) => {
    if (exact) {
      for (const o of results[i]!.outputs) {
        if (!o.to) continue;
        const k = findAfter(i, (x) => x.grad_fn === o.to && x.node === o.to_node);
        if (k >= 0) edges.push({ from: i, to: k });
      }
      return;
    }
    const me = owner(s.node);
    if (s.grad_fn === 'AccumulateGrad' || !me) return;
    const internal = findAfter(i, (x) => x.node === s.node && x.grad_fn !== 'AccumulateGrad');
    if (internal >= 0) edges.push({ from: i, to: internal });
    if (list.findIndex((x) => x.node === s.node) !== i) return;
    for (const e of doc.edges.filter((x) => x.target === me)) {
      const k = findAfter(i, (x) => x.node === e.source);
      if (k >= 0 && !edges.some((x) => x.to === k && x.from === i)) edges.push({ from: i, to: k });
    }
    for (const p of ['weight', 'bias']) {
      const k = findAfter(i, (x) => x.node === `${me}.${p}`);
      if (k < 0) continue;
      // Linear's weight reaches AccumulateGrad through its internal TBackward0
      edges.push({ from: p === 'weight' && internal >= 0 ? internal : i, to: k });
    }
  });
  const depth = new Array<number>(list.length).fill(0);
  for (const e of [...edges].sort((a, b) => a.from - b.from)) depth[e.to] = Math.max(depth[e.to]!, depth[e.from]! + 1);
  return { nodes: list.map((s, i) => ({ index: i, gradFn: s.grad_fn, node: s.node, depth: depth[i]! })), edges, exact };
}
