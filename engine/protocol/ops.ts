/**
 * The op catalog of graph format version 1: every op's ports and parameters with
 * PyTorch's names and defaults. The validator, the canvas's palette and
 * inspector, and the exporters all read it; nothing else lists the ops.
 */

/** The kind of value a parameter holds. */
export type ParamKind =
  | 'int' // a non-negative integer
  | 'posint' // a positive integer
  | 'int2' // a positive integer or a pair [h, w]
  | 'int2nn' // a non-negative integer or a pair [h, w]
  | 'int2|null' // int2, or null (stride defaults to kernel_size)
  | 'conv_padding' // int2 (non-negative), "same" or "valid"
  | 'bool'
  | 'number'
  | 'number|null'
  | 'posint|null'
  | 'dim' // an integer dimension (may be negative)
  | 'dim|null'
  | 'dims|null' // null, an integer, or a list of integers
  | 'shape' // list of non-negative integers
  | 'reshape' // list of integers, at most one -1
  | 'dtype' // "float32" | "int64"
  | 'enum'
  | 'init' // a Tensor init spec
  | 'param_init'; // { weight?: init, bias?: init }

/** One parameter of an op. */
export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** Default; `undefined` means required. */
  readonly default?: unknown;
  /** Allowed values for `enum`. */
  readonly values?: readonly string[];
  /** One line for the inspector. */
  readonly doc: string;
}

/** One input port of an op. */
export interface PortSpec {
  readonly name: string;
  readonly optional: boolean;
  readonly doc: string;
}

/** One op of the graph format. */
export interface OpSpec {
  readonly op: string;
  /** What PyTorch calls it. */
  readonly torch: string;
  readonly category: 'tensor' | 'layer' | 'activation' | 'shape' | 'math' | 'reduce' | 'loss' | 'autograd';
  readonly ports: readonly PortSpec[];
  readonly params: readonly ParamSpec[];
  readonly doc: string;
}

const input: PortSpec = { name: 'input', optional: false, doc: 'the input tensor' };
const p = (name: string, kind: ParamKind, def: unknown, doc: string, values?: readonly string[]): ParamSpec =>
  values ? { name, kind, default: def, doc, values } : { name, kind, default: def, doc };
const req = (name: string, kind: ParamKind, doc: string): ParamSpec => ({ name, kind, doc });
const unary = (op: string, torch: string, doc: string): OpSpec => ({
  op,
  torch,
  category: 'math',
  ports: [input],
  params: [],
  doc,
});
const binary = (op: string, sym: string): OpSpec => ({
  op,
  torch: `a ${sym} b`,
  category: 'math',
  ports: [
    { name: 'a', optional: false, doc: 'left operand' },
    { name: 'b', optional: false, doc: 'right operand (broadcast as PyTorch does)' },
  ],
  params: [],
  doc: `Elementwise a ${sym} b with broadcasting.`,
});
const lossParams = [
  p('reduction', 'enum', 'mean', 'how to reduce the per-element losses', ['mean', 'sum', 'none']),
  p('ignore_index', 'number', -100, 'target value that contributes no loss and no gradient'),
];
const lossPorts: PortSpec[] = [
  input,
  { name: 'target', optional: false, doc: 'class indices (int64) or, for CrossEntropyLoss, class probabilities' },
  { name: 'weight', optional: true, doc: 'a manual rescaling weight per class' },
];

/** Every op of graph format version 1, in palette order. */
export const OPS: readonly OpSpec[] = [
  {
    op: 'Tensor',
    torch: 'torch.tensor',
    category: 'tensor',
    ports: [],
    params: [
      req('shape', 'shape', 'the tensor shape'),
      p('dtype', 'dtype', 'float32', 'float32, or int64 for class targets'),
      p('requires_grad', 'bool', false, 'does `t.requires_grad = True` at setup'),
      p('init', 'init', { kind: 'zeros' }, 'initial values'),
    ],
    doc: 'A leaf tensor, like a variable defined before a Python loop.',
  },
  {
    op: 'Conv2d',
    torch: 'nn.Conv2d',
    category: 'layer',
    ports: [
      input,
      { name: 'weight', optional: true, doc: 'replaces the owned weight' },
      { name: 'bias', optional: true, doc: 'replaces the owned bias' },
    ],
    params: [
      req('in_channels', 'posint', 'channels of the input'),
      req('out_channels', 'posint', 'channels produced'),
      req('kernel_size', 'int2', 'size of the kernel'),
      p('stride', 'int2', 1, 'stride of the convolution'),
      p('padding', 'conv_padding', 0, "zero padding per side, or 'same' / 'valid'"),
      p('dilation', 'int2', 1, 'spacing between kernel elements'),
      p('groups', 'posint', 1, 'blocked connections from input to output channels'),
      p('bias', 'bool', true, 'adds a learnable bias'),
      p('padding_mode', 'enum', 'zeros', 'how the border is padded', ['zeros', 'reflect', 'replicate', 'circular']),
      p('requires_grad', 'bool', true, 'whether the owned parameters require grad'),
      p('init', 'param_init', {}, 'initial weight and bias (default: PyTorch’s kaiming-uniform init)'),
    ],
    doc: 'A 2-D convolution that owns <id>.weight and <id>.bias.',
  },
  {
    op: 'MaxPool2d',
    torch: 'nn.MaxPool2d',
    category: 'layer',
    ports: [input],
    params: [
      req('kernel_size', 'int2', 'window size'),
      p('stride', 'int2|null', null, 'window stride (default: kernel_size)'),
      p('padding', 'int2nn', 0, 'implicit -inf padding per side'),
      p('dilation', 'int2', 1, 'spacing between window elements'),
      p('ceil_mode', 'bool', false, 'use ceil instead of floor for the output size'),
    ],
    doc: 'Max over each window; the gradient goes to the first maximum.',
  },
  {
    op: 'AvgPool2d',
    torch: 'nn.AvgPool2d',
    category: 'layer',
    ports: [input],
    params: [
      req('kernel_size', 'int2', 'window size'),
      p('stride', 'int2|null', null, 'window stride (default: kernel_size)'),
      p('padding', 'int2nn', 0, 'implicit zero padding per side'),
      p('ceil_mode', 'bool', false, 'use ceil instead of floor for the output size'),
      p('count_include_pad', 'bool', true, 'count padding zeros in the divisor'),
      p('divisor_override', 'posint|null', null, 'use this divisor instead'),
    ],
    doc: 'Mean over each window.',
  },
  {
    op: 'Linear',
    torch: 'nn.Linear',
    category: 'layer',
    ports: [
      input,
      { name: 'weight', optional: true, doc: 'replaces the owned weight' },
      { name: 'bias', optional: true, doc: 'replaces the owned bias' },
    ],
    params: [
      req('in_features', 'posint', 'size of each input sample'),
      req('out_features', 'posint', 'size of each output sample'),
      p('bias', 'bool', true, 'adds a learnable bias'),
      p('requires_grad', 'bool', true, 'whether the owned parameters require grad'),
      p('init', 'param_init', {}, 'initial weight and bias (default: PyTorch’s kaiming-uniform init)'),
    ],
    doc: 'y = x Wᵀ + b, owning <id>.weight and <id>.bias.',
  },
  {
    op: 'ReLU',
    torch: 'nn.ReLU',
    category: 'activation',
    ports: [input],
    params: [p('inplace', 'bool', false, 'overwrite the input (bumps its version counter)')],
    doc: 'max(x, 0).',
  },
  {
    op: 'Flatten',
    torch: 'nn.Flatten',
    category: 'shape',
    ports: [input],
    params: [p('start_dim', 'dim', 1, 'first dim to flatten'), p('end_dim', 'dim', -1, 'last dim to flatten')],
    doc: 'Merges dims start_dim..end_dim into one.',
  },
  {
    op: 'Reshape',
    torch: 'Tensor.reshape',
    category: 'shape',
    ports: [input],
    params: [req('shape', 'reshape', 'the new shape; one entry may be -1')],
    doc: 'Same elements, new shape (a view when possible).',
  },
  {
    op: 'LogSoftmax',
    torch: 'nn.LogSoftmax',
    category: 'activation',
    ports: [input],
    params: [p('dim', 'dim|null', null, 'dimension to normalise over')],
    doc: 'log(softmax(x)), computed stably.',
  },
  {
    op: 'Softmax',
    torch: 'nn.Softmax',
    category: 'activation',
    ports: [input],
    params: [p('dim', 'dim|null', null, 'dimension to normalise over')],
    doc: 'exp(x) / sum(exp(x)) along dim.',
  },
  unary('Log', 'torch.log', 'Natural logarithm.'),
  unary('Exp', 'torch.exp', 'Exponential.'),
  unary('Neg', 'torch.neg', '-x.'),
  unary('Sign', 'torch.sign', '-1, 0 or 1; its gradient is zero everywhere.'),
  binary('Add', '+'),
  binary('Sub', '-'),
  binary('Mul', '*'),
  binary('Div', '/'),
  {
    op: 'Sum',
    torch: 'Tensor.sum',
    category: 'reduce',
    ports: [input],
    params: [
      p('dim', 'dims|null', null, 'dims to reduce (null: all)'),
      p('keepdim', 'bool', false, 'keep reduced dims as size 1'),
    ],
    doc: 'Sum of elements.',
  },
  {
    op: 'Mean',
    torch: 'Tensor.mean',
    category: 'reduce',
    ports: [input],
    params: [
      p('dim', 'dims|null', null, 'dims to reduce (null: all)'),
      p('keepdim', 'bool', false, 'keep reduced dims as size 1'),
    ],
    doc: 'Mean of elements.',
  },
  {
    op: 'Clamp',
    torch: 'torch.clamp',
    category: 'math',
    ports: [input],
    params: [p('min', 'number|null', null, 'lower bound'), p('max', 'number|null', null, 'upper bound')],
    doc: 'Limits values to [min, max]; no gradient where clamped.',
  },
  {
    op: 'NLLLoss',
    torch: 'nn.NLLLoss',
    category: 'loss',
    ports: lossPorts,
    params: lossParams,
    doc: 'Negative log likelihood of log-probabilities.',
  },
  {
    op: 'CrossEntropyLoss',
    torch: 'nn.CrossEntropyLoss',
    category: 'loss',
    ports: lossPorts,
    params: [...lossParams, p('label_smoothing', 'number', 0, 'amount of smoothing in [0, 1]')],
    doc: 'LogSoftmax followed by NLLLoss, as autograd shows.',
  },
  {
    op: 'Detach',
    torch: 'Tensor.detach',
    category: 'autograd',
    ports: [input],
    params: [],
    doc: 'Shares storage with its input; a leaf that does not require grad.',
  },
  {
    op: 'Clone',
    torch: 'Tensor.clone',
    category: 'autograd',
    ports: [input],
    params: [],
    doc: 'Copies into new storage; stays in the graph.',
  },
  {
    op: 'Grad',
    torch: 'Tensor.grad',
    category: 'autograd',
    ports: [{ name: 'of', optional: false, doc: 'the tensor whose .grad to read after backward' }],
    params: [],
    doc: 'Reads of.grad after backward (update phase).',
  },
];

/** The op spec by name. */
export const OP_BY_NAME: ReadonlyMap<string, OpSpec> = new Map(OPS.map((o) => [o.op, o]));
