/**
 * What a step reports so the canvas can keep the picture (issue 14, items 1
 * and 3): a backward step that first runs the rest of the forward pass reports
 * those nodes' tensors and the edges gradient has crossed so far; an in-place
 * step re-reports the tensors that share the storage it wrote. Expected values
 * are PyTorch 1.13's (detach_vs_clone's script, /usr/bin/python3):
 *   x.relu_() through x.detach() gives x = [[0.5, 0, 2], [0.3, 0, 1.5]],
 *   cloned.relu_() leaves x as it was, cloned.grad_fn becomes ReluBackward0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, readDoc, ROOT, type Connected } from './helpers';

let c: Connected;
beforeAll(async () => {
  c = await connect();
});
afterAll(() => c.close());

const doc = () => readDoc(`${ROOT}/renderer/examples/detach_vs_clone.graph.json`);
const edgeIndex = (d: Record<string, unknown>, s: string, t: string): number =>
  (d.edges as { source: string; target: string }[]).findIndex((e) => e.source === s && e.target === t);

describe('steps report the picture', () => {
  it('an in-place write re-reports the tensors on its storage', async () => {
    expect((await c.client.load(doc())).ok).toBe(true);
    const seen: Record<string, Record<string, unknown>> = {};
    for (;;) {
      const f = await c.client.stepForward();
      if (f.node) seen[f.node] = { ...f.changed };
      if (f.node === 'relu_d') break;
    }
    expect(seen.cloned).toEqual({});
    // relu_ on the clone: the clone's node is now its output; x is untouched
    expect(Object.keys(seen.relu_c!)).toEqual(['cloned']);
    expect(seen.relu_c!.cloned).toMatchObject({ grad_fn: 'ReluBackward0', is_leaf: false });
    // relu_ on the detached tensor: x and detached changed with it (one storage)
    expect(Object.keys(seen.relu_d!).sort()).toEqual(['detached', 'x']);
    const x = seen.relu_d!.x as { stats: { min: number; max: number }; storage: number; grad_fn: null };
    expect(x).toMatchObject({ grad_fn: null, is_leaf: true, stats: { min: 0, max: 2 } });
    const x0 = (await c.client.getTensor('x', 'value')).data;
    expect(Array.from(x0)).toEqual([0.5, 0, 2, Math.fround(0.3), 0, 1.5]);
  });

  it('a backward step reports the forwarded tensors and the edges crossed so far', async () => {
    const d = doc();
    expect((await c.client.load(d)).ok).toBe(true);
    const b1 = await c.client.stepBackward();
    expect(b1.forwarded).toEqual(['cloned', 'relu_c', 'detached', 'relu_d', 'a', 'b', 'sum_a', 'sum_b', 'total']);
    expect(Object.keys(b1.tensors!).sort()).toEqual(
      ['a', 'b', 'cloned', 'detached', 'relu_c', 'relu_d', 'sum_a', 'sum_b', 'total', 'w', 'x'].sort(),
    );
    expect(b1.tensors!.total).toMatchObject({ grad_fn: 'AddBackward0', is_leaf: false });
    expect(b1.tensors!.detached!.storage).toBe(b1.tensors!.x!.storage);
    expect(b1.tensors!.cloned!.storage).not.toBe(b1.tensors!.x!.storage);
    // AddBackward0 of total sent 1 to each Sum: two edges crossed, each with norm 1
    expect(b1.edge_flow).toEqual(
      [
        { edge: edgeIndex(d, 'sum_a', 'total'), norm: 1 },
        { edge: edgeIndex(d, 'sum_b', 'total'), norm: 1 },
      ].sort((p, q) => p.edge - q.edge),
    );
    const b2 = await c.client.stepBackward();
    expect(b2).toMatchObject({ grad_fn: 'SumBackward0', node: 'sum_b', forwarded: [], tensors: {} });
    // SumBackward0 sends ones [2, 3] to b: norm sqrt(6)
    expect(b2.edge_flow).toContainEqual({ edge: edgeIndex(d, 'b', 'sum_b'), norm: Math.sqrt(6) });
    expect(b2.edge_flow).toHaveLength(3);
  });
});
