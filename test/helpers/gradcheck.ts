/**
 * A float64 finite-difference gradient check, as torch.autograd.gradcheck does it:
 * the op under test is wrapped into the scalar f(inputs) = sum(op(inputs) * R) with a
 * fixed random R; autograd's gradient of f (one backward through the engine's
 * BackwardRun, as engine/graph/session.ts starts it) is compared with central
 * differences (f(x + eps) - f(x - eps)) / (2 eps), element by element, with
 * |analytic - numeric| <= atol + rtol * |numeric|.
 */
import { expect, it } from 'vitest';
import { BackwardRun } from '../../engine/autograd/engine';
import { noGrad } from '../../engine/autograd/grad-mode';
import { mul } from '../../engine/tensor/ops/elementwise';
import { sum } from '../../engine/tensor/ops/reduce';
import { Tensor } from '../../engine/tensor/tensor';
import { Rng } from './random';

/** One input of the function under test. */
export interface GcInput {
  readonly shape: readonly number[];
  readonly data: readonly number[];
  /** int64 inputs are class targets (constants). */
  readonly dtype: 'float64' | 'int64';
  /** False for float inputs that are constants (weights of a loss, ...). */
  readonly grad: boolean;
}

/** Makes an input from the case's random generator. */
export type Gen = (r: Rng) => GcInput;

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const float = (shape: readonly number[], f: () => number): GcInput => ({
  shape,
  data: Array.from({ length: count(shape) }, f),
  dtype: 'float64',
  grad: true,
});

/** Standard normal values. */
export const N =
  (...shape: number[]): Gen =>
  (r) =>
    float(shape, () => r.normal());
/** Uniform values in [lo, hi). */
export const U =
  (lo: number, hi: number, ...shape: number[]): Gen =>
  (r) =>
    float(shape, () => r.uniform(lo, hi));
/** Normal values at least `margin` away from every point (kinks of ReLU, Clamp; zero of a divisor). */
export const Away =
  (points: number[], margin: number, ...shape: number[]): Gen =>
  (r) =>
    float(shape, () => {
      for (;;) {
        const x = r.normal();
        if (points.every((p) => Math.abs(x - p) > margin)) return x;
      }
    });
/** Pairwise distinct values (no ties for max pooling): a shuffled grid 0.1 apart, plus small noise. */
export const Distinct =
  (...shape: number[]): Gen =>
  (r) => {
    const n = count(shape);
    const perm = r.permutation(n);
    return { shape, data: perm.map((p) => (p - n / 2) * 0.1 + r.uniform(0, 0.02)), dtype: 'float64', grad: true };
  };
/** Non-negative rows that sum to 1 along dim `dim` (probability targets). */
export const Probs =
  (dim: number, ...shape: number[]): Gen =>
  (r) => {
    const raw = Array.from({ length: count(shape) }, () => r.uniform(0.1, 1));
    const inner = count(shape.slice(dim + 1));
    const size = shape[dim]!;
    const data = raw.map((v, i) => {
      const base = i - (Math.floor(i / inner) % size) * inner;
      let s = 0;
      for (let k = 0; k < size; k++) s += raw[base + k * inner]!;
      return v / s;
    });
    return { shape, data, dtype: 'float64', grad: true };
  };
/** Class indices in [0, classes), optionally with some entries replaced by `ignore`. */
export const Target =
  (classes: number, shape: number[], ignore?: number): Gen =>
  (r) => {
    const data = Array.from({ length: count(shape) }, (_, i) =>
      ignore !== undefined && i % 3 === 1 ? ignore : r.int(0, classes - 1),
    );
    return { shape, data, dtype: 'int64', grad: false };
  };
/** The same input as `g`, but a constant (no gradient checked). */
export const Const =
  (g: Gen): Gen =>
  (r) => ({ ...g(r), grad: false });

function tensorOf(x: GcInput, data: readonly number[]): Tensor {
  const t = Tensor.fromData(Float64Array.from(data), x.shape, x.dtype);
  if (x.grad) t.setRequiresGrad(true);
  return t;
}

function dot(out: Tensor, r: Float64Array): number {
  const d = out.contiguousData();
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * r[i]!;
  return s;
}

/** Options of a check. */
export interface GradcheckOptions {
  readonly eps?: number;
  readonly rtol?: number;
  readonly atol?: number;
}

/**
 * Runs the check for `fn` on inputs generated from a generator seeded by `name`.
 * Returns the faults (empty when autograd agrees with the finite differences).
 */
export function gradcheck(
  name: string,
  gens: readonly Gen[],
  fn: (xs: Tensor[]) => Tensor,
  o: GradcheckOptions = {},
): string[] {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-7 } = o;
  const rng = new Rng(name);
  const inputs = gens.map((g) => g(rng));
  const faults: string[] = [];

  const xs = inputs.map((x) => tensorOf(x, x.data));
  const out = fn(xs);
  if (out.dtype !== 'float64') faults.push(`output dtype is ${out.dtype}, expected float64 (precision lost)`);
  const rv = Float64Array.from({ length: out.numel }, () => rng.uniform(-1, 1));
  const R = Tensor.fromData(rv.slice(), out.shape, 'float64');
  const loss = sum(mul(out, R));
  if (!loss.requiresGrad) return [...faults, 'f does not require grad (no grad_fn was recorded)'];
  new BackwardRun(loss.gradientEdge(), { data: Float64Array.of(1), shape: loss.shape, dtype: 'float64' }).runToEnd();

  const f = (i: number, data: number[]) =>
    noGrad(() => dot(fn(inputs.map((x, k) => tensorOf(x, k === i ? data : x.data))), rv));
  inputs.forEach((x, i) => {
    if (!x.grad) return;
    const g = xs[i]!.grad;
    if (g === null) return faults.push(`input ${i}: .grad is None`);
    if (g.shape.join() !== x.shape.join()) return faults.push(`input ${i}: grad shape [${g.shape}] != [${x.shape}]`);
    if (g.dtype !== 'float64') faults.push(`input ${i}: grad dtype ${g.dtype}`);
    const analytic = g.contiguousData();
    let bad = 0;
    for (let j = 0; j < x.data.length; j++) {
      const plus = [...x.data];
      const minus = [...x.data];
      plus[j]! += eps;
      minus[j]! -= eps;
      const numeric = (f(i, plus) - f(i, minus)) / (2 * eps);
      const a = analytic[j]!;
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric)) && bad++ < 4) {
        faults.push(`input ${i} [${x.shape}] element ${j}: autograd ${a}, finite difference ${numeric}`);
      }
    }
    if (bad > 4) faults.push(`input ${i}: ${bad - 4} more elements differ`);
  });
  return faults;
}

/** One gradient check: inputs to generate and the function of them to check. */
export interface GradcheckCase {
  readonly name: string;
  readonly inputs: readonly Gen[];
  readonly fn: (xs: Tensor[]) => Tensor;
}

/** Registers one vitest `it` per case, failing with every mismatching element listed. */
export function runGradchecks(cases: readonly GradcheckCase[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const faults = gradcheck(c.name, c.inputs, c.fn);
      expect(faults, `${c.name}:\n  ${faults.join('\n  ')}`).toEqual([]);
    });
  }
}
