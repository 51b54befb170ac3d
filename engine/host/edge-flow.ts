/**
 * Which document edges carried gradient in the last backward pass, for the
 * canvas to draw. Edge `source -> target` carried gradient when a function
 * belonging to `target` sent a gradient along the gradient edge of `source`'s
 * output (its grad_fn, or its AccumulateGrad if it is a leaf). When several
 * edges join the same two nodes (`Mul(x, x)`), the gradients are matched to
 * them in the order of the target's ports.
 */
import type { Edge, Node } from '../autograd/node';
import type { GraphSession } from '../graph/session';
import { OP_BY_NAME } from '../protocol/ops';
import type { EdgeFlow } from '../protocol/messages';
import type { FloatArray } from '../core/dtype';

/** Sum of squares of a buffer. */
function sumSquares(d: FloatArray): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return s;
}

/** The edges that carried gradient in `s`'s last backward, with the L2 norm of what flowed. */
export function edgeFlow(s: GraphSession): EdgeFlow[] {
  const doc = s.graph.doc;
  const gradEdge = new Map<string, Edge>();
  for (const n of doc.nodes) {
    const t = s.outputs.get(n.id);
    if (t && t.requiresGrad) gradEdge.set(n.id, t.gradientEdge());
  }
  // Gradients sent by functions of graph node T to (function, input), in execution order.
  const sent = new Map<string, Map<Node, { inputNr: number; sq: number }[]>>();
  for (const st of s.steps) {
    if (st.tag === null) continue;
    st.outputs.forEach((g, i) => {
      const e = st.node.nextEdges[i];
      if (!g || !e) return;
      let byFn = sent.get(st.tag!);
      if (!byFn) sent.set(st.tag!, (byFn = new Map()));
      const list = byFn.get(e.node) ?? [];
      list.push({ inputNr: e.inputNr, sq: sumSquares(g.data) });
      byFn.set(e.node, list);
    });
  }
  // Document edges grouped by (source, target), in the target's port order.
  const groups = new Map<string, (typeof doc.edges)[number][]>();
  for (const e of doc.edges) {
    const key = `${e.source}\u0000${e.target}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const flows: EdgeFlow[] = [];
  for (const edges of groups.values()) {
    const { source, target } = edges[0]!;
    const ge = gradEdge.get(source);
    const sends = ge ? (sent.get(target)?.get(ge.node) ?? []).filter((x) => x.inputNr === ge.inputNr) : [];
    if (sends.length === 0) continue;
    const ports = OP_BY_NAME.get(doc.nodes.find((n) => n.id === target)!.op)!.ports.map((p) => p.name);
    const ordered = [...edges].sort((a, b) => ports.indexOf(a.targetHandle) - ports.indexOf(b.targetHandle));
    const sq = ordered.map(() => 0);
    const carried = ordered.map(() => false);
    sends.forEach((x, k) => {
      const j = ordered.length === 1 ? 0 : Math.min(k, ordered.length - 1);
      sq[j] = sq[j]! + x.sq;
      carried[j] = true;
    });
    ordered.forEach((e, j) => {
      if (carried[j]) flows.push({ edge: e.index, norm: Math.sqrt(sq[j]!) });
    });
  }
  return flows.sort((a, b) => a.edge - b.edge);
}
