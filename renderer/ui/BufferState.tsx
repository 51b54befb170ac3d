/**
 * The inspector's view of a BatchNorm2d's buffers
 * (`bn.running_mean`, `bn.running_var`, `bn.num_batches_tracked`): one plain
 * sentence saying what a buffer is and what the run mode (`run.mode`) does to
 * it, then one line each with its value. See Note [BatchNorm2d buffers]
 * (engine/nn/batch-norm.ts).
 */
import { useApp } from '../app/context';
import type { TensorSummary } from '../../engine/protocol/messages';
import { runMode } from '../document/run-extra';
import { BUFFERS } from '../state/engine-state';
import { fmt } from '../viz/scales';

export { BUFFERS };

/** What a buffer is, in one plain sentence, and what the mode does to it. */
export function bufferNote(mode: 'train' | 'eval'): string {
  const what = 'Buffers are state the layer keeps, not parameters: no .grad, and the optimizer does not step them.';
  return mode === 'train'
    ? `${what} In train mode (model.train()) each forward pass updates them from the batch.`
    : `${what} In eval mode (model.eval()) the forward pass normalises with them and leaves them unchanged.`;
}

/** A buffer's value: a scalar as its number, a vector as its shape and statistics. */
export function bufferText(t: TensorSummary): string {
  if (!t.stats) return `[${t.shape.join(', ')}]`;
  if (t.shape.length === 0) return String(t.stats.mean);
  return `[${t.shape.join(', ')}] mean ${fmt(t.stats.mean)}, min ${fmt(t.stats.min)}, max ${fmt(t.stats.max)}`;
}

/** The buffers node `id` owns, once its forward has run (nothing for a node without buffers). */
export function BufferState({ id }: { id: string }): React.JSX.Element | null {
  const summaries = useApp((s) => BUFFERS.map((b) => s.engine.tensors[`${id}.${b}`] ?? null));
  const mode = useApp((s) => runMode(s.doc.run ?? {}));
  const found = BUFFERS.flatMap((name, i) => (summaries[i] ? [[name, summaries[i]] as const] : []));
  if (found.length === 0) return null;
  return (
    <section className="buffer-state" data-testid="buffer-state" data-mode={mode}>
      <h3>Buffers</h3>
      <p className="muted buffer-note" data-testid="buffer-note">
        {bufferNote(mode)}
      </p>
      <dl className="autograd-facts">
        {found.map(([name, t]) => (
          <div key={name} className="buffer-entry" data-entry={name}>
            <dt>{name}</dt>
            <dd>{bufferText(t)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
