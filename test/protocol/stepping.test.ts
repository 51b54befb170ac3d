/**
 * For every parity graph, over a worker thread: step forward to the end of each
 * forward pass and backward one grad_fn at a time to the end of the run. The
 * steps must be the run's backward_steps, in the same order, and the final
 * result (values, grads, error) must equal `run`'s, byte for byte.
 */
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDocument, stringifyResult } from '../../engine/graph/index';
import { resultFromWire } from '../../engine/protocol/codec';
import type { BackwardStepResult, Stats, StepPhase } from '../../engine/protocol/messages';
import type { RunResultJson } from '../../engine/protocol/result';
import { stats } from '../../engine/host/summaries';
import { installNodeDatasets } from '../../engine/host/node/datasets';
import { connect, parityGraphs, readDoc, type Connected } from './helpers';

// the in-process reference run reads the bundled datasets as the engine worker does
installNodeDatasets();

let c: Connected;
beforeAll(async () => {
  c = await connect();
});
afterAll(() => c.close());

const graphs = parityGraphs();

/** Steps the loaded graph to the end; returns each backward pass's steps. */
async function stepToEnd(): Promise<{ passes: BackwardStepResult[][]; forward: string[] }> {
  const passes: BackwardStepResult[][] = [];
  const forward: string[] = [];
  let phase: StepPhase = 'forward';
  while (phase !== 'done') {
    if (phase === 'backward') {
      const b = await c.client.stepBackward();
      expect(b.forwarded).toEqual([]);
      if (b.grad_fn !== null) {
        if (b.index === 0) passes.push([]);
        expect(b.index).toBe(passes.at(-1)!.length);
        passes.at(-1)!.push(b);
      }
      phase = b.phase;
    } else {
      const f = await c.client.stepForward();
      if (f.node) forward.push(f.node);
      phase = f.phase;
    }
  }
  return { passes, forward };
}

function expectSameStats(got: Stats, data: (number | null)[]): void {
  const want = stats(data.map((v) => (v === null ? NaN : v)));
  expect(got.min).toBe(want.min);
  expect(got.max).toBe(want.max);
  expect(got.nan).toBe(want.nan);
  if (Number.isFinite(want.mean)) expect(got.mean).toBeCloseTo(want.mean, 4);
}

function checkLeaves(pass: BackwardStepResult[], result: RunResultJson): void {
  if (result.error?.phase === 'setup') return; // grads of the last backward may have been zeroed since
  for (const s of pass) {
    if (s.grad_fn !== 'AccumulateGrad' || !s.leaf) continue;
    expect(s.leaf.name).toBe(s.node);
    const grad = result.tensors[s.leaf.name]?.grad;
    expect(grad, s.leaf.name).not.toBeNull();
    expectSameStats(s.leaf.after, grad!.data);
  }
}

describe('stepping every parity graph over the protocol', () => {
  it('finds the parity graphs', () => {
    expect(graphs.length).toBeGreaterThanOrEqual(15);
  });

  it.each(graphs.map((f) => [basename(f, '.graph.json'), f]))('%s', async (_name, file) => {
    const document = readDoc(file);
    const expected = runDocument(document);
    const loaded = await c.client.load(document);
    expect(loaded.ok).toBe(expected.ok);
    if (!expected.ok) return;

    const { passes } = await stepToEnd();
    const last = passes.at(-1) ?? [];
    expect(last.map((s) => ({ grad_fn: s.grad_fn, node: s.node }))).toEqual(expected.result.backward_steps);
    const backwardFailed = expected.result.error?.phase === 'backward';
    if (last.length > 0 && !backwardFailed) expect(last.at(-1)!.done).toBe(true);
    const stepped = resultFromWire(await c.client.result());
    expect(stringifyResult(stepped)).toBe(stringifyResult(expected.result));
    checkLeaves(last, expected.result);

    // The same graph run in one request gives the same steps and result.
    await c.client.reset();
    const run = await c.client.run();
    expect(run.backward_steps).toEqual(expected.result.backward_steps);
    expect(run.error).toEqual(expected.result.error);
    expect(stringifyResult(resultFromWire(await c.client.result()))).toBe(stringifyResult(expected.result));

    // Only stepBackward (it runs what is left of each forward pass first) reaches the same end.
    await c.client.reset();
    let phase: StepPhase = 'forward';
    while (phase !== 'done') phase = (await c.client.stepBackward()).phase;
    expect(stringifyResult(resultFromWire(await c.client.result()))).toBe(stringifyResult(expected.result));
  });
});
