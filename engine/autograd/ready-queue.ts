import { internalError } from '../core/errors';
import type { GradValue } from './grad-value';
import type { Node } from './node';

/** A function ready to run with the gradients gathered for it (PyTorch's `NodeTask`). */
export interface NodeTask {
  readonly node: Node;
  readonly inputs: (GradValue | null)[];
}

/**
 * PyTorch's ReadyQueue: a `std::priority_queue` ordered by `CompareNodeTaskTime`
 * (higher sequence_nr first). Ties (several AccumulateGrads) are broken exactly as
 * libstdc++'s binary heap breaks them, by reproducing its `push_heap` and
 * `pop_heap`, so the execution order equals PyTorch's on Linux.
 *
 * Note [Ready queue tie order]: every AccumulateGrad has the same sequence_nr
 * (UINT64_MAX in PyTorch, +Infinity here), so whenever two leaves' gradients
 * are complete at the same time the queue holds equal keys. std::priority_queue
 * is not stable: which of the equal tasks comes out first depends on the heap's
 * layout, i.e. on every push and pop since the backward started, as libstdc++'s
 * `__push_heap` (a tie never moves up) and `__adjust_heap` (the hole walks down
 * to the larger child, the right one on a tie) shape it. That order is visible:
 * it is the order of `backward_steps` and of the steps the canvas shows, and
 * the parity fixtures check it against PyTorch. So `less`, `siftUp` and
 * `adjustHeap` must stay libstdc++'s algorithm step for step; a "better" heap,
 * a stable sort or a FIFO for ties gives other orders
 * (test/unit/autograd/ready-queue.test.ts has hand-derived sequences). Nodes
 * other than AccumulateGrad never tie: their sequence numbers are unique.
 */
export class ReadyQueue {
  private readonly heap: NodeTask[] = [];

  /** Number of queued tasks. */
  get size(): number {
    return this.heap.length;
  }

  /** `comp(a, b)`: true if a has lower priority than b. */
  private static less(a: NodeTask, b: NodeTask): boolean {
    return a.node.sequenceNr < b.node.sequenceNr;
  }

  /** priority_queue::push = push_back + push_heap. */
  push(task: NodeTask): void {
    this.heap.push(task);
    this.siftUp(this.heap.length - 1, 0, task);
  }

  /** priority_queue::pop after top(): pop_heap + pop_back. */
  pop(): NodeTask {
    const h = this.heap;
    const top = h[0];
    if (top === undefined) throw internalError('ReadyQueue.pop on an empty queue');
    const len = h.length;
    if (len > 1) {
      const value = h[len - 1]!;
      h[len - 1] = top;
      this.adjustHeap(0, len - 1, value);
    }
    h.pop();
    return top;
  }

  /** libstdc++ `__push_heap`. */
  private siftUp(holeIndex: number, topIndex: number, value: NodeTask): void {
    const h = this.heap;
    let hole = holeIndex;
    let parent = Math.floor((hole - 1) / 2);
    while (hole > topIndex && ReadyQueue.less(h[parent]!, value)) {
      h[hole] = h[parent]!;
      hole = parent;
      parent = Math.floor((hole - 1) / 2);
    }
    h[hole] = value;
  }

  /** libstdc++ `__adjust_heap` over the first `len` elements. */
  private adjustHeap(holeIndex: number, len: number, value: NodeTask): void {
    const h = this.heap;
    const topIndex = holeIndex;
    let hole = holeIndex;
    let second = holeIndex;
    while (second < Math.floor((len - 1) / 2)) {
      second = 2 * (second + 1);
      if (ReadyQueue.less(h[second]!, h[second - 1]!)) second--;
      h[hole] = h[second]!;
      hole = second;
    }
    if ((len & 1) === 0 && second === Math.floor((len - 2) / 2)) {
      second = 2 * (second + 1);
      h[hole] = h[second - 1]!;
      hole = second - 1;
    }
    this.siftUp(hole, topIndex, value);
  }
}
