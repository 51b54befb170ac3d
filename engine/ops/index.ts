/**
 * Every op module of the engine, by name: validation, shape inference, the
 * session and the exporter read the ops only through {@link OPS_REGISTRY}
 * (or a registry a caller passes, as the toy-op test does). The type keeps it
 * complete: one module per declaration of `catalog.ts`. See docs/adding-an-op.md.
 */
import { DECLARATIONS, type OpName } from './catalog';
import { opRegistry, type OpModule, type OpRegistry } from './define';
import { geluOp, leakyReluOp, sigmoidOp, tanhOp } from './activation/op';
import { cloneOp, detachOp, gradOp } from './autograd/op';
import { catOp } from './cat/op';
import { conv2dOp } from './conv2d/op';
import { addOp, clampOp, divOp, expOp, logOp, mulOp, negOp, signOp, subOp } from './elementwise/op';
import { linearOp } from './linear/op';
import { matmulOp } from './matmul/op';
import { crossEntropyLossOp, nllLossOp } from './loss/op';
import { adaptiveAvgPool2dOp, avgPool2dOp, maxPool2dOp } from './pool/op';
import { bceWithLogitsLossOp, l1LossOp, mseLossOp } from './pointwise-loss/op';
import { powOp } from './pow/op';
import { meanOp, sumOp } from './reduce/op';
import { reluOp } from './relu/op';
import { dropoutOp } from './dropout/op';
import { batchNorm2dOp } from './batch-norm/op';
import { flattenOp, permuteOp, reshapeOp, transposeOp } from './shape/op';
import { logSoftmaxOp, softmaxOpModule } from './softmax/op';
import { tensorOp } from './tensor/op';
import { datasetOp } from './dataset/op';

const MODULES: { readonly [O in OpName]: OpModule } = {
  Tensor: tensorOp,
  Dataset: datasetOp,
  Conv2d: conv2dOp,
  MaxPool2d: maxPool2dOp,
  AvgPool2d: avgPool2dOp,
  AdaptiveAvgPool2d: adaptiveAvgPool2dOp,
  Linear: linearOp,
  ReLU: reluOp,
  Dropout: dropoutOp,
  BatchNorm2d: batchNorm2dOp,
  Sigmoid: sigmoidOp,
  Tanh: tanhOp,
  LeakyReLU: leakyReluOp,
  GELU: geluOp,
  Flatten: flattenOp,
  Reshape: reshapeOp,
  Transpose: transposeOp,
  Permute: permuteOp,
  Cat: catOp,
  LogSoftmax: logSoftmaxOp,
  Softmax: softmaxOpModule,
  Log: logOp,
  Exp: expOp,
  Neg: negOp,
  Sign: signOp,
  Add: addOp,
  Sub: subOp,
  Mul: mulOp,
  Div: divOp,
  MatMul: matmulOp,
  Pow: powOp,
  Sum: sumOp,
  Mean: meanOp,
  Clamp: clampOp,
  NLLLoss: nllLossOp,
  CrossEntropyLoss: crossEntropyLossOp,
  MSELoss: mseLossOp,
  L1Loss: l1LossOp,
  BCEWithLogitsLoss: bceWithLogitsLossOp,
  Detach: detachOp,
  Clone: cloneOp,
  Grad: gradOp,
};

/** The op modules in palette order. */
export const OP_MODULES: readonly OpModule[] = DECLARATIONS.map((d) => MODULES[d.op]);

/** The ops of graph format version 1. */
export const OPS_REGISTRY: OpRegistry = opRegistry(OP_MODULES);

export { defineOp, opRegistry } from './define';
export type { BoundOp, OpContext, OpModule, OpRegistry, PortMeta, PyCode, PyContext, PyLiterals } from './define';
