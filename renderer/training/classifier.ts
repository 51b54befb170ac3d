/**
 * Which tensors the training view reads: the backward root when it is a
 * classification loss (CrossEntropyLoss, NLLLoss), the output its `input`
 * reads (the scores), its `target`, and the Dataset node whose labels that
 * target is (for the batch grid and "Evaluate on test split").
 */
import { BINARY_LOSSES, CLASSIFICATION_LOSSES, REGRESSION_LOSSES } from '../../engine/protocol/classify';
import { DATASETS, type DatasetName } from '../../engine/protocol/datasets';
import { outputName } from '../../engine/protocol/op-spec';
import { OP_BY_NAME } from '../../engine/protocol/ops';
import type { GraphDocument } from '../document/types';

/** The classifier a document trains. */
export interface Classifier {
  readonly loss: string;
  /** Output names (`fc`, `data.labels`), as the engine's tensors are named. */
  readonly scores: string;
  readonly target: string;
  /** The Dataset node whose `labels` are the target, with its images' output and class names. */
  readonly dataset: { readonly id: string; readonly images: string; readonly classes: readonly string[] } | null;
}

/** The output an input port of `target` reads, or null when it is not wired. */
function sourceOf(doc: GraphDocument, target: string, port: string): string | null {
  const e = doc.edges.find((x) => x.target === target && x.targetHandle === port);
  const node = e && doc.nodes.find((n) => n.id === e.source);
  const spec = node && OP_BY_NAME.get(node.op);
  return e && spec ? outputName(e.source, spec, e.sourceHandle) : null;
}

/** The document's classifier, or null when its backward root is not a wired classification loss. */
export function classifierOf(doc: GraphDocument): Classifier | null {
  const loss = doc.nodes.find((n) => n.id === doc.run?.backward);
  if (!loss || !CLASSIFICATION_LOSSES.includes(loss.op)) return null;
  const scores = sourceOf(doc, loss.id, 'input');
  const target = sourceOf(doc, loss.id, 'target');
  if (!scores || !target) return null;
  const ds = doc.nodes.find((n) => n.op === 'Dataset' && target === `${n.id}.labels`);
  const name = ds?.params.name as DatasetName | undefined;
  const info = DATASETS[name ?? 'digits'] ?? DATASETS.digits;
  return {
    loss: loss.id,
    scores,
    target,
    dataset: ds ? { id: ds.id, images: `${ds.id}.images`, classes: info.classes } : null,
  };
}

/** What the batch accuracy of a run means, by the backward root's loss. */
export type AccuracyKind = 'classes' | 'binary' | 'regression';

/** The kind of accuracy the document's loss has (its op named), or null when the root is no loss of these. */
export function accuracyKindOf(doc: GraphDocument): { kind: AccuracyKind; op: string } | null {
  const op = doc.nodes.find((n) => n.id === doc.run?.backward)?.op ?? '';
  if (CLASSIFICATION_LOSSES.includes(op)) return { kind: 'classes', op };
  if (BINARY_LOSSES.includes(op)) return { kind: 'binary', op };
  if (REGRESSION_LOSSES.includes(op)) return { kind: 'regression', op };
  return null;
}
