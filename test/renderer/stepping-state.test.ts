/**
 * The store's side of issue 14 items 1 and 3: what stepping folds in keeps the
 * picture (tensors of forwarded nodes, crossed edges, storage ids after the
 * final result), steps past the end are never sent, and the version-counter
 * error is pinned on the node whose saved tensor changed and the in-place node.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../renderer/document/parse';
import {
  canStep,
  initialEngine,
  iterationText,
  withBackwardStep,
  withForwardStep,
  withRunSummary,
  type EngineSlice,
} from '../../renderer/state/engine-state';
import { versionError, writtenBy } from '../../renderer/state/inplace';
import type { BackwardStepResult, ForwardStepResult, TensorSummary } from '../../engine/protocol/messages';

const example = (name: string) =>
  parseDocument(readFileSync(resolve(import.meta.dirname, `../../renderer/examples/${name}.graph.json`), 'utf8'));
const t = (storage: number, grad_fn: string | null = null): TensorSummary => ({
  shape: [4, 5],
  dtype: 'float32',
  requires_grad: true,
  is_leaf: grad_fn === null,
  grad_fn,
  has_grad: false,
  stats: null,
  grad_stats: null,
  storage,
  version: 0,
});
const fwd = (over: Partial<ForwardStepResult>): ForwardStepResult => ({
  phase: 'forward',
  node: null,
  ran_in: 'forward',
  iteration: 0,
  grad_fn: null,
  tensor: null,
  setup: {},
  error: null,
  ...over,
});
const step = (over: Partial<BackwardStepResult>): BackwardStepResult => ({
  index: 0,
  grad_fn: 'AddBackward0',
  node: 'total',
  iteration: 0,
  inputs: [],
  outputs: [],
  leaf: null,
  forwarded: [],
  done: false,
  phase: 'backward',
  error: null,
  ...over,
});

describe('stepping state', () => {
  it('a backward step keeps the forwarded tensors, then the leaf’s .grad', () => {
    const s = withBackwardStep(
      initialEngine,
      step({
        grad_fn: 'AccumulateGrad',
        node: 'x',
        forwarded: ['s'],
        tensors: { x: t(1), s: t(2, 'SumBackward0') },
        leaf: { name: 'x', before: null, after: { min: 1, max: 1, mean: 1, absMax: 1, nan: 0 } },
        edge_flow: [{ edge: 0, norm: 2 }],
      }),
    );
    expect(s.tensors.s!.grad_fn).toBe('SumBackward0');
    expect(s.tensors.x!.has_grad).toBe(true);
    expect(s.edgeFlow).toEqual([{ edge: 0, norm: 2 }]);
  });

  it('the end of a backward pass is not the end of a run with iterations left', () => {
    const s = withBackwardStep(initialEngine, step({ done: true, phase: 'forward' }));
    expect(s.status).toBe('idle');
    expect(canStep(s, 'forward')).toBe(true);
    const end = withBackwardStep(s, step({ done: true, phase: 'done', iteration: 1 }));
    expect(end.status).toBe('done');
    expect([canStep(end, 'forward'), canStep(end, 'backward')]).toEqual([false, false]);
    expect(iterationText(end.iteration!, 2)).toBe('iteration 2 of 2');
  });

  it('an in-place step keeps what the tensors it changed held before', () => {
    const st = (min: number) => ({ min, max: 2, mean: 0, absMax: 2, nan: 0 });
    const s: EngineSlice = { ...initialEngine, iteration: 0, tensors: { x: { ...t(1), stats: st(-1.2) } } };
    const r = withForwardStep(
      s,
      fwd({
        node: 'relu_d',
        tensor: { ...t(1), stats: st(0) },
        changed: { x: { ...t(1), stats: st(0) }, constructor: t(1) },
      }),
    );
    expect(r.tensors.x!.stats!.min).toBe(0);
    expect(r.overwritten).toEqual({ x: st(-1.2) }); // constructor: no summary before, nothing to keep
    // a new iteration starts afresh
    const next = withForwardStep(r, fwd({ iteration: 1 }));
    expect(next.overwritten).toEqual({});
  });

  it('forward step waits while a backward pass is pending', () => {
    const s: EngineSlice = { ...initialEngine, phase: 'backward' };
    expect([canStep(s, 'forward'), canStep(s, 'backward')]).toEqual([false, true]);
  });

  it('the final result keeps the storage ids and the edges the steps reported', () => {
    const s: EngineSlice = { ...initialEngine, tensors: { x: t(7) }, edgeFlow: [{ edge: 1, norm: 3 }] };
    const r = withRunSummary(s, {
      tensors: { x: { shape: [4, 5], dtype: 'float32', data: [], requires_grad: true, is_leaf: true, grad: null } },
    });
    expect(r.tensors.x!.storage).toBe(7);
    expect(r.edgeFlow).toEqual([{ edge: 1, norm: 3 }]);
  });
});

describe('in-place writes', () => {
  const doc = example('classic_mistakes');
  const message =
    'one of the variables needed for gradient computation has been modified by an inplace operation: ' +
    '[torch.FloatTensor [4, 5]], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead.';
  const engine: EngineSlice = {
    ...initialEngine,
    tensors: { x: t(1), exp_x: t(2, 'ReluBackward0'), relu_exp: t(2, 'ReluBackward0'), m: t(3, 'MeanBackward0') },
    error: { type: 'RuntimeError', message, node: 'total', phase: 'backward', iteration: 0 },
  };

  it('pins the version-counter error on the saved tensor’s node and on the in-place node', () => {
    expect(versionError(doc, engine)).toMatchObject({ saved: 'exp_x', modifier: 'relu_exp', version: 1, expected: 0 });
  });

  it('names a leaf when the message names no grad_fn (relu_ through x.detach())', () => {
    const dvc = example('detach_vs_clone');
    const e: EngineSlice = {
      ...initialEngine,
      tensors: { x: t(1), detached: { ...t(1), requires_grad: false }, relu_d: t(1), cloned: t(2, 'CloneBackward0') },
      error: {
        ...engine.error!,
        message: message.replace(', which is output 0 of ExpBackward0,', ''),
      },
    };
    expect(versionError(dvc, e)).toMatchObject({ saved: 'x', modifier: 'relu_d' });
    expect(writtenBy(dvc, e, 'x')).toEqual(['relu_d']);
    expect(writtenBy(dvc, e, 'cloned')).toEqual([]);
  });

  it('is null for other errors', () => {
    expect(versionError(doc, { ...engine, error: { ...engine.error!, message: 'boom' } })).toBeNull();
  });
});
