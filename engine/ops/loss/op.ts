import { crossEntropy, nllLoss } from '../../nn/loss';
import { defineOp, derived, port, pyCall, shapeOf, type PortMeta, type Ports, type PyLiterals } from '../define';
import { CROSS_ENTROPY_LOSS, NLL_LOSS } from './spec';

interface LossParams {
  readonly reduction: 'mean' | 'sum' | 'none';
  readonly ignore_index: number;
  readonly label_smoothing?: number;
}

/** The loss's shape: a scalar, or with reduction='none' the per-sample losses. */
function inferLoss(ins: Ports<PortMeta>, p: LossParams): PortMeta {
  const x = port(ins, 'input');
  const xs = shapeOf(x);
  const ts = shapeOf(port(ins, 'target'));
  const same = ts.length === xs.length && ts.every((v, i) => v === xs[i]);
  const shape = p.reduction !== 'none' ? [] : same ? xs.filter((_, i) => i !== (xs.length === 1 ? 0 : 1)) : ts;
  return derived(shape, 'float32', [x]);
}

/** The keyword arguments that differ from PyTorch's defaults. */
function lossArgs(py: PyLiterals, x: Ports<string>, p: LossParams): string[] {
  const out: string[] = [];
  const w = x.get('weight');
  if (w) out.push(`weight=${w}`);
  if (p.ignore_index !== -100) out.push(`ignore_index=${py.number(p.ignore_index)}`);
  if (p.reduction !== 'mean') out.push(`reduction=${py.str(p.reduction)}`);
  if (p.label_smoothing !== undefined && p.label_smoothing !== 0) {
    out.push(`label_smoothing=${py.float(p.label_smoothing)}`);
  }
  return out;
}

export const nllLossOp = defineOp(NLL_LOSS, {
  infer: inferLoss,
  execute: (_ctx, ins, p) =>
    nllLoss(port(ins, 'input'), port(ins, 'target'), ins.get('weight') ?? null, p.reduction, p.ignore_index),
  python: (py, x, p) => pyCall('F.nll_loss', port(x, 'input'), port(x, 'target'), ...lossArgs(py, x, p)),
});

export const crossEntropyLossOp = defineOp(CROSS_ENTROPY_LOSS, {
  infer: inferLoss,
  execute: (_ctx, ins, p) =>
    crossEntropy(
      port(ins, 'input'),
      port(ins, 'target'),
      ins.get('weight') ?? null,
      p.reduction,
      p.ignore_index,
      p.label_smoothing,
    ),
  python: (py, x, p) => pyCall('F.cross_entropy', port(x, 'input'), port(x, 'target'), ...lossArgs(py, x, p)),
});
