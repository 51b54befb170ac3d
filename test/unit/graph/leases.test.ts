/**
 * Kernel results lent to a session's iterations (engine/graph/leases.ts): the
 * WebAssembly kernels hand out views of their memory instead of copies while a
 * session runs; the session copies out what outlives an iteration (values fed
 * to the next one, the final outputs, .grad, recorded backward steps) and
 * releases the rest. Released memory is overwritten with NaN here, so a view
 * read after its release shows up as NaN. Each case is compared with the same
 * kernels copying every result out (lending off): lending must not change a bit.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GraphSession, load, resultJson } from '../../../engine/graph/index';
import {
  installWasmKernels,
  fastKernels,
  kernelLentBytes,
  kernelOwned,
  setFastKernelsEnabled,
  setKernelLendThreshold,
} from '../../../engine/kernels/fast/index';
import { nodeSpawner } from '../../../engine/host/node/fast-kernels';
import { edgeFlow } from '../../../engine/host/edge-flow';
import { workloadDocument } from '../../../build/bench/workloads';

const WASM = join(__dirname, '../../../build/wasm/out/kernels.wasm');
const OFF = 2 ** 31;

const pos = { x: 0, y: 0 };
const edge = (source: string, target: string, targetHandle: string) => ({
  source,
  sourceHandle: 'out',
  target,
  targetHandle,
});

/**
 * x -> Conv2d -> ReLU (retain_grad) -> MaxPool2d -> Sum -> loss; ReLU -> Detach
 * is fed back into x for the next iteration, so x becomes a kernel result.
 * The default shape is large enough for ReLU to take the fast path too.
 */
function feedbackDoc(iterations: number, shape = [2, 1, 40, 40]): unknown {
  return {
    format: 'autograd-studio/graph',
    version: 1,
    meta: { name: 'lent feedback' },
    nodes: [
      {
        id: 'x',
        op: 'Tensor',
        position: pos,
        params: { shape, dtype: 'float32', requires_grad: true, init: { kind: 'randn', seed: 7 } },
      },
      {
        id: 'conv',
        op: 'Conv2d',
        position: pos,
        params: {
          in_channels: 1,
          out_channels: 1,
          kernel_size: 3,
          padding: 1,
          init: { weight: { kind: 'randn', seed: 3 }, bias: { kind: 'randn', seed: 4 } },
        },
      },
      { id: 'relu', op: 'ReLU', position: pos, params: {}, retain_grad: true },
      { id: 'pool', op: 'MaxPool2d', position: pos, params: { kernel_size: 2 } },
      { id: 'loss', op: 'Sum', position: pos, params: {} },
      { id: 'detached', op: 'Detach', position: pos, params: {} },
    ],
    edges: [
      edge('x', 'conv', 'input'),
      edge('conv', 'relu', 'input'),
      edge('relu', 'pool', 'input'),
      edge('pool', 'loss', 'input'),
      edge('relu', 'detached', 'input'),
    ],
    run: { backward: 'loss', iterations, feedback: [{ from: 'detached', to: 'x' }], zero_grad: false },
  };
}

const open: GraphSession[] = [];

function session(doc: unknown): GraphSession {
  const l = load(doc);
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  const s = new GraphSession(l.graph);
  open.push(s);
  return s;
}

/** The result JSON and edge flows of a whole run with lending on (`lendMin`) or off. */
function runWith(doc: unknown, lendMin: number): { result: unknown; flows: unknown; s: GraphSession } {
  setKernelLendThreshold(lendMin, true);
  const s = session(doc);
  s.run();
  return { result: JSON.parse(JSON.stringify(resultJson(s))), flows: edgeFlow(s), s };
}

describe('kernel results lent to a session', () => {
  beforeAll(() => {
    expect(installWasmKernels(new Uint8Array(readFileSync(WASM)), { spawn: nodeSpawner, threads: 2 })).toBe(true);
    setFastKernelsEnabled(true);
  });
  beforeEach(() => setKernelLendThreshold(1, true));
  afterEach(() => {
    // A failed case must not leave memory lent to the next one.
    for (const s of open.splice(0)) s.dispose();
  });
  afterAll(() => {
    setKernelLendThreshold(16384);
    setFastKernelsEnabled(false);
  });

  it('outputs are views of kernel memory while an iteration runs, and ordinary arrays once the run finished', () => {
    const s = session(feedbackDoc(2));
    while (s.phase !== 'backward') s.advance();
    expect(kernelOwned(s.outputs.get('conv')!.storage.data)).toBe(true);
    expect(kernelOwned(s.outputs.get('relu')!.storage.data)).toBe(true);
    expect(kernelLentBytes()).toBeGreaterThan(0);
    s.run();
    expect(s.error).toBeNull();
    for (const [id, t] of s.outputs) {
      expect(kernelOwned(t.storage.data), id).toBe(false);
      if (t.grad) expect(kernelOwned(t.grad.storage.data), `${id}.grad`).toBe(false);
    }
    for (const st of s.steps)
      for (const g of [...st.inputs, ...st.outputs]) if (g) expect(kernelOwned(g.data)).toBe(false);
    expect(kernelLentBytes()).toBe(0);
  });

  it('a fed-back kernel result, retained grads and edge flows are the same with and without lending', () => {
    const off = runWith(feedbackDoc(4), OFF);
    const on = runWith(feedbackDoc(4), 1);
    expect(on.s.error).toBeNull();
    expect(on.result).toEqual(off.result);
    expect(on.flows).toEqual(off.flows);
    expect(JSON.stringify(on.result)).not.toContain('NaN');
  });

  it('stepping forward and backward one unit at a time gives the same result as running', () => {
    const whole = runWith(feedbackDoc(3), 1).result;
    const s = session(feedbackDoc(3));
    let guard = 0;
    while (!s.finished && guard++ < 10000) {
      if (s.phase === 'backward') s.stepBackward();
      else s.advance();
    }
    expect(JSON.parse(JSON.stringify(resultJson(s)))).toEqual(whole);
  });

  it('an iteration releases the previous one; dispose releases a session stopped midway', () => {
    const s = session(feedbackDoc(8));
    const held: number[] = [];
    s.run({
      shouldCancel: () => {
        if (s.phase === 'backward' && !s.backwardPending) held.push(kernelLentBytes());
        return s.iterationsRun >= 6;
      },
    });
    expect(s.finished).toBe(false);
    // Measured before each backward pass: the first iteration holds its forward results, every
    // later one the same amount (its forward and the previous iteration): nothing piles up. The
    // first iteration also lent the conv's new .grad (9 + 1 floats), which later ones add to in
    // place (zero_grad is off) after the session copied it out.
    expect(held.length).toBeGreaterThanOrEqual(6);
    expect(held[0]).toBeGreaterThan(0);
    expect(held[1]).toBeGreaterThan(held[0]!);
    expect(held[1]! - held[2]!).toBe((9 + 1) * 4);
    expect(new Set(held.slice(2)).size).toBe(1);
    expect(kernelLentBytes()).toBeGreaterThan(0);
    s.dispose();
    expect(kernelLentBytes()).toBe(0);
  });

  it('a new .grad is lent to its iteration and copied out before that lease is released', () => {
    const s = session(feedbackDoc(3)); // zero_grad off: the conv's .grad lives on
    const weight = () => s.params.get('conv')!.weight!;
    const phase = () => s.phase; // read afresh: advance() changes it
    while (phase() !== 'update') s.advance();
    const g = weight().grad!;
    expect(kernelOwned(g.storage.data)).toBe(true);
    const values = Array.from(g.storage.data);
    while (phase() !== 'backward') s.advance();
    s.stepBackward(); // SumBackward0: the backward started, the first iteration's lease is released
    expect(weight().grad).toBe(g);
    expect(kernelOwned(g.storage.data)).toBe(false);
    expect(Array.from(g.storage.data)).toEqual(values); // released memory is NaN here
  });

  it("a session's kernel memory is its lent results and about one call beside them", () => {
    // See Note [A lease's ring is short] (memory.ts): W3 (5 MB in its largest call, 20 MB lent
    // before a backward pass) used to wrap the ring at 32 MiB and fault in 37 MB of memory.
    setKernelLendThreshold(64);
    const s = session(workloadDocument('W3', 4));
    let lent = 0;
    s.run({ shouldCancel: () => ((lent = Math.max(lent, kernelLentBytes())), false) });
    expect(s.error).toBeNull();
    const k = fastKernels()!;
    expect(k.memoryBytes).toBeLessThanOrEqual(lent + 2 * k.largestCallBytes + (1 << 20));
  });

  it('results of kernel calls outside a session are copied out, not lent', () => {
    const s = session(feedbackDoc(1));
    s.run();
    expect(kernelLentBytes()).toBe(0);
    const t = s.outputs.get('relu')!;
    expect(kernelOwned(t.storage.data)).toBe(false);
  });

  it('an error mid-run releases everything and keeps the outputs readable', () => {
    const doc = feedbackDoc(2) as { run: { backward: string } };
    doc.run.backward = 'relu'; // not a scalar: the backward phase fails
    const s = session(doc);
    s.run();
    expect(s.error?.message).toBe('grad can be implicitly created only for scalar outputs');
    expect(kernelLentBytes()).toBe(0);
    const relu = s.outputs.get('relu')!;
    expect(kernelOwned(relu.storage.data)).toBe(false);
    expect(Array.from(relu.contiguousData()).some((v) => Number.isNaN(v))).toBe(false);
  });
});
