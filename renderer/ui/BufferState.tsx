/**
 * The inspector's view of a BatchNorm2d's buffers after a run
 * (`bn.running_mean`, `bn.running_var`, `bn.num_batches_tracked`): one line
 * each with its value and one plain sentence saying what a buffer is. See
 * Note [BatchNorm2d buffers] (engine/nn/batch-norm.ts).
 */
import { useApp } from '../app/context';
import type { TensorSummary } from '../../engine/protocol/messages';
import { fmt } from '../viz/scales';

/** BatchNorm2d's buffers, in the order nn.BatchNorm2d registers them. */
export const BUFFERS = ['running_mean', 'running_var', 'num_batches_tracked'] as const;

/** What every buffer is, in one plain sentence. */
export const BUFFER_NOTE = 'buffer: updated in train mode, not a parameter, no .grad';

/** A buffer's value: a scalar as its number, a vector as its shape and statistics. */
export function bufferText(t: TensorSummary): string {
  if (!t.stats) return `[${t.shape.join(', ')}]`;
  if (t.shape.length === 0) return String(t.stats.mean);
  return `[${t.shape.join(', ')}] mean ${fmt(t.stats.mean)}, min ${fmt(t.stats.min)}, max ${fmt(t.stats.max)}`;
}

/** The buffers node `id` owns, after a run (nothing for a node without buffers). */
export function BufferState({ id }: { id: string }): React.JSX.Element | null {
  const summaries = useApp((s) => BUFFERS.map((b) => s.engine.tensors[`${id}.${b}`] ?? null));
  const found = BUFFERS.flatMap((name, i) => (summaries[i] ? [[name, summaries[i]] as const] : []));
  if (found.length === 0) return null;
  return (
    <section className="buffer-state" data-testid="buffer-state">
      <h3>Buffers</h3>
      <dl className="autograd-facts">
        {found.map(([name, t]) => (
          <div key={name} className="buffer-entry" data-entry={name}>
            <dt>{name}</dt>
            <dd>
              {bufferText(t)}
              <span className="muted"> — {BUFFER_NOTE}</span>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
