/**
 * One-sentence explanations of the autograd words, shared by the badges'
 * tooltips (OpNode.tsx) and the help's glossary (Help.tsx).
 */

/** The glossary, in the order a learner meets the words. */
export const GLOSSARY: readonly { readonly term: string; readonly text: string }[] = [
  {
    term: 'leaf',
    text: 'A tensor you created yourself rather than the output of an op (is_leaf = True); backward() stores its gradient in its .grad.',
  },
  {
    term: 'requires_grad',
    text: 'When True, autograd records every op on the tensor so that backward() can send gradient back to it.',
  },
  {
    term: 'grad_fn',
    text: 'The backward function an op recorded on its output (like AddmmBackward0); backward() calls it to pass gradient to the op’s inputs.',
  },
  {
    term: '.grad',
    text: 'Where backward() accumulates the gradient of a leaf that requires grad; it adds up across backward calls until it is zeroed.',
  },
  {
    term: 'detach',
    text: 'detach() returns a tensor that shares its input’s storage but is cut from the graph: no grad_fn and requires_grad = False, so gradient stops there.',
  },
  {
    term: 'storage',
    text: 'The memory holding a tensor’s values (storage #N on a node): detach() shares it, clone() copies it, so an in-place op on a detached tensor changes the original too.',
  },
  {
    term: 'in-place (version counter)',
    text: 'An in-place op like relu_() overwrites its input and bumps its storage’s version; a backward that needs a value saved before that raises “modified by an inplace operation”.',
  },
];

/**
 * grad_fns an op did not record on its own output, but autograd put there after an in-place
 * op on a view (Note [In-place on a view], engine/autograd/copy-slices.ts).
 */
const GRAD_FN_HELP: Readonly<Record<string, string>> = {
  CopySlices:
    'an in-place op changed a view of this tensor, so its history now runs that op’s backward on the part the view covers.',
  AsStridedBackward0:
    'this view’s memory was changed in place after it was made, so autograd rebuilt its grad_fn to take the gradient from its base’s new history.',
};

/** What a badge on a node means, in one sentence (its tooltip). */
export const BADGE_HELP = {
  leaf: 'Leaf: you created this tensor (is_leaf = True), so backward() keeps its gradient in .grad when it requires grad.',
  nonleaf:
    'Not a leaf: an op made this tensor (is_leaf = False); gradient passes through it without being kept, unless retain_grad is set.',
  requiresGrad: 'requires_grad = True: autograd records the ops on this tensor so that gradient can flow back to it.',
  noGrad: 'requires_grad = False: autograd does not track this tensor, so no gradient flows into it.',
  gradFn: (name: string): string =>
    `grad_fn = ${name}: ${GRAD_FN_HELP[name] ?? 'the backward function this op recorded; backward() calls it to send gradient to the inputs.'}`,
  grad: '.grad is populated: backward() accumulated this leaf’s gradient here (it adds up over iterations unless zero_grad is set).',
  version: (n: number): string =>
    `_version = ${n}: in-place ops have written this tensor’s memory ${n === 1 ? 'once' : `${n} times`}; autograd compares it with the version it saved and raises “modified by an inplace operation” if they differ.`,
  storage: (id: number): string =>
    `storage #${id}: the memory holding this tensor’s values; tensors with the same number share it (detach() does, clone() copies), so an in-place op on one changes the other.`,
} as const;
