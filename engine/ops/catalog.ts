/**
 * The declarations of every op of graph format version 1, in palette order: the
 * one list the catalog (`engine/protocol/ops.ts`) is made from. Each op's
 * behaviour is registered under the same name in `engine/ops/index.ts`, which
 * the compiler keeps complete. See docs/adding-an-op.md.
 */
import { ADAPTIVE_AVG_POOL2D, AVG_POOL2D, MAX_POOL2D } from './pool/spec';
import { GELU, LEAKY_RELU, SIGMOID, TANH } from './activation/spec';
import { CLONE, DETACH, GRAD } from './autograd/spec';
import { CAT } from './cat/spec';
import { BATCH_NORM2D } from './batch-norm/spec';
import { CONV2D } from './conv2d/spec';
import { ADD, CLAMP, DIV, EXP, LOG, MUL, NEG, SIGN, SUB } from './elementwise/spec';
import { CROSS_ENTROPY_LOSS, NLL_LOSS } from './loss/spec';
import { LINEAR } from './linear/spec';
import { MATMUL } from './matmul/spec';
import { MEAN, SUM } from './reduce/spec';
import { BCE_WITH_LOGITS_LOSS, L1_LOSS, MSE_LOSS } from './pointwise-loss/spec';
import { POW } from './pow/spec';
import { RELU } from './relu/spec';
import { DROPOUT } from './dropout/spec';
import { FLATTEN, PERMUTE, RESHAPE, TRANSPOSE } from './shape/spec';
import { LOG_SOFTMAX, SOFTMAX } from './softmax/spec';
import { TENSOR } from './tensor/spec';
import { DATASET } from './dataset/spec';

export const DECLARATIONS = [
  TENSOR,
  DATASET,
  CONV2D,
  BATCH_NORM2D,
  MAX_POOL2D,
  AVG_POOL2D,
  ADAPTIVE_AVG_POOL2D,
  LINEAR,
  RELU,
  SIGMOID,
  TANH,
  LEAKY_RELU,
  GELU,
  DROPOUT,
  FLATTEN,
  RESHAPE,
  TRANSPOSE,
  PERMUTE,
  CAT,
  LOG_SOFTMAX,
  SOFTMAX,
  LOG,
  EXP,
  NEG,
  SIGN,
  ADD,
  SUB,
  MUL,
  DIV,
  MATMUL,
  POW,
  SUM,
  MEAN,
  CLAMP,
  NLL_LOSS,
  CROSS_ENTROPY_LOSS,
  MSE_LOSS,
  L1_LOSS,
  BCE_WITH_LOGITS_LOSS,
  DETACH,
  CLONE,
  GRAD,
] as const;

/** The name of every op of the format. */
export type OpName = (typeof DECLARATIONS)[number]['op'];

/** The declaration of op `O`. */
export type DeclarationOf<O extends OpName> = Extract<(typeof DECLARATIONS)[number], { op: O }>;
