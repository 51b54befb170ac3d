/**
 * The JSON Schema of `run.optimizer` (docs/graph-format.md, "Optimizer"), for
 * build/scripts/graph-schema.ts: one branch per kind, torch.optim's names and
 * defaults. The constructor's checks (PyTorch's messages) are the engine's.
 */
type Schema = Record<string, unknown>;

const num = (dflt: number, description: string, minimum = 0): Schema => ({
  type: 'number',
  minimum,
  default: dflt,
  description,
});
const flag = (description: string): Schema => ({ type: 'boolean', default: false, description });
const common = {
  kind: {},
  params: {
    type: 'array',
    items: { type: 'string' },
    description: 'Parameter names (conv1.weight) and Tensor node ids to update (default: all of them).',
  },
  weight_decay: num(0, 'L2 penalty added to the gradient.'),
};

function kind(name: string, properties: Schema, required: string[] = []): Schema {
  return {
    type: 'object',
    required: ['kind', ...required],
    properties: { ...common, ...properties, kind: { const: name } },
    additionalProperties: false,
  };
}

const adam = (name: string, weightDecay: number): Schema =>
  kind(name, {
    lr: num(0.001, 'Learning rate.'),
    betas: {
      type: 'array',
      items: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
      minItems: 2,
      maxItems: 2,
      default: [0.9, 0.999],
      description: 'Decay rates of the running averages of the gradient and of its square.',
    },
    eps: num(1e-8, 'Added to the denominator for numerical stability.'),
    weight_decay: num(weightDecay, name === 'AdamW' ? 'Decoupled weight decay.' : 'L2 penalty added to the gradient.'),
    amsgrad: flag('Divide by the largest second moment so far (AMSGrad).'),
  });

/** `run.optimizer`: torch.optim's SGD, Adam or AdamW, stepped after every backward. */
export function optimizerSchema(): Schema {
  return {
    description: 'A torch.optim optimizer; optimizer.step() runs after every backward, before the update phase.',
    oneOf: [
      kind(
        'SGD',
        {
          lr: num(0, 'Learning rate (required).'),
          momentum: num(0, 'Momentum factor.'),
          dampening: { type: 'number', default: 0, description: 'Dampening for momentum.' },
          nesterov: flag('Nesterov momentum (needs momentum and zero dampening).'),
        },
        ['lr'],
      ),
      adam('Adam', 0),
      adam('AdamW', 0.01),
    ],
  };
}
