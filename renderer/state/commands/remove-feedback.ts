import { feedbackInto, feedbackOf } from '../../document/feedback';
import type { GraphDocument, RunSpec } from '../../document/types';
import { CommandError, type Applied, type RemoveFeedback } from './types';

/** The document with `run.feedback` replaced (the rest of the run section kept). */
export function withFeedback(doc: GraphDocument, feedback: RunSpec['feedback']): GraphDocument {
  return { ...doc, run: { ...(doc.run ?? {}), feedback } };
}

/** Removes the feedback into Tensor node `to`; the inverse puts the old run section back. */
export function applyRemoveFeedback(doc: GraphDocument, cmd: RemoveFeedback): Applied {
  if (!feedbackInto(doc, cmd.to)) throw new CommandError(`Tensor node ${cmd.to} receives no feedback`);
  return {
    doc: withFeedback(
      doc,
      feedbackOf(doc).filter((f) => f.to !== cmd.to),
    ),
    inverse: { type: 'setRun', run: doc.run ?? null },
  };
}
