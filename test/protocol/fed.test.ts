/**
 * What feedback handed to a Tensor node is reported beside the result (`fed`),
 * so the canvas can show why `delta.requires_grad_()` raised in iteration 2:
 * delta is then delta_next's tensor, a non-leaf with grad_fn AddBackward0.
 * See Note [Fed-back tensors are reported apart] (engine/graph/session.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, readDoc, ROOT, type Connected } from './helpers';

let c: Connected;
beforeAll(async () => {
  c = await connect();
});
afterAll(() => c.close());

const errorDoc = () => readDoc(`${ROOT}/test/fixtures/reference/adversarial_loop_error.graph.json`);

describe('fed tensors', () => {
  it('a run that stops on the leaf error reports what delta held, apart from the result tensors', async () => {
    expect((await c.client.load(errorDoc())).ok).toBe(true);
    const r = await c.client.run();
    expect(r.error).toMatchObject({
      message: 'you can only change requires_grad flags of leaf variables.',
      node: 'delta',
      phase: 'setup',
      iteration: 1,
    });
    expect(r.tensors.delta).toBeUndefined(); // as in PyTorch's result: delta's setup line raised
    expect(r.fed?.delta).toMatchObject({ is_leaf: false, requires_grad: true, grad_fn: 'AddBackward0' });
    expect(r.fed?.delta?.shape).toEqual(r.tensors.image!.shape);
    // its values: delta_next of iteration 1 = 0 + 0.05 * sign(delta.grad), elementwise
    const v = await c.client.request({ type: 'getTensor', name: 'delta', which: 'value' });
    expect(v.shape).toEqual([1, 1, 6, 6]);
    expect(new Set(Array.from(v.data, (x) => Math.round(x * 100) / 100))).toEqual(new Set([0.05, -0.05]));
  });

  it('stepping into iteration 2 reports it with the setup that raised', async () => {
    expect((await c.client.load(errorDoc())).ok).toBe(true);
    let f = await c.client.stepForward();
    expect(f.fed).toEqual({}); // iteration 1: delta comes from its init, nothing was fed
    while (!f.error) {
      if (f.phase === 'backward') {
        const b = await c.client.stepBackward();
        if (b.phase !== 'forward' && b.phase !== 'update') continue;
      }
      f = await c.client.stepForward();
    }
    expect(f.iteration).toBe(1);
    expect(f.error?.node).toBe('delta');
    expect(f.setup.delta).toBeUndefined();
    expect(f.fed?.delta).toMatchObject({ is_leaf: false, grad_fn: 'AddBackward0' });
  });
});
