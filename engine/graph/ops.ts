import { internalError, runtimeError } from '../core/errors';
import { formatShape, numel } from '../core/shape';
import type { Tensor } from '../tensor/tensor';
import * as E from '../tensor/ops/elementwise';
import { mean, sum } from '../tensor/ops/reduce';
import { clone, flatten, reshape } from '../tensor/ops/view';
import { conv2dModule, checkConv2dModule, type ConvPadding, type Pair, type PaddingMode } from '../nn/conv';
import { avgPool2d, maxPool2d } from '../nn/pool';
import { linear } from '../nn/linear';
import { implicitSoftmaxDim, logSoftmax, softmax } from '../nn/softmax';
import { crossEntropy, nllLoss, type Reduction } from '../nn/loss';
import type { GraphNode, InitSpec } from './document';
import { defaultParam, makeTensor } from './init';

/** What an op may ask of the run while it executes. */
export interface OpContext {
  /** Records a warning PyTorch would print. */
  warn(message: string): void;
}

type Inputs = ReadonlyMap<string, Tensor>;
type Params = Readonly<Record<string, unknown>>;
const need = (inputs: Inputs, port: string): Tensor => inputs.get(port)!;

/** Shapes of a Conv2d node's owned parameters. */
export function convParamShapes(p: Params): { weight: number[]; bias: number[] | null; fanIn: number } {
  const k = p.kernel_size as Pair;
  const cin = (p.in_channels as number) / (p.groups as number);
  return {
    weight: [p.out_channels as number, cin, k[0], k[1]],
    bias: p.bias ? [p.out_channels as number] : null,
    fanIn: cin * k[0] * k[1],
  };
}

/** Shapes of a Linear node's owned parameters. */
export function linearParamShapes(p: Params): { weight: number[]; bias: number[] | null; fanIn: number } {
  return {
    weight: [p.out_features as number, p.in_features as number],
    bias: p.bias ? [p.out_features as number] : null,
    fanIn: p.in_features as number,
  };
}

/** Creates a Conv2d/Linear node's parameters (iteration 0's setup). */
export function createParams(
  node: GraphNode,
  wired: ReadonlyMap<string, string> = new Map(),
): { weight: Tensor | null; bias: Tensor | null } {
  const p = node.params;
  if (node.op === 'Conv2d') {
    checkConv2dModule(
      p.in_channels as number,
      p.out_channels as number,
      p.groups as number,
      p.padding as ConvPadding,
      p.stride as Pair,
    );
  }
  const shapes = node.op === 'Conv2d' ? convParamShapes(p) : linearParamShapes(p);
  const init = (p.init ?? {}) as { weight?: InitSpec; bias?: InitSpec };
  const make = (which: 'weight' | 'bias', shape: number[]) => {
    const spec = init[which];
    if (spec && spec.kind === 'values' && spec.data.length !== numel(shape)) {
      throw runtimeError(
        `init.${which} of ${node.id} has ${spec.data.length} values, but ${node.id}.${which} has shape ${formatShape(shape)}`,
      );
    }
    const t = spec ? makeTensor(spec, shape, 'float32') : defaultParam(`${node.id}.${which}`, shape, shapes.fanIn);
    t.name = `${node.id}.${which}`;
    if (p.requires_grad !== false) t.setRequiresGrad(true);
    return t;
  };
  return {
    weight: wired.has('weight') ? null : make('weight', shapes.weight),
    bias: shapes.bias && !wired.has('bias') ? make('bias', shapes.bias) : null,
  };
}

function softmaxDim(t: Tensor, dim: unknown, name: string, ctx: OpContext): number {
  if (dim !== null) return dim as number;
  const d = implicitSoftmaxDim(t.ndim);
  ctx.warn(
    `Implicit dimension choice for ${name} has been deprecated. Change the call to include dim=X as an argument.`,
  );
  return d;
}

/** Runs one op of the catalog (not Tensor or Grad, which the session handles). */
export function executeOp(
  node: GraphNode,
  inputs: Inputs,
  params: { weight: Tensor | null; bias: Tensor | null } | null,
  ctx: OpContext,
): Tensor {
  const p = node.params;
  const x = () => need(inputs, 'input');
  switch (node.op) {
    case 'Conv2d': {
      const w = inputs.get('weight') ?? params!.weight!;
      const b = inputs.get('bias') ?? params!.bias;
      const args = {
        stride: p.stride as Pair,
        padding: p.padding as ConvPadding,
        dilation: p.dilation as Pair,
        groups: p.groups as number,
      };
      return conv2dModule(x(), w, b, args, p.padding_mode as PaddingMode);
    }
    case 'Linear':
      return linear(x(), inputs.get('weight') ?? params!.weight!, inputs.get('bias') ?? params!.bias);
    case 'MaxPool2d':
    case 'AvgPool2d': {
      const kernel = p.kernel_size as Pair;
      const args = {
        kernel,
        stride: (p.stride as Pair | null) ?? kernel,
        padding: p.padding as Pair,
        dilation: (p.dilation as Pair | undefined) ?? [1, 1],
        ceilMode: p.ceil_mode as boolean,
      };
      return node.op === 'MaxPool2d'
        ? maxPool2d(x(), args as typeof args & { dilation: Pair })
        : avgPool2d(x(), args, p.count_include_pad as boolean, p.divisor_override as number | null);
    }
    case 'ReLU':
      return p.inplace ? E.relu_(x()) : E.relu(x());
    case 'Flatten':
      return flatten(x(), p.start_dim as number, p.end_dim as number);
    case 'Reshape':
      return reshape(x(), p.shape as number[]);
    case 'LogSoftmax':
      return logSoftmax(x(), softmaxDim(x(), p.dim, 'log_softmax', ctx));
    case 'Softmax':
      return softmax(x(), softmaxDim(x(), p.dim, 'softmax', ctx));
    case 'Log':
      return E.log(x());
    case 'Exp':
      return E.exp(x());
    case 'Neg':
      return E.neg(x());
    case 'Sign':
      return E.sign(x());
    case 'Add':
      return E.add(need(inputs, 'a'), need(inputs, 'b'));
    case 'Sub':
      return E.sub(need(inputs, 'a'), need(inputs, 'b'));
    case 'Mul':
      return E.mul(need(inputs, 'a'), need(inputs, 'b'));
    case 'Div':
      return E.div(need(inputs, 'a'), need(inputs, 'b'));
    case 'Sum':
      return sum(x(), p.dim as number | number[] | null, p.keepdim as boolean);
    case 'Mean':
      return mean(x(), p.dim as number | number[] | null, p.keepdim as boolean);
    case 'Clamp':
      return E.clamp(x(), p.min as number | null, p.max as number | null);
    case 'NLLLoss':
      return nllLoss(
        x(),
        need(inputs, 'target'),
        inputs.get('weight') ?? null,
        p.reduction as Reduction,
        p.ignore_index as number,
      );
    case 'CrossEntropyLoss':
      return crossEntropy(
        x(),
        need(inputs, 'target'),
        inputs.get('weight') ?? null,
        p.reduction as Reduction,
        p.ignore_index as number,
        p.label_smoothing as number,
      );
    case 'Detach':
      return x().detach();
    case 'Clone':
      return clone(x());
    default:
      throw internalError(`no executor for op ${node.op}`);
  }
}
