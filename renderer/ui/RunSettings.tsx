/** Document settings: name, description and the run section (backward root, iterations, zero_grad, mode, optimizer, feedback). */
import { useId, useState } from 'react';
import { useApp, useServices } from '../app/context';
import type { RunSpec } from '../document/types';
import { OptimizerEditor } from './OptimizerEditor';

/** The run settings shown when nothing is selected. */
export function RunSettings(): React.JSX.Element {
  const { studio } = useServices();
  const doc = useApp((s) => s.doc);
  const run: RunSpec = doc.run ?? {};
  const [fb, setFb] = useState({ from: '', to: '' });
  const id = useId(); // each label names its editor: `${id}-name`, ...
  const setRun = (patch: Partial<RunSpec>, label: string, key?: string): void => {
    const next: Record<string, unknown> = { ...run, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    studio.dispatch({ type: 'setRun', run: next as RunSpec }, label, key);
  };
  const tensors = doc.nodes.filter((n) => n.op === 'Tensor');
  return (
    <div className="run-settings" data-testid="run-settings">
      <h2>Graph</h2>
      <div className="param-field">
        <label htmlFor={`${id}-name`}>
          <span className="param-name">name</span>
        </label>
        <input
          id={`${id}-name`}
          type="text"
          value={doc.meta.name ?? ''}
          onChange={(e) =>
            studio.dispatch(
              { type: 'setMeta', meta: { ...doc.meta, name: e.target.value } },
              'Rename graph',
              'meta:name',
            )
          }
        />
      </div>
      <div className="param-field">
        <label htmlFor={`${id}-description`}>
          <span className="param-name">description</span>
        </label>
        <textarea
          id={`${id}-description`}
          rows={3}
          value={doc.meta.description ?? ''}
          onChange={(e) =>
            studio.dispatch(
              { type: 'setMeta', meta: { ...doc.meta, description: e.target.value } },
              'Edit description',
              'meta:description',
            )
          }
        />
      </div>
      <h3>Run</h3>
      <div className="param-field">
        <label title="the node whose output .backward() is called on" htmlFor={`${id}-backward`}>
          <span className="param-name">backward</span>
        </label>
        <select
          id={`${id}-backward`}
          data-testid="run-backward"
          value={run.backward ?? ''}
          onChange={(e) => setRun({ backward: e.target.value || undefined }, 'Set backward root')}
        >
          <option value="">(forward only)</option>
          {doc.nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.id} ({n.op})
            </option>
          ))}
        </select>
      </div>
      <div className="param-field">
        <label htmlFor={`${id}-iterations`}>
          <span className="param-name">iterations</span>
          <span className="param-default">default 1</span>
        </label>
        <input
          id={`${id}-iterations`}
          type="number"
          min={1}
          value={run.iterations ?? 1}
          onChange={(e) =>
            setRun({ iterations: Math.max(1, Number(e.target.value) || 1) }, 'Set iterations', 'run:iterations')
          }
        />
      </div>
      <div className="param-field">
        <label title="set .grad to None at the start of each iteration">
          <input
            type="checkbox"
            checked={run.zero_grad === true}
            onChange={(e) => setRun({ zero_grad: e.target.checked }, 'Toggle zero_grad')}
          />
          <span className="param-name"> zero_grad</span>
        </label>
      </div>
      <OptimizerEditor run={run} />
      <div className="param-field">
        <label title="hands A's output to Tensor node T for the next iteration">
          <span className="param-name">feedback</span>
          <span className="param-default">the dashed ↺ edges on the canvas</span>
        </label>
        <ul className="feedback-list">
          {(run.feedback ?? []).map((f, i) => (
            <li key={i}>
              {f.from} → {f.to}{' '}
              <button
                className="link"
                onClick={() => setRun({ feedback: (run.feedback ?? []).filter((_, j) => j !== i) }, 'Remove feedback')}
              >
                remove
              </button>
            </li>
          ))}
        </ul>
        <div className="row">
          <select aria-label="feedback from" value={fb.from} onChange={(e) => setFb({ ...fb, from: e.target.value })}>
            <option value="">from…</option>
            {doc.nodes.map((n) => (
              <option key={n.id} value={n.id}>
                {n.id}
              </option>
            ))}
          </select>
          <select aria-label="feedback to Tensor" value={fb.to} onChange={(e) => setFb({ ...fb, to: e.target.value })}>
            <option value="">to Tensor…</option>
            {tensors.map((n) => (
              <option key={n.id} value={n.id}>
                {n.id}
              </option>
            ))}
          </select>
          <button
            disabled={!fb.from || !fb.to}
            onClick={() => {
              setRun({ feedback: [...(run.feedback ?? []), fb] }, 'Add feedback');
              setFb({ from: '', to: '' });
            }}
          >
            add
          </button>
        </div>
      </div>
    </div>
  );
}
