/**
 * Finite-difference gradient checks (float64, central differences, eps 1e-6,
 * rtol 1e-5 / atol 1e-7) for the layers and losses: conv2d (every argument and
 * padding mode), max/avg pooling, mm/addmm/linear, nll_loss and cross_entropy.
 * Each case is f = sum(op(inputs) * R) for a fixed random R (test/helpers/gradcheck.ts).
 */
import { describe } from 'vitest';
import { type Tensor } from '../../../engine/tensor/tensor';
import { slice } from '../../../engine/tensor/ops/view';
import { conv2d, conv2dModule, type Conv2dArgs, type PaddingMode } from '../../../engine/nn/conv';
import { avgPool2d, maxPool2d, type Pool2dArgs } from '../../../engine/nn/pool';
import { linear } from '../../../engine/nn/linear';
import { addmm, mm } from '../../../engine/nn/mm';
import { crossEntropy, nllLoss, type Reduction } from '../../../engine/nn/loss';
import {
  Const,
  Distinct,
  N,
  Probs,
  Target,
  U,
  runGradchecks as run,
  type GradcheckCase as Case,
} from '../../helpers/gradcheck';

const conv = (a: Partial<Conv2dArgs>): Conv2dArgs => ({
  stride: [1, 1],
  padding: [0, 0],
  dilation: [1, 1],
  groups: 1,
  ...a,
});

describe('gradcheck: conv2d (input, weight and bias)', () => {
  const cases: [string, number[], number[], boolean, Partial<Conv2dArgs>][] = [
    // name, input shape, weight shape, bias, args
    ['plain 3x3', [2, 2, 5, 5], [3, 2, 3, 3], true, {}],
    ['stride 2, padding 1', [1, 2, 6, 5], [2, 2, 3, 3], true, { stride: [2, 2], padding: [1, 1] }],
    ['pair stride [1, 2] and padding [2, 0]', [1, 1, 5, 6], [2, 1, 3, 2], true, { stride: [1, 2], padding: [2, 0] }],
    ['dilation 2', [1, 2, 7, 7], [2, 2, 3, 3], true, { dilation: [2, 2] }],
    ['pair dilation [1, 3]', [1, 1, 5, 8], [2, 1, 2, 3], true, { dilation: [1, 3] }],
    ['groups 2', [1, 4, 4, 4], [4, 2, 3, 3], true, { groups: 2 }],
    ['depthwise (groups = channels)', [2, 3, 4, 4], [6, 1, 2, 2], true, { groups: 3 }],
    ['no bias', [1, 2, 4, 4], [3, 2, 3, 3], false, {}],
    ["padding 'valid'", [1, 2, 5, 4], [2, 2, 3, 2], true, { padding: 'valid' }],
    [
      "padding 'same', odd kernel with dilation",
      [1, 2, 5, 5],
      [2, 2, 3, 3],
      true,
      { padding: 'same', dilation: [2, 1] },
    ],
    ["padding 'same', even kernel [2, 4]", [1, 2, 5, 6], [2, 2, 2, 4], true, { padding: 'same' }],
    [
      "padding 'same', even kernel with dilation [1, 3]",
      [1, 1, 6, 9],
      [2, 1, 4, 4],
      true,
      { padding: 'same', dilation: [1, 3] },
    ],
    ['unbatched [C, H, W] input', [2, 5, 5], [3, 2, 3, 3], true, { padding: [1, 1] }],
    ['unbatched, no bias, stride 2', [1, 6, 6], [2, 1, 2, 2], false, { stride: [2, 2] }],
    ['1x1 kernel', [2, 3, 3, 3], [2, 3, 1, 1], true, {}],
  ];
  run(
    cases.map(([name, xs, ws, bias, a]) => ({
      name,
      inputs: bias ? [N(...xs), N(...ws), N(ws[0]!)] : [N(...xs), N(...ws)],
      fn: ([x, w, b]) => conv2d(x!, w!, b ?? null, conv(a)),
    })),
  );
});

describe('gradcheck: conv2d padding modes (nn.Conv2d forward)', () => {
  const cases: [PaddingMode, number[], number[], Partial<Conv2dArgs>][] = [
    ['zeros', [1, 2, 5, 5], [2, 2, 3, 3], { padding: [1, 2] }],
    ['reflect', [1, 2, 5, 5], [2, 2, 3, 3], { padding: [1, 2] }],
    ['replicate', [1, 2, 5, 5], [2, 2, 3, 3], { padding: [2, 1] }],
    ['circular', [1, 2, 5, 5], [2, 2, 3, 3], { padding: [1, 2] }],
    ['reflect', [1, 1, 5, 6], [2, 1, 2, 4], { padding: 'same' }],
    ['replicate', [1, 1, 5, 6], [2, 1, 3, 3], { padding: 'same', dilation: [2, 1] }],
    ['circular', [1, 2, 4, 5], [2, 2, 3, 2], { padding: 'same' }],
    ['replicate', [1, 2, 5, 4], [2, 2, 3, 3], { padding: 'valid' }],
    ['reflect', [2, 5, 5], [2, 2, 3, 3], { padding: [1, 1] }],
    ['replicate', [2, 4, 5], [2, 2, 3, 3], { padding: [1, 1], stride: [2, 1] }],
    ['circular', [1, 4, 4, 4], [4, 2, 3, 3], { padding: [1, 1], groups: 2 }],
  ];
  run(
    cases.map(([mode, xs, ws, a]) => ({
      name: `${mode} ${JSON.stringify(a)} input [${xs}] weight [${ws}]`,
      inputs: [N(...xs), N(...ws), N(ws[0]!)],
      fn: ([x, w, b]) => conv2dModule(x!, w!, b!, conv(a), mode),
    })),
  );
});

const pool = (kernel: number[], a: Partial<Pool2dArgs> = {}): Pool2dArgs => ({
  kernel: kernel as [number, number],
  stride: kernel as [number, number],
  padding: [0, 0],
  dilation: [1, 1],
  ceilMode: false,
  ...a,
});

describe('gradcheck: max_pool2d (inputs without ties)', () => {
  const cases: [string, number[], Pool2dArgs][] = [
    ['2x2', [2, 2, 4, 4], pool([2, 2])],
    ['kernel 3, stride 2, padding 1', [1, 2, 5, 5], pool([3, 3], { stride: [2, 2], padding: [1, 1] })],
    ['stride 1 (overlapping windows)', [1, 1, 4, 4], pool([2, 2], { stride: [1, 1] })],
    ['dilation 2 with padding 1', [1, 1, 7, 7], pool([3, 3], { stride: [1, 1], padding: [1, 1], dilation: [2, 2] })],
    ['ceil_mode', [1, 2, 5, 5], pool([2, 2], { ceilMode: true })],
    [
      'ceil_mode with stride 2, kernel 3, padding 1',
      [1, 1, 6, 6],
      pool([3, 3], { stride: [2, 2], padding: [1, 1], ceilMode: true }),
    ],
    ['rectangular kernel, pair stride and padding', [1, 2, 5, 6], pool([2, 3], { stride: [1, 2], padding: [1, 1] })],
    ['unbatched [C, H, W]', [2, 4, 4], pool([2, 2])],
  ];
  run(cases.map(([name, shape, a]) => ({ name, inputs: [Distinct(...shape)], fn: ([x]) => maxPool2d(x!, a) })));
});

describe('gradcheck: avg_pool2d', () => {
  const cases: [string, number[], Pool2dArgs, boolean, number | null][] = [
    ['2x2', [2, 2, 4, 4], pool([2, 2]), true, null],
    ['padding 1, count_include_pad', [1, 2, 5, 5], pool([3, 3], { stride: [2, 2], padding: [1, 1] }), true, null],
    [
      'padding 1, count_include_pad false',
      [1, 2, 5, 5],
      pool([3, 3], { stride: [2, 2], padding: [1, 1] }),
      false,
      null,
    ],
    ['ceil_mode, count_include_pad', [1, 1, 5, 5], pool([2, 2], { padding: [1, 1], ceilMode: true }), true, null],
    [
      'ceil_mode, count_include_pad false',
      [1, 1, 5, 5],
      pool([2, 2], { padding: [1, 1], ceilMode: true }),
      false,
      null,
    ],
    ['ceil_mode, no padding', [1, 2, 5, 7], pool([3, 3], { stride: [2, 2], ceilMode: true }), true, null],
    ['divisor_override 3', [1, 2, 4, 4], pool([2, 2]), true, 3],
    [
      'divisor_override with padding and ceil_mode',
      [1, 1, 5, 5],
      pool([3, 3], { stride: [2, 2], padding: [1, 1], ceilMode: true }),
      false,
      5,
    ],
    ['rectangular kernel and stride', [1, 2, 5, 6], pool([2, 3], { stride: [1, 2] }), true, null],
    ['unbatched [C, H, W]', [2, 4, 4], pool([2, 2], { stride: [1, 1] }), true, null],
  ];
  run(
    cases.map(([name, shape, a, cip, div]) => ({
      name,
      inputs: [N(...shape)],
      fn: ([x]) => avgPool2d(x!, a, cip, div),
    })),
  );
});

describe('gradcheck: mm, addmm, linear', () => {
  const cases: Case[] = [
    { name: 'mm', inputs: [N(3, 4), N(4, 2)], fn: ([a, b]) => mm(a!, b!) },
    { name: 'addmm with bias [n]', inputs: [N(2), N(3, 4), N(4, 2)], fn: ([c, a, b]) => addmm(c!, a!, b!) },
    { name: 'addmm with bias [m, n]', inputs: [N(3, 2), N(3, 4), N(4, 2)], fn: ([c, a, b]) => addmm(c!, a!, b!) },
  ];
  for (const shape of [[4], [3, 4], [2, 3, 4], [2, 2, 3, 4]]) {
    for (const bias of [true, false]) {
      cases.push({
        name: `linear ${shape.length}-D input [${shape}] ${bias ? 'with' : 'without'} bias`,
        inputs: bias ? [N(...shape), N(5, 4), N(5)] : [N(...shape), N(5, 4)],
        fn: ([x, w, b]) => linear(x!, w!, b ?? null),
      });
    }
  }
  cases.push({
    name: 'linear 3-D non-contiguous input (a slice) with bias',
    inputs: [N(2, 3, 6), N(5, 4), N(5)],
    fn: ([x, w, b]) => linear(slice(x!, 2, 1, 5), w!, b!),
  });
  run(cases);
});

const REDUCTIONS: Reduction[] = ['mean', 'sum', 'none'];

describe('gradcheck: nll_loss', () => {
  const cases: Case[] = [];
  for (const r of REDUCTIONS) {
    cases.push(
      { name: `${r}`, inputs: [N(4, 5), Target(5, [4])], fn: ([x, t]) => nllLoss(x!, t!, null, r, -100) },
      {
        name: `${r}, weight`,
        inputs: [N(4, 5), Target(5, [4]), Const(U(0.2, 2, 5))],
        fn: ([x, t, w]) => nllLoss(x!, t!, w!, r, -100),
      },
      {
        name: `${r}, weight, ignore_index 2 present`,
        inputs: [N(6, 5), Target(5, [6], 2), Const(U(0.2, 2, 5))],
        fn: ([x, t, w]) => nllLoss(x!, t!, w!, r, 2),
      },
      {
        name: `${r}, ignore_index -1 present`,
        inputs: [N(6, 5), Target(5, [6], -1)],
        fn: ([x, t]) => nllLoss(x!, t!, null, r, -1),
      },
      {
        name: `${r}, spatial [N, C, H, W]`,
        inputs: [N(2, 3, 2, 2), Target(3, [2, 2, 2])],
        fn: ([x, t]) => nllLoss(x!, t!, null, r, -100),
      },
      {
        name: `${r}, spatial with weight and ignore_index`,
        inputs: [N(2, 3, 2, 3), Target(3, [2, 2, 3], 1), Const(U(0.2, 2, 3))],
        fn: ([x, t, w]) => nllLoss(x!, t!, w!, r, 1),
      },
      {
        name: `${r}, 3-D input [N, C, L]`,
        inputs: [N(2, 3, 4), Target(3, [2, 4])],
        fn: ([x, t]) => nllLoss(x!, t!, null, r, -100),
      },
      {
        name: `${r}, 5-D input`,
        inputs: [N(2, 3, 2, 1, 2), Target(3, [2, 2, 1, 2])],
        fn: ([x, t]) => nllLoss(x!, t!, null, r, -100),
      },
      {
        name: `${r}, unbatched 1-D input, 0-d target`,
        inputs: [N(5), Target(5, [])],
        fn: ([x, t]) => nllLoss(x!, t!, null, r, -100),
      },
    );
  }
  run(cases);
});

describe('gradcheck: cross_entropy', () => {
  const cases: Case[] = [];
  for (const r of REDUCTIONS) {
    const ce =
      (ls: number, ignore = -100) =>
      ([x, t, w]: Tensor[]) =>
        crossEntropy(x!, t!, w ?? null, r, ignore, ls);
    cases.push(
      { name: `${r}, class targets`, inputs: [N(4, 5), Target(5, [4])], fn: ce(0) },
      {
        name: `${r}, class targets, weight, ignore_index`,
        inputs: [N(6, 5), Target(5, [6], 3), Const(U(0.2, 2, 5))],
        fn: ce(0, 3),
      },
      { name: `${r}, spatial class targets`, inputs: [N(2, 3, 2, 2), Target(3, [2, 2, 2])], fn: ce(0) },
      { name: `${r}, unbatched class target`, inputs: [N(5), Target(5, [])], fn: ce(0) },
      { name: `${r}, label smoothing 0.1`, inputs: [N(4, 5), Target(5, [4])], fn: ce(0.1) },
      { name: `${r}, label smoothing, weight`, inputs: [N(4, 5), Target(5, [4]), Const(U(0.2, 2, 5))], fn: ce(0.2) },
      {
        name: `${r}, label smoothing, weight, ignore_index`,
        inputs: [N(6, 5), Target(5, [6], 0), Const(U(0.2, 2, 5))],
        fn: ce(0.3, 0),
      },
      { name: `${r}, label smoothing, ignore_index, no weight`, inputs: [N(6, 5), Target(5, [6], 4)], fn: ce(0.25, 4) },
      { name: `${r}, label smoothing, spatial`, inputs: [N(2, 3, 2, 2), Target(3, [2, 2, 2])], fn: ce(0.1) },
      { name: `${r}, label smoothing 1.0`, inputs: [N(3, 4), Target(4, [3])], fn: ce(1) },
      { name: `${r}, probability targets (grad of input and target)`, inputs: [N(3, 4), Probs(1, 3, 4)], fn: ce(0) },
      { name: `${r}, probability targets, weight`, inputs: [N(3, 4), Probs(1, 3, 4), Const(U(0.2, 2, 4))], fn: ce(0) },
      {
        name: `${r}, probability targets, label smoothing (grad of target too)`,
        inputs: [N(3, 4), Probs(1, 3, 4)],
        fn: ce(0.2),
      },
      {
        name: `${r}, probability targets, smoothing and weight`,
        inputs: [N(3, 4), Probs(1, 3, 4), Const(U(0.2, 2, 4))],
        fn: ce(0.1),
      },
      { name: `${r}, spatial probability targets`, inputs: [N(2, 3, 2, 2), Probs(1, 2, 3, 2, 2)], fn: ce(0) },
      { name: `${r}, unbatched probability target`, inputs: [N(5), Probs(0, 5)], fn: ce(0.1) },
    );
  }
  run(cases);
});
