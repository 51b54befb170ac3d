/**
 * The ready queue must pop tasks exactly as PyTorch's `std::priority_queue<NodeTask,
 * vector, CompareNodeTaskTime>` does on Linux (libstdc++): highest sequence_nr first,
 * and ties (several AccumulateGrad sinks, whose sequence_nr is UINT64_MAX) broken by
 * libstdc++'s binary-heap algorithm, which is NOT first-in-first-out.
 *
 * The expected sequences below were derived by hand from libstdc++'s algorithm
 * (bits/stl_heap.h), with comp(a, b) = a.seq < b.seq:
 *   push(x)  = push_back(x); __push_heap(hole = last, top = 0, value = x):
 *              while hole > top && comp(h[parent], value): h[hole] = h[parent]; hole = parent
 *              (so a tie never moves up)
 *   pop()    = value = h[last]; h[last] = h[0]; __adjust_heap(0, len = last, value):
 *              the hole walks down to the larger child, taking the RIGHT child on a tie
 *              (it steps back to the left one only if comp(right, left)); a lone left child
 *              at the bottom is taken when len is even; then __push_heap(hole, 0, value).
 * and then checked against g++'s std::priority_queue with the same comparator.
 */
import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../../engine/autograd/ready-queue';
import { type Node } from '../../../engine/autograd/node';

const INF = Number.POSITIVE_INFINITY;

/** A queue task for a fake node; only `sequenceNr` matters to the queue. */
function task(label: string, seq: number) {
  const node = { sequenceNr: seq, name: label } as unknown as Node;
  return { node, inputs: [] };
}

type Op = ['push', string, number] | ['pop'];

function play(ops: Op[]): string {
  const q = new ReadyQueue();
  let out = '';
  for (const op of ops) {
    if (op[0] === 'push') q.push(task(op[1], op[2]));
    else out += (q.pop().node as unknown as { name: string }).name;
  }
  while (q.size > 0) out += (q.pop().node as unknown as { name: string }).name;
  return out;
}

describe('ReadyQueue (libstdc++ std::priority_queue order)', () => {
  it('distinct priorities come out highest sequence_nr first, whatever the push order', () => {
    expect(
      play([
        ['push', 'a', 3],
        ['push', 'b', 9],
        ['push', 'c', 1],
        ['push', 'd', 7],
        ['push', 'e', 5],
      ]),
    ).toBe('bdeac');
  });

  it('five equal priorities pushed A..E come out A C E B D', () => {
    // heap after the pushes: [A B C D E] (ties never move up)
    // pop A: value E, len 4: hole 0 -> right child 2 (C) ; h = [C B _ D]; E fills hole 2 -> [C B E D]
    // pop C: value D, len 3: hole 0 -> child 2 (E); D fills 2                  -> [E B D]
    // pop E: value D, len 2 (even): hole 0 takes lone left child 1 (B); D at 1  -> [B D]
    // pop B, then D.
    expect(
      play([
        ['push', 'A', INF],
        ['push', 'B', INF],
        ['push', 'C', INF],
        ['push', 'D', INF],
        ['push', 'E', INF],
      ]),
    ).toBe('ACEBD');
  });

  it('four equal priorities come out A C B D', () => {
    // [A B C D]; pop A: value D, len 3: hole 0 -> child 2 (C), D at 2 -> [C B D]
    // pop C: value D, len 2: hole 0 takes left child B, D at 1 -> [B D]; then B, D.
    expect(
      play([
        ['push', 'A', INF],
        ['push', 'B', INF],
        ['push', 'C', INF],
        ['push', 'D', INF],
      ]),
    ).toBe('ACBD');
  });

  it('interleaved pushes and pops of equal priorities: A B D C E', () => {
    // push A B C -> [A B C]; pop A: value C, len 2: hole 0 takes B, C at 1 -> [B C]
    // push D, E -> [B C D E]; pop B: value E, len 3: hole 0 -> child 2 (D), E at 2 -> [D C E]
    // pop D: value E, len 2: hole 0 takes C, E at 1 -> [C E]; then C, E.
    expect(
      play([
        ['push', 'A', INF],
        ['push', 'B', INF],
        ['push', 'C', INF],
        ['pop'],
        ['push', 'D', INF],
        ['push', 'E', INF],
      ]),
    ).toBe('ABDCE');
  });

  it('equal and finite priorities mixed: B C F E D A', () => {
    // push A(5), B(inf) moves above A: [B A]; C(inf): [B A C]; D(7) moves above A: [B D C A];
    // E(inf) moves above D: [B E C A D]; F(inf) stays under C: [B E C A D F]
    // pop B: value F, len 5: hole 0 -> child 2 (C, tie with E keeps the right child); F at 2 -> [C E F A D]
    // pop C: value D, len 4: hole 0 -> child 2 (F); D at 2 -> [F E D A]
    // pop F: value A, len 3: children E(inf), D(7): comp(D, E) so the left child E; A at 1 -> [E A D]
    // pop E: value D, len 2: hole 0 takes A, then D (7) rises above A (5) -> [D A]; then D, A.
    expect(
      play([
        ['push', 'A', 5],
        ['push', 'B', INF],
        ['push', 'C', INF],
        ['push', 'D', 7],
        ['push', 'E', INF],
        ['push', 'F', INF],
      ]),
    ).toBe('BCFEDA');
  });

  it('reports its size and refuses to pop when empty', () => {
    const q = new ReadyQueue();
    expect(q.size).toBe(0);
    q.push(task('x', 1));
    expect(q.size).toBe(1);
    q.pop();
    expect(() => q.pop()).toThrow();
  });
});
