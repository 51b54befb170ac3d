import { describe, expect, it } from 'vitest';
import { checkNllTargets, nllLossBackward, nllLossForward, type Reduction } from '../../../engine/kernels/nll';
import { mulberry32 } from '../../helpers/mulberry';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `index ${i}: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

/** Naive NLL: per-element terms via explicit [b, t, s] indexing. */
function refNll(
  x: Float64Array,
  t: Float64Array,
  w: Float64Array | null,
  n: number,
  c: number,
  sp: number,
  red: Reduction,
  ignore: number,
): number[] {
  const terms: number[] = [];
  let tw = 0;
  for (let b = 0; b < n; b++)
    for (let s = 0; s < sp; s++) {
      const cls = t[b * sp + s];
      if (cls === ignore) {
        terms.push(0);
        continue;
      }
      const wt = w ? w[cls] : 1;
      terms.push(-wt * x[(b * c + cls) * sp + s]);
      tw += wt;
    }
  if (red === 'none') return terms;
  const sum = terms.reduce((a, v) => a + v, 0);
  return [red === 'sum' ? sum : sum / tw];
}

const reductions: Reduction[] = ['none', 'mean', 'sum'];

describe('checkNllTargets', () => {
  it('reports PyTorch messages for the first bad non-ignored target', () => {
    // F.nll_loss(torch.randn(3,4).log_softmax(1), torch.tensor(t), ignore_index=ii) raises
    // IndexError('Target 5 is out of bounds.') for t=[0,5,1], ii=-100; passes for ii=5;
    // 'Target -1 is out of bounds.' for t=[0,-1,1] unless ii=-1;
    // 'Target -100 is out of bounds.' for t=[0,-100,1] with ii=5 (no implicit -100 ignore).
    expect(checkNllTargets(new Float64Array([0, 5, 1]), 4, -100)).toBe('Target 5 is out of bounds.');
    expect(checkNllTargets(new Float64Array([0, 5, 1]), 4, 5)).toBeNull();
    expect(checkNllTargets(new Float64Array([0, -1, 1]), 4, -100)).toBe('Target -1 is out of bounds.');
    expect(checkNllTargets(new Float64Array([0, -1, 1]), 4, -1)).toBeNull();
    expect(checkNllTargets(new Float64Array([4, 0, 0]), 4, -100)).toBe('Target 4 is out of bounds.');
    expect(checkNllTargets(new Float64Array([0, -100, 1]), 4, -100)).toBeNull();
    expect(checkNllTargets(new Float64Array([0, -100, 1]), 4, 5)).toBe('Target -100 is out of bounds.');
  });

  it('scans row-major, like PyTorch for every reduction', () => {
    // t=torch.zeros(64,dtype=torch.long); t[5]=9; t[60]=-7 -> 'Target 9 is out of bounds.' (all reductions)
    const t = new Float64Array(64);
    t[5] = 9;
    t[60] = -7;
    expect(checkNllTargets(t, 4, -100)).toBe('Target 9 is out of bounds.');
    // spatial: t=torch.zeros(2,3,3,dtype=torch.long); t[0,1,1]=7; t[1,0,0]=-3 -> 'Target 7 ...';
    // with ignore_index=7 -> 'Target -3 is out of bounds.'
    const t2 = new Float64Array(18);
    t2[4] = 7;
    t2[9] = -3;
    expect(checkNllTargets(t2, 4, -100)).toBe('Target 7 is out of bounds.');
    expect(checkNllTargets(t2, 4, 7)).toBe('Target -3 is out of bounds.');
  });
});

describe('nllLoss', () => {
  it('matches PyTorch on spatial input with weight and ignore_index (every reduction)', () => {
    // x=torch.tensor([0.5,-1.0,2.0,0.25,3.0,-0.75,1.5,0.0,-2.0,1.0,0.125,-0.5],dtype=torch.float64).reshape(2,3,2)
    // lp=torch.log_softmax(x,1); t=torch.tensor([[2,-1],[0,1]]); w=torch.tensor([0.5,2.0,1.5],dtype=torch.float64)
    // for r in ('none','mean','sum'):
    //   xx=lp.clone().requires_grad_(); y=F.nll_loss(xx,t,weight=w,ignore_index=-1,reduction=r)
    //   go=torch.tensor([[1.0,-2.0],[0.5,3.0]],dtype=torch.float64) if r=='none' else torch.tensor(1.5,dtype=torch.float64)
    //   y.backward(go); print(y.flatten(), xx.grad.flatten())
    const lp = new Float64Array([
      -2.871539031853, -1.753428877985, -1.371539031853, -0.503428877985, -0.371539031853, -1.503428877985,
      -0.249229907687, -1.464368784108, -3.749229907687, -0.464368784108, -1.624229907687, -1.964368784108,
    ]);
    const t = new Float64Array([2, -1, 0, 1]);
    const w = new Float64Array([0.5, 2.0, 1.5]);
    const cases: [Reduction, number[], number[], number[]][] = [
      [
        'none',
        [1, -2, 0.5, 3],
        [0.557308547779, 0.0, 0.124614953843, 0.928737568216],
        [0, 0, 0, 0, -1.5, 0, -0.25, 0, 0, -6.0, 0, 0],
      ],
      ['mean', [1.5], [0.40266526746], [0, 0, 0, 0, -0.5625, 0, -0.1875, 0, 0, -0.75, 0, 0]],
      ['sum', [1.5], [1.610661069838], [0, 0, 0, 0, -2.25, 0, -0.75, 0, 0, -3.0, 0, 0]],
    ];
    for (const [red, go, fwd, bwd] of cases) {
      const { out, totalWeight } = nllLossForward(lp, t, w, 2, 3, 2, red, -1);
      expect(out).toBeInstanceOf(Float64Array);
      expectClose(out, fwd, 1e-11);
      expect(totalWeight).toBe(red === 'none' ? 0 : 4);
      const g = nllLossBackward(new Float64Array(go), t, w, 2, 3, 2, red, -1, totalWeight, lp);
      expect(g).toBeInstanceOf(Float64Array);
      expectClose(g, bwd, 1e-15);
    }
  });

  it('matches a naive reference and finite differences (random sweep, float64)', () => {
    const rand = mulberry32(31337);
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(rand() * 4);
      const c = 1 + Math.floor(rand() * 5);
      const sp = 1 + Math.floor(rand() * 3);
      const ignore = rand() < 0.5 ? -100 : Math.floor(rand() * c);
      const x = Float64Array.from({ length: n * c * sp }, () => rand() * 4 - 3);
      const t = Float64Array.from({ length: n * sp }, () => (rand() < 0.2 ? ignore : Math.floor(rand() * c)));
      const w = rand() < 0.5 ? null : Float64Array.from({ length: c }, () => 0.1 + rand() * 2);
      expect(checkNllTargets(t, c, ignore)).toBeNull();
      for (const red of reductions) {
        const ref = refNll(x, t, w, n, c, sp, red, ignore);
        const { out, totalWeight } = nllLossForward(x, t, w, n, c, sp, red, ignore);
        if (Number.isNaN(ref[0]) && red === 'mean') {
          expect(out[0]).toBeNaN();
          continue;
        }
        expectClose(out, ref, 1e-12);
        const gOut = Float64Array.from({ length: out.length }, () => rand() * 2 - 1);
        const grad = nllLossBackward(gOut, t, w, n, c, sp, red, ignore, totalWeight, x);
        const eps = 1e-6;
        const dot = (v: Float64Array): number =>
          refNll(v, t, w, n, c, sp, red, ignore).reduce((a, y, i) => a + y * gOut[i], 0);
        for (let i = 0; i < x.length; i++) {
          const keep = x[i];
          x[i] = keep + eps;
          const up = dot(x);
          x[i] = keep - eps;
          const down = dot(x);
          x[i] = keep;
          expect(Math.abs(grad[i] - (up - down) / (2 * eps))).toBeLessThan(1e-7);
        }
      }
    }
  });

  it('gives NaN for mean with zero total weight, as PyTorch 1.13', () => {
    // F.nll_loss(x, torch.tensor([1,1,1]), ignore_index=1) -> nan; x.grad all 0
    const x = Float64Array.from({ length: 12 }, (_, i) => -0.1 * i);
    const t = new Float64Array([1, 1, 1]);
    const all = nllLossForward(x, t, null, 3, 4, 1, 'mean', 1);
    expect(all.out[0]).toBeNaN();
    expect(all.totalWeight).toBe(0);
    expect(Array.from(nllLossBackward(new Float64Array([1]), t, null, 3, 4, 1, 'mean', 1, 0, x))).toEqual(
      new Array<number>(12).fill(0),
    );
    // F.nll_loss(x, torch.tensor([1,1,2]), weight=torch.tensor([1.,0,0,1])) -> nan;
    // x.grad = [[0,nan,0,0],[0,nan,0,0],[0,0,nan,0]]
    const t2 = new Float64Array([1, 1, 2]);
    const w = new Float32Array([1, 0, 0, 1]);
    const x32 = Float32Array.from(x);
    const zw = nllLossForward(x32, t2, w, 3, 4, 1, 'mean', -100);
    expect(zw.out).toBeInstanceOf(Float32Array);
    expect(zw.out[0]).toBeNaN();
    const g = nllLossBackward(new Float32Array([1]), t2, w, 3, 4, 1, 'mean', -100, zw.totalWeight, x32);
    expect(g).toBeInstanceOf(Float32Array);
    for (let i = 0; i < 12; i++) {
      if (i === 1 || i === 5 || i === 10) expect(g[i]).toBeNaN();
      else expect(g[i]).toBe(0);
    }
    // empty batch: F.nll_loss(torch.randn(0,3), torch.zeros(0,dtype=torch.long)) -> nan; sum -> 0
    const e = new Float64Array(0);
    expect(nllLossForward(e, e, null, 0, 3, 1, 'mean', -100).out[0]).toBeNaN();
    expect(nllLossForward(e, e, null, 0, 3, 1, 'sum', -100).out[0]).toBe(0);
  });

  it('gives +-inf when weights cancel to a zero total (PyTorch: loss -inf, grad [[-inf,0],[0,inf]])', () => {
    // x=torch.tensor([[0.5,0.1],[0.2,0.3]],requires_grad=True)
    // l=F.nll_loss(x,torch.tensor([0,1]),weight=torch.tensor([1.,-1.])); l.backward()
    const x = new Float32Array([0.5, 0.1, 0.2, 0.3]);
    const t = new Float64Array([0, 1]);
    const w = new Float32Array([1, -1]);
    const r = nllLossForward(x, t, w, 2, 2, 1, 'mean', -100);
    expect(r.out[0]).toBe(-Infinity);
    const g = nllLossBackward(new Float32Array([1]), t, w, 2, 2, 1, 'mean', -100, r.totalWeight, x);
    expect(Array.from(g)).toEqual([-Infinity, 0, 0, Infinity]);
  });

  it('float32 input keeps float32 outputs and agrees with float64', () => {
    const rand = mulberry32(5);
    const n = 3,
      c = 4,
      sp = 5;
    const x = Float64Array.from({ length: n * c * sp }, () => rand() * 4 - 3);
    const t = Float64Array.from({ length: n * sp }, () => Math.floor(rand() * c));
    t[3] = -100;
    const w = Float64Array.from({ length: c }, () => 0.5 + rand());
    for (const red of reductions) {
      const r64 = nllLossForward(x, t, w, n, c, sp, red, -100);
      const r32 = nllLossForward(Float32Array.from(x), t, Float32Array.from(w), n, c, sp, red, -100);
      expect(r32.out).toBeInstanceOf(Float32Array);
      expectClose(r32.out, r64.out, 1e-5);
      const go = Float64Array.from({ length: r64.out.length }, () => rand());
      const g64 = nllLossBackward(go, t, w, n, c, sp, red, -100, r64.totalWeight, x);
      const g32 = nllLossBackward(
        Float32Array.from(go),
        t,
        Float32Array.from(w),
        n,
        c,
        sp,
        red,
        -100,
        r32.totalWeight,
        Float32Array.from(x),
      );
      expect(g32).toBeInstanceOf(Float32Array);
      expectClose(g32, g64, 1e-5);
    }
  });
});
