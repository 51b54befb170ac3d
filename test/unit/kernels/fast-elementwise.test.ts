/**
 * The WebAssembly SIMD `+ - * /` (build/wasm/src/elementwise.c) against the
 * TypeScript kernels, bit for bit: same-shape operands, a scalar on either
 * side, scalars that are not floats (applied in double), special values, and
 * sizes on both sides of the threshold. A spy checks that the fast path was
 * taken (and returned a result).
 *
 * Needs build/wasm/out/kernels.wasm (`node build/wasm/build.mjs`).
 */
import { describe, expect, it } from 'vitest';
import { setFastKernelsEnabled } from '../../../engine/kernels/fast/index';
import {
  ARITH_FAST_MIN,
  binaryOp,
  divScalarArray,
  negArray,
  scalarOp,
  type BinaryOp,
} from '../../../engine/kernels/elementwise';
import { fastKernelSuite } from '../../helpers/fast-kernels';
import { mulberry32 } from '../../helpers/mulberry';

const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div'];

/** Runs `f` on the TypeScript kernels, then on the fast ones. */
function both<T>(f: () => T): [T, T] {
  setFastKernelsEnabled(false);
  const ts = f();
  setFastKernelsEnabled(true);
  return [ts, f()];
}

/** Bit-identical up to the NaN payload (String keeps -0 and NaN apart). */
function expectSame(fast: ArrayLike<number>, ts: ArrayLike<number>, what: string): void {
  expect(fast.length, what).toBe(ts.length);
  for (let i = 0; i < ts.length; i++) {
    if (!Object.is(fast[i], ts[i])) expect.fail(`${what}: element ${i}: ${fast[i]} vs ${ts[i]}`);
  }
}

const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1e-40, -1e-45, 3.4e38, -3.4e38, 1e-30, 1, -1];

/** `n` floats: mostly random over many magnitudes, every 5th a special value. */
function values(r: () => number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) =>
    i % 5 === 0 ? SPECIAL[Math.floor(r() * SPECIAL.length)]! : (r() * 2 - 1) * 10 ** Math.floor(r() * 12 - 6),
  );
}

describe('WebAssembly SIMD elementwise arithmetic', () => {
  const spyOn = fastKernelSuite();
  const spy = () => spyOn('binaryOp', 'scalarOp');

  it('same-shape and scalar-broadcast + - * / are bit-identical', () => {
    const r = mulberry32(31);
    const check = spy();
    let binary = 0,
      scalar = 0;
    for (const n of [ARITH_FAST_MIN, ARITH_FAST_MIN + 3, 70001]) {
      const a = values(r, n),
        b = values(r, n),
        shape = [n];
      const y = Float32Array.of(values(r, 1)[0]!),
        sc = Float32Array.of(-2.75);
      for (const op of OPS) {
        const [p, q] = both(() => binaryOp(op, a, shape, b, shape, shape));
        expectSame(q, p, `${op} n=${n}`);
        for (const s of [y, sc]) {
          const [c, d] = both(() => binaryOp(op, a, shape, s, [1], shape));
          expectSame(d, c, `${op} scalar right ${s[0]} n=${n}`);
          const [e, f] = both(() => binaryOp(op, s, [], a, shape, shape));
          expectSame(f, e, `${op} scalar left ${s[0]} n=${n}`);
        }
        binary++;
        scalar += 4;
      }
    }
    check(binary, scalar);
  });

  it('a scalar that is not a float is applied in double, as in TypeScript', () => {
    const r = mulberry32(37);
    const check = spy();
    const a = values(r, ARITH_FAST_MIN + 5);
    let calls = 0;
    for (const s of [0.1, 1 / 3, -7.000000001, 1e300, -1e-300, NaN, Infinity, -0, 2.5, 1e-50]) {
      for (const op of OPS) {
        for (const reversed of [false, true]) {
          const [c, d] = both(() => scalarOp(op, a, s, reversed));
          expectSame(d, c, `${reversed ? `${s} ${op} a` : `a ${op} ${s}`}`);
          calls++;
        }
      }
    }
    const [e, f] = both(() => negArray(a));
    expectSame(f, e, 'neg');
    expect(Object.is(f[a.findIndex((v) => Object.is(v, 0))], -0)).toBe(true);
    const [g, h] = both(() => divScalarArray(a, 6));
    expectSame(h, g, 'div by count');
    check(0, calls + 2);
  });

  it('stays on TypeScript below the threshold, for float64 and for mixed dtypes', () => {
    const r = mulberry32(41);
    const check = spy();
    const small = values(r, ARITH_FAST_MIN - 1),
      big = values(r, ARITH_FAST_MIN);
    binaryOp('add', small, [small.length], small, [small.length], [small.length]);
    scalarOp('mul', small, 3);
    const f64 = Float64Array.from(big);
    binaryOp('mul', f64, [big.length], f64, [big.length], [big.length]);
    scalarOp('mul', f64, 3);
    const mixed = binaryOp('add', big, [big.length], f64, [big.length], [big.length], new Float32Array(0));
    expect(mixed).toBeInstanceOf(Float32Array);
    // A broadcast that is neither same-shape nor scalar takes the general TypeScript path.
    const rowsShape = [big.length / 128, 128];
    binaryOp('add', big, rowsShape, big.subarray(0, 128), [128], rowsShape);
    check(0, 0);
    binaryOp('add', big, [big.length], big, [big.length], [big.length]);
    check(1, 0);
  });
});
