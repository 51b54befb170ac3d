/**
 * Issue 16 item 6: node ids and tensor names are data, never keys of plain
 * objects. A node with id "__proto__" used to vanish from the result (an
 * assignment to a plain object's "__proto__" sets its prototype) and clicking it
 * in the app blanked the page ("constructor" and "toString" found Object.prototype's
 * properties). Every path is checked: engine, protocol host, CLI run and step,
 * and the renderer's engine state.
 */
import { describe, expect, it } from 'vitest';
import { runDocument, stringifyResult } from '../../engine/graph/index';
import { SessionHost } from '../../engine/host/session-host';
import { resultFromWire } from '../../engine/protocol/codec';
import type {
  EngineMessage,
  LoadResult,
  ResultOf,
  RequestType,
  RunResultWire,
  RunSummary,
} from '../../engine/protocol/messages';
import { flagsOf, initialEngine, withForwardStep, withRunSummary } from '../../renderer/state/engine-state';
import { doc, edge, node, tensor } from '../helpers/docs';
import { cli, scratch } from './helpers';

// x = [1, 2, 3] (requires grad) -> constructor = Neg -> hasOwnProperty = Sum (the root); toString = Linear.
const D = doc(
  [
    tensor('__proto__', [1, 3], { requires_grad: true, init: { kind: 'arange', start: 1 } }),
    node('constructor', 'Neg'),
    node('hasOwnProperty', 'Sum'),
    node('toString', 'Linear', { in_features: 3, out_features: 1, bias: false, init: { weight: { kind: 'ones' } } }),
  ],
  [
    edge('__proto__', 'constructor', 'input'),
    edge('constructor', 'hasOwnProperty', 'input'),
    edge('__proto__', 'toString', 'input'),
  ],
  { backward: 'hasOwnProperty' },
);
const NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'toString.weight'];

/** Checks a result's tensors (a result JSON, a wire result or summaries): own keys, the right values. */
function expectTensors(tensors: object): void {
  expect(Object.keys(tensors)).toEqual(NAMES);
  const t = (name: string) => Object.getOwnPropertyDescriptor(tensors, name)!.value as Record<string, unknown>;
  expect(t('__proto__').shape).toEqual([1, 3]);
  expect(t('constructor').shape).toEqual([1, 3]);
  expect(t('hasOwnProperty').shape).toEqual([]);
  expect(t('toString').shape).toEqual([1, 1]);
}

describe('the engine', () => {
  it('reports every tensor under its id, with the right values and gradients', () => {
    const r = runDocument(D);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expectTensors(r.result.tensors);
    const t = r.result.tensors;
    // d(sum(-x))/dx = -1; x.grad accumulates through Neg only (Linear is not on the backward path).
    expect(Object.getOwnPropertyDescriptor(t, '__proto__')!.value.grad).toEqual({ shape: [1, 3], data: [-1, -1, -1] });
    expect(Object.getOwnPropertyDescriptor(t, 'hasOwnProperty')!.value.data).toEqual([-6]);
    expect(Object.getOwnPropertyDescriptor(t, 'toString')!.value.data).toEqual([6]);
    expect(r.result.backward_steps.map((s) => s.node)).toEqual(['hasOwnProperty', 'constructor', '__proto__']);
    const text = stringifyResult(r.result);
    expect(text).toContain('"__proto__":{"shape":[1,3]');
    expectTensors((JSON.parse(text) as { tensors: object }).tensors);
  });
});

describe('the engine host (protocol)', () => {
  function harness() {
    const waiting = new Map<number, (m: EngineMessage) => void>();
    const host = new SessionHost({
      post: (m) => {
        if (m.type === 'response' && m.id !== null) waiting.get(m.id)?.(m);
      },
      yieldToEvents: () => new Promise((r) => setImmediate(r)),
    });
    let id = 0;
    return async function send<K extends RequestType>(
      body: { type: K } & Record<string, unknown>,
    ): Promise<ResultOf[K]> {
      const mine = ++id;
      const reply = new Promise<EngineMessage>((r) => waiting.set(mine, r));
      host.handle({ ...body, id: mine });
      const m = await reply;
      if (m.type !== 'response' || !m.ok) throw new Error(JSON.stringify(m));
      return m.result as ResultOf[K];
    };
  }

  it('load, step, run, result and getTensor all know "__proto__"', async () => {
    const send = harness();
    const loaded = (await send({ type: 'load', document: D })) as LoadResult;
    expect(loaded.ok).toBe(true);
    expect(Object.keys(loaded.ports)).toEqual(expect.arrayContaining(NAMES));
    expect(Object.getOwnPropertyDescriptor(loaded.ports, '__proto__')!.value.shape).toEqual([1, 3]);
    const step = await send({ type: 'stepForward' });
    expect(Object.keys(step.setup)).toEqual(['__proto__']);
    const run = (await send({ type: 'run' })) as RunSummary;
    expectTensors(run.tensors);
    const wire = (await send({ type: 'result' })) as RunResultWire;
    expectTensors(wire.tensors);
    expectTensors(resultFromWire(wire).tensors);
    const got = await send({ type: 'getTensor', name: '__proto__', which: 'grad' });
    expect(Array.from(got.data)).toEqual([-1, -1, -1]);
  });

  it('a name that is only an inherited property is no tensor', async () => {
    const send = harness();
    await send({ type: 'load', document: doc([tensor('x')]) });
    await send({ type: 'run' });
    await expect(send({ type: 'getTensor', name: 'constructor', which: 'value' })).rejects.toThrow(
      'no tensor named \\"constructor\\"',
    );
  });
});

describe.concurrent('the CLI', () => {
  const { file } = scratch();
  it('run prints every tensor', async () => {
    const r = await cli('run', file('proto-run.json', D));
    expect(r.code, r.stderr).toBe(0);
    expectTensors((JSON.parse(r.stdout) as { tensors: object }).tensors);
  });

  it('step prints every tensor', async () => {
    const r = await cli('step', file('proto-step.json', D));
    expect(r.code, r.stderr).toBe(0);
    const last = r.stdout.trim().split('\n').pop()!;
    expectTensors((JSON.parse(last) as { tensors: object }).tensors);
  });
});

describe('the renderer engine state', () => {
  it('keeps "__proto__" from a run and answers only for own names', () => {
    const r = runDocument(D);
    if (!r.ok) throw new Error('invalid');
    const s = withRunSummary(initialEngine, {
      tensors: JSON.parse(JSON.stringify(r.result.tensors)) as Record<string, unknown>,
    });
    expect(Object.keys(s.tensors)).toEqual(NAMES);
    expect(flagsOf(s, '__proto__')).toMatchObject({ leaf: true, requiresGrad: true, hasGrad: true, shape: [1, 3] });
    expect(flagsOf(s, 'constructor')).toMatchObject({ leaf: false, gradFn: 'NegBackward0' });
    expect(flagsOf(initialEngine, 'constructor')).toBeNull();
    expect(flagsOf(initialEngine, 'toString')).toBeNull();
    expect(flagsOf(initialEngine, '__proto__')).toBeNull();
  });

  it('a forward step of a node named "__proto__" adds it', () => {
    const summary = {
      shape: [2],
      dtype: 'float32',
      requires_grad: false,
      is_leaf: true,
      grad_fn: null,
      has_grad: false,
      stats: null,
      grad_stats: null,
      storage: 1,
      version: 0,
    };
    const s = withForwardStep(initialEngine, {
      phase: 'forward',
      node: '__proto__',
      ran_in: 'forward',
      iteration: 0,
      grad_fn: null,
      tensor: summary,
      setup: {},
      error: null,
    } as Parameters<typeof withForwardStep>[1]);
    expect(flagsOf(s, '__proto__')).toMatchObject({ shape: [2], leaf: true });
  });
});
