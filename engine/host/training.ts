/**
 * The host's side of the training view: each iteration's batch accuracy
 * beside its loss, and `evaluate`, the forward pass over a whole split of the
 * Dataset node (engine/graph/training.ts does the work).
 */
import type { CompiledGraph } from '../graph/compile';
import { load } from '../graph/index';
import type { GraphSession } from '../graph/session';
import {
  batchAccuracy,
  classificationOf,
  confusionMatrix,
  evalDocument,
  evalPlan,
  Evaluation,
} from '../graph/training';
import { DATASETS } from '../protocol/datasets';
import { EngineRequestError, errorJson } from '../protocol/codec';
import type { EvaluateResult, GraphDocumentJson } from '../protocol/messages';
import { stateError } from './stepper';

/** Each session's accuracy per completed backward pass, kept beside `session.losses`. */
const tracked = new WeakMap<GraphSession, (number | null)[]>();

/**
 * Records the accuracy of every loss the session added since the last call.
 * Call it after each unit of work: a loss is pushed when its backward pass
 * ends, and the batch's outputs are still the session's then.
 */
export function observeAccuracy(s: GraphSession): void {
  const c = classificationOf(s.graph);
  if (!c) return;
  let acc = tracked.get(s);
  if (!acc) tracked.set(s, (acc = []));
  while (acc.length < s.losses.length) acc.push(batchAccuracy(s, c));
}

/** The accuracies recorded for `s` (none when its loss is not a classification loss). */
export function accuraciesOf(s: GraphSession): (number | null)[] | undefined {
  return tracked.get(s)?.slice();
}

/** An evaluation of the loaded graph's trained session on `split`, ready to run batch by batch. */
export function startEvaluation(
  document: GraphDocumentJson,
  graph: CompiledGraph,
  trained: GraphSession,
  split: 'train' | 'test',
): Evaluation {
  const plan = evalPlan(graph);
  if (typeof plan === 'string') throw stateError(plan);
  const l = load(evalDocument(document, plan, split));
  if (!l.ok)
    throw new EngineRequestError(errorJson('DocumentError', l.issues.map((i) => `${i.path}: ${i.message}`).join('; ')));
  return new Evaluation(trained, l.graph, plan);
}

/** The reply of a finished evaluation. */
export function evaluateResult(ev: Evaluation, elapsedMs: number): EvaluateResult {
  const classes = [...DATASETS[ev.plan.name].classes];
  let correct = 0;
  ev.predictions.forEach((p, i) => (correct += p === ev.labels[i] ? 1 : 0));
  return {
    dataset: ev.plan.dataset,
    name: ev.plan.name,
    split: ev.split,
    classes,
    count: ev.predictions.length,
    correct,
    confusion: confusionMatrix(ev.predictions, ev.labels, classes.length),
    elapsed_ms: elapsedMs,
  };
}
