/**
 * The training view's two engine answers, over a real worker-thread engine:
 * each iteration's batch accuracy beside its loss, and `evaluate` (a forward
 * pass over the whole test split under no_grad in eval mode). The expected
 * numbers are recomputed here by hand from the tensors the engine reports: a
 * Linear layer's logits x W^T + b on the split's own bytes, argmax with the
 * first maximum winning.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineRequestError } from '../../engine/protocol/codec';
import { connect, doc, ROOT, type Connected } from './helpers';

/** Dataset(digits) -> Flatten -> Linear(64, 10) -> CrossEntropyLoss, trained with SGD. */
const linearDigits = (iterations: number) =>
  doc(
    [
      { id: 'data', op: 'Dataset', params: { name: 'digits', batch_size: 32, seed: 3 } },
      { id: 'flat', op: 'Flatten' },
      { id: 'fc', op: 'Linear', params: { in_features: 64, out_features: 10 } },
      { id: 'loss', op: 'CrossEntropyLoss' },
    ],
    [
      { source: 'data', sourceHandle: 'images', target: 'flat', targetHandle: 'input' },
      { source: 'flat', target: 'fc', targetHandle: 'input' },
      { source: 'fc', target: 'loss', targetHandle: 'input' },
      { source: 'data', sourceHandle: 'labels', target: 'loss', targetHandle: 'target' },
    ],
    { backward: 'loss', iterations, zero_grad: true, optimizer: { kind: 'SGD', lr: 0.5, momentum: 0.9 } },
  );

/** argmax of x W^T + b for each row of `x` ([N, 64]), the first maximum winning a tie. */
function predictLinear(x: Float64Array, n: number, w: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = 0,
      top = -Infinity;
    for (let c = 0; c < 10; c++) {
      let z = b[c]!;
      for (let k = 0; k < 64; k++) z += x[i * 64 + k]! * w[c * 64 + k]!;
      if (z > top) [best, top] = [c, z];
    }
    out.push(best);
  }
  return out;
}

/** x (requires grad) -> Sum: a backward root that is no classification loss. */
const sumDoc = () =>
  doc(
    [
      { id: 'x', op: 'Tensor', params: { shape: [2], requires_grad: true } },
      { id: 's', op: 'Sum' },
    ],
    [{ source: 'x', target: 's' }],
  );

/** Logits x (requires grad) and a float target t into `loss`, the backward root. */
const pairDoc = (loss: string, x: number[], t: number[]) =>
  doc(
    [
      { id: 'x', op: 'Tensor', params: { shape: [x.length], requires_grad: true, init: { kind: 'values', data: x } } },
      { id: 't', op: 'Tensor', params: { shape: [t.length], init: { kind: 'values', data: t } } },
      { id: 'loss', op: loss },
    ],
    [
      { source: 'x', target: 'loss', targetHandle: 'input' },
      { source: 't', target: 'loss', targetHandle: 'target' },
    ],
    { backward: 'loss' },
  );

let e: Connected | null = null;
afterEach(() => {
  e?.close();
  e = null;
});

describe('accuracy per iteration', () => {
  it('is the share of the batch whose argmax equals its label, one per loss', async () => {
    e = await connect();
    expect((await e.client.load(linearDigits(20))).ok).toBe(true);
    const r = await e.client.run();
    expect(r.error).toBeNull();
    expect(r.losses).toHaveLength(20);
    expect(r.accuracies).toHaveLength(20);
    // the last batch, recomputed from the logits and labels the engine reports
    const logits = await e.client.getTensor('fc', 'value');
    const labels = await e.client.getTensor('data.labels', 'value');
    const [rows, cols] = logits.shape as [number, number];
    let right = 0;
    for (let i = 0; i < rows; i++) {
      const row = Array.from(logits.data.subarray(i * cols, (i + 1) * cols));
      right += row.indexOf(Math.max(...row)) === labels.data[i] ? 1 : 0;
    }
    expect(r.accuracies!.at(-1)).toBe(right / rows);
    const progress = e.events.filter((ev) => ev.event === 'progress').at(-1);
    expect(progress).toMatchObject({ iteration: 20, accuracy: right / rows });
  });

  it('of BCEWithLogitsLoss is the share of (logit > 0) == (target > 0.5); evaluation needs a class loss', async () => {
    e = await connect();
    // logits [2, -1, 0.5, -3, 0] against targets [1, 0, 0.2, 0.9, 0]: predictions 1, 0, 1, 0, 0 (0 is not
    // > 0), classes 1, 0, 0, 1, 0 (0.2 and 0 are not > 0.5): right at 0, 1 and 4, so 3 of 5
    await e.client.load(pairDoc('BCEWithLogitsLoss', [2, -1, 0.5, -3, 0], [1, 0, 0.2, 0.9, 0]));
    const r = await e.client.run();
    expect(r.error).toBeNull();
    expect(r.accuracies).toEqual([3 / 5]);
    const err = await e.client.request({ type: 'evaluate' }).catch((x: unknown) => x);
    expect((err as EngineRequestError).message).toContain('evaluation needs run.backward to be a CrossEntropyLoss');
  });

  it('is absent for a regression loss (MSELoss)', async () => {
    e = await connect();
    await e.client.load(pairDoc('MSELoss', [2, -1], [1, 0]));
    const r = await e.client.run();
    expect(r.error).toBeNull();
    expect(r.losses).toHaveLength(1);
    expect(r.accuracies).toBeUndefined();
  });

  it('is absent when the loss is not a classification loss', async () => {
    e = await connect();
    const d = sumDoc();
    await e.client.load({ ...d, run: { backward: 's', iterations: 2 } });
    expect((await e.client.run()).accuracies).toBeUndefined();
  });
});

describe('evaluate', () => {
  it('classifies the whole test split with the trained parameters and leaves the session as it was', async () => {
    e = await connect();
    await e.client.load(linearDigits(40));
    const run = await e.client.run();
    const res = await e.client.request({ type: 'evaluate' });
    expect(res).toMatchObject({ dataset: 'data', name: 'digits', split: 'test', count: 360 });
    expect(res.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

    // by hand: the test split's bytes scaled by 1/16 through the trained fc
    const bytes = gunzipSync(readFileSync(resolve(ROOT, 'data/datasets/digits/test.u8.gz')));
    const x = Float64Array.from(bytes.subarray(0, 360 * 64), (v) => Math.fround(v / 16));
    const labels = bytes.subarray(360 * 64);
    const w = (await e.client.getTensor('fc.weight', 'value')).data;
    const b = (await e.client.getTensor('fc.bias', 'value')).data;
    const pred = predictLinear(x, 360, w, b);
    const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    pred.forEach((p, i) => confusion[labels[i]!]![p]!++);
    expect(res.confusion).toEqual(confusion);
    expect(res.correct).toBe(pred.filter((p, i) => p === labels[i]).length);
    expect(res.correct / 360).toBeGreaterThan(0.85); // a trained linear model on the digits

    // nothing of the training session moved: the same result, the same parameters
    const after = await e.client.result();
    expect(after.iterations_run).toBe(run.iterations_run);
    expect(Array.from((await e.client.getTensor('fc.weight', 'value')).data)).toEqual(Array.from(w));
  });

  it('before any training uses the parameters the first setup makes', async () => {
    e = await connect();
    await e.client.load(linearDigits(1));
    const before = await e.client.request({ type: 'evaluate', split: 'train' });
    expect(before.count).toBe(1437);
    expect(before.confusion.flat().reduce((a, v) => a + v, 0)).toBe(1437);
    await e.client.stepForward(); // setup: the parameters now exist in the session, with the same init
    const again = await e.client.request({ type: 'evaluate', split: 'train' });
    expect(again.confusion).toEqual(before.confusion);
  });

  it('says what it needs when the loss is not a classification loss of a Dataset', async () => {
    e = await connect();
    const d = sumDoc();
    await e.client.load({ ...d, run: { backward: 's' } });
    const err = await e.client.request({ type: 'evaluate' }).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(EngineRequestError);
    expect((err as EngineRequestError).error).toMatchObject({
      type: 'StateError',
      message: 'evaluation needs run.backward to be a CrossEntropyLoss or NLLLoss (its input holds the class scores)',
    });
  });
});
