import { runtimeError } from '../../core/errors';
import { formatShape, type Shape } from '../../core/shape';
import { adaptiveAvgPool2dBackward, type AdaptivePoolGeometry } from '../../kernels/adaptive-pool';
import { batchNormBackward, type BatchNormBackwardArgs } from '../../kernels/batch-norm';
import { conv2dBackward, type Conv2dGeometry } from '../../kernels/conv2d';
import { matmul } from '../../kernels/matmul';
import { reflectionPad2dBackward, replicationPad2dBackward, type Pad2d } from '../../kernels/pad';
import { avgPool2dBackward, maxPool2dBackward, type Pool2dGeometry } from '../../kernels/pool';
import { logSoftmaxBackward, softmaxBackward } from '../../kernels/softmax';
import { nllLossBackward, type Reduction } from '../../kernels/nll';
import type { GradValue } from '../grad-value';
import type { GradRule } from '../node';
import type { SavedVariable } from '../saved';
import { linalgRules } from './linalg';

type Grads = readonly (GradValue | null)[];

/** Saved by `ConvolutionBackward0`. */
export interface ConvSaved {
  readonly input: SavedVariable;
  readonly weight: SavedVariable;
  readonly geometry: Conv2dGeometry;
}
/** Saved by the 2-D matrix products. */
export interface MatSaved {
  readonly mat1: SavedVariable | null;
  readonly mat2: SavedVariable | null;
  readonly m: number;
  readonly k: number;
  readonly n: number;
}
/** Saved by the softmax family: output viewed as [outer, dimSize, inner]. */
export interface SoftmaxSaved {
  readonly result: SavedVariable;
  readonly outer: number;
  readonly dimSize: number;
  readonly inner: number;
}
/** Saved by the pools: PyTorch saves the input, so a freed pool cannot run twice. */
export interface PoolSaved {
  readonly self: SavedVariable;
  readonly shape: Shape;
  readonly geometry: Pool2dGeometry;
}
/** Saved by the 2-D paddings. */
export interface PadSaved {
  readonly self: SavedVariable;
  readonly shape: Shape;
  readonly planes: number;
  readonly pad: Pad2d;
}
/** Saved by NllLossBackward0 / NllLoss2DBackward0. */
export interface NllSaved {
  readonly self: SavedVariable;
  readonly target: SavedVariable;
  readonly weight: SavedVariable | null;
  readonly n: number;
  readonly c: number;
  readonly spatial: number;
  readonly reduction: Reduction;
  readonly ignoreIndex: number;
  readonly totalWeight: number;
}

/** Saved by NativeBatchNormBackward0: input, weight and the statistics the forward used. */
export interface BatchNormSaved {
  readonly input: SavedVariable;
  readonly weight: SavedVariable | null;
  readonly args: BatchNormBackwardArgs;
}

const like = (data: GradValue['data'], shape: Shape, g: GradValue): GradValue => ({ data, shape, dtype: g.dtype });

const nllRule: GradRule<NllSaved> = {
  backward: (s, [g]) => {
    const self = s.self.unpack();
    const target = s.target.unpack().data as Float64Array;
    const weight = s.weight ? s.weight.unpack().data : null;
    const d = nllLossBackward(
      g!.data,
      target,
      weight,
      s.n,
      s.c,
      s.spatial,
      s.reduction,
      s.ignoreIndex,
      s.totalWeight,
      self.data,
    );
    return [like(d, self.shape, g!)];
  },
};

/** Gradient rules of the neural-network ops (with dot, mv and bmm from ./linalg). */
/** ATen's adaptive_avg_pool2d_backward refuses an empty gradient (an output_size with a 0). */
function checkAdaptiveGrad(shape: Shape): void {
  for (let i = 1; i < shape.length; i++) {
    if (shape[i] === 0) {
      throw runtimeError(
        'adaptive_avg_pool2d_backward(): Expected grad_output to have non-zero size for non-batch dimensions, ' +
          `but grad_output has sizes ${formatShape(shape)} with dimension ${i} being empty`,
      );
    }
  }
}

export const nnRules = {
  ConvolutionBackward0: {
    backward: (s: ConvSaved, [g]: Grads, needs) => {
      const geo = s.geometry;
      const inShape = [geo.n, geo.cIn, geo.h, geo.w];
      const w = s.weight.unpack();
      const x = needs[1] ? s.input.unpack().data : null;
      const [gi, gw, gb] = conv2dBackward(g!.data, x, w.data, geo, needs);
      return [
        gi ? like(gi, inShape, g!) : null,
        gw ? like(gw, w.shape, g!) : null,
        gb ? like(gb, [geo.cOut], g!) : null,
      ];
    },
  } satisfies GradRule<ConvSaved>,
  /** addmm(bias, mat1, mat2): the bias gets the full gradient, summed down by the engine. */
  AddmmBackward0: {
    backward: (s: MatSaved, [g]: Grads, needs) => [
      needs[0] ? g! : null,
      needs[1] ? like(matmul(g!.data, s.mat2!.unpack().data, s.m, s.n, s.k, false, true), [s.m, s.k], g!) : null,
      needs[2] ? like(matmul(s.mat1!.unpack().data, g!.data, s.k, s.m, s.n, true, false), [s.k, s.n], g!) : null,
    ],
  } satisfies GradRule<MatSaved>,
  MmBackward0: {
    backward: (s: MatSaved, [g]: Grads, needs) => [
      needs[0] ? like(matmul(g!.data, s.mat2!.unpack().data, s.m, s.n, s.k, false, true), [s.m, s.k], g!) : null,
      needs[1] ? like(matmul(s.mat1!.unpack().data, g!.data, s.k, s.m, s.n, true, false), [s.k, s.n], g!) : null,
    ],
  } satisfies GradRule<MatSaved>,
  MaxPool2DWithIndicesBackward0: {
    backward: (s: PoolSaved & { indices: Int32Array }, [g]: Grads) => {
      s.self.unpack();
      return [like(maxPool2dBackward(g!.data, s.indices, s.geometry), s.shape, g!)];
    },
  } satisfies GradRule<PoolSaved & { indices: Int32Array }>,
  AvgPool2DBackward0: {
    backward: (s: PoolSaved & { countIncludePad: boolean; divisorOverride: number | null }, [g]: Grads) => {
      s.self.unpack();
      return [like(avgPool2dBackward(g!.data, s.geometry, s.countIncludePad, s.divisorOverride), s.shape, g!)];
    },
  } satisfies GradRule<PoolSaved & { countIncludePad: boolean; divisorOverride: number | null }>,
  AdaptiveAvgPool2DBackward0: {
    backward: (s: { self: SavedVariable; shape: Shape; geometry: AdaptivePoolGeometry }, [g]: Grads) => {
      s.self.unpack();
      checkAdaptiveGrad(g!.shape);
      return [like(adaptiveAvgPool2dBackward(g!.data, s.geometry), s.shape, g!)];
    },
  } satisfies GradRule<{ self: SavedVariable; shape: Shape; geometry: AdaptivePoolGeometry }>,
  LogSoftmaxBackward0: {
    backward: (s: SoftmaxSaved, [g]: Grads) => {
      const r = s.result.unpack();
      return [like(logSoftmaxBackward(g!.data, r.data, s.outer, s.dimSize, s.inner), r.shape, g!)];
    },
  } satisfies GradRule<SoftmaxSaved>,
  SoftmaxBackward0: {
    backward: (s: SoftmaxSaved, [g]: Grads) => {
      const r = s.result.unpack();
      return [like(softmaxBackward(g!.data, r.data, s.outer, s.dimSize, s.inner), r.shape, g!)];
    },
  } satisfies GradRule<SoftmaxSaved>,
  ReflectionPad2DBackward0: {
    backward: (s: PadSaved, [g]: Grads) => {
      s.self.unpack();
      const [h, w] = s.shape.slice(-2) as [number, number];
      return [like(reflectionPad2dBackward(g!.data, s.planes, h, w, s.pad), s.shape, g!)];
    },
  } satisfies GradRule<PadSaved>,
  ReplicationPad2DBackward0: {
    backward: (s: PadSaved, [g]: Grads) => {
      s.self.unpack();
      const [h, w] = s.shape.slice(-2) as [number, number];
      return [like(replicationPad2dBackward(g!.data, s.planes, h, w, s.pad), s.shape, g!)];
    },
  } satisfies GradRule<PadSaved>,
  /** native_batch_norm_backward: edges input, weight, bias. See Note [Batch norm roundings]. */
  NativeBatchNormBackward0: {
    backward: (s: BatchNormSaved, [g]: Grads, needs) => {
      const x = s.input.unpack();
      const w = s.weight ? s.weight.unpack().data : null;
      const [gi, gw, gb] = batchNormBackward(g!.data, x.data, w, s.args, needs);
      const c = [s.args.geometry.c];
      return [gi ? like(gi, x.shape, g!) : null, gw ? like(gw, c, g!) : null, gb ? like(gb, c, g!) : null];
    },
  } satisfies GradRule<BatchNormSaved>,
  NllLossBackward0: nllRule,
  NllLoss2DBackward0: nllRule,
  ...linalgRules,
};
