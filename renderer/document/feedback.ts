/**
 * Feedback as the canvas sees it: a value computed in iteration k becomes a
 * Tensor node's value in iteration k+1 (`run.feedback`, docs/graph-format.md).
 * Pure questions about a document's feedback pairs, with the reasons shown
 * when a feedback cannot be made.
 */
import type { ConnectionCheck } from './graph';
import type { Feedback, GraphDocument } from './types';

/** The port name of a Tensor node's feedback input on the canvas (not a port of the op). */
export const FEEDBACK_HANDLE = 'feedback';

/** The canvas id of the feedback edge into Tensor node `to` (`→` cannot occur in node ids or edge keys). */
export const feedbackEdgeId = (to: string): string => `feedback→${to}`;

/** The Tensor node a canvas edge id names, if it is a feedback edge. */
export function feedbackTarget(edgeId: string): string | null {
  return edgeId.startsWith('feedback→') ? edgeId.slice('feedback→'.length) : null;
}

/** The feedback pairs of a document, in order. */
export const feedbackOf = (doc: Pick<GraphDocument, 'run'>): readonly Feedback[] => doc.run?.feedback ?? [];

/** The feedback into Tensor node `to`, if any (each Tensor node receives at most one). */
export function feedbackInto(doc: Pick<GraphDocument, 'run'>, to: string): Feedback | undefined {
  return feedbackOf(doc).find((f) => f.to === to);
}

/**
 * Whether `from`'s output may be fed back into `to` for the next iteration.
 * With `replace`, a feedback `to` already receives may be replaced.
 */
export function checkFeedback(doc: GraphDocument, from: string, to: string, replace = false): ConnectionCheck {
  const src = doc.nodes.find((n) => n.id === from);
  const dst = doc.nodes.find((n) => n.id === to);
  if (!src || !dst) return { ok: false, reason: 'Both ends must be nodes of the graph.' };
  if (dst.op !== 'Tensor') {
    return {
      ok: false,
      reason: `Feedback goes into a Tensor node (its value in the next iteration); “${to}” is ${dst.op}.`,
    };
  }
  if (from === to) return { ok: false, reason: `“${to}” would feed back itself: nothing would change.` };
  const old = feedbackInto(doc, to);
  if (old && !replace) {
    return { ok: false, reason: `Tensor node ${to} already receives feedback (from “${old.from}”).` };
  }
  return { ok: true };
}
