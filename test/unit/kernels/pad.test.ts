import { describe, it, expect } from 'vitest';
import {
  constantPad2d,
  constantPad2dBackward,
  reflectionPad2d,
  reflectionPad2dBackward,
  replicationPad2d,
  replicationPad2dBackward,
  circularPad2d,
  circularPad2dBackward,
  type Pad2d,
} from '../../../engine/kernels/pad';
import type { FloatArray } from '../../../engine/core/dtype';
import { mulberry32, randInt, randArr } from '../../helpers/mulberry';

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

type Mode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** Naive source index of output index i along a dim (null = constant fill). */
function srcIndex(mode: Mode, i: number, before: number, size: number): number | null {
  const s = i - before;
  if (mode === 'constant') return s >= 0 && s < size ? s : null;
  if (mode === 'replicate') return Math.min(size - 1, Math.max(0, s));
  if (mode === 'circular') return ((s % size) + size) % size;
  // reflect, written as PyTorch's CPU kernel does it
  if (i < before) return before * 2 - i - before;
  if (i < size + before) return s;
  return (size + before - 1) * 2 - i - before;
}

function refPad(
  mode: Mode,
  x: Float64Array,
  planes: number,
  h: number,
  w: number,
  p: Pad2d,
  value: number,
): Float64Array {
  const ho = h + p.top + p.bottom,
    wo = w + p.left + p.right;
  const out = new Float64Array(planes * ho * wo);
  for (let q = 0; q < planes; q++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++) {
        const si = srcIndex(mode, i, p.top, h),
          sj = srcIndex(mode, j, p.left, w);
        out[(q * ho + i) * wo + j] = si === null || sj === null ? value : x[(q * h + si) * w + sj];
      }
  return out;
}

function refPadBackward(mode: Mode, go: Float64Array, planes: number, h: number, w: number, p: Pad2d): Float64Array {
  const ho = h + p.top + p.bottom,
    wo = w + p.left + p.right;
  const gi = new Float64Array(planes * h * w);
  for (let q = 0; q < planes; q++)
    for (let i = 0; i < ho; i++)
      for (let j = 0; j < wo; j++) {
        const si = srcIndex(mode, i, p.top, h),
          sj = srcIndex(mode, j, p.left, w);
        if (si !== null && sj !== null) gi[(q * h + si) * w + sj] += go[(q * ho + i) * wo + j];
      }
  return gi;
}

const kernels = {
  constant: {
    fwd: (x: FloatArray, pl: number, h: number, w: number, p: Pad2d, v: number) => constantPad2d(x, pl, h, w, p, v),
    bwd: constantPad2dBackward,
  },
  reflect: {
    fwd: (x: FloatArray, pl: number, h: number, w: number, p: Pad2d) => reflectionPad2d(x, pl, h, w, p),
    bwd: reflectionPad2dBackward,
  },
  replicate: {
    fwd: (x: FloatArray, pl: number, h: number, w: number, p: Pad2d) => replicationPad2d(x, pl, h, w, p),
    bwd: replicationPad2dBackward,
  },
  circular: {
    fwd: (x: FloatArray, pl: number, h: number, w: number, p: Pad2d) => circularPad2d(x, pl, h, w, p),
    bwd: circularPad2dBackward,
  },
} as const;
const modes: Mode[] = ['constant', 'reflect', 'replicate', 'circular'];

/** Random valid case for a mode (reflect: pad < size; circular: pad <= size). */
function randomCase(r: () => number, mode: Mode) {
  const planes = randInt(r, 1, 4),
    h = randInt(r, 1, 6),
    w = randInt(r, 1, 6);
  const lim = (size: number): number => (mode === 'reflect' ? size - 1 : mode === 'circular' ? size : 4);
  const p: Pad2d = {
    left: randInt(r, 0, Math.min(4, lim(w))),
    right: randInt(r, 0, Math.min(4, lim(w))),
    top: randInt(r, 0, Math.min(4, lim(h))),
    bottom: randInt(r, 0, Math.min(4, lim(h))),
  };
  return { planes, h, w, p };
}

describe('pad hand-computed cases', () => {
  // x = [[1,2,3],[4,5,6]] (1 plane, h=2, w=3), pad (left 2, right 1, top 1, bottom 0)
  const x = Float64Array.from([1, 2, 3, 4, 5, 6]);
  const p: Pad2d = { left: 2, right: 1, top: 1, bottom: 0 };

  it('constant 9', () => {
    expect(Array.from(constantPad2d(x, 1, 2, 3, p, 9))).toEqual([9, 9, 9, 9, 9, 9, 9, 9, 1, 2, 3, 9, 9, 9, 4, 5, 6, 9]);
  });

  it('reflect', () => {
    // rows map [1,0,1]; cols map [2,1,0,1,2,1]
    expect(Array.from(reflectionPad2d(x, 1, 2, 3, p))).toEqual([6, 5, 4, 5, 6, 5, 3, 2, 1, 2, 3, 2, 6, 5, 4, 5, 6, 5]);
    // ones backward: row counts [1,2] x col counts [1,3,2]
    expect(Array.from(reflectionPad2dBackward(new Float64Array(18).fill(1), 1, 2, 3, p))).toEqual([1, 3, 2, 2, 6, 4]);
  });

  it('replicate', () => {
    // rows map [0,0,1]; cols map [0,0,0,1,2,2]
    expect(Array.from(replicationPad2d(x, 1, 2, 3, p))).toEqual([1, 1, 1, 2, 3, 3, 1, 1, 1, 2, 3, 3, 4, 4, 4, 5, 6, 6]);
    // row counts [2,1] x col counts [3,1,2]
    expect(Array.from(replicationPad2dBackward(new Float64Array(18).fill(1), 1, 2, 3, p))).toEqual([6, 2, 4, 3, 1, 2]);
  });

  it('circular', () => {
    // rows map [1,0,1]; cols map [1,2,0,1,2,0]
    expect(Array.from(circularPad2d(x, 1, 2, 3, p))).toEqual([5, 6, 4, 5, 6, 4, 2, 3, 1, 2, 3, 1, 5, 6, 4, 5, 6, 4]);
    // row counts [1,2] x col counts [2,2,2]
    expect(Array.from(circularPad2dBackward(new Float64Array(18).fill(1), 1, 2, 3, p))).toEqual([2, 2, 2, 4, 4, 4]);
  });
});

describe('pad vs naive reference (random cases)', () => {
  for (const mode of modes) {
    it(`${mode}: float64 and float32, forward and backward`, () => {
      const r = mulberry32(mode.length * 7919);
      const k = kernels[mode];
      for (let t = 0; t < 200; t++) {
        const { planes, h, w, p } = randomCase(r, mode);
        const value = mode === 'constant' ? r() * 4 - 2 : 0;
        const x = randArr(r, planes * h * w);
        const out = k.fwd(x, planes, h, w, p, value);
        expect(out).toBeInstanceOf(Float64Array);
        expect(Array.from(out)).toEqual(Array.from(refPad(mode, x, planes, h, w, p, value)));
        const go = randArr(r, out.length);
        const gi = k.bwd(go, planes, h, w, p);
        expect(gi).toBeInstanceOf(Float64Array);
        const ref = refPadBackward(mode, go, planes, h, w, p);
        for (let i = 0; i < gi.length; i++) expect(Math.abs(gi[i] - ref[i])).toBeLessThanOrEqual(1e-14);

        const x32 = Float32Array.from(x),
          go32 = Float32Array.from(go);
        const out32 = k.fwd(x32, planes, h, w, p, value);
        expect(out32).toBeInstanceOf(Float32Array);
        expect(Array.from(out32)).toEqual(
          Array.from(Float32Array.from(refPad(mode, Float64Array.from(x32), planes, h, w, p, value))),
        );
        const gi32 = k.bwd(go32, planes, h, w, p);
        expect(gi32).toBeInstanceOf(Float32Array);
        const ref32 = refPadBackward(mode, Float64Array.from(go32), planes, h, w, p);
        for (let i = 0; i < gi32.length; i++) expect(Math.abs(gi32[i] - ref32[i])).toBeLessThanOrEqual(1e-5);
      }
    });
  }
});

describe('pad backward is the gradient (finite differences, float64)', () => {
  for (const mode of modes) {
    it(`${mode}: d/dx sum(pad(x) * R)`, () => {
      const r = mulberry32(31 + mode.length);
      const k = kernels[mode];
      const eps = 1e-3;
      for (let t = 0; t < 30; t++) {
        const { planes, h, w, p } = randomCase(r, mode);
        const x = randArr(r, planes * h * w);
        const ho = h + p.top + p.bottom,
          wo = w + p.left + p.right;
        const R = randArr(r, planes * ho * wo);
        const loss = (): number => dot(k.fwd(x, planes, h, w, p, 0.5), R);
        const grad = k.bwd(R, planes, h, w, p);
        for (let i = 0; i < x.length; i++) {
          const old = x[i];
          x[i] = old + eps;
          const lp = loss();
          x[i] = old - eps;
          const lm = loss();
          x[i] = old;
          expect(Math.abs(grad[i] - (lp - lm) / (2 * eps))).toBeLessThanOrEqual(1e-9);
        }
      }
    });
  }
});
