import { mapped } from '../core/arrays';
import { isGradEnabled } from '../autograd/grad-mode';
import { FunctionNode, takeSequenceNr, type Edge, type GradRule } from '../autograd/node';
import { gradRules, type GradFnName, type SavedOf } from '../autograd/rules/index';
import { SavedVariable } from '../autograd/saved';
import type { Tensor } from './tensor';

/** True if an op on `inputs` must record a grad_fn (grad mode on and some input requires grad). */
export function needsGrad(inputs: readonly (Tensor | null)[]): boolean {
  return isGradEnabled() && inputs.some((t) => t !== null && t.requiresGrad);
}

/**
 * Records the grad_fn of an op's result: a FunctionNode from the rule table with
 * one edge per input (null for inputs that need no gradient), as PyTorch's
 * generated code does with `collect_next_edges`. `saved` runs only when recording.
 */
export function record<K extends GradFnName>(
  out: Tensor,
  name: K,
  inputs: readonly (Tensor | null)[],
  saved: () => SavedOf<K>,
): Tensor {
  if (!needsGrad(inputs)) return out;
  // The grad_fn is created before its edges are collected, as in PyTorch's generated code:
  // collecting an edge may create a node (Note [View + in-place]), which must come later.
  const sequenceNr = takeSequenceNr();
  const edges: (Edge | null)[] = mapped(inputs, (t) => (t !== null && t.requiresGrad ? t.gradientEdge() : null));
  const rule = gradRules[name] as GradRule<SavedOf<K>>;
  out.gradFn = new FunctionNode(name, rule, saved(), edges, [{ shape: out.shape, dtype: out.dtype }], sequenceNr);
  out.outputNr = 0;
  return out;
}

/** Saves an input for backward. */
export function save(t: Tensor): SavedVariable {
  return new SavedVariable(t);
}

/** Saves an op's own output for backward (its grad_fn is the node being recorded). */
export function saveOutput(t: Tensor, gradFnName: string): SavedVariable {
  return new SavedVariable(t, gradFnName);
}
