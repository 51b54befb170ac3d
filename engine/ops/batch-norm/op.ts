import {
  batchNorm2d,
  batchNorm2dShape,
  checkBatchNormDtype,
  verifyBatchSize,
  type BatchNormBuffers,
} from '../../nn/batch-norm';
import type { ParamsOf } from '../../protocol/op-spec';
import type { Tensor } from '../../tensor/tensor';
import { defineOp, derived, port, shapeOf, type BufferSpec, type Ports, type PyLiterals } from '../define';
import { BATCH_NORM2D } from './spec';

type P = ParamsOf<(typeof BATCH_NORM2D)['params']>;

/** The buffers of a BatchNorm2d with track_running_stats. See Note [BatchNorm2d buffers] (engine/nn/batch-norm.ts). */
function buffers(p: P): BufferSpec[] {
  if (!p.track_running_stats) return [];
  const c = [p.num_features];
  return [
    { name: 'running_mean', shape: c, dtype: 'float32', init: { kind: 'zeros' } },
    { name: 'running_var', shape: c, dtype: 'float32', init: { kind: 'ones' } },
    { name: 'num_batches_tracked', shape: [], dtype: 'int64', init: { kind: 'zeros' } },
  ];
}

/** `nn.BatchNorm2d(...)`, PyTorch's defaults left out. */
function constructor(py: PyLiterals, p: P): string {
  const a = [String(p.num_features)];
  if (p.eps !== 1e-5) a.push(`eps=${py.float(p.eps)}`);
  if (p.momentum !== 0.1) a.push(`momentum=${p.momentum === null ? 'None' : py.float(p.momentum)}`);
  if (!p.affine) a.push('affine=False');
  if (!p.track_running_stats) a.push('track_running_stats=False');
  return `nn.BatchNorm2d(${a.join(', ')})`;
}

const bufferOf = (ins: Ports<Tensor>, name: string): Tensor | null => ins.get(name) ?? null;

function bufferTensors(ins: Ports<Tensor>): BatchNormBuffers {
  return {
    runningMean: bufferOf(ins, 'running_mean'),
    runningVar: bufferOf(ins, 'running_var'),
    numBatchesTracked: bufferOf(ins, 'num_batches_tracked'),
  };
}

export const batchNorm2dOp = defineOp(BATCH_NORM2D, {
  readsMode: true,
  layer: (p) => {
    const c = p.affine ? [p.num_features] : null;
    return {
      shapes: { weight: c, bias: c, fanIn: p.num_features },
      buffers: buffers(p),
      requiresGrad: p.requires_grad,
      // reset_parameters: init.ones_(weight), init.zeros_(bias)
      init: { weight: { kind: 'ones' }, bias: { kind: 'zeros' }, ...p.init },
      check: () => {},
      module: (py) => constructor(py, p),
    };
  },
  infer: (ins, p, mode) => {
    const x = port(ins, 'input');
    const w = ins.get('weight');
    const b = ins.get('bias');
    const stats = p.track_running_stats ? p.num_features : null;
    const xs = shapeOf(x);
    if (xs.length === 4 && (mode === 'train' || !p.track_running_stats)) verifyBatchSize(xs);
    const shape = batchNorm2dShape(xs, {
      runningMean: stats,
      runningVar: stats,
      weight: w ? p.num_features : null,
      bias: b ? p.num_features : null,
    });
    if (x.dtype) checkBatchNormDtype(x.dtype);
    return derived(shape, x.dtype ?? 'float32', [x, ...(w ? [w] : []), ...(b ? [b] : [])]);
  },
  execute: (ctx, ins, p) =>
    batchNorm2d(port(ins, 'input'), ins.get('weight') ?? null, ins.get('bias') ?? null, bufferTensors(ins), {
      eps: p.eps,
      momentum: p.momentum,
      training: ctx.mode === 'train',
    }),
  python: (py, x) => `${py.layer}(${port(x, 'input')})`,
});
