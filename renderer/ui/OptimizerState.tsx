/**
 * The inspector's view of `optimizer.state` for the selected node's
 * parameters (`fc.weight`, `fc.bias`, or a Tensor node itself): one line per
 * state tensor with PyTorch's name, its shape and statistics, and one plain
 * sentence saying what it is.
 */
import { useApp } from '../app/context';
import type { OptimizerJson } from '../../engine/protocol/result';
import { stats } from '../../engine/protocol/stats';
import { fmt } from '../viz/scales';

/** What each state entry is, in one plain sentence. */
const MEANING: Readonly<Record<string, string>> = {
  momentum_buffer: 'the velocity: past gradients summed with decay (momentum), the direction SGD steps along',
  step: 'how many steps this parameter has taken (its bias corrections depend on it)',
  exp_avg: 'running average of the gradient (first moment)',
  exp_avg_sq: 'running average of the squared gradient (second moment): steps shrink where it is large',
  max_exp_avg_sq: 'largest exp_avg_sq so far (amsgrad divides by it, so steps never grow back)',
};

type Entry = OptimizerJson['state'][string][string];

function valueText(v: Entry): string {
  if (v === null) return 'None (no momentum: SGD keeps no buffer)';
  if (typeof v === 'number') return String(v);
  const s = stats(v.data);
  return `[${v.shape.join(', ')}] mean ${fmt(s.mean)}, |max| ${fmt(s.absMax)}`;
}

function ParamState({ name, opt }: { name: string; opt: OptimizerJson }): React.JSX.Element {
  const state = Object.hasOwn(opt.state, name) ? opt.state[name]! : null;
  return (
    <div className="optimizer-param" data-testid="optimizer-param" data-param={name}>
      <h4>
        <code>optimizer.state[{name}]</code>
      </h4>
      {state ? (
        <dl className="autograd-facts">
          {Object.entries(state).map(([k, v]) => (
            <div key={k} className="optimizer-entry" data-entry={k}>
              <dt>{k}</dt>
              <dd>
                {valueText(v)}
                <span className="muted"> — {MEANING[k] ?? ''}</span>
              </dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">Empty: it had no .grad at any step yet, and torch.optim skips such parameters.</p>
      )}
    </div>
  );
}

/** `optimizer.state` of the parameters node `id` owns or is, after a run (nothing without an optimizer). */
export function OptimizerState({ id }: { id: string }): React.JSX.Element | null {
  const opt = useApp((s) => s.engine.optimizer);
  const owned = useApp((s) => [`${id}.weight`, `${id}.bias`].filter((p) => Object.hasOwn(s.engine.tensors, p)));
  if (!opt) return null;
  const names = opt.params.filter((p) => p === id || owned.includes(p));
  const left = owned.filter((p) => !names.includes(p));
  if (names.length === 0 && left.length === 0) return null;
  return (
    <section className="optimizer-state" data-testid="optimizer-state">
      <h3>Optimizer</h3>
      <p className="muted">
        <code data-testid="optimizer-kind">torch.optim.{opt.kind}</code>: what it keeps for each parameter between steps
        (optimizer.state).
      </p>
      {names.map((n) => (
        <ParamState key={n} name={n} opt={opt} />
      ))}
      {left.map((n) => (
        <p key={n} className="muted" data-testid="optimizer-skipped">
          <code>{n}</code> is not in run.optimizer.params: the optimizer leaves it alone.
        </p>
      ))}
    </section>
  );
}
