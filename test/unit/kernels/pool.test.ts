import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../helpers/mulberry';
import {
  avgPool2dBackward,
  avgPool2dForward,
  maxPool2dBackward,
  maxPool2dForward,
  poolOutputSize,
  type Pool2dGeometry,
} from '../../../engine/kernels/pool';

function geom(
  planes: number,
  h: number,
  w: number,
  k: [number, number],
  s: [number, number],
  p: [number, number],
  d: [number, number],
  ceil: boolean,
): Pool2dGeometry {
  return {
    planes,
    h,
    w,
    kH: k[0],
    kW: k[1],
    strideH: s[0],
    strideW: s[1],
    padH: p[0],
    padW: p[1],
    dilH: d[0],
    dilW: d[1],
    hOut: poolOutputSize(h, k[0], p[0], s[0], d[0], ceil),
    wOut: poolOutputSize(w, k[1], p[1], s[1], d[1], ceil),
  };
}

/** Naive max pool: walks kernel offsets, skipping positions outside the input. */
function refMax(x: Float64Array, g: Pool2dGeometry): { out: number[]; idx: number[] } {
  const out: number[] = [];
  const idx: number[] = [];
  for (let pl = 0; pl < g.planes; pl++)
    for (let oh = 0; oh < g.hOut; oh++)
      for (let ow = 0; ow < g.wOut; ow++) {
        let best = -1;
        let bestVal = -Infinity;
        for (let a = 0; a < g.kH; a++)
          for (let b = 0; b < g.kW; b++) {
            const ih = oh * g.strideH - g.padH + a * g.dilH;
            const iw = ow * g.strideW - g.padW + b * g.dilW;
            if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
            const v = x[pl * g.h * g.w + ih * g.w + iw];
            if (best < 0 || v > bestVal || Number.isNaN(v)) {
              best = ih * g.w + iw;
              bestVal = v;
            }
          }
        if (best < 0) {
          // Window holds no input cell (dilation): PyTorch reports -inf and the index of the
          // first window start advanced by whole dilation steps to be non-negative.
          const first = (start: number, d: number): number => (start < 0 ? start + Math.ceil(-start / d) * d : start);
          best = first(oh * g.strideH - g.padH, g.dilH) * g.w + first(ow * g.strideW - g.padW, g.dilW);
        }
        out.push(bestVal);
        idx.push(best);
      }
  return { out, idx };
}

/** Naive avg pool: counts window cells inside [-pad, size+pad) and inside the input. */
function refAvg(x: Float64Array, g: Pool2dGeometry, cip: boolean, dov: number | null): number[] {
  const out: number[] = [];
  for (let pl = 0; pl < g.planes; pl++)
    for (let oh = 0; oh < g.hOut; oh++)
      for (let ow = 0; ow < g.wOut; ow++) {
        let sum = 0;
        let padded = 0;
        let valid = 0;
        for (let a = 0; a < g.kH; a++)
          for (let b = 0; b < g.kW; b++) {
            const ih = oh * g.strideH - g.padH + a;
            const iw = ow * g.strideW - g.padW + b;
            if (ih < g.h + g.padH && iw < g.w + g.padW) padded++;
            if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
            valid++;
            sum += x[pl * g.h * g.w + ih * g.w + iw];
          }
        out.push(sum / (dov ?? (cip ? padded : valid)));
      }
  return out;
}

function randomArray(rand: () => number, n: number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rand() * 4 - 2;
  return a;
}

/** Central-difference gradient of L(x) = sum(gOut * f(x)). */
function fdGrad(f: (x: Float64Array) => Float64Array, x: Float64Array, gOut: Float64Array): Float64Array {
  const eps = 1e-6;
  const grad = new Float64Array(x.length);
  const dot = (y: Float64Array): number => y.reduce((s, v, i) => s + v * gOut[i], 0);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + eps;
    const up = dot(f(x));
    x[i] = keep - eps;
    const down = dot(f(x));
    x[i] = keep;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

/** Random geometry respecting pad <= k/2 and a positive output size. */
function randomGeom(rand: () => number, maxDil: number): { g: Pool2dGeometry; ceil: boolean } {
  const ri = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  for (;;) {
    const k: [number, number] = [ri(1, 4), ri(1, 4)];
    const s: [number, number] = [ri(1, 3), ri(1, 3)];
    const p: [number, number] = [ri(0, Math.floor(k[0] / 2)), ri(0, Math.floor(k[1] / 2))];
    const d: [number, number] = [ri(1, maxDil), ri(1, maxDil)];
    const ceil = rand() < 0.5;
    const g = geom(ri(1, 3), ri(1, 9), ri(1, 9), k, s, p, d, ceil);
    if (g.hOut > 0 && g.wOut > 0) return { g, ceil };
  }
}

describe('poolOutputSize', () => {
  it('matches PyTorch output sizes, including the ceil_mode last-window rule', () => {
    // rows [in, k, pad, stride, dil, ceil, out] produced by:
    // F.max_pool2d(torch.zeros(1,1,n),(1,k),(1,s),(0,p),(1,d),ceil_mode=c).shape[-1]
    const rows: [number, number, number, number, number, boolean, number][] = [
      [10, 2, 1, 2, 3, true, 5],
      [4, 1, 0, 1, 2, true, 4],
      [5, 5, 1, 1, 1, false, 3],
      [10, 4, 2, 4, 2, true, 3],
      [8, 4, 1, 2, 1, true, 4],
      [7, 2, 1, 3, 3, false, 2],
      [7, 5, 2, 4, 2, true, 2],
      [10, 3, 1, 2, 3, false, 3],
      [8, 1, 0, 2, 2, true, 4],
      [3, 4, 1, 1, 1, true, 2],
      [1, 1, 0, 3, 2, false, 1],
      [3, 2, 1, 1, 2, true, 3],
      [10, 4, 1, 4, 3, true, 2],
      [11, 5, 2, 1, 3, true, 3],
      [9, 2, 1, 3, 2, true, 4],
      [7, 3, 1, 1, 3, true, 3],
      [10, 3, 1, 3, 3, true, 3],
      [12, 2, 0, 3, 3, true, 4],
      [5, 3, 1, 1, 3, true, 1],
      [5, 5, 1, 3, 2, true, 1],
      [12, 4, 2, 4, 3, true, 3],
      [12, 5, 0, 3, 1, true, 4],
      [2, 3, 0, 4, 2, true, 1],
      [4, 1, 0, 4, 1, false, 1],
      [5, 3, 1, 4, 3, true, 1],
      [1, 2, 1, 3, 1, true, 1],
      [8, 4, 2, 1, 1, true, 9],
      [7, 5, 2, 4, 1, true, 3],
      [5, 4, 0, 4, 1, true, 2],
      [2, 3, 1, 3, 1, true, 1],
      // ceil rule decrements these (5 -> 3 not 4, 4 -> 2 not 3):
      [5, 2, 1, 2, 1, true, 3],
      [4, 2, 1, 3, 1, true, 2],
      [6, 3, 1, 2, 1, true, 4],
      [7, 3, 1, 3, 1, true, 3],
      [3, 2, 1, 2, 1, true, 2],
    ];
    for (const [n, k, p, s, d, c, o] of rows)
      expect(poolOutputSize(n, k, p, s, d, c), `${n},${k},${p},${s},${d},${c}`).toBe(o);
  });

  it('returns the too-small size PyTorch reports (input 2, kernel 5 -> -2)', () => {
    // "Given input size: (1x2x2). Calculated output size: (1x-2x-2). Output size is too small"
    expect(poolOutputSize(2, 5, 0, 1, 1, false)).toBe(-2);
  });
});

describe('maxPool2d', () => {
  it('matches a naive reference over random geometries (float64 and float32)', () => {
    const rand = mulberry32(1234);
    for (let trial = 0; trial < 300; trial++) {
      const { g } = randomGeom(rand, 3);
      const x = randomArray(rand, g.planes * g.h * g.w);
      const ref = refMax(x, g);
      const r64 = maxPool2dForward(x, g);
      expect(r64.out).toBeInstanceOf(Float64Array);
      expect(Array.from(r64.out)).toEqual(ref.out);
      expect(Array.from(r64.indices)).toEqual(ref.idx);
      const x32 = Float32Array.from(x);
      const r32 = maxPool2dForward(x32, g);
      expect(r32.out).toBeInstanceOf(Float32Array);
      expect(Array.from(r32.indices)).toEqual(ref.idx);
      expect(Array.from(r32.out)).toEqual(ref.out.map(Math.fround));
    }
  });

  it('backward matches finite differences in float64', () => {
    const rand = mulberry32(99);
    for (let trial = 0; trial < 40; trial++) {
      const { g } = randomGeom(rand, 2);
      const x = randomArray(rand, g.planes * g.h * g.w);
      const { out, indices } = maxPool2dForward(x, g);
      if (out.includes(-Infinity)) continue; // empty dilated window: not differentiable
      const gOut = randomArray(rand, out.length);
      const grad = maxPool2dBackward(gOut, indices, g);
      expect(grad).toBeInstanceOf(Float64Array);
      const fd = fdGrad((v) => maxPool2dForward(v, g).out as Float64Array, x, gOut);
      expectClose(grad, fd, 1e-6);
    }
  });

  it('picks the first maximum on ties and the last NaN, as PyTorch', () => {
    const g = geom(1, 3, 3, [2, 2], [1, 1], [0, 0], [1, 1], false);
    // x=torch.tensor([[[1.,3,3],[3,2,3],[0,3,1]]]); F.max_pool2d(x,2,1,return_indices=True)
    // -> values all 3, indices [[1,1],[3,5]]
    const tie = maxPool2dForward(new Float32Array([1, 3, 3, 3, 2, 3, 0, 3, 1]), g);
    expect(Array.from(tie.out)).toEqual([3, 3, 3, 3]);
    expect(Array.from(tie.indices)).toEqual([1, 1, 3, 5]);
    // same with x=[[1,nan,3],[nan,2,3],[0,3,1]] -> values [[nan,nan],[nan,3]], indices [[3,1],[3,5]]
    const nan = maxPool2dForward(new Float32Array([1, NaN, 3, NaN, 2, 3, 0, 3, 1]), g);
    expect(Array.from(nan.out)).toEqual([NaN, NaN, NaN, 3]);
    expect(Array.from(nan.indices)).toEqual([3, 1, 3, 5]);
  });

  it('never selects padding: an all -inf window picks its first valid cell', () => {
    // F.max_pool2d(torch.full((1,3,3),-inf),2,1,padding=1,return_indices=True)
    const g = geom(1, 3, 3, [2, 2], [1, 1], [1, 1], [1, 1], false);
    const r = maxPool2dForward(new Float64Array(9).fill(-Infinity), g);
    expect(Array.from(r.out)).toEqual(new Array<number>(16).fill(-Infinity));
    expect(Array.from(r.indices)).toEqual([0, 0, 1, 2, 0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8]);
  });

  it('reproduces PyTorch for dilated windows that hold no input cell', () => {
    // x=torch.arange(1.,3).reshape(2,1,1).requires_grad_()
    // o,i=F.max_pool2d(x,(1,2),1,(0,1),(1,2),return_indices=True)  # o=[-inf,-inf], i=[1,1]
    // o.backward(torch.tensor([10.,100]).reshape(2,1,1)); x.grad  # [0, 10]: plane 0's gradient
    // lands in plane 1 (flat offset 0*1+1); plane 1's write falls past the buffer.
    const g = geom(2, 1, 1, [1, 2], [1, 1], [0, 1], [1, 2], false);
    expect([g.hOut, g.wOut]).toEqual([1, 1]);
    const r = maxPool2dForward(new Float32Array([1, 2]), g);
    expect(Array.from(r.out)).toEqual([-Infinity, -Infinity]);
    expect(Array.from(r.indices)).toEqual([1, 1]);
    expect(Array.from(maxPool2dBackward(new Float32Array([10, 100]), r.indices, g))).toEqual([0, 10]);
    // x=torch.arange(1.,5).reshape(2,1,2); F.max_pool2d(x,(1,2),1,(0,1),(1,3),return_indices=True)
    // -> o=[-inf,-inf], i=[2,2]; backward with [10,100] -> x.grad=[[0,0],[10,0]]
    const g2 = geom(2, 1, 2, [1, 2], [1, 1], [0, 1], [1, 3], false);
    const r2 = maxPool2dForward(new Float64Array([1, 2, 3, 4]), g2);
    expect(Array.from(r2.indices)).toEqual([2, 2]);
    expect(Array.from(maxPool2dBackward(new Float64Array([10, 100]), r2.indices, g2))).toEqual([0, 0, 10, 0]);
  });

  it('matches PyTorch with dilation, padding and ceil_mode (forward and backward)', () => {
    // x=torch.tensor([float((i*37)%23-11) for i in range(2*7*6)],dtype=torch.float64)
    //   .reshape(1,2,7,6).requires_grad_()
    // o,i=F.max_pool2d(x,(3,2),(2,3),(1,1),(2,1),ceil_mode=True,return_indices=True)
    // o.backward(torch.arange(1.,o.numel()+1,dtype=torch.float64).reshape(o.shape))
    const x = Float64Array.from({ length: 84 }, (_, i) => ((i * 37) % 23) - 11);
    const g = geom(2, 7, 6, [3, 2], [2, 3], [1, 1], [2, 1], true);
    expect([g.hOut, g.wOut]).toEqual([3, 3]);
    const { out, indices } = maxPool2dForward(x, g);
    expect(Array.from(out)).toEqual([11, 9, 5, 11, 9, 5, 11, 7, -4, 1, 6, 2, 8, 6, 9, 8, 6, 9]);
    expect(Array.from(indices)).toEqual([18, 8, 11, 18, 8, 11, 18, 21, 35, 18, 20, 23, 30, 20, 35, 30, 20, 35]);
    const gOut = Float64Array.from({ length: 18 }, (_, i) => i + 1);
    const expected = new Array<number>(84).fill(0);
    const nz: [number, number][] = [
      [8, 7],
      [11, 9],
      [18, 12],
      [21, 8],
      [35, 9],
      [60, 10],
      [62, 42],
      [65, 12],
      [72, 29],
      [77, 33],
    ];
    for (const [i, v] of nz) expected[i] = v;
    expect(Array.from(maxPool2dBackward(gOut, indices, g))).toEqual(expected);
  });
});

describe('avgPool2d', () => {
  it('matches a naive reference over random geometries and divisor modes', () => {
    const rand = mulberry32(777);
    for (let trial = 0; trial < 300; trial++) {
      const { g } = randomGeom(rand, 1);
      const x = randomArray(rand, g.planes * g.h * g.w);
      const cip = rand() < 0.5;
      const dov = rand() < 0.25 ? 1 + Math.floor(rand() * 5) : null;
      const ref = refAvg(x, g, cip, dov);
      const r64 = avgPool2dForward(x, g, cip, dov);
      expect(r64).toBeInstanceOf(Float64Array);
      expectClose(r64, ref, 1e-12);
      const r32 = avgPool2dForward(Float32Array.from(x), g, cip, dov);
      expect(r32).toBeInstanceOf(Float32Array);
      expectClose(r32, ref, 1e-5);
    }
  });

  it('backward matches finite differences in float64', () => {
    const rand = mulberry32(4242);
    for (let trial = 0; trial < 40; trial++) {
      const { g } = randomGeom(rand, 1);
      const x = randomArray(rand, g.planes * g.h * g.w);
      const cip = rand() < 0.5;
      const dov = rand() < 0.25 ? 1 + Math.floor(rand() * 5) : null;
      const gOut = randomArray(rand, g.planes * g.hOut * g.wOut);
      const grad = avgPool2dBackward(gOut, g, cip, dov);
      expect(grad).toBeInstanceOf(Float64Array);
      const fd = fdGrad((v) => avgPool2dForward(v, g, cip, dov) as Float64Array, x, gOut);
      expectClose(grad, fd, 1e-6);
      expect(avgPool2dBackward(Float32Array.from(gOut), g, cip, dov)).toBeInstanceOf(Float32Array);
    }
  });

  it('uses the clipped-to-padding divisor at the ceil_mode edge (ones input)', () => {
    // F.avg_pool2d(torch.ones(1,1,5,5),3,2,padding=1,ceil_mode=True,count_include_pad=True)
    const g = geom(1, 5, 5, [3, 3], [2, 2], [1, 1], [1, 1], true);
    const ones = new Float32Array(25).fill(1);
    const a = 0.44444445,
      b = 0.66666669;
    expectClose(avgPool2dForward(ones, g, true, null), [a, b, a, b, 1, b, a, b, a], 1e-7);
    expectClose(avgPool2dForward(ones, g, false, null), new Array<number>(9).fill(1), 0);
    // divisor_override=2 -> [[2,3,2],[3,4.5,3],[2,3,2]]
    expectClose(avgPool2dForward(ones, g, true, 2), [2, 3, 2, 3, 4.5, 3, 2, 3, 2], 0);
  });

  it('matches PyTorch for each divisor mode (forward and backward)', () => {
    // x=torch.tensor([float((i*37)%23-11)/4 for i in range(2*6*5)],dtype=torch.float64).reshape(2,6,5)
    // for cip,dov in ((True,None),(False,None),(True,3)):
    //   xx=x.clone().requires_grad_()
    //   o=F.avg_pool2d(xx,3,2,1,ceil_mode=True,count_include_pad=cip,divisor_override=dov)
    //   o.backward(torch.arange(1.,o.numel()+1,dtype=torch.float64).reshape(o.shape))
    const x = Float64Array.from({ length: 60 }, (_, i) => (((i * 37) % 23) - 11) / 4);
    const g = geom(2, 6, 5, [3, 3], [2, 2], [1, 1], [1, 1], true);
    expect([g.hOut, g.wOut]).toEqual([4, 3]);
    const gOut = Float64Array.from({ length: 24 }, (_, i) => i + 1);
    const cases: [boolean, number | null, number[], number[]][] = [
      [
        true,
        null,
        [
          -0.3888888889, 0.3611111111, 0.4444444444, -0.3333333333, 0.9166666667, 0.9166666667, 0.0, 0.1388888889,
          -0.0277777778, 0.0833333333, -0.125, -0.25, 0.2777777778, 0.0833333333, -0.1666666667, 0.0277777778,
          -0.1388888889, 0.0, -0.9166666667, -0.9166666667, 0.3333333333, -0.375, -0.3333333333, 0.25,
        ],
        [
          0.1111111111, 0.3333333333, 0.2222222222, 0.5555555556, 0.3333333333, 0.5555555556, 1.3333333333,
          0.7777777778, 1.7777777778, 1.0, 0.4444444444, 1.0, 0.5555555556, 1.2222222222, 0.6666666667, 1.2222222222,
          2.6666666667, 1.4444444444, 3.1111111111, 1.6666666667, 0.7777777778, 1.6666666667, 0.8888888889,
          1.8888888889, 1.0, 2.4444444444, 5.1666666667, 2.7222222222, 5.7222222222, 3.0, 1.4444444444, 3.0,
          1.5555555556, 3.2222222222, 1.6666666667, 3.2222222222, 6.6666666667, 3.4444444444, 7.1111111111,
          3.6666666667, 1.7777777778, 3.6666666667, 1.8888888889, 3.8888888889, 2.0, 3.8888888889, 8.0, 4.1111111111,
          8.4444444444, 4.3333333333, 2.1111111111, 4.3333333333, 2.2222222222, 4.5555555556, 2.3333333333,
          5.7777777778, 11.8333333333, 6.0555555556, 12.3888888889, 6.3333333333,
        ],
      ],
      [
        false,
        null,
        [
          -0.875, 0.5416666667, 1.0, -0.5, 0.9166666667, 1.375, 0.0, 0.1388888889, -0.0416666667, 0.25, -0.25, -0.75,
          0.625, 0.125, -0.375, 0.0416666667, -0.1388888889, 0.0, -1.375, -0.9166666667, 0.5, -1.125, -0.6666666667,
          0.75,
        ],
        [
          0.25, 0.5833333333, 0.3333333333, 1.0833333333, 0.75, 0.9166666667, 1.8055555556, 0.8888888889, 2.6388888889,
          1.75, 0.6666666667, 1.2222222222, 0.5555555556, 1.5555555556, 1.0, 1.8333333333, 3.2777777778, 1.4444444444,
          3.9444444444, 2.5, 1.1666666667, 2.0555555556, 0.8888888889, 2.3888888889, 1.5, 6.1666666667, 10.7222222222,
          4.5555555556, 12.0555555556, 7.5, 3.25, 5.5833333333, 2.3333333333, 6.0833333333, 3.75, 5.9166666667,
          10.1388888889, 4.2222222222, 10.9722222222, 6.75, 2.6666666667, 4.5555555556, 1.8888888889, 4.8888888889, 3.0,
          5.8333333333, 9.9444444444, 4.1111111111, 10.6111111111, 6.5, 3.1666666667, 5.3888888889, 2.2222222222,
          5.7222222222, 3.5, 14.1666666667, 24.0555555556, 9.8888888889, 25.3888888889, 15.5,
        ],
      ],
      [
        true,
        3,
        [
          -1.1666666667, 1.0833333333, 1.3333333333, -1.0, 2.75, 2.75, 0.0, 0.4166666667, -0.0833333333, 0.1666666667,
          -0.25, -0.5, 0.8333333333, 0.25, -0.5, 0.0833333333, -0.4166666667, 0.0, -2.75, -2.75, 1.0, -0.75,
          -0.6666666667, 0.5,
        ],
        [
          0.3333333333, 1.0, 0.6666666667, 1.6666666667, 1.0, 1.6666666667, 4.0, 2.3333333333, 5.3333333333, 3.0,
          1.3333333333, 3.0, 1.6666666667, 3.6666666667, 2.0, 3.6666666667, 8.0, 4.3333333333, 9.3333333333, 5.0,
          2.3333333333, 5.0, 2.6666666667, 5.6666666667, 3.0, 5.6666666667, 12.0, 6.3333333333, 13.3333333333, 7.0,
          4.3333333333, 9.0, 4.6666666667, 9.6666666667, 5.0, 9.6666666667, 20.0, 10.3333333333, 21.3333333333, 11.0,
          5.3333333333, 11.0, 5.6666666667, 11.6666666667, 6.0, 11.6666666667, 24.0, 12.3333333333, 25.3333333333, 13.0,
          6.3333333333, 13.0, 6.6666666667, 13.6666666667, 7.0, 13.6666666667, 28.0, 14.3333333333, 29.3333333333, 15.0,
        ],
      ],
    ];
    for (const [cip, dov, fwd, bwd] of cases) {
      expectClose(avgPool2dForward(x, g, cip, dov), fwd, 1e-9);
      expectClose(avgPool2dBackward(gOut, g, cip, dov), bwd, 1e-9);
    }
  });
});
