/**
 * W5 of `npm run bench` (docs/workloads.md): the LeNet-style digits CNN of the
 * training example (build/scripts/gen-training-examples.ts), batch 32, SGD with
 * momentum. One step is a whole training iteration: zero_grad, forward,
 * backward, optimizer.step(). The engine trains 500 iterations in one
 * GraphSession (as the app's Run does), reporting the median step after
 * warm-up, the wall time of all 500 and the test accuracy reached (the
 * engine's evaluate: no_grad, eval mode, the 360 test digits);
 * build/bench/torch_w5.py does the same on PyTorch with one thread.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { load, GraphSession } from '../../engine/graph/index';
import { evalDocument, evalPlan, Evaluation } from '../../engine/graph/training';
import { installNodeDatasets } from '../../engine/host/node/datasets';
import { digitsCnn, DIGITS_ITERATIONS } from '../scripts/gen-training-examples';

const WARMUP = 5;

/** One side's W5 figures. */
export interface W5 {
  /** Median ms per training step after warm-up. */
  readonly ms: number;
  /** Wall ms of all 500 iterations (warm-up included). */
  readonly totalMs: number;
  readonly iterations: number;
  readonly lastLoss: number;
  /** Share of the 360 test digits classified right after training. */
  readonly testAccuracy: number;
}

/** Trains the digits CNN on the engine and evaluates it on the test split. */
export function engineW5(iterations = DIGITS_ITERATIONS): W5 {
  installNodeDatasets();
  const doc = digitsCnn(iterations) as Record<string, unknown>;
  const l = load(doc);
  if (!l.ok) throw new Error(`W5: ${JSON.stringify(l.issues)}`);
  const s = new GraphSession(l.graph);
  const times: number[] = [];
  const start = performance.now();
  let last = start;
  s.run({
    onIteration: (it) => {
      const now = performance.now();
      if (it > WARMUP) times.push(now - last);
      last = now;
    },
  });
  const totalMs = performance.now() - start;
  if (s.error) throw new Error(`W5: ${s.error.type}: ${s.error.message}`);
  const plan = evalPlan(l.graph);
  if (typeof plan === 'string') throw new Error(`W5: ${plan}`);
  const e = load(evalDocument(doc, plan, 'test'));
  if (!e.ok) throw new Error(`W5 evaluation: ${JSON.stringify(e.issues)}`);
  const ev = new Evaluation(s, e.graph, plan);
  while (!ev.finished) ev.next();
  ev.dispose();
  let right = 0;
  ev.predictions.forEach((p, i) => (right += p === ev.labels[i] ? 1 : 0));
  times.sort((a, b) => a - b);
  return {
    ms: times[times.length >> 1]!,
    totalMs,
    iterations,
    lastLoss: s.losses[s.losses.length - 1]!,
    testAccuracy: right / ev.predictions.length,
  };
}

/** The same on PyTorch (one thread), or null when `python` has no torch. */
export function torchW5(python: string, root: string, iterations = DIGITS_ITERATIONS): W5 | null {
  const r = spawnSync(python, [resolve(root, 'build/bench/torch_w5.py'), String(iterations)], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  const o = JSON.parse(r.stdout) as { ms: number; total_ms: number; last_loss: number; test_accuracy: number };
  return { ms: o.ms, totalMs: o.total_ms, iterations, lastLoss: o.last_loss, testAccuracy: o.test_accuracy };
}
