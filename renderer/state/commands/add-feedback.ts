import { checkFeedback, feedbackOf } from '../../document/feedback';
import type { GraphDocument } from '../../document/types';
import { CommandError, type AddFeedback, type Applied } from './types';
import { withFeedback } from './remove-feedback';

/** Adds a feedback pair (at `index`, else last); the inverse puts the old run section back. */
export function applyAddFeedback(doc: GraphDocument, cmd: AddFeedback): Applied {
  const check = checkFeedback(doc, cmd.from, cmd.to);
  if (!check.ok) throw new CommandError(check.reason);
  const list = [...feedbackOf(doc)];
  const at = cmd.index === undefined || cmd.index < 0 || cmd.index > list.length ? list.length : cmd.index;
  list.splice(at, 0, { from: cmd.from, to: cmd.to });
  return { doc: withFeedback(doc, list), inverse: { type: 'setRun', run: doc.run ?? null } };
}
