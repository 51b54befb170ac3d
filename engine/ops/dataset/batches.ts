/**
 * Which images a Dataset node takes in each iteration.
 *
 * Note [Dataset batch order]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~
 * A split of N images in batches of B has ceil(N / B) batches per epoch; the last
 * one keeps the remainder (DataLoader's drop_last=False). Iteration k takes batch
 * k mod ceil(N / B) of epoch floor(k / ceil(N / B)). Without shuffle every epoch
 * is 0, 1, ..., N-1. With shuffle, one generator (engine/core/random.ts: mulberry32
 * whose state starts at (seed mod 2^32) XOR 0x9e3779b9) draws every epoch's order
 * in turn: each epoch starts from 0, 1, ..., N-1 and, for i from N-1 down to 1,
 * swaps i with j = floor(u * (i + 1)), u the generator's next number in [0, 1)
 * (Fisher-Yates). This is not PyTorch's randperm (no script can reproduce that
 * without torch's generator), so the exported script embeds the rows it took,
 * and build/torch/runner.py draws the same order with the same generator.
 */
import { Random } from '../../core/random';

/** The batches of one epoch of `count` images. */
export function batchesPerEpoch(count: number, batchSize: number): number {
  return Math.ceil(count / batchSize);
}

/** Every epoch order drawn so far for one (count, seed), and the generator that drew them. */
interface Orders {
  readonly random: Random;
  readonly epochs: Int32Array[];
}

const drawn = new Map<string, Orders>();

function shuffled(count: number, seed: number, epoch: number): Int32Array {
  const key = `${count}:${seed}`;
  let o = drawn.get(key);
  if (!o) drawn.set(key, (o = { random: new Random(seed), epochs: [] }));
  while (o.epochs.length <= epoch) {
    const order = Int32Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = o.random.int(0, i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
    o.epochs.push(order);
  }
  return o.epochs[epoch]!;
}

/** The order of the images in `epoch` (See Note [Dataset batch order]). */
export function epochOrder(count: number, shuffle: boolean, seed: number, epoch: number): Int32Array {
  return shuffle ? shuffled(count, seed, epoch) : Int32Array.from({ length: count }, (_, i) => i);
}

/** What decides a node's batches. */
export interface BatchPlan {
  readonly count: number;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
}

/** The rows (image indices) iteration `k` takes. */
export function batchRows(p: BatchPlan, k: number): Int32Array {
  const per = batchesPerEpoch(p.count, p.batchSize);
  const order = epochOrder(p.count, p.shuffle, p.seed, Math.floor(k / per));
  const start = (k % per) * p.batchSize;
  return order.slice(start, Math.min(start + p.batchSize, p.count));
}

/** The size of iteration `k`'s batch. */
export function batchLength(p: BatchPlan, k: number): number {
  const start = (k % batchesPerEpoch(p.count, p.batchSize)) * p.batchSize;
  return Math.min(p.batchSize, p.count - start);
}
