/**
 * The stepping panel: the current backward step (its grad_fn and node, the
 * gradient that arrived and the gradients sent along each edge), the
 * backward order so far, and the nodes executed by stepping forward.
 */
import { useApp } from '../app/context';
import { currentStep } from '../state/engine-state';
import { fmt } from '../viz/scales';
import type { GradSummary, Stats } from '../../engine/protocol/messages';

const stats = (s: Stats | null | undefined): string =>
  s ? `min ${fmt(s.min)} · max ${fmt(s.max)} · mean ${fmt(s.mean)}${s.nan ? ` · NaN×${s.nan}` : ''}` : '—';
const grad = (g: GradSummary | null): string => (g ? `[${g.shape.join(', ')}] ${stats(g.stats)}` : 'None');

/** The step panel. */
export function StepPanel(): React.JSX.Element {
  const engine = useApp((s) => s.engine);
  const step = currentStep(engine);
  const order = engine.stepResults.length
    ? engine.stepResults.map((r) => ({ grad_fn: r.grad_fn, node: r.node }))
    : engine.backwardSteps;
  return (
    <section className="step-panel" data-testid="step-panel">
      <h3>Backward step</h3>
      <div
        className="current-step"
        data-testid="current-step"
        data-grad-fn={step?.grad_fn ?? ''}
        data-node={step?.node ?? ''}
      >
        {step ? (
          <>
            <b>{step.grad_fn}</b> <span className="muted">of</span> <code>{step.node ?? '?'}</code>{' '}
            <span className="muted">#{step.index + 1}</span>
          </>
        ) : (
          <span className="muted">none yet</span>
        )}
      </div>
      {step && (
        <div className="step-detail">
          <div>
            <span className="muted">incoming grad:</span> {step.inputs.map(grad).join('; ') || '—'}
          </div>
          {step.outputs.length > 0 && (
            <ul>
              {step.outputs.map((o, i) => (
                <li key={i}>
                  → <b>{o.to ?? 'None'}</b> {o.to_node && <code>{o.to_node}</code>}: {grad(o.grad)}
                </li>
              ))}
            </ul>
          )}
          {step.leaf && (
            <div>
              <span className="muted">{step.leaf.name}.grad:</span> {stats(step.leaf.before)} ⇒ {stats(step.leaf.after)}
            </div>
          )}
        </div>
      )}
      {order.length > 0 && (
        <ol className="step-order" data-testid="step-order">
          {order.map((s, i) => (
            <li key={i} className={i === (step?.index ?? -1) ? 'current' : ''}>
              {s.grad_fn} <code>{s.node}</code>
            </li>
          ))}
        </ol>
      )}
      {engine.forwardExecuted.length > 0 && (
        <p className="muted" data-testid="forward-executed">
          forward: {engine.forwardExecuted.join(' → ')} ({engine.phase})
        </p>
      )}
    </section>
  );
}
