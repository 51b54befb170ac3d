import { describe, it, expect } from 'vitest';
import {
  convOutputSize,
  conv2dForward,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  conv2dBackwardBias,
  type Conv2dGeometry,
} from '../../../engine/kernels/conv2d';
import type { FloatArray } from '../../../engine/core/dtype';
import { mulberry32, randInt, randArr } from '../../helpers/mulberry';

function geom(p: Omit<Conv2dGeometry, 'hOut' | 'wOut'>): Conv2dGeometry {
  return {
    ...p,
    hOut: convOutputSize(p.h, p.kH, p.strideH, p.padH, p.dilH),
    wOut: convOutputSize(p.w, p.kW, p.strideW, p.padW, p.dilW),
  };
}

function randomGeometry(r: () => number): Conv2dGeometry {
  const groups = [1, 2, 3][randInt(r, 0, 2)];
  const kH = randInt(r, 1, 4),
    kW = randInt(r, 1, 4);
  const strideH = randInt(r, 1, 3),
    strideW = randInt(r, 1, 3);
  const padH = randInt(r, 0, 2),
    padW = randInt(r, 0, 2);
  const dilH = randInt(r, 1, 3),
    dilW = randInt(r, 1, 3);
  const minH = Math.max(1, dilH * (kH - 1) + 1 - 2 * padH);
  const minW = Math.max(1, dilW * (kW - 1) + 1 - 2 * padW);
  return geom({
    n: randInt(r, 1, 2),
    cIn: groups * randInt(r, 1, 3),
    cOut: groups * randInt(r, 1, 3),
    h: minH + randInt(r, 0, 5),
    w: minW + randInt(r, 0, 5),
    kH,
    kW,
    strideH,
    strideW,
    padH,
    padW,
    dilH,
    dilW,
    groups,
  });
}

/** Naive reference: 7 nested loops, indices by formula. */
function refForward(x: Float64Array, wt: Float64Array, bias: Float64Array | null, g: Conv2dGeometry): Float64Array {
  const cInG = g.cIn / g.groups,
    cOutG = g.cOut / g.groups;
  const out = new Float64Array(g.n * g.cOut * g.hOut * g.wOut);
  for (let b = 0; b < g.n; b++)
    for (let oc = 0; oc < g.cOut; oc++)
      for (let oh = 0; oh < g.hOut; oh++)
        for (let ow = 0; ow < g.wOut; ow++) {
          let s = 0;
          const grp = Math.floor(oc / cOutG);
          for (let ic = 0; ic < cInG; ic++)
            for (let kh = 0; kh < g.kH; kh++)
              for (let kw = 0; kw < g.kW; kw++) {
                const ih = oh * g.strideH - g.padH + kh * g.dilH;
                const iw = ow * g.strideW - g.padW + kw * g.dilW;
                if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
                const c = grp * cInG + ic;
                s += x[((b * g.cIn + c) * g.h + ih) * g.w + iw] * wt[((oc * cInG + ic) * g.kH + kh) * g.kW + kw];
              }
          out[((b * g.cOut + oc) * g.hOut + oh) * g.wOut + ow] = s + (bias ? bias[oc] : 0);
        }
  return out;
}

/** Naive reference backward: scatter every (output, tap) pair. */
function refBackward(go: Float64Array, x: Float64Array, wt: Float64Array, g: Conv2dGeometry) {
  const cInG = g.cIn / g.groups,
    cOutG = g.cOut / g.groups;
  const gx = new Float64Array(x.length),
    gw = new Float64Array(wt.length),
    gb = new Float64Array(g.cOut);
  for (let b = 0; b < g.n; b++)
    for (let oc = 0; oc < g.cOut; oc++)
      for (let oh = 0; oh < g.hOut; oh++)
        for (let ow = 0; ow < g.wOut; ow++) {
          const gv = go[((b * g.cOut + oc) * g.hOut + oh) * g.wOut + ow];
          gb[oc] += gv;
          const grp = Math.floor(oc / cOutG);
          for (let ic = 0; ic < cInG; ic++)
            for (let kh = 0; kh < g.kH; kh++)
              for (let kw = 0; kw < g.kW; kw++) {
                const ih = oh * g.strideH - g.padH + kh * g.dilH;
                const iw = ow * g.strideW - g.padW + kw * g.dilW;
                if (ih < 0 || ih >= g.h || iw < 0 || iw >= g.w) continue;
                const xi = ((b * g.cIn + grp * cInG + ic) * g.h + ih) * g.w + iw;
                const wi = ((oc * cInG + ic) * g.kH + kh) * g.kW + kw;
                gx[xi] += gv * wt[wi];
                gw[wi] += gv * x[xi];
              }
        }
  return { gx, gw, gb };
}

function expectClose(actual: FloatArray, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]) / (1 + Math.abs(expected[i]));
    if (!(err <= worst)) worst = err;
  }
  expect(worst).toBeLessThanOrEqual(tol);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

describe('convOutputSize', () => {
  it('matches PyTorch formula', () => {
    expect(convOutputSize(3, 2, 1, 0, 1)).toBe(2);
    expect(convOutputSize(3, 2, 2, 1, 1)).toBe(2);
    expect(convOutputSize(3, 2, 1, 0, 2)).toBe(1);
    expect(convOutputSize(7, 3, 2, 1, 1)).toBe(4);
    expect(convOutputSize(224, 7, 2, 3, 1)).toBe(112);
  });
});

describe('conv2d hand-computed cases', () => {
  // x = [[1,2,3],[4,5,6],[7,8,9]], w = [[1,2],[3,4]]
  const x = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const w = Float64Array.from([1, 2, 3, 4]);
  const base = { n: 1, cIn: 1, h: 3, w: 3, cOut: 1, kH: 2, kW: 2, groups: 1 };

  it('stride 1, no padding, bias 0.5', () => {
    // out00 = 1*1+2*2+4*3+5*4 = 37; out01 = 2+6+15+24 = 47
    // out10 = 4+10+21+32 = 67;     out11 = 5+12+24+36 = 77; then + 0.5
    const g = geom({ ...base, strideH: 1, strideW: 1, padH: 0, padW: 0, dilH: 1, dilW: 1 });
    expect(Array.from(conv2dForward(x, w, Float64Array.of(0.5), g))).toEqual([37.5, 47.5, 67.5, 77.5]);
    // gradOut = ones: gradIn is the "full" correlation of ones with w
    const go = Float64Array.from([1, 1, 1, 1]);
    expect(Array.from(conv2dBackwardInput(go, w, g))).toEqual([1, 3, 2, 4, 10, 6, 3, 7, 4]);
    // gradW[kh,kw] = sum of the 2x2 window of x at offset (kh,kw): 1+2+4+5, 2+3+5+6, 4+5+7+8, 5+6+8+9
    expect(Array.from(conv2dBackwardWeight(go, x, g))).toEqual([12, 16, 24, 28]);
    expect(Array.from(conv2dBackwardBias(go, g))).toEqual([4]);
  });

  it('stride 2, padding 1', () => {
    // taps (ih, iw) = (2*oh-1+kh, 2*ow-1+kw)
    // out00: only x[0,0]*w[1,1] = 4;   out01: x[0,1]*w[1,0] + x[0,2]*w[1,1] = 6+12 = 18
    // out10: x[1,0]*w[0,1] + x[2,0]*w[1,1] = 8+28 = 36; out11: 5*1+6*2+8*3+9*4 = 77
    const g = geom({ ...base, strideH: 2, strideW: 2, padH: 1, padW: 1, dilH: 1, dilW: 1 });
    expect([g.hOut, g.wOut]).toEqual([2, 2]);
    expect(Array.from(conv2dForward(x, w, null, g))).toEqual([4, 18, 36, 77]);
  });

  it('dilation 2', () => {
    // single output: x00*1 + x02*2 + x20*3 + x22*4 = 1 + 6 + 21 + 36 = 64
    const g = geom({ ...base, strideH: 1, strideW: 1, padH: 0, padW: 0, dilH: 2, dilW: 2 });
    expect(Array.from(conv2dForward(x, w, null, g))).toEqual([64]);
  });

  it('groups = 2 keeps channels separate', () => {
    // 2 input channels, 2 output channels, 1x1 kernels [2] and [3]: out = [2*x0, 3*x1]
    const g = geom({
      n: 1,
      cIn: 2,
      h: 1,
      w: 2,
      cOut: 2,
      kH: 1,
      kW: 1,
      groups: 2,
      strideH: 1,
      strideW: 1,
      padH: 0,
      padW: 0,
      dilH: 1,
      dilW: 1,
    });
    const out = conv2dForward(Float64Array.from([1, 2, 10, 20]), Float64Array.from([2, 3]), null, g);
    expect(Array.from(out)).toEqual([2, 4, 30, 60]);
  });
});

describe('conv2d vs naive reference (random geometries)', () => {
  it('float64 forward/backward match to 1e-12', () => {
    const r = mulberry32(1234);
    for (let t = 0; t < 300; t++) {
      const g = randomGeometry(r);
      const x = randArr(r, g.n * g.cIn * g.h * g.w);
      const wt = randArr(r, ((g.cOut * g.cIn) / g.groups) * g.kH * g.kW);
      const bias = t % 3 === 0 ? null : randArr(r, g.cOut);
      const out = conv2dForward(x, wt, bias, g);
      expect(out).toBeInstanceOf(Float64Array);
      expectClose(out, refForward(x, wt, bias, g), 1e-12);
      const go = randArr(r, out.length);
      const ref = refBackward(go, x, wt, g);
      const gx = conv2dBackwardInput(go, wt, g);
      const gw = conv2dBackwardWeight(go, x, g);
      const gb = conv2dBackwardBias(go, g);
      expect(gx).toBeInstanceOf(Float64Array);
      expectClose(gx, ref.gx, 1e-12);
      expectClose(gw, ref.gw, 1e-12);
      expectClose(gb, ref.gb, 1e-12);
    }
  });

  it('float32 inputs give float32 outputs close to the float64 reference', () => {
    const r = mulberry32(99);
    for (let t = 0; t < 100; t++) {
      const g = randomGeometry(r);
      const x = Float32Array.from(randArr(r, g.n * g.cIn * g.h * g.w));
      const wt = Float32Array.from(randArr(r, ((g.cOut * g.cIn) / g.groups) * g.kH * g.kW));
      const bias = Float32Array.from(randArr(r, g.cOut));
      const x64 = Float64Array.from(x),
        w64 = Float64Array.from(wt),
        b64 = Float64Array.from(bias);
      const out = conv2dForward(x, wt, bias, g);
      expect(out).toBeInstanceOf(Float32Array);
      // single rounding of a float64 sum: each element within half an ulp of the float64 result
      expectClose(out, refForward(x64, w64, b64, g), 1e-6);
      const go = Float32Array.from(randArr(r, out.length));
      const ref = refBackward(Float64Array.from(go), x64, w64, g);
      const gx = conv2dBackwardInput(go, wt, g);
      const gw = conv2dBackwardWeight(go, x, g);
      const gb = conv2dBackwardBias(go, g);
      for (const a of [gx, gw, gb]) expect(a).toBeInstanceOf(Float32Array);
      expectClose(gx, ref.gx, 1e-6);
      expectClose(gw, ref.gw, 1e-6);
      expectClose(gb, ref.gb, 1e-6);
    }
  });

  it('a larger case exercises the GEMM blocking', () => {
    const r = mulberry32(7);
    const g = geom({
      n: 2,
      cIn: 12,
      h: 30,
      w: 31,
      cOut: 10,
      kH: 3,
      kW: 3,
      groups: 2,
      strideH: 1,
      strideW: 1,
      padH: 1,
      padW: 1,
      dilH: 1,
      dilW: 1,
    });
    const x = randArr(r, g.n * g.cIn * g.h * g.w);
    const wt = randArr(r, ((g.cOut * g.cIn) / g.groups) * g.kH * g.kW);
    const bias = randArr(r, g.cOut);
    expectClose(conv2dForward(x, wt, bias, g), refForward(x, wt, bias, g), 1e-12);
    const go = randArr(r, g.n * g.cOut * g.hOut * g.wOut);
    const ref = refBackward(go, x, wt, g);
    expectClose(conv2dBackwardInput(go, wt, g), ref.gx, 1e-12);
    expectClose(conv2dBackwardWeight(go, x, g), ref.gw, 1e-12);
  });
});

describe('conv2d backward is the gradient (finite differences, float64)', () => {
  it('d/dx, d/dw, d/db of sum(conv(x, w, b) * R)', () => {
    const r = mulberry32(2024);
    const eps = 1e-4;
    for (let t = 0; t < 25; t++) {
      const g = randomGeometry(r);
      const x = randArr(r, g.n * g.cIn * g.h * g.w);
      const wt = randArr(r, ((g.cOut * g.cIn) / g.groups) * g.kH * g.kW);
      const bias = randArr(r, g.cOut);
      const R = randArr(r, g.n * g.cOut * g.hOut * g.wOut);
      const loss = (): number => dot(conv2dForward(x, wt, bias, g), R);
      const fd = (v: Float64Array): Float64Array => {
        const grad = new Float64Array(v.length);
        for (let i = 0; i < v.length; i++) {
          const old = v[i];
          v[i] = old + eps;
          const lp = loss();
          v[i] = old - eps;
          const lm = loss();
          v[i] = old;
          grad[i] = (lp - lm) / (2 * eps);
        }
        return grad;
      };
      expectClose(conv2dBackwardInput(R, wt, g), fd(x), 1e-8);
      expectClose(conv2dBackwardWeight(R, x, g), fd(wt), 1e-8);
      expectClose(conv2dBackwardBias(R, g), fd(bias), 1e-8);
    }
  });
});
