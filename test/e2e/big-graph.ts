/**
 * A large, valid graph document (format v1) for the canvas performance test
 * and `npm run bench -- --canvas`: `branches` residual MLP branches merged by
 * a balanced tree of Adds into one Sum loss. Tensors are tiny ([2, 4]) so a
 * run takes milliseconds; the cost is all in the canvas.
 *
 * Per branch (3 + 2 · blocks nodes): x_i (Tensor, requires_grad) →
 * blocks × (fc_i_k (Linear) → relu_i_k (ReLU)) → fc_i_out (Linear) →
 * res_i (Add: fc_i_out + x_i). Then branches - 1 Adds (merge_*) and `loss`
 * (Sum): branches · (4 + 2 · blocks) nodes in all, so the default 25 branches
 * of 4 blocks give 300 nodes (and 324 edges) in 17 layout columns by 25 rows.
 *
 * No node has a position: the app lays the document out when it opens it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Width of every tensor (the graph runs in milliseconds). */
const FEATURES = 4;

type Node = { id: string; op: string; params: Record<string, unknown> };
type Edge = { source: string; sourceHandle: 'out'; target: string; targetHandle: string };

/** Node count of {@link bigGraph}`(branches, blocks)`. */
export const bigGraphSize = (branches = 25, blocks = 4): { nodes: number; edges: number } => ({
  nodes: branches * (4 + 2 * blocks),
  edges: branches * (3 + 2 * blocks) + 2 * (branches - 1) + 1,
});

/** The document: `branches` residual branches of `blocks` Linear+ReLU blocks each. */
export function bigGraph(branches = 25, blocks = 4): Record<string, unknown> {
  for (const [k, v] of [
    ['branches', branches],
    ['blocks', blocks],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${k}: expected a positive integer, got ${v}`);
  }
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  const edge = (source: string, target: string, targetHandle: string): void => {
    edges.push({ source, sourceHandle: 'out', target, targetHandle });
  };
  const linear = (id: string): Node => ({
    id,
    op: 'Linear',
    params: { in_features: FEATURES, out_features: FEATURES, bias: true },
  });
  let level: string[] = [];
  for (let i = 0; i < branches; i++) {
    const x = `x_${i}`,
      res = `res_${i}`;
    nodes.push({
      id: x,
      op: 'Tensor',
      params: { shape: [2, FEATURES], dtype: 'float32', requires_grad: true, init: { kind: 'randn', seed: i + 1 } },
    });
    let prev = x;
    for (let k = 1; k <= blocks; k++) {
      const fc = `fc_${i}_${k}`,
        relu = `relu_${i}_${k}`;
      nodes.push(linear(fc), { id: relu, op: 'ReLU', params: {} });
      edge(prev, fc, 'input');
      edge(fc, relu, 'input');
      prev = relu;
    }
    const out = `fc_${i}_out`;
    nodes.push(linear(out), { id: res, op: 'Add', params: {} });
    edge(prev, out, 'input');
    edge(out, res, 'a');
    edge(x, res, 'b');
    level.push(res);
  }
  // a balanced tree of Adds: branches - 1 of them
  let m = 0;
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      const id = `merge_${m++}`;
      nodes.push({ id, op: 'Add', params: {} });
      edge(level[i]!, id, 'a');
      edge(level[i + 1]!, id, 'b');
      next.push(id);
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  nodes.push({ id: 'loss', op: 'Sum', params: { dim: null, keepdim: false } });
  edge(level[0]!, 'loss', 'input');
  return {
    format: 'autograd-studio/graph',
    version: 1,
    meta: {
      name: `${nodes.length}-node graph`,
      description: `${branches} residual Linear/ReLU branches merged by Adds into one Sum (canvas performance test).`,
    },
    nodes,
    edges,
    run: { backward: 'loss', iterations: 1, feedback: [], zero_grad: false },
  };
}

/** Writes the document to `path` (creating its folder); returns the node count. */
export function writeBigGraph(path: string, branches = 25, blocks = 4): number {
  const doc = bigGraph(branches, blocks);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(doc, null, 1)}\n`);
  return (doc.nodes as unknown[]).length;
}
