/**
 * The engine uses every core the machine offers (at most 8), so its results
 * must not depend on how many there are: the parity fixtures with
 * convolutions, linear layers and pooling (every call split over the threads)
 * and the workloads W1-W4 (the bench's split) give the same bits on 1, 2, 3
 * and 4 threads, on every kernel module that runs here, also on a machine with
 * fewer cores (the threads then share them). Each parity case also matches
 * PyTorch on every thread count.
 */
import { basename } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi, type MockInstance } from 'vitest';
import { GraphSession, load, runDocument } from '../../engine/graph/index';
import {
  defaultKernelThreads,
  installWasmKernels,
  kernelBackend,
  setFastKernelsEnabled,
  setKernelParallelMin,
  PARALLEL_ELEMENTS,
  PARALLEL_MACS,
  setKernelThreads,
} from '../../engine/kernels/fast/index';
import { ThreadPool } from '../../engine/kernels/fast/threads';
import { nodeSpawner } from '../../engine/host/node/fast-kernels';
import type { RunResultJson } from '../../engine/protocol/result';
import { WORKLOADS, workloadDocument } from '../../build/bench/workloads';
import { compareResult, type ResultLike } from '../helpers/compare';
import { wasmModules } from '../helpers/fast-kernels';
import { LOCAL_PARITY_DIR, REFERENCE_PARITY_DIR, listCases, readJson } from '../helpers/fixtures';

const THREADS = [1, 2, 3, 4];

/** The parity cases whose kernels run on several threads: convolutions, linear layers, pooling. */
const CASES = [REFERENCE_PARITY_DIR, LOCAL_PARITY_DIR].flatMap((dir) =>
  listCases(dir)
    .filter((c) => /conv|linear|pool|small_cnn/.test(c.name))
    .map((c) => ({ ...c, label: `${basename(dir)}/${c.name}` })),
);

/** Every number a result reports (values, gradients, error), in one list to compare bit for bit. */
function numbers(r: RunResultJson): unknown[] {
  const out: unknown[] = [r.error, r.iterations_run];
  for (const [name, t] of Object.entries(r.tensors)) out.push(name, t.data, t.grad?.data ?? null);
  return out;
}

/** Loss and every parameter gradient of `iterations` steps of a workload, as raw bits. */
function workload(w: (typeof WORKLOADS)[number]): { loss: number; grads: Record<string, number[]> } {
  const l = load(workloadDocument(w, 2));
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  const s = new GraphSession(l.graph);
  s.run();
  expect(s.error).toBeNull();
  const grads: Record<string, number[]> = {};
  for (const [id, p] of s.params) {
    for (const [which, t] of [
      ['weight', p.weight],
      ['bias', p.bias],
    ] as const) {
      const g = t?.grad?.contiguousData() as Float32Array | undefined;
      if (g) grads[`${id}.${which}`] = Array.from(new Uint32Array(g.buffer, g.byteOffset, g.length));
    }
  }
  return { loss: s.losses[s.losses.length - 1]!, grads };
}

describe('the default thread count', () => {
  it('is every core offered, at most 8, at least 1', () => {
    expect([1, 2, 3, 8, 12, 64].map(defaultKernelThreads)).toEqual([1, 2, 3, 8, 8, 8]);
    expect([0, undefined, Number.NaN].map(defaultKernelThreads)).toEqual([1, 1, 1]);
  });
});

describe.each(wasmModules())('results do not depend on the thread count ($name)', (m) => {
  /** Bits of each case and workload on one thread, the reference of the other counts. */
  const oneThread = new Map<string, unknown>();
  beforeAll(() => {
    expect(installWasmKernels(m.bytes, { spawn: nodeSpawner, threads: 1, fma: m.fma })).toBe(true);
    setFastKernelsEnabled(true);
  });
  afterAll(() => {
    setKernelParallelMin(PARALLEL_MACS, PARALLEL_ELEMENTS);
    setKernelThreads(1);
  });

  it('has parity cases with convolutions and linear layers', () => {
    expect(CASES.filter((c) => c.name.includes('conv')).length).toBeGreaterThan(10);
    expect(CASES.filter((c) => c.name.includes('linear')).length).toBeGreaterThan(5);
  });

  /** Records `value` as the one-thread reference of `key`, or compares with it. */
  const sameAsOneThread = (t: number, key: string, value: unknown): void => {
    if (t === 1) oneThread.set(key, value);
    else {
      expect(oneThread.has(key), `${key} ran on one thread`).toBe(true);
      expect(value, `${key}: ${t} threads against 1`).toEqual(oneThread.get(key));
    }
  };

  // One thread count after the other (starting helpers takes a while): 1 first, the reference.
  describe.each(THREADS)('%i threads', (t) => {
    let posted: MockInstance;
    beforeAll(() => {
      setKernelThreads(t, nodeSpawner);
      posted = vi.spyOn(ThreadPool.prototype, 'post');
    });
    afterAll(() => posted.mockRestore());

    for (const c of CASES) {
      it(`${c.label}: matches PyTorch, the same bits as on one thread (every call split)`, () => {
        expect(kernelBackend()).toMatch(new RegExp(` x${t}$`));
        setKernelParallelMin(0, 0);
        const run = runDocument(readJson(c.graphPath));
        if (!run.ok) throw new Error(`${c.name}: refused: ${JSON.stringify(run.issues)}`);
        expect(compareResult(readJson(c.expectedPath) as ResultLike, run.result as ResultLike)).toEqual([]);
        sameAsOneThread(t, c.label, numbers(run.result));
      });
    }

    it(t === 1 ? 'offered no work to helpers' : 'offered work to the helpers in the cases above', () => {
      expect(posted.mock.calls.length > 0).toBe(t > 1);
    });

    for (const w of WORKLOADS) {
      it(`${w}: the same loss and gradient bits as on one thread`, () => {
        // Below the defaults, so that W4's convolutions and pooling are split too.
        setKernelParallelMin(1_000_000, 1 << 16);
        sameAsOneThread(t, w, workload(w));
      });
    }
  });
});
