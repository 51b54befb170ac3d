import {
  bceWithLogits,
  bceWithLogitsMeta,
  l1Loss,
  mseLoss,
  pointwiseLossMeta,
  targetSizeWarning,
} from '../../nn/pointwise-loss';
import type { Tensor } from '../../tensor/tensor';
import { defineOp, derived, port, pyCall, shapeOf, type OpContext, type PortMeta, type PyLiterals } from '../define';
import { BCE_WITH_LOGITS_LOSS, L1_LOSS, MSE_LOSS } from './spec';

type Reduction = 'mean' | 'sum' | 'none';

/** A port's meta as the shape checks read it (an unknown dtype is float32, the format's default). */
const operand = (m: PortMeta) => ({ shape: shapeOf(m), dtype: m.dtype ?? 'float32', requiresGrad: m.requiresGrad });

const reductionArg = (py: PyLiterals, r: Reduction): string | null => (r === 'mean' ? null : `reduction=${py.str(r)}`);

/** MSELoss and L1Loss: `F.<fn>(input, target)`, warning first when target's shape differs. */
const regressionLoss = (
  decl: typeof MSE_LOSS | typeof L1_LOSS,
  kind: 'mse' | 'l1',
  fn: (input: Tensor, target: Tensor, reduction: Reduction) => Tensor,
) =>
  defineOp(decl, {
    infer: (ins, p) => {
      const x = port(ins, 'input');
      const t = port(ins, 'target');
      const meta = pointwiseLossMeta(kind, operand(x), operand(t), p.reduction);
      return derived(meta.shape, meta.dtype === 'int64' ? 'int64' : 'float32', [x, t]);
    },
    execute: (ctx: OpContext, ins, p) => {
      const x = port(ins, 'input');
      const t = port(ins, 'target');
      const warning = targetSizeWarning(x.shape, t.shape);
      if (warning) ctx.warn(warning);
      return fn(x, t, p.reduction);
    },
    python: (py, x, p) => pyCall(`F.${kind}_loss`, port(x, 'input'), port(x, 'target'), reductionArg(py, p.reduction)),
  });

export const mseLossOp = regressionLoss(MSE_LOSS, 'mse', mseLoss);
export const l1LossOp = regressionLoss(L1_LOSS, 'l1', l1Loss);

export const bceWithLogitsLossOp = defineOp(BCE_WITH_LOGITS_LOSS, {
  infer: (ins, p) => {
    const x = port(ins, 'input');
    const t = port(ins, 'target');
    const w = ins.get('weight');
    const pw = ins.get('pos_weight');
    // Whether weight requiring grad is refused depends on grad mode, known when the node runs.
    const meta = bceWithLogitsMeta(
      operand(x),
      operand(t),
      w ? operand(w) : null,
      pw ? operand(pw) : null,
      p.reduction,
      false,
    );
    return derived(meta.shape, 'float32', [x, t]);
  },
  execute: (_ctx, ins, p) =>
    bceWithLogits(
      port(ins, 'input'),
      port(ins, 'target'),
      ins.get('weight') ?? null,
      ins.get('pos_weight') ?? null,
      p.reduction,
    ),
  python: (py, x, p) => {
    const w = x.get('weight');
    const pw = x.get('pos_weight');
    return pyCall(
      'F.binary_cross_entropy_with_logits',
      port(x, 'input'),
      port(x, 'target'),
      w ? `weight=${w}` : null,
      pw ? `pos_weight=${pw}` : null,
      reductionArg(py, p.reduction),
    );
  },
});
