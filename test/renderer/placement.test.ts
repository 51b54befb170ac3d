import { describe, expect, it } from 'vitest';
import { BESIDE_GAP, besideSelection, copyOffset, freeSpot, GAP } from '../../renderer/document/placement';
import type { GraphNode } from '../../renderer/document/types';

const node = (id: string, x: number, y: number): GraphNode => ({ id, op: 'ReLU', params: {}, position: { x, y } });
const size = { width: 100, height: 60 };
const sizeOf = (): { width: number; height: number } => size;

describe('placement', () => {
  it('keeps the asked spot when it is free', () => {
    expect(freeSpot([node('a', 0, 0)], { x: 300, y: 0 }, size, sizeOf)).toEqual({ x: 300, y: 0 });
  });

  it('moves off a node to the nearest spot that keeps the gap', () => {
    const p = freeSpot([node('a', 0, 0)], { x: 10, y: 10 }, size, sizeOf);
    // free means: no overlap of the boxes grown by GAP (100 + 24 = 124 wide, 60 + 24 = 84 tall)
    expect(Math.abs(p.x) >= 100 + GAP || Math.abs(p.y) >= 60 + GAP).toBe(true);
    // on the 40 px search grid around (10, 10): down 2 steps gives y = 90 >= 84 (right would need 3 steps: 130 >= 124)
    expect(p).toEqual({ x: 10, y: 90 });
  });

  it('places beside the rightmost selected node', () => {
    expect(besideSelection([node('a', 0, 0), node('b', 200, 50)], ['a', 'b'], sizeOf)).toEqual({
      x: 200 + 100 + BESIDE_GAP,
      y: 50,
    });
    expect(besideSelection([node('a', 0, 0)], [], sizeOf)).toBeNull();
  });

  it('offsets a copy below its group, past the nodes already there', () => {
    const a = node('a', 0, 0),
      b = node('b', 0, 100);
    // group a alone: below it would be y = 60 + 48 = 108, on b; 40 px steps until y >= 100 + 60 + 24 = 184: 188
    const d = copyOffset([a, b], [a], sizeOf);
    expect(d.x).toBe(40);
    expect(d.y).toBe(188);
  });
});
