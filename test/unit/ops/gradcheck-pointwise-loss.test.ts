/**
 * Finite-difference gradient checks (float64, see test/helpers/gradcheck.ts) of the
 * pointwise losses: mse_loss and l1_loss (input and target, same shape and broadcast,
 * which goes through ExpandBackward0) and binary_cross_entropy_with_logits (input and
 * target, with weight and pos_weight broadcast over the batch, large logits included).
 */
import { describe } from 'vitest';
import type { Reduction } from '../../../engine/nn/loss';
import { bceWithLogits, l1Loss, mseLoss } from '../../../engine/nn/pointwise-loss';
import { Const, N, U, runGradchecks as run, type Gen } from '../../helpers/gradcheck';

const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];
/** [name, input shape, target shape]: same shape, and each way of broadcasting. */
const SHAPES: [string, number[], number[]][] = [
  ['same shape', [3, 4], [3, 4]],
  ['target broadcast', [3, 4], [4]],
  ['input broadcast', [1, 4], [3, 4]],
  ['both broadcast', [3, 1], [1, 2]],
  ['0-d', [], []],
];

for (const [label, fn] of [
  ['mse_loss', mseLoss],
  ['l1_loss', l1Loss],
] as const) {
  describe(`gradcheck: ${label} (input and target)`, () => {
    run(
      REDUCTIONS.flatMap((r) =>
        SHAPES.map(([name, xs, ts]) => ({
          name: `${r}, ${name}`,
          inputs: [N(...xs), N(...ts)],
          fn: ([x, t]) => fn(x!, t!, r),
        })),
      ),
    );
  });
}

/** Logits of a wide range (up to ±8), so the stable formula's both branches are crossed. */
const logits = (...shape: number[]): Gen => U(-8, 8, ...shape);
const weights = (...shape: number[]): Gen => Const(U(0.2, 3, ...shape));

describe('gradcheck: binary_cross_entropy_with_logits (input and target)', () => {
  const cases: [string, Gen[], boolean, boolean][] = [
    // name, [input, target, weight?, pos_weight?], has weight, has pos_weight
    ['plain', [logits(4, 3), U(0, 1, 4, 3)], false, false],
    ['weight [3]', [logits(4, 3), U(0, 1, 4, 3), weights(3)], true, false],
    ['pos_weight [3]', [logits(4, 3), U(0, 1, 4, 3), weights(3)], false, true],
    ['weight [4, 1] and pos_weight [3]', [logits(4, 3), U(0, 1, 4, 3), weights(4, 1), weights(3)], true, true],
    ['1-D', [logits(5), U(0, 1, 5)], false, false],
  ];
  run(
    REDUCTIONS.flatMap((r) =>
      cases.map(([name, inputs, hasW, hasPw]) => ({
        name: `${r}, ${name}`,
        inputs,
        fn: ([x, t, a, b]) => bceWithLogits(x!, t!, hasW ? a! : null, hasPw ? (hasW ? b! : a!) : null, r),
      })),
    ),
  );
});
