/**
 * torch.optim's SGD, Adam and AdamW as PyTorch 1.13 runs them on the CPU by
 * default: the single-tensor path (`foreach=False`), one parameter after the
 * other, in place under `torch.no_grad()`, with the float32 rounding of
 * ATen's kernels (engine/kernels/optim.ts).
 */
import { internalError } from '../core/errors';
import { addScaled, addcdiv, addcmul, maximum, mulScalar, sgdMomentumUpdate, sqrtDivAdd } from '../kernels/optim';
import { noGrad } from '../autograd/grad-mode';
import { Tensor } from '../tensor/tensor';

/** `torch.optim.SGD`'s arguments. */
export interface SGDOptions {
  readonly kind: 'SGD';
  readonly lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly weight_decay: number;
  readonly nesterov: boolean;
}

/** `torch.optim.Adam`'s and `torch.optim.AdamW`'s arguments. */
export interface AdamOptions {
  readonly kind: 'Adam' | 'AdamW';
  readonly lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weight_decay: number;
  readonly amsgrad: boolean;
}

export type OptimizerOptions = SGDOptions | AdamOptions;

/**
 * One parameter's `optimizer.state[p]`, its entries in PyTorch's order:
 * SGD `momentum_buffer` (None without momentum); Adam `step` (a float32
 * scalar tensor in PyTorch, a number here), `exp_avg`, `exp_avg_sq` and, with
 * amsgrad, `max_exp_avg_sq`.
 */
export type ParamState = Map<string, Tensor | number | null>;

/** The float32 values of a contiguous float32 tensor, to write in place. */
function values(t: Tensor): Float32Array {
  const d = t.storage.data;
  if (!(d instanceof Float32Array) || !t.isContiguous || t.offset !== 0 || d.length !== t.numel) {
    throw internalError('the optimizer updates contiguous float32 tensors only');
  }
  return d;
}

const zerosLike = (p: Tensor) => Tensor.zeros(p.shape, 'float32');

/** An optimizer over a fixed list of parameters, with its per-parameter state. */
export class Optimizer {
  readonly options: OptimizerOptions;
  readonly params: readonly Tensor[];
  /** `optimizer.state`: only parameters that had a `.grad` at some step have an entry. */
  readonly state = new Map<Tensor, ParamState>();

  constructor(options: OptimizerOptions, params: readonly Tensor[]) {
    this.options = options;
    this.params = params;
  }

  /** `optimizer.step()`: updates every parameter that has a `.grad`, in place (bumping its version per in-place op). */
  step(): void {
    noGrad(() => {
      for (const p of this.params) {
        if (p.grad === null) continue; // PyTorch skips parameters whose .grad is None
        let st = this.state.get(p);
        if (!st) this.state.set(p, (st = new Map()));
        const o = this.options;
        if (o.kind === 'SGD') sgdStep(o, p, p.grad, st);
        else adamStep(o, p, p.grad, st);
        p.storage.bumpVersion();
      }
    });
  }
}

/** `_single_tensor_sgd` for one parameter. */
function sgdStep(o: SGDOptions, p: Tensor, grad: Tensor, st: ParamState): void {
  const param = values(p);
  let d = values(grad);
  if (o.weight_decay !== 0) {
    const decayed = new Float32Array(d.length);
    addScaled(decayed, d, param, o.weight_decay); // d_p = d_p.add(param, alpha=weight_decay)
    d = decayed;
  }
  if (o.momentum !== 0) {
    let buf = st.get('momentum_buffer') as Tensor | null | undefined;
    if (buf && !o.nesterov) {
      // buf.mul_(momentum).add_(d_p, alpha=1 - dampening); param.add_(buf, alpha=-lr), in one pass
      sgdMomentumUpdate(param, values(buf), d, o.momentum, o.dampening, o.lr);
      buf.storage.bumpVersion();
      return;
    }
    if (!buf) {
      buf = Tensor.fromData(d.slice(), p.shape, 'float32'); // torch.clone(d_p).detach()
    } else {
      const b = values(buf);
      mulScalar(b, b, o.momentum); // buf.mul_(momentum).add_(d_p, alpha=1 - dampening)
      addScaled(b, b, d, 1 - o.dampening);
      buf.storage.bumpVersion();
    }
    st.set('momentum_buffer', buf);
    if (o.nesterov) {
      const n = new Float32Array(d.length);
      addScaled(n, d, values(buf), o.momentum); // d_p = d_p.add(buf, alpha=momentum)
      d = n;
    } else d = values(buf);
  } else st.set('momentum_buffer', null);
  addScaled(param, param, d, -o.lr); // param.add_(d_p, alpha=-lr)
}

/** `_single_tensor_adam` / `_single_tensor_adamw` for one parameter. */
function adamStep(o: AdamOptions, p: Tensor, g: Tensor, st: ParamState): void {
  if (st.size === 0) {
    st.set('step', 0);
    st.set('exp_avg', zerosLike(p));
    st.set('exp_avg_sq', zerosLike(p));
    if (o.amsgrad) st.set('max_exp_avg_sq', zerosLike(p));
  }
  const param = values(p);
  const [beta1, beta2] = o.betas;
  const step = Math.fround((st.get('step') as number) + 1); // step_t += 1 (a float32 tensor)
  st.set('step', step);
  let grad = values(g);
  if (o.kind === 'AdamW') {
    mulScalar(param, param, 1 - o.lr * o.weight_decay); // param.mul_(1 - lr * weight_decay)
    p.storage.bumpVersion(); // an in-place op of its own: AdamW bumps the version twice per step
  } else if (o.weight_decay !== 0) {
    const decayed = new Float32Array(grad.length);
    addScaled(decayed, grad, param, o.weight_decay); // grad = grad.add(param, alpha=weight_decay)
    grad = decayed;
  }
  const m = values(st.get('exp_avg') as Tensor);
  const v = values(st.get('exp_avg_sq') as Tensor);
  mulScalar(m, m, beta1); // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
  addScaled(m, m, grad, 1 - beta1);
  mulScalar(v, v, beta2); // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
  addcmul(v, v, grad, grad, 1 - beta2);
  // Python floats (double), cast to float32 where they meet a tensor.
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2 = 1 - beta2 ** step;
  const stepSize = o.lr / biasCorrection1;
  const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
  let second = v;
  if (o.amsgrad) {
    second = values(st.get('max_exp_avg_sq') as Tensor);
    maximum(second, second, v); // torch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
  }
  const denom = new Float32Array(param.length);
  sqrtDivAdd(denom, second, biasCorrection2Sqrt, o.eps); // (second.sqrt() / bias_correction2_sqrt).add_(eps)
  addcdiv(param, param, m, denom, -stepSize); // param.addcdiv_(exp_avg, denom, value=-step_size)
}
