/**
 * The specialised elementwise kernels (binaryOp, ReLU, divScalarArray, the
 * fast paths of expandTo and sumDims) against the general callback kernels.
 * TypeScript path only (the WebAssembly ReLU is compared in fast.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../helpers/mulberry';
import {
  binaryBroadcast,
  binaryOp,
  divScalarArray,
  expandTo,
  reluBackward,
  reluForward,
  sumDims,
  unary,
  type BinaryOp,
} from '../../../engine/kernels/elementwise';

const FN: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
};
const same = (a: ArrayLike<number>, b: ArrayLike<number>): void =>
  expect(Array.from(a).map(String)).toEqual(Array.from(b).map(String));

describe('specialised elementwise kernels', () => {
  it('binaryOp equals binaryBroadcast with the callback, for every op and broadcast kind', () => {
    const r = mulberry32(1);
    const shapes: [number[], number[]][] = [
      [
        [3, 4],
        [3, 4],
      ],
      [[3, 4], [1]],
      [[1], [3, 4]],
      [[3, 4], []],
      [[], [3, 4]],
      [
        [2, 3, 4],
        [3, 1],
      ],
      [[4], [2, 1]],
      [[], []],
    ];
    for (const Arr of [Float32Array, Float64Array]) {
      for (const [sa, sb] of shapes) {
        const out = [...(sa.length >= sb.length ? sa : sb)].map((_, i, arr) => {
          const la = sa.length - arr.length + i,
            lb = sb.length - arr.length + i;
          return Math.max(la >= 0 ? sa[la]! : 1, lb >= 0 ? sb[lb]! : 1);
        });
        const na = sa.reduce((x, y) => x * y, 1),
          nb = sb.reduce((x, y) => x * y, 1);
        const mk = (n: number) => {
          const v = Float64Array.from({ length: n }, () => (r() < 0.1 ? 0 : r() * 4 - 2));
          return Arr === Float32Array ? new Float32Array(v) : v;
        };
        const a = mk(na),
          b = mk(nb);
        for (const op of ['add', 'sub', 'mul', 'div'] as const) {
          const got = binaryOp(op, a, sa, b, sb, out);
          expect(got).toBeInstanceOf(Arr);
          same(got, binaryBroadcast(a, sa, b, sb, out, FN[op]));
        }
      }
    }
  });

  it('ReLU and its gradient follow x > 0 || isNaN(x) and result <= 0', () => {
    const x = Float32Array.of(NaN, -0, 0, Infinity, -Infinity, 1.5, -2, 1e-40, -1e-40);
    same(
      reluForward(x),
      unary(x, (v) => (v > 0 || v !== v ? v : 0)),
    );
    same(
      reluForward(Float64Array.from(x)),
      unary(Float64Array.from(x), (v) => (v > 0 || v !== v ? v : 0)),
    );
    const res = reluForward(x),
      g = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9);
    same(
      reluBackward(g, res),
      binaryBroadcast(g, [9], res, [9], [9], (gx, v) => (v <= 0 ? 0 : gx)),
    );
  });

  it('divScalarArray, expandTo of a scalar, and sumDims over every dim', () => {
    const r = mulberry32(2);
    const a = Float32Array.from({ length: 50 }, () => r() - 0.5);
    same(
      divScalarArray(a, 7),
      unary(a, (v) => v / 7),
    );
    const s = Float32Array.of(0.3);
    same(
      expandTo(s, [], [2, 3]),
      Float32Array.from({ length: 6 }, () => 0.3),
    );
    same(
      expandTo(s, [1, 1], [2, 3]),
      Float32Array.from({ length: 6 }, () => 0.3),
    );
    const x = Float32Array.from({ length: 24 }, () => r() - 0.5);
    let t = 0;
    for (const v of x) t += v;
    same(sumDims(x, [2, 3, 4], [0, 1, 2]), Float32Array.of(t));
    same(sumDims(x, [1, 24], [1]), Float32Array.of(t));
  });
});
