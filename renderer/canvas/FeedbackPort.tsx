/**
 * A Tensor node's feedback handle: connect an output here to feed it back as
 * this Tensor's value in the next iteration (`run.feedback`). It is no port of
 * the op; the canvas turns a connection into it into a feedback pair.
 */
import { Handle, Position } from '@xyflow/react';
import { useApp } from '../app/context';
import { FEEDBACK_HANDLE, feedbackInto } from '../document/feedback';

/** The feedback row of Tensor node `id`. */
export function FeedbackPort({ id }: { id: string }): React.JSX.Element {
  const from = useApp((s) => feedbackInto(s.doc, id)?.from ?? null);
  return (
    <div
      className={`port port-in port-feedback ${from ? 'is-fed' : ''}`}
      data-testid="feedback-port"
      title={
        from
          ? `from iteration 2 on, ${id} is ${from}'s output of the previous iteration (${id} = ${from})`
          : 'connect an output here to feed it back as this tensor’s value in the next iteration'
      }
    >
      <Handle type="target" position={Position.Left} id={FEEDBACK_HANDLE} className="handle-feedback" />
      <span>↺ {from ? `= ${from} (previous iteration)` : 'next iteration'}</span>
    </div>
  );
}
