/**
 * The stepping panel: where the run stands (iteration k of n, the phase, what
 * the next step does), the current backward step (its grad_fn and node, the
 * gradient that arrived and the gradients sent along each edge), the
 * backward order so far, and the nodes executed by stepping forward.
 */
import { useApp } from '../app/context';
import { currentStep, iterationText, nextStep, type EngineSlice } from '../state/engine-state';
import { fmt } from '../viz/scales';
import type { GradSummary, Stats } from '../../engine/protocol/messages';

const stats = (s: Stats | null | undefined): string =>
  s ? `min ${fmt(s.min)} · max ${fmt(s.max)} · mean ${fmt(s.mean)}${s.nan ? ` · NaN×${s.nan}` : ''}` : '—';
const grad = (g: GradSummary | null): string => (g ? `[${g.shape.join(', ')}] ${stats(g.stats)}` : 'None');

type Stage = 'start' | 'forward' | 'backward' | 'between' | 'update' | 'done' | 'stopped';

/** Where stepping stands, and one sentence saying what the next click does. */
function stageOf(e: EngineSlice): { stage: Stage; text: string } {
  const next = nextStep(e);
  const ranBackward = e.stepResults.length > 0 && e.stepResults.at(-1)!.iteration === e.iteration;
  if (e.phase === 'none' && e.iteration === null)
    return {
      stage: 'start',
      text: 'Not started. Forward step runs one node; Backward step runs the forward pass, then one grad_fn.',
    };
  if (next === 'done')
    return e.error
      ? { stage: 'stopped', text: `Stopped with ${e.error.type}. Reset to step again.` }
      : { stage: 'done', text: 'Finished: the run is complete. Reset to step again.' };
  if (next === 'backward') return { stage: 'backward', text: 'Backward pass. Next: Backward step runs one grad_fn.' };
  // See Note [The optimizer step is not a step]: it ran with the backward pass's last grad_fn.
  const stepped = e.optimizer ? `, then opt.step() updated the parameters (torch.optim.${e.optimizer.kind})` : '';
  if (e.phase === 'update') return { stage: 'update', text: `Update (after backward${stepped}). Next: Forward step.` };
  if (ranBackward)
    return {
      stage: 'between',
      text: `Backward pass finished${stepped}. Next: Forward step starts the next iteration.`,
    };
  return {
    stage: 'forward',
    text: 'Forward pass. Next: Forward step runs one node (Backward step finishes the forward pass first).',
  };
}

/** "iteration k of n · stage" above the panel. */
function StepStatus(): React.JSX.Element {
  const engine = useApp((s) => s.engine);
  const of = useApp((s) => s.doc.run?.iterations ?? 1);
  const { stage, text } = stageOf(engine);
  const k = engine.iteration;
  return (
    <p
      className="step-status"
      data-testid="step-status"
      data-stage={stage}
      data-phase={nextStep(engine)}
      data-iteration={k === null ? '' : k + 1}
    >
      {k !== null && <b>{iterationText(k, of)}</b>}
      {k !== null && ' · '}
      {text}
    </p>
  );
}

/** The step panel. */
export function StepPanel(): React.JSX.Element {
  const engine = useApp((s) => s.engine);
  const step = currentStep(engine);
  const order = engine.stepResults.length
    ? engine.stepResults.map((r) => ({ grad_fn: r.grad_fn, node: r.node }))
    : engine.backwardSteps;
  return (
    <section className="step-panel" data-testid="step-panel">
      <h3>Stepping</h3>
      <StepStatus />
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
          <span className="muted">
            {order.length
              ? 'No grad_fn stepped: the list below is the last run’s backward pass, in PyTorch’s order.'
              : 'No grad_fn stepped yet.'}
          </span>
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
