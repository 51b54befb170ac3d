/**
 * The run settings' line under the optimizer's editor (OptimizerEditor.tsx):
 * the optimizer as its constructor call, and what it does, in one sentence.
 */
import type { RunSpec } from '../document/types';

/** `[fc2.weight, s], lr=0.05, amsgrad=True`: the constructor's arguments in Python's spelling. */
function args(o: Record<string, unknown>): string {
  const py = (v: unknown): string =>
    typeof v === 'boolean' ? (v ? 'True' : 'False') : Array.isArray(v) ? `(${v.map(py).join(', ')})` : String(v);
  const params = Array.isArray(o.params) ? `[${o.params.join(', ')}]` : 'params';
  const rest = Object.entries(o).filter(([k]) => k !== 'kind' && k !== 'params');
  return [params, ...rest.map(([k, v]) => `${k}=${py(v)}`)].join(', ');
}

/** `torch.optim.SGD(params, lr=0.1, momentum=0.9)` and its one sentence; nothing without run.optimizer. */
export function OptimizerLine({ run }: { run: RunSpec }): React.JSX.Element | null {
  const o = run.extra?.optimizer;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return null;
  const spec = o as Record<string, unknown>;
  return (
    <div className="param-field" data-testid="run-optimizer">
      <code>
        torch.optim.{String(spec.kind)}({args(spec)})
      </code>
      <p className="muted">
        opt.step() updates {Array.isArray(spec.params) ? 'these' : 'every parameter and Tensor leaf with requires_grad'}{' '}
        after every backward pass; select a layer or Tensor node to see its optimizer.state.
      </p>
    </div>
  );
}
