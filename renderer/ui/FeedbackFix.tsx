/**
 * The loop's own part of the error panel: when a Tensor node's setup raises
 * PyTorch's leaf error because feedback made it a non-leaf, one sentence says
 * why (in iteration k the tensor is the fed-back output of iteration k-1, with
 * its grad_fn) and one click inserts a Detach on the feedback path (one undo
 * step), then runs the loop again.
 */
import { useApp, useServices } from '../app/context';
import { insertDetachOnFeedback } from '../app/feedback';
import { feedbackInto } from '../document/feedback';
import { flagsOf } from '../state/engine-state';
import type { ErrorJson } from '../../engine/protocol/messages';

/** PyTorch's message when requires_grad is set on a non-leaf. */
export const LEAF_ERROR = 'you can only change requires_grad flags of leaf variables.';

/** The feedback that made the error's Tensor node a non-leaf, if the error is that one. */
export function leafErrorFeedback(
  doc: Parameters<typeof feedbackInto>[0],
  error: ErrorJson | null,
): { from: string; to: string } | null {
  if (!error || error.message !== LEAF_ERROR || error.phase !== 'setup' || !error.node) return null;
  if (!error.iteration) return null; // iteration 1 takes init values: nothing was fed back yet
  return feedbackInto(doc, error.node) ?? null;
}

/** Explanation and fix of a leaf error caused by a fed-back non-leaf; nothing for other errors. */
export function FeedbackFix({ error }: { error: ErrorJson }): React.JSX.Element | null {
  const app = useServices();
  const fb = useApp((s) => leafErrorFeedback(s.doc, error));
  const iterations = useApp((s) => s.doc.run?.iterations ?? 1);
  const gradFn = useApp((s) => (fb ? flagsOf(s.engine, fb.to)?.gradFn : null));
  if (!fb) return null;
  const k = error.iteration! + 1;
  return (
    <div className="feedback-fix" data-testid="feedback-fix">
      <p>
        In iteration {k} of {iterations}, <code>{fb.to}</code> is <code>{fb.from}</code>’s output from iteration {k - 1}{' '}
        (fed back: <code>{`${fb.to} = ${fb.from}`}</code>), a non-leaf with{' '}
        <code>grad_fn={gradFn ?? `${fb.from}’s backward function`}</code>, so its requires_grad cannot be set: only
        leaves have that flag. Detach it before feeding it back (<code>{`${fb.to} = ${fb.from}.detach()`}</code>) so
        each iteration starts from a fresh leaf.
      </p>
      <button
        data-testid="fix-insert-detach"
        className="primary"
        onClick={() => {
          if (insertDetachOnFeedback(app, fb.to)) void app.session?.run();
        }}
      >
        Insert Detach on {fb.from} → {fb.to} and run again
      </button>
    </div>
  );
}
