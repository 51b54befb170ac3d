/** The transport-free host, driven in-process through a fake transport. */
import { describe, expect, it } from 'vitest';
import { SessionHost } from '../../engine/host/session-host';
import type { EngineEvent, EngineMessage, ResultOf, RequestType } from '../../engine/protocol/messages';
import { doc, squareDoc } from './helpers';

function harness() {
  const messages: EngineMessage[] = [];
  const waiting = new Map<number, (m: EngineMessage) => void>();
  const host = new SessionHost({
    post: (m) => {
      messages.push(m);
      if (m.type === 'response' && m.id !== null) waiting.get(m.id)?.(m);
    },
    yieldToEvents: () => new Promise((r) => setImmediate(r)),
  });
  host.start();
  let id = 0;
  async function send<K extends RequestType>(body: { type: K } & Record<string, unknown>): Promise<ResultOf[K]> {
    const mine = ++id;
    const reply = new Promise<EngineMessage>((r) => waiting.set(mine, r));
    host.handle({ ...body, id: mine });
    const m = await reply;
    if (m.type !== 'response' || !m.ok) throw new Error(JSON.stringify(m));
    return m.result as ResultOf[K];
  }
  const events = () => messages.filter((m): m is EngineEvent => m.type === 'event');
  return { host, send, events };
}

const linearConv = (xGrad = false) =>
  doc(
    [
      { id: 'x', op: 'Tensor', params: { shape: [1, 1, 4, 4], requires_grad: xGrad, init: { kind: 'arange' } } },
      {
        id: 'conv',
        op: 'Conv2d',
        params: { in_channels: 1, out_channels: 2, kernel_size: 3, padding: 1, padding_mode: 'reflect' },
      },
      { id: 'flat', op: 'Flatten' },
      { id: 'fc', op: 'Linear', params: { in_features: 32, out_features: 3 } },
      { id: 'd', op: 'Detach' },
      { id: 'loss', op: 'Sum' },
    ],
    [
      { source: 'x', target: 'conv', targetHandle: 'input' },
      { source: 'conv', target: 'flat' },
      { source: 'flat', target: 'fc', targetHandle: 'input' },
      { source: 'fc', target: 'd' },
      { source: 'fc', target: 'loss' },
    ],
    { backward: 'loss' },
  );

describe('SessionHost', () => {
  it('steps internal grad_fns (TBackward0 of Linear, the padding of Conv2d) attributed to their node', async () => {
    const h = harness();
    expect((await h.send({ type: 'load', document: linearConv(true) })).ok).toBe(true);
    const steps: [string | null, string | null][] = [];
    for (;;) {
      const b = await h.send({ type: 'stepBackward' });
      steps.push([b.grad_fn, b.node]);
      if (b.phase === 'done') break;
    }
    expect(steps).toContainEqual(['TBackward0', 'fc']);
    expect(steps).toContainEqual(['AccumulateGrad', 'fc.weight']);
    expect(steps.find(([f]) => f?.startsWith('ReflectionPad2D'))?.[1]).toBe('conv');
    expect(steps.at(-1)).toEqual(['AccumulateGrad', 'x']);
  });

  it('summaries show Detach sharing storage and edge_flow the edges that carried gradient', async () => {
    const h = harness();
    await h.send({ type: 'load', document: linearConv() });
    const r = await h.send({ type: 'run' });
    expect(r.tensors.d!.storage).toBe(r.tensors.fc!.storage);
    expect(r.tensors.d).toMatchObject({ requires_grad: false, is_leaf: true, grad_fn: null });
    expect(r.tensors.fc!.storage).not.toBe(r.tensors.flat!.storage);
    // conv -> flat, flat -> fc, fc -> loss carried gradient; x needs none and fc -> d (Detach) carries none.
    expect(r.edge_flow.map((e) => e.edge)).toEqual([1, 2, 4]);
    expect(r.edge_flow.at(-1)!.norm).toBeCloseTo(Math.sqrt(3), 6);
  });

  it('numbers storages from 1 in each session: the same on every run after Reset, stepped or not', async () => {
    const h = harness();
    await h.send({ type: 'load', document: linearConv() });
    const first = await h.send({ type: 'run' });
    const numbers = (r: typeof first) => Object.fromEntries(Object.entries(r.tensors).map(([k, t]) => [k, t.storage]));
    const shown = numbers(first);
    expect(Math.min(...Object.values(shown))).toBe(1);
    await h.send({ type: 'reset' });
    expect(numbers(await h.send({ type: 'run' }))).toEqual(shown);
    // stepped: each forward step shows its output's storage as the plain run numbered it
    await h.send({ type: 'reset' });
    const stepped: Record<string, number> = {};
    for (;;) {
      const f = await h.send({ type: 'stepForward' });
      for (const [k, t] of Object.entries(f.setup ?? {})) stepped[k] = t.storage;
      if (f.node && f.tensor) stepped[f.node] = f.tensor.storage;
      if (f.phase !== 'forward') break;
    }
    for (const [k, n] of Object.entries(stepped)) expect([k, n]).toEqual([k, shown[k]]);
    expect(Object.keys(stepped)).toEqual(expect.arrayContaining(['x', 'conv', 'flat', 'fc', 'd', 'loss']));
  });

  it("reports each tensor's version counter: relu_() through a Detach bumps x's to 1, as x._version in PyTorch", async () => {
    const h = harness();
    const d = doc(
      [
        { id: 'x', op: 'Tensor', params: { shape: [3], requires_grad: true, init: { kind: 'arange' } } },
        { id: 'det', op: 'Detach' },
        { id: 'r', op: 'ReLU', params: { inplace: true } },
        { id: 'y', op: 'Mul' },
        { id: 'loss', op: 'Sum' },
      ],
      [
        { source: 'x', target: 'det' },
        { source: 'det', target: 'r' },
        { source: 'x', target: 'y', targetHandle: 'a' },
        { source: 'x', target: 'y', targetHandle: 'b' },
        { source: 'y', target: 'loss' },
      ],
      { backward: 'loss' },
    );
    await h.send({ type: 'load', document: d });
    const r = await h.send({ type: 'run' });
    expect([r.tensors.x!.version, r.tensors.det!.version, r.tensors.r!.version]).toEqual([1, 1, 1]);
    expect([r.tensors.y!.version, r.tensors.loss!.version]).toEqual([0, 0]);
  });

  it('throttles progress to about 20 per second and always reports the last iteration', async () => {
    const h = harness();
    await h.send({ type: 'load', document: squareDoc(2000) });
    await h.send({ type: 'run' });
    const progress = h.events().filter((e) => e.event === 'progress');
    expect(progress.at(-1)).toMatchObject({ iteration: 2000, of: 2000, loss: 14 });
    const elapsed = (progress.at(-1) as { elapsed_ms: number }).elapsed_ms;
    expect(progress.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 2);
  });

  it('run with other iterations starts over; run after the end starts over too', async () => {
    const h = harness();
    await h.send({ type: 'load', document: squareDoc(1) });
    expect((await h.send({ type: 'run', iterations: 3 })).iterations_run).toBe(3);
    expect((await h.send({ type: 'run' })).iterations_run).toBe(3);
    await h.send({ type: 'reset' });
    expect((await h.send({ type: 'run' })).iterations_run).toBe(1);
  });
});

describe('SessionHost load of a graph still being built', () => {
  it('reports the issues and still infers the shapes of the valid part', async () => {
    const h = harness();
    const building = doc(
      [
        { id: 'x', op: 'Tensor', params: { shape: [2, 3, 8, 8], requires_grad: true } },
        { id: 'conv', op: 'Conv2d', params: { in_channels: 3, out_channels: 4, kernel_size: 3 } },
        { id: 'pool', op: 'MaxPool2d', params: { kernel_size: 2 } },
        { id: 'add', op: 'Add' },
        { id: 'bad', op: 'Nope' },
      ],
      [
        { source: 'x', target: 'conv', targetHandle: 'input' },
        { source: 'conv', target: 'pool', targetHandle: 'input' },
        { source: 'pool', target: 'add', targetHandle: 'a' },
      ],
    );
    const r = await h.send({ type: 'load', document: building });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => i.path).sort()).toEqual(['nodes[3]', 'nodes[4].op']);
    // 8x8 conv k=3 -> 6x6, pool 2 -> 3x3 (by hand); the half-wired Add has its issue and no port yet.
    expect(r.ports.conv?.shape).toEqual([2, 4, 6, 6]);
    expect(r.ports.pool).toMatchObject({ shape: [2, 4, 3, 3], requires_grad: true, is_leaf: false });
    expect(r.ports['conv.weight']).toMatchObject({ shape: [4, 3, 3, 3], is_leaf: true });
    expect(r.ports.add).toBeUndefined();
    expect(r.problems).toEqual([]);
  });
});
