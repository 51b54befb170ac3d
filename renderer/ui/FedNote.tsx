/**
 * The inspector's line about a Tensor node that receives feedback: which
 * iteration the canvas shows, and what the node holds in it (its init in
 * iteration 1, the fed-back output of the previous iteration after that),
 * with that tensor's autograd state: a leaf, or a non-leaf with its grad_fn.
 */
import { useApp } from '../app/context';
import { feedbackInto } from '../document/feedback';
import { flagsOf } from '../state/engine-state';

/** The feedback note of node `id`; nothing for a node no feedback reaches. */
export function FedNote({ id }: { id: string }): React.JSX.Element | null {
  const from = useApp((s) => feedbackInto(s.doc, id)?.from ?? null);
  const n = useApp((s) => s.doc.run?.iterations ?? 1);
  const k = useApp((s) => (s.engine.iteration ?? 0) + 1);
  const flags = useApp((s) => flagsOf(s.engine, id));
  if (!from) return null;
  const state = !flags ? '' : flags.leaf ? 'a leaf' : `a non-leaf with grad_fn=${flags.gradFn ?? 'None'}`;
  return (
    <p className="fed-note" data-testid="inspector-feedback">
      {k === 1
        ? `Iteration 1 of ${n}: ${id} is its init${state ? ` (${state})` : ''}; from iteration 2 on, ${id} = ${from} of the iteration before.`
        : `Iteration ${k} of ${n}: ${id} = ${from} of iteration ${k - 1} (fed back)${state ? `, ${state}` : ''}.`}
    </p>
  );
}
