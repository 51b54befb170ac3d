import { defineOp } from '../define';
import { TENSOR } from './spec';

/** The session makes the leaf at setup and the exporter writes it (see LeafSetup). */
export const tensorOp = defineOp(TENSOR, {
  leaf: (p) => ({ shape: p.shape, dtype: p.dtype, requiresGrad: p.requires_grad, init: p.init }),
  infer: (_ins, p) => ({ shape: p.shape, dtype: p.dtype, requiresGrad: p.requires_grad, isLeaf: true }),
});
