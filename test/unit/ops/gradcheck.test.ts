/**
 * Finite-difference gradient checks (float64, central differences, eps 1e-6,
 * rtol 1e-5 / atol 1e-7) for the element-wise, reduction, shape, padding and
 * softmax ops. Layers and losses are in gradcheck-nn.test.ts. Each case is
 * f = sum(op(inputs) * R) for a fixed random R (see test/helpers/gradcheck.ts).
 */
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../../engine/tensor/tensor';
import { BackwardRun } from '../../../engine/autograd/engine';
import * as E from '../../../engine/tensor/ops/elementwise';
import { mean, sum } from '../../../engine/tensor/ops/reduce';
import { clone, flatten, reshape, slice, squeeze, transpose2d, unsqueeze, view } from '../../../engine/tensor/ops/view';
import { circularPad2d_, constantPad2d, reflectionPad2d_, replicationPad2d_ } from '../../../engine/tensor/ops/pad';
import { logSoftmax, softmax } from '../../../engine/nn/softmax';
import { Away, N, U, runGradchecks as run, type GradcheckCase as Case } from '../../helpers/gradcheck';

/** Shapes that broadcast as PyTorch does: equal, outer, rank mismatch both ways, [1], 0-d. */
const BROADCAST: readonly [number[], number[]][] = [
  [
    [2, 3],
    [2, 3],
  ],
  [
    [3, 1],
    [1, 4],
  ],
  [[2, 3, 4], [4]],
  [[4], [2, 3, 4]],
  [[1], [2, 3]],
  [[], [2, 3]],
  [
    [2, 1, 3],
    [4, 1],
  ],
];
const BINARY: readonly [string, (a: Tensor, b: Tensor) => Tensor][] = [
  ['add', E.add],
  ['sub', E.sub],
  ['mul', E.mul],
  ['div', E.div],
];

describe('gradcheck: binary element-wise ops with broadcasting', () => {
  const cases: Case[] = [];
  for (const [op, f] of BINARY) {
    for (const [sa, sb] of BROADCAST) {
      // Div only away from a zero divisor.
      const b = op === 'div' ? Away([0], 0.5, ...sb) : N(...sb);
      cases.push({ name: `${op} [${sa}] with [${sb}]`, inputs: [N(...sa), b], fn: ([x, y]) => f(x!, y!) });
    }
  }
  cases.push(
    { name: 'mul x * x (one tensor used twice)', inputs: [N(2, 3)], fn: ([x]) => E.mul(x!, x!) },
    { name: 'div x / x', inputs: [Away([0], 0.5, 5)], fn: ([x]) => E.div(x!, x!) },
    { name: 'add x + x', inputs: [N(4)], fn: ([x]) => E.add(x!, x!) },
    { name: 'mulScalar by 2.5', inputs: [N(2, 3)], fn: ([x]) => E.mulScalar(x!, 2.5) },
    { name: 'divScalar by -4', inputs: [N(2, 3)], fn: ([x]) => E.divScalar(x!, -4) },
  );
  run(cases);
});

describe('gradcheck: unary element-wise ops', () => {
  run([
    { name: 'neg', inputs: [N(2, 3)], fn: ([x]) => E.neg(x!) },
    { name: 'exp', inputs: [N(2, 3)], fn: ([x]) => E.exp(x!) },
    { name: 'log on positive inputs', inputs: [U(0.5, 3, 2, 3)], fn: ([x]) => E.log(x!) },
    { name: 'sign (zero gradient)', inputs: [Away([0], 0.05, 2, 3)], fn: ([x]) => E.sign(x!) },
    { name: 'relu away from 0', inputs: [Away([0], 0.05, 3, 4)], fn: ([x]) => E.relu(x!) },
    { name: 'relu_ on a non-leaf (clone)', inputs: [Away([0], 0.05, 3, 4)], fn: ([x]) => E.relu_(clone(x!)) },
    {
      name: 'relu_ on an Add output',
      inputs: [Away([0], 0.05, 6), N(6)],
      fn: ([x, y]) => E.relu_(E.add(x!, E.mulScalar(y!, 1e-3))),
    },
    { name: 'clamp min', inputs: [Away([-0.5], 0.05, 3, 4)], fn: ([x]) => E.clamp(x!, -0.5, null) },
    { name: 'clamp max', inputs: [Away([0.5], 0.05, 3, 4)], fn: ([x]) => E.clamp(x!, null, 0.5) },
    { name: 'clamp min and max', inputs: [Away([-0.5, 0.5], 0.05, 3, 4)], fn: ([x]) => E.clamp(x!, -0.5, 0.5) },
  ]);

  it('sign gives an all-zero .grad (not None), as PyTorch does', () => {
    const x = Tensor.fromData(Float64Array.of(-2, 0.5, 3), [3], 'float64');
    x.setRequiresGrad(true);
    const loss = sum(E.sign(x));
    new BackwardRun(loss.gradientEdge(), { data: Float64Array.of(1), shape: [], dtype: 'float64' }).runToEnd();
    expect(x.grad?.toArray()).toEqual([0, 0, 0]);
  });
});

describe('gradcheck: reductions', () => {
  const cases: Case[] = [];
  const dims: [number | number[] | null, boolean][] = [
    [null, false],
    [null, true],
    [0, false],
    [1, true],
    [-1, false],
    [[0, 2], false],
    [[0, 2], true],
    [[-1, 0], false],
    [[], false],
  ];
  for (const [name, f] of [
    ['sum', sum],
    ['mean', mean],
  ] as const) {
    for (const [dim, keepdim] of dims) {
      cases.push({
        name: `${name} dim=${JSON.stringify(dim)} keepdim=${keepdim}`,
        inputs: [N(2, 3, 4)],
        fn: ([x]) => f(x!, dim, keepdim),
      });
    }
    cases.push({ name: `${name} of a 0-d tensor`, inputs: [N()], fn: ([x]) => f(x!, null, false) });
  }
  run(cases);
});

describe('gradcheck: shape ops', () => {
  run([
    { name: 'reshape with -1', inputs: [N(2, 3, 4)], fn: ([x]) => reshape(x!, [4, -1]) },
    {
      name: 'reshape of a non-contiguous tensor (copy path)',
      inputs: [N(3, 4)],
      fn: ([x]) => reshape(transpose2d(x!), [2, 6]),
    },
    { name: 'view', inputs: [N(2, 6)], fn: ([x]) => view(x!, [3, 2, 2]) },
    { name: 'flatten default (0, -1)', inputs: [N(2, 3, 4)], fn: ([x]) => flatten(x!) },
    { name: 'flatten 1..2', inputs: [N(2, 3, 4, 2)], fn: ([x]) => flatten(x!, 1, 2) },
    { name: 'flatten -3..-2', inputs: [N(2, 3, 4, 2)], fn: ([x]) => flatten(x!, -3, -2) },
    { name: 'flatten start == end (identity)', inputs: [N(2, 3)], fn: ([x]) => E.mulScalar(flatten(x!, 1, 1), 1) },
    { name: 'flatten of a 0-d tensor', inputs: [N()], fn: ([x]) => flatten(x!) },
    { name: 'transpose2d', inputs: [N(3, 4)], fn: ([x]) => transpose2d(x!) },
    { name: 'unsqueeze 0', inputs: [N(3, 4)], fn: ([x]) => unsqueeze(x!, 0) },
    { name: 'unsqueeze -1', inputs: [N(3, 4)], fn: ([x]) => unsqueeze(x!, -1) },
    { name: 'squeeze 1', inputs: [N(3, 1, 4)], fn: ([x]) => squeeze(x!, 1) },
    { name: 'squeeze of a non-1 dim (no-op)', inputs: [N(3, 4)], fn: ([x]) => squeeze(x!, 0) },
    { name: 'slice dim 1', inputs: [N(3, 5)], fn: ([x]) => slice(x!, 1, 1, 4) },
    { name: 'slice dim 0 of a 3-d tensor', inputs: [N(4, 2, 3)], fn: ([x]) => slice(x!, 0, 2, 4) },
    { name: 'slice then reshape (non-contiguous)', inputs: [N(3, 5)], fn: ([x]) => reshape(slice(x!, 1, 0, 4), [12]) },
    { name: 'clone', inputs: [N(2, 3)], fn: ([x]) => clone(x!) },
    {
      name: 'transpose2d then mul (strided input to a kernel)',
      inputs: [N(3, 4), N(4, 3)],
      fn: ([x, y]) => E.mul(transpose2d(x!), y!),
    },
  ]);
});

describe('gradcheck: padding', () => {
  const p = { left: 1, right: 2, top: 2, bottom: 1 };
  run([
    { name: 'constant pad (asymmetric)', inputs: [N(2, 2, 3, 4)], fn: ([x]) => constantPad2d(x!, p) },
    { name: 'constant pad of a 3-d input', inputs: [N(2, 3, 4)], fn: ([x]) => constantPad2d(x!, p) },
    { name: 'reflection pad (asymmetric)', inputs: [N(2, 2, 3, 4)], fn: ([x]) => reflectionPad2d_(x!, p) },
    { name: 'reflection pad of a 3-d input', inputs: [N(2, 3, 4)], fn: ([x]) => reflectionPad2d_(x!, p) },
    { name: 'replication pad (asymmetric)', inputs: [N(2, 2, 3, 4)], fn: ([x]) => replicationPad2d_(x!, p) },
    {
      name: 'replication pad, wide',
      inputs: [N(1, 1, 2, 2)],
      fn: ([x]) => replicationPad2d_(x!, { left: 3, right: 0, top: 0, bottom: 3 }),
    },
    { name: 'circular pad (asymmetric)', inputs: [N(2, 2, 3, 4)], fn: ([x]) => circularPad2d_(x!, p) },
    {
      name: 'circular pad as wide as the input',
      inputs: [N(1, 2, 3, 3)],
      fn: ([x]) => circularPad2d_(x!, { left: 3, right: 3, top: 0, bottom: 3 }),
    },
  ]);
});

describe('gradcheck: softmax and log_softmax', () => {
  const cases: Case[] = [];
  const dims: [number[], number][] = [
    [[5], 0],
    [[5], -1],
    [[3, 4], 0],
    [[3, 4], 1],
    [[3, 4], -1],
    [[2, 3, 4], 1],
    [[2, 3, 2, 2], 1],
    [[2, 3, 2, 2], 3],
    [[2, 3, 2, 2], -3],
  ];
  for (const [name, f] of [
    ['softmax', softmax],
    ['log_softmax', logSoftmax],
  ] as const) {
    for (const [shape, dim] of dims)
      cases.push({ name: `${name} [${shape}] dim ${dim}`, inputs: [N(...shape)], fn: ([x]) => f(x!, dim) });
    cases.push({ name: `${name} of a 0-d tensor`, inputs: [N()], fn: ([x]) => f(x!, 0) });
  }
  run(cases);
});
