/** Every request type, over a real worker thread. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultFromWire } from '../../engine/protocol/codec';
import { PROTOCOL_VERSION, type EngineEvent } from '../../engine/protocol/messages';
import { runDocument, stringifyResult } from '../../engine/graph/index';
import { connect, doc, squareDoc, type Connected } from './helpers';

let c: Connected;
beforeAll(async () => {
  c = await connect();
});
afterAll(() => c.close());

describe('round trips over a worker thread', () => {
  it('announces itself with the protocol version', () => {
    expect(c.events[0]).toEqual({ type: 'event', event: 'ready', protocol: PROTOCOL_VERSION, kernels: 'ts' });
  });

  it('load reports issues with JSON paths and loads nothing', async () => {
    const r = await c.client.load(doc([{ id: 'c', op: 'Conv2d', params: { in_channels: 1, out_channels: 1 } }], []));
    expect(r.ok).toBe(false);
    expect(r.issues).toContainEqual({
      path: 'nodes[0].params.kernel_size',
      message: 'required parameter of Conv2d is missing',
      node: 'c',
    });
    await expect(c.client.stepForward()).rejects.toMatchObject({
      error: { type: 'StateError', message: expect.stringContaining('no graph is loaded') },
    });
  });

  it('load infers every port, leaves and parameters included, before anything runs', async () => {
    const r = await c.client.load(
      doc(
        [
          { id: 'x', op: 'Tensor', params: { shape: [2, 3], requires_grad: true } },
          { id: 'fc', op: 'Linear', params: { in_features: 3, out_features: 4 } },
          { id: 'd', op: 'Detach' },
          { id: 'loss', op: 'Sum' },
        ],
        [
          { source: 'x', target: 'fc', targetHandle: 'input' },
          { source: 'fc', target: 'd' },
          { source: 'fc', target: 'loss' },
        ],
        { backward: 'loss' },
      ),
    );
    expect(r.ok).toBe(true);
    expect(r.order).toEqual(['x', 'fc', 'd', 'loss']);
    expect(r.ports.x).toEqual({ shape: [2, 3], dtype: 'float32', requires_grad: true, is_leaf: true });
    expect(r.ports.fc).toEqual({ shape: [2, 4], dtype: 'float32', requires_grad: true, is_leaf: false });
    expect(r.ports['fc.weight']).toMatchObject({ shape: [4, 3], requires_grad: true, is_leaf: true });
    expect(r.ports.d).toMatchObject({ requires_grad: false, is_leaf: true });
    expect(r.ports.loss).toMatchObject({ shape: [] });
    expect(r.problems).toEqual([]);
    expect(r.elements).toBe(6 + 8 + 12 + 4 + 8 + 1);
  });

  it('load reports shape problems by node, and still loads', async () => {
    const r = await c.client.load(
      doc(
        [
          { id: 'a', op: 'Tensor', params: { shape: [2] } },
          { id: 'b', op: 'Tensor', params: { shape: [3] } },
          { id: 'sum', op: 'Add' },
          { id: 'e', op: 'Exp' },
        ],
        [
          { source: 'a', target: 'sum', targetHandle: 'a' },
          { source: 'b', target: 'sum', targetHandle: 'b' },
          { source: 'sum', target: 'e' },
        ],
      ),
    );
    expect(r.ok).toBe(true);
    expect(r.problems).toEqual([{ node: 'sum', message: expect.stringContaining('must match the size of tensor b') }]);
    expect(r.ports.e!.shape).toBeNull();
    const f = await c.client.stepForward();
    expect(f.error).toMatchObject({ node: 'sum', phase: 'forward', message: r.problems[0]!.message });
  });

  it('steps to a backward error and reports it', async () => {
    const r = await c.client.load(
      doc(
        [
          { id: 'x', op: 'Tensor', params: { shape: [2] } },
          { id: 's', op: 'Sum' },
        ],
        [{ source: 'x', target: 's' }],
        { backward: 's' },
      ),
    );
    expect(r.ok).toBe(true);
    const f = await c.client.stepForward();
    expect(f).toMatchObject({ node: 's', phase: 'backward' });
    const b = await c.client.stepBackward();
    expect(b.error?.message).toBe('element 0 of tensors does not require grad and does not have a grad_fn');
    expect(b).toMatchObject({ index: -1, grad_fn: null, phase: 'done' });
  });

  it('refuses a graph over the memory budget before allocating it', async () => {
    const big = (id: string) => ({ id, op: 'Tensor', params: { shape: [2 ** 25] } });
    const r = await c.client.load(doc([big('a'), big('b'), big('c'), big('d'), big('e')], []));
    expect(r.ok).toBe(false);
    expect(r.issues[0]).toMatchObject({ path: 'nodes', message: expect.stringContaining('budget') });
    expect(r.ports.a?.shape).toEqual([2 ** 25]); // still inferred (nothing is allocated)
    expect(r.elements).toBeGreaterThan(r.budget);
  });

  it('stepForward / stepBackward / result / getTensor / reset / run', async () => {
    const document = squareDoc();
    expect((await c.client.load(document)).ok).toBe(true);
    const f1 = await c.client.stepForward();
    expect(f1).toMatchObject({
      node: 'm',
      ran_in: 'forward',
      grad_fn: 'MulBackward0',
      phase: 'forward',
      iteration: 0,
      error: null,
    });
    expect(Object.keys(f1.setup)).toEqual(['x']);
    expect(f1.tensor).toMatchObject({ shape: [3], requires_grad: true, is_leaf: false, stats: { min: 1, max: 9 } });
    const f2 = await c.client.stepForward();
    expect(f2).toMatchObject({ node: 's', phase: 'backward' });
    await expect(c.client.stepForward()).rejects.toMatchObject({
      error: { type: 'StateError', message: expect.stringContaining('step backward') },
    });

    const b1 = await c.client.stepBackward();
    expect(b1).toMatchObject({ index: 0, grad_fn: 'SumBackward0', node: 's', done: false, phase: 'backward' });
    expect(b1.inputs[0]).toMatchObject({ shape: [], stats: { min: 1, max: 1 } });
    expect(b1.outputs).toEqual([
      { to: 'MulBackward0', to_node: 'm', grad: { shape: [3], stats: { min: 1, max: 1, mean: 1, absMax: 1, nan: 0 } } },
    ]);
    const b2 = await c.client.stepBackward();
    expect(b2).toMatchObject({ grad_fn: 'MulBackward0', node: 'm' });
    expect(b2.outputs.map((o) => [o.to, o.to_node])).toEqual([
      ['AccumulateGrad', 'x'],
      ['AccumulateGrad', 'x'],
    ]);
    const b3 = await c.client.stepBackward();
    expect(b3).toMatchObject({ grad_fn: 'AccumulateGrad', node: 'x', done: true, phase: 'done' });
    expect(b3.leaf).toEqual({ name: 'x', before: null, after: { min: -4, max: 6, mean: 4 / 3, absMax: 6, nan: 0 } });
    await expect(c.client.stepBackward()).rejects.toMatchObject({
      error: { type: 'StateError', message: expect.stringContaining('step past the end') },
    });

    const g = await c.client.getTensor('x', 'grad');
    expect(g.data).toBeInstanceOf(Float32Array);
    expect(Array.from(g.data)).toEqual([2, -4, 6]);
    await expect(c.client.getTensor('m', 'grad')).rejects.toMatchObject({
      error: { message: 'm.grad is None (no gradient has reached it)' },
    });
    await expect(c.client.getTensor('nope', 'value')).rejects.toMatchObject({ error: { type: 'StateError' } });

    const wire = await c.client.result();
    expect(wire.tensors.x!.data).toBeInstanceOf(Float32Array);
    const expected = runDocument(document);
    if (!expected.ok) throw new Error('fixture');
    expect(stringifyResult(resultFromWire(wire))).toBe(stringifyResult(expected.result));

    expect(await c.client.reset()).toEqual({ phase: 'forward' });
    await expect(c.client.getTensor('m', 'value')).rejects.toMatchObject({
      error: { message: expect.stringContaining('not been computed yet') },
    });
    const run = await c.client.run();
    expect(run.backward_steps).toEqual(expected.result.backward_steps);
    expect(run.tensors.x).toMatchObject({ has_grad: true, grad_stats: { min: -4, max: 6 } });
    expect(run.edge_flow).toEqual([
      { edge: 0, norm: Math.sqrt(14) },
      { edge: 1, norm: Math.sqrt(14) },
      { edge: 2, norm: Math.sqrt(3) },
    ]);
    expect(run.losses).toEqual([14]);
  });

  it('run with iterations sends progress; grads accumulate and before/after show it', async () => {
    expect((await c.client.load(squareDoc())).ok).toBe(true);
    const seen: EngineEvent[] = [];
    const off = c.client.on((e) => seen.push(e));
    const r = await c.client.run({ iterations: 3 });
    off();
    expect(r.iterations_run).toBe(3);
    expect(r.tensors.x!.grad_stats).toMatchObject({ min: -12, max: 18 });
    const progress = seen.filter((e) => e.event === 'progress');
    expect(progress.at(-1)).toMatchObject({ iteration: 3, of: 3, loss: 14 });
    // Stepping backward through two iterations: the second AccumulateGrad shows the grad before and after.
    const r2 = await c.client.load(squareDoc(2));
    expect(r2.ok).toBe(true);
    let last = null;
    for (;;) {
      const b = await c.client.stepBackward();
      if (b.grad_fn === 'AccumulateGrad') last = b;
      if (b.phase === 'done') break;
    }
    expect(last!.iteration).toBe(1);
    expect(last!.forwarded).toEqual([]);
    expect(last!.leaf).toMatchObject({ name: 'x', before: { min: -4, max: 6 }, after: { min: -8, max: 12 } });
  });

  it('sends the warnings PyTorch prints as events', async () => {
    const d = doc(
      [
        { id: 'x', op: 'Tensor', params: { shape: [2], requires_grad: true, init: { kind: 'ones' } } },
        { id: 'e', op: 'Exp' },
        { id: 's', op: 'Sum' },
        { id: 'g', op: 'Grad' },
      ],
      [
        { source: 'x', target: 'e' },
        { source: 'e', target: 's' },
        { source: 'e', target: 'g', targetHandle: 'of' },
      ],
      { backward: 's' },
    );
    expect((await c.client.load(d)).ok).toBe(true);
    const seen: EngineEvent[] = [];
    const off = c.client.on((e) => seen.push(e));
    const r = await c.client.run();
    off();
    expect(r.error).toMatchObject({ node: 'g', phase: 'update' });
    expect(seen).toContainEqual({
      type: 'event',
      event: 'warning',
      node: 'g',
      message: expect.stringContaining('is not a leaf Tensor is being accessed'),
    });
  });
});
