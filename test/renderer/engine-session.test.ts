import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../renderer/document/parse';
import { EngineClient, type EngineConnection } from '../../engine/protocol/client';
import { EngineRequestError } from '../../engine/protocol/codec';
import type { EngineEvent } from '../../engine/protocol/messages';
import { EngineSession } from '../../renderer/session/engine-session';
import { canStep, flagsOf } from '../../renderer/state/engine-state';
import { Studio } from '../../renderer/state/store';
import { FakeEnginePort, tick } from './fake-engine';

const doc = () =>
  parseDocument({
    format: 'autograd-studio/graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Tensor', params: { shape: [2], requires_grad: true }, position: { x: 0, y: 0 } },
      { id: 's', op: 'Sum', params: {}, position: { x: 200, y: 0 } },
    ],
    edges: [{ source: 'x', target: 's', targetHandle: 'input' }],
    run: { backward: 's' },
  });

const stats = { min: 0, max: 1, mean: 0.5, absMax: 1, nan: 0 };
const summary = (rg: boolean, leaf: boolean, gradFn: string | null, hasGrad: boolean) => ({
  shape: [2],
  dtype: 'float32',
  requires_grad: rg,
  is_leaf: leaf,
  grad_fn: gradFn,
  has_grad: hasGrad,
  stats,
  grad_stats: hasGrad ? stats : null,
  storage: 1,
  version: 0,
});
/** A tensor of a `result` reply (typed-array data), requiring grad. */
const wire = (data: number[], leaf: boolean, gradFn: string | null, grad: number[] | null) => ({
  shape: [data.length],
  dtype: 'float32',
  data: new Float32Array(data),
  requires_grad: true,
  is_leaf: leaf,
  grad_fn: gradFn,
  grad: grad ? { shape: [grad.length], data: new Float32Array(grad) } : null,
});
const port = (overrides: Record<string, (r: Record<string, unknown>) => unknown> = {}) =>
  new FakeEnginePort({
    load: () => ({
      ok: true,
      issues: [],
      order: ['x', 's'],
      update: [],
      problems: [],
      elements: 3,
      budget: 1e6,
      ports: {
        x: { shape: [2], dtype: 'float32', requires_grad: true, is_leaf: true, grad_fn: null },
        s: { shape: [], dtype: 'float32', requires_grad: true, is_leaf: false, grad_fn: 'SumBackward0' },
      },
    }),
    run: () => ({
      tensors: { x: summary(true, true, null, true), s: summary(true, false, 'SumBackward0', false) },
      backward_steps: [
        { grad_fn: 'SumBackward0', node: 's' },
        { grad_fn: 'AccumulateGrad', node: 'x' },
      ],
      iterations_run: 1,
      error: null,
      edge_flow: [{ edge: 0, norm: 1.41 }],
      losses: [1],
    }),
    reset: () => ({ phase: 'forward' }),
    ...overrides,
  });

async function setup(p = port()) {
  const studio = new Studio(doc());
  const session = new EngineSession(studio, new EngineClient(p), 5);
  await tick(20);
  return { studio, session, p };
}

describe('EngineSession', () => {
  it('loads the document at start and shows leaf flags before running', async () => {
    const { studio, p } = await setup();
    expect(p.received.map((r) => r.type)).toEqual(['load']);
    expect(flagsOf(studio.state.engine, 'x')).toMatchObject({
      leaf: true,
      requiresGrad: true,
      hasGrad: false,
      shape: [2],
    });
  });

  it('runs: status done, flags and edge flow from the summary', async () => {
    const { studio, session } = await setup();
    const run = session.run();
    expect(studio.state.engine.status).toBe('running');
    await run;
    const e = studio.state.engine;
    expect(e.status).toBe('done');
    expect(flagsOf(e, 'x')).toMatchObject({ leaf: true, hasGrad: true });
    expect(flagsOf(e, 's')).toMatchObject({ leaf: false, gradFn: 'SumBackward0' });
    expect(e.edgeFlow).toEqual([{ edge: 0, norm: 1.41 }]);
    expect(e.backwardRan).toBe(true);
  });

  it('shows a run error with PyTorch’s message at its node', async () => {
    const error = {
      type: 'RuntimeError',
      message: 'you can only change requires_grad flags of leaf variables.',
      node: 'x',
      phase: 'setup',
      iteration: 1,
    };
    const { studio, session } = await setup(
      port({ run: () => ({ tensors: {}, backward_steps: [], iterations_run: 1, error, edge_flow: [], losses: [] }) }),
    );
    await session.run();
    expect(studio.state.engine).toMatchObject({ status: 'error', error, active: 'x' });
  });

  it('refuses to run an invalid document and says where', async () => {
    const { studio, session } = await setup(
      port({
        load: () => ({
          ok: false,
          issues: [{ path: 'nodes[1].params.dim', message: 'expected an integer', node: 's' }],
          ports: {},
          order: [],
          update: [],
          problems: [],
          elements: 0,
          budget: 1,
        }),
      }),
    );
    await session.run();
    expect(studio.state.engine.status).toBe('error');
    expect(studio.state.engine.error?.message).toBe('nodes[1].params.dim: expected an integer');
  });

  it('reloads when the meaning changes, not when a node moves, and clears stale results', async () => {
    const { studio, session, p } = await setup();
    await session.run();
    studio.dispatch({ type: 'moveNodes', moves: [{ id: 's', to: { x: 5, y: 5 } }] }, 'move');
    await tick(20);
    expect(p.received.filter((r) => r.type === 'load').length).toBe(1);
    expect(studio.state.engine.status).toBe('done');
    studio.dispatch({ type: 'setParams', id: 's', set: { keepdim: true }, unset: [] }, 'set');
    expect(studio.state.engine.status).toBe('idle');
    await tick(20);
    expect(p.received.filter((r) => r.type === 'load').length).toBe(2);
  });

  it('steps backward one grad_fn at a time and ends with done and the full result', async () => {
    let i = 0;
    const steps = [
      ['SumBackward0', 's'],
      ['AccumulateGrad', 'x'],
    ] as const;
    const { studio, session, p } = await setup(
      port({
        stepBackward: () => {
          const [grad_fn, node] = steps[i]!;
          const done = i === 1;
          return {
            index: i++,
            grad_fn,
            node,
            iteration: 0,
            inputs: [{ shape: [], stats }],
            outputs: done ? [] : [{ to: 'AccumulateGrad', to_node: 'x', grad: { shape: [2], stats } }],
            leaf: done ? { name: 'x', before: null, after: stats } : null,
            forwarded: i === 1 ? ['x', 's'] : [],
            done,
            phase: done ? 'done' : 'backward',
            error: null,
          };
        },
        result: () => ({
          tensors: {
            x: wire([1, 2], true, null, [1, 1]),
          },
          backward_steps: steps.map(([grad_fn, node]) => ({ grad_fn, node })),
          iterations_run: 1,
          error: null,
        }),
      }),
    );
    await session.stepBackward();
    expect(studio.state.engine).toMatchObject({ status: 'idle', active: 's', forwardExecuted: ['x', 's'] });
    expect(studio.state.engine.stepResults.length).toBe(1);
    await session.stepBackward();
    const e = studio.state.engine;
    expect(e.status).toBe('done');
    expect(e.stepResults.map((r) => r.grad_fn)).toEqual(['SumBackward0', 'AccumulateGrad']);
    expect(flagsOf(e, 'x')?.hasGrad).toBe(true);
    expect(p.received.at(-1)?.type).toBe('result');
  });

  it('folds progress events into the loss curve', async () => {
    const { studio, p } = await setup();
    p.emit({ type: 'event', event: 'progress', iteration: 1, of: 2, loss: 0.9, elapsed_ms: 3 });
    p.emit({ type: 'event', event: 'progress', iteration: 2, of: 2, loss: 0.4, elapsed_ms: 6 });
    expect(studio.state.engine.losses).toEqual([0.9, 0.4]);
    expect(studio.state.engine.progress).toMatchObject({ iteration: 2, of: 2 });
  });

  it('reset clears results', async () => {
    const { studio, session } = await setup();
    await session.run();
    await session.reset();
    expect(studio.state.engine).toMatchObject({ status: 'idle', tensors: {}, backwardRan: false });
    expect(studio.state.engine.load).not.toBeNull();
  });
});

describe('EngineSession.replaceClient', () => {
  it('loads the document into a replacement engine and uses it from then on', async () => {
    const { studio, session, p } = await setup();
    const next = port();
    session.replaceClient(new EngineClient(next));
    await tick(20);
    expect(next.received.map((r) => r.type)).toEqual(['load']);
    await session.run();
    expect(next.received.map((r) => r.type)).toEqual(['load', 'run']);
    expect(p.received.map((r) => r.type)).toEqual(['load']);
    expect(studio.state.engine.status).toBe('done');
  });
});

describe('EngineSession.cancel', () => {
  it('stops a run whose load is still under way: the run is never sent', async () => {
    const p = port({
      cancel: () => {
        throw {
          error: {
            type: 'StateError',
            message: 'nothing to cancel: no run is in progress',
            node: null,
            phase: null,
            iteration: null,
          },
        };
      },
    });
    p.auto = false; // the engine is busy with the load (a slow validation)
    const studio = new Studio(doc());
    const session = new EngineSession(studio, new EngineClient(p), 5);
    await tick(20);
    const run = session.run();
    expect(studio.state.engine.status).toBe('running');
    const cancel = session.cancel();
    p.flush(); // the load finishes; the cancel behind it finds nothing to cancel
    await Promise.all([run, cancel]);
    await tick(5);
    expect(p.received.map((r) => r.type)).toEqual(['load', 'cancel']);
    expect(studio.state.engine).toMatchObject({ status: 'error', error: { type: 'Cancelled' } });
    expect(studio.state.engine.load?.ok).toBe(true);
    // the next Run runs
    p.auto = true;
    await session.run();
    expect(p.received.map((r) => r.type)).toEqual(['load', 'cancel', 'run']);
    expect(studio.state.engine.status).toBe('done');
  });

  it('after Cancel the run stands where it stopped: its phase, iteration and tensors, and stepping goes on', async () => {
    const message =
      'run cancelled (iteration 50, backward); the session stands where it stopped: step on, run to continue, or reset';
    const error = { type: 'Cancelled', message, node: 's', phase: 'backward', iteration: 50 };
    const { studio, session, p } = await setup(
      port({
        run: () => {
          throw { error };
        },
        result: () => ({
          tensors: {
            x: wire([1, 2], true, null, null),
            s: { ...wire([3], false, 'SumBackward0', null), shape: [] },
          },
          backward_steps: [],
          iterations_run: 50,
          error: null,
        }),
      }),
    );
    await session.run(3000);
    expect(p.received.map((r) => r.type)).toEqual(['load', 'run', 'result']);
    const e = studio.state.engine;
    // the error stays (the panel says the run was cancelled); the step panel is at iteration 51, in its backward pass
    expect(e).toMatchObject({ status: 'error', error, phase: 'backward', iteration: 50, active: 's' });
    expect(canStep(e, 'backward')).toBe(true);
    expect(canStep(e, 'forward')).toBe(false);
    expect(flagsOf(e, 's')).toMatchObject({ leaf: false, gradFn: 'SumBackward0' });
  });

  it("a forward step through a BatchNorm2d fetches its buffers: the inspector shows this forward's running statistics", async () => {
    const bnDoc = parseDocument({
      format: 'autograd-studio/graph',
      version: 1,
      nodes: [
        { id: 'x', op: 'Tensor', params: { shape: [2, 1, 2, 2] }, position: { x: 0, y: 0 } },
        { id: 'bn', op: 'BatchNorm2d', params: { num_features: 1 }, position: { x: 200, y: 0 } },
      ],
      edges: [{ source: 'x', target: 'bn', targetHandle: 'input' }],
      run: {},
    });
    const p = port({
      stepForward: () => ({
        phase: 'forward',
        node: 'bn',
        ran_in: 'forward',
        iteration: 1,
        grad_fn: 'NativeBatchNormBackward0',
        tensor: summary(true, false, 'NativeBatchNormBackward0', false),
        changed: {},
        setup: {},
        fed: {},
        error: null,
      }),
      getTensor: (r) => {
        const values: Record<string, number[]> = {
          'bn.running_mean': [0.25],
          'bn.running_var': [0.5],
          'bn.num_batches_tracked': [2],
        };
        const data = values[r.name as string]!;
        return {
          name: r.name,
          which: 'value',
          shape: r.name === 'bn.num_batches_tracked' ? [] : [1],
          dtype: 'float32',
          data: new Float32Array(data),
        };
      },
    });
    const studio = new Studio(bnDoc);
    const session = new EngineSession(studio, new EngineClient(p), 5);
    await tick(20);
    await session.stepForward();
    expect(p.received.map((r) => [r.type, r.name ?? null])).toEqual([
      ['load', null],
      ['stepForward', null],
      ['getTensor', 'bn.running_mean'],
      ['getTensor', 'bn.running_var'],
      ['getTensor', 'bn.num_batches_tracked'],
    ]);
    const t = studio.state.engine.tensors;
    expect(t['bn.running_mean']).toMatchObject({ shape: [1], requires_grad: false, has_grad: false });
    expect(t['bn.running_mean']!.stats!.mean).toBe(0.25);
    expect(t['bn.num_batches_tracked']!.stats!.mean).toBe(2);
    expect(studio.state.engine.status).toBe('idle');
  });

  it('shows the Cancelled error of a run the web engine stopped by restarting its worker', async () => {
    // A supervised connection, as the web build has: the run rejects, then the restart is announced.
    const inner = new EngineClient(port());
    const listeners: ((e: EngineEvent) => void)[] = [];
    let failRun: (e: Error) => void = () => undefined;
    const connection: EngineConnection = {
      request: ((body: { type: string }) =>
        body.type === 'run'
          ? new Promise((_ok, fail) => (failRun = fail))
          : inner.request(body as never)) as EngineConnection['request'],
      on: ((event: string, cb: (e: EngineEvent) => void) => {
        listeners.push((e) => e.event === event && cb(e));
        return () => undefined;
      }) as EngineConnection['on'],
      dispose: () => inner.dispose(),
    };
    const studio = new Studio(doc());
    const session = new EngineSession(studio, connection, 5);
    await tick(20);
    const run = session.run();
    await tick(5);
    const message =
      'cancelled: the engine was stopped in the middle of a computation and restarted; the document was loaded again (the run state is lost)';
    failRun(new EngineRequestError({ type: 'Cancelled', message, node: null, phase: null, iteration: null }));
    for (const l of listeners)
      l({ type: 'event', event: 'restarted', reason: 'cancel: the engine did not answer within 250 ms' });
    await run;
    expect(studio.state.engine).toMatchObject({ status: 'error', error: { type: 'Cancelled', message } });
    expect(studio.state.doc).toEqual(doc());
  });
});
