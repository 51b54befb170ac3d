import { allocFor, type DType, type FloatArray } from '../core/dtype';
import { numel, type Shape, checkBudget } from '../core/shape';
import { Random } from '../core/random';
import { Tensor } from '../tensor/tensor';
import type { InitSpec } from './document';

/** Fills a new array of `shape` as `init` says (validated beforehand). */
export function initData(init: InitSpec, shape: Shape, dtype: DType): FloatArray {
  checkBudget(shape);
  const n = numel(shape);
  const d = allocFor(dtype, n);
  const round = dtype === 'int64' ? Math.trunc : (x: number) => x;
  switch (init.kind) {
    case 'values':
      for (let i = 0; i < n; i++) d[i] = round(init.data[i]!);
      break;
    case 'zeros':
      break;
    case 'ones':
      d.fill(1);
      break;
    case 'full':
      d.fill(round(init.value));
      break;
    case 'arange':
      for (let i = 0; i < n; i++) d[i] = round((init.start ?? 0) + i * (init.step ?? 1));
      break;
    case 'rand': {
      const r = new Random(init.seed);
      for (let i = 0; i < n; i++) d[i] = r.next();
      break;
    }
    case 'randn': {
      const r = new Random(init.seed);
      for (let i = 0; i < n; i++) d[i] = r.normal();
      break;
    }
    case 'randint': {
      const r = new Random(init.seed);
      for (let i = 0; i < n; i++) d[i] = r.int(init.low ?? 0, init.high);
      break;
    }
  }
  return d;
}

/** A new leaf tensor from an init spec. */
export function makeTensor(init: InitSpec, shape: Shape, dtype: DType): Tensor {
  return Tensor.fromData(initData(init, shape, dtype), shape, dtype);
}

/**
 * PyTorch's default initialisation of Conv2d/Linear parameters
 * (`kaiming_uniform_(a=sqrt(5))` for the weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in))
 * for the bias), drawn from a generator seeded by the parameter's name.
 */
export function defaultParam(name: string, shape: Shape, fanIn: number): Tensor {
  checkBudget(shape);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  const r = Random.fromString(name);
  const d = allocFor('float32', numel(shape));
  for (let i = 0; i < d.length; i++) d[i] = r.uniform(-bound, bound);
  return Tensor.fromData(d, shape, 'float32');
}
