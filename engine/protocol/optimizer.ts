/**
 * The optimizers `run.optimizer` may name, each field with torch.optim's
 * default and docstring: what the engine fills in (engine/graph/optimizer.ts,
 * which also checks the values with the constructors' messages) and what the
 * app's run settings offer.
 */

/** Each kind's fields with their defaults (`lr` of SGD has none: torch.optim's `required`). */
export const OPTIMIZER_DEFAULTS = {
  SGD: { lr: undefined, momentum: 0, dampening: 0, weight_decay: 0, nesterov: false },
  Adam: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
  AdamW: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false },
} as const;

/** An optimizer `run.optimizer.kind` names. */
export type OptimizerKind = keyof typeof OPTIMIZER_DEFAULTS;

/** The kinds, in the order the run settings list them. */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['SGD', 'Adam', 'AdamW'];

/** Whether `k` names an optimizer. */
export const isOptimizerKind = (k: unknown): k is OptimizerKind => OPTIMIZER_KINDS.some((kind) => kind === k);

/** What each field means, in the words of torch.optim's docstrings. */
export const OPTIMIZER_FIELD_DOCS: Readonly<Record<string, string>> = {
  lr: 'learning rate',
  momentum: 'momentum factor',
  dampening: 'dampening for momentum',
  weight_decay: 'weight decay (L2 penalty)',
  nesterov: 'enables Nesterov momentum',
  betas: 'coefficients used for computing running averages of gradient and its square',
  eps: 'term added to the denominator to improve numerical stability',
  amsgrad: 'whether to use the AMSGrad variant of this algorithm',
};
