import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../helpers/mulberry';
import {
  logSoftmaxBackward,
  logSoftmaxForward,
  softmaxBackward,
  softmaxForward,
} from '../../../engine/kernels/softmax';

function randomArray(rand: () => number, n: number, scale = 3): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = (rand() * 2 - 1) * scale;
  return a;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

/** Naive softmax via explicit index arithmetic and per-slice arrays (no max shift for small inputs). */
function refSoftmax(x: Float64Array, outer: number, dim: number, inner: number, log: boolean): Float64Array {
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      const at = (d: number): number => (o * dim + d) * inner + j;
      let z = 0;
      for (let d = 0; d < dim; d++) z += Math.exp(x[at(d)]);
      for (let d = 0; d < dim; d++) out[at(d)] = log ? x[at(d)] - Math.log(z) : Math.exp(x[at(d)]) / z;
    }
  return out;
}

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

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 5, 1],
  [3, 4, 1],
  [2, 3, 5],
  [1, 6, 4],
  [4, 1, 3],
  [2, 7, 2],
];

describe('softmax / logSoftmax forward', () => {
  it('match a naive reference for every [outer, dim, inner] layout (float64 and float32)', () => {
    const rand = mulberry32(2024);
    for (const [outer, dim, inner] of shapes) {
      const x = randomArray(rand, outer * dim * inner);
      for (const log of [false, true]) {
        const fn = log ? logSoftmaxForward : softmaxForward;
        const ref = refSoftmax(x, outer, dim, inner, log);
        const y64 = fn(x, outer, dim, inner);
        expect(y64).toBeInstanceOf(Float64Array);
        expectClose(y64, ref, 1e-12);
        const y32 = fn(Float32Array.from(x), outer, dim, inner);
        expect(y32).toBeInstanceOf(Float32Array);
        expectClose(y32, ref, 1e-5);
      }
    }
  });

  it('are stable for large inputs (max-subtracted)', () => {
    const x = new Float64Array([1000, 1001, 1002, -1000, -1001, -1002]);
    const shifted = new Float64Array([0, 1, 2, 0, -1, -2]);
    expectClose(softmaxForward(x, 2, 3, 1), refSoftmax(shifted, 2, 3, 1, false), 1e-12);
    expectClose(logSoftmaxForward(x, 2, 3, 1), refSoftmax(shifted, 2, 3, 1, true), 1e-12);
    const y = softmaxForward(new Float32Array([1e30, 0]), 1, 2, 1);
    expect(Array.from(y)).toEqual([1, 0]);
  });

  it('match PyTorch (dim=1 of a [2,3,2] tensor, forward and backward)', () => {
    // x=torch.tensor([0.5,-1.0,2.0,0.25,3.0,-0.75,1.5,0.0,-2.0,1.0,0.125,-0.5],dtype=torch.float64).reshape(2,3,2)
    // g=torch.tensor([1.0,-2.0,0.5,3.0,-1.0,0.25,2.0,1.5,-0.5,-3.0,1.0,0.75],dtype=torch.float64).reshape(2,3,2)
    // for fn in (torch.softmax, torch.log_softmax):
    //   xx=x.clone().requires_grad_(); y=fn(xx,1); y.backward(g); print(y.flatten(), xx.grad.flatten())
    const x = new Float64Array([0.5, -1.0, 2.0, 0.25, 3.0, -0.75, 1.5, 0.0, -2.0, 1.0, 0.125, -0.5]);
    const g = new Float64Array([1.0, -2.0, 0.5, 3.0, -1.0, 0.25, 2.0, 1.5, -0.5, -3.0, 1.0, 0.75]);
    const sm = softmaxForward(x, 2, 3, 2);
    expectClose(
      sm,
      [
        0.05661173224, 0.173179114183, 0.253716181635, 0.604454501567, 0.689672086125, 0.22236638425, 0.779400762558,
        0.231223897622, 0.023535863667, 0.628531719212, 0.197063373775, 0.140244383166,
      ],
      1e-11,
    );
    expectClose(
      softmaxBackward(g, sm, 2, 3, 2),
      [
        0.085268719217, -0.610040205985, 0.255289796138, 0.893022971108, -0.340558515354, -0.282982765123,
        0.199451019016, 0.6783128822, -0.052816760271, -0.984547154758, -0.146634258744, 0.306234272558,
      ],
      1e-11,
    );
    const ls = logSoftmaxForward(x, 2, 3, 2);
    expectClose(
      ls,
      [
        -2.871539031853, -1.753428877985, -1.371539031853, -0.503428877985, -0.371539031853, -1.503428877985,
        -0.249229907687, -1.464368784108, -3.749229907687, -0.464368784108, -1.624229907687, -1.964368784108,
      ],
      1e-11,
    );
    expectClose(
      logSoftmaxBackward(g, ls, 2, 3, 2),
      [
        0.97169413388, -2.216473892728, 0.373141909182, 2.244431873041, -1.344836043062, -0.027957980313,
        0.051498093604, 1.673417923217, -0.558839659167, -2.528601210591, 0.507341565562, 0.855183287375,
      ],
      1e-11,
    );
  });

  it('follow PyTorch NaN / infinity rules', () => {
    // torch.softmax(torch.tensor([[1.,inf,2],[-inf,-inf,-inf],[1,nan,2],[-inf,0,1],[inf,inf,0]]),1)
    //  -> rows 0,1,2,4 all nan; row 3 = [0, 0.2689, 0.7311]
    // torch.log_softmax(same,1) -> rows 0,1,2,4 all nan; row 3 = [-inf, -1.3133, -0.3133]
    const I = Infinity;
    const x = new Float32Array([1, I, 2, -I, -I, -I, 1, NaN, 2, -I, 0, 1, I, I, 0]);
    const sm = softmaxForward(x, 5, 3, 1);
    const ls = logSoftmaxForward(x, 5, 3, 1);
    for (const row of [0, 1, 2, 4]) {
      for (let d = 0; d < 3; d++) {
        expect(sm[row * 3 + d]).toBeNaN();
        expect(ls[row * 3 + d]).toBeNaN();
      }
    }
    expectClose(sm.subarray(9, 12), [0, 0.2689414, 0.7310586], 1e-6);
    expect(ls[9]).toBe(-Infinity);
    expectClose(ls.subarray(10, 12), [-1.3132617, -0.3132617], 1e-6);
    // same along dim 0 of the transposed tensor (inner = 5)
    const xt = new Float32Array(15);
    for (let r = 0; r < 5; r++) for (let d = 0; d < 3; d++) xt[d * 5 + r] = x[r * 3 + d];
    const smT = softmaxForward(xt, 1, 3, 5);
    for (let r = 0; r < 5; r++) for (let d = 0; d < 3; d++) expect(Object.is(smT[d * 5 + r], sm[r * 3 + d])).toBe(true);
  });

  it('backward with a -inf log-prob matches PyTorch', () => {
    // x=torch.tensor([[-inf,0.,1.]],dtype=torch.float64,requires_grad=True)
    // y=torch.log_softmax(x,1); y.backward(torch.tensor([[1.,2,3]],dtype=torch.float64))
    // -> x.grad = [1.0, 0.3863514717800294, -1.3863514717800294]
    // softmax instead -> [-0.0, -0.19661193324148196, 0.1966119332414816]
    const x = new Float64Array([-Infinity, 0, 1]);
    const g = new Float64Array([1, 2, 3]);
    const gl = logSoftmaxBackward(g, logSoftmaxForward(x, 1, 3, 1), 1, 3, 1);
    expectClose(gl, [1, 0.3863514717800294, -1.3863514717800294], 1e-14);
    const gs = softmaxBackward(g, softmaxForward(x, 1, 3, 1), 1, 3, 1);
    expectClose(gs, [0, -0.19661193324148196, 0.1966119332414816], 1e-14);
    expect(Object.is(gs[0], -0)).toBe(true);
  });
});

describe('softmax / logSoftmax backward', () => {
  it('match finite differences in float64 for every layout', () => {
    const rand = mulberry32(77);
    for (const [outer, dim, inner] of shapes) {
      const n = outer * dim * inner;
      const x = randomArray(rand, n);
      const gOut = randomArray(rand, n, 1);
      const sm = softmaxForward(x, outer, dim, inner);
      const gs = softmaxBackward(gOut, sm, outer, dim, inner);
      expect(gs).toBeInstanceOf(Float64Array);
      expectClose(
        gs,
        fdGrad((v) => softmaxForward(v, outer, dim, inner) as Float64Array, x, gOut),
        1e-7,
      );
      const ls = logSoftmaxForward(x, outer, dim, inner);
      const gl = logSoftmaxBackward(gOut, ls, outer, dim, inner);
      expect(gl).toBeInstanceOf(Float64Array);
      expectClose(
        gl,
        fdGrad((v) => logSoftmaxForward(v, outer, dim, inner) as Float64Array, x, gOut),
        1e-7,
      );
      const g32 = softmaxBackward(Float32Array.from(gOut), Float32Array.from(sm), outer, dim, inner);
      expect(g32).toBeInstanceOf(Float32Array);
      expectClose(g32, gs, 1e-5);
      const l32 = logSoftmaxBackward(Float32Array.from(gOut), Float32Array.from(ls), outer, dim, inner);
      expect(l32).toBeInstanceOf(Float32Array);
      expectClose(l32, gl, 1e-5);
    }
  });
});
