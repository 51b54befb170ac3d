/**
 * The tensor viewer: value and .grad of the clicked node (or parameter),
 * fetched from the engine, drawn by rank, with stats, exact numbers on hover
 * and copy as JSON.
 */
import { useEffect, useState } from 'react';
import type { TensorData } from '../../engine/protocol/messages';
import { useApp, useServices } from '../app/context';
import type { GraphNode } from '../document/types';
import { fmt } from '../viz/scales';
import type { TensorInput } from '../viz/types';
import { PinButton } from './ComparePanel';
import { TensorView } from './TensorView';
import { own } from '../../engine/protocol/dict';

type Which = 'value' | 'grad';

/** A Tensor node's `values` init as a viewer input (shown before the graph runs, e.g. a loaded image). */
function initPreview(node: GraphNode | undefined): TensorInput | null {
  if (node?.op !== 'Tensor') return null;
  const { shape, init } = node.params as { shape?: unknown; init?: { kind?: unknown; data?: unknown } };
  if (!Array.isArray(shape) || init?.kind !== 'values' || !Array.isArray(init.data)) return null;
  return { shape: shape as number[], data: init.data as number[], diverging: false };
}

/** The viewer panel. */
export function TensorViewer(): React.JSX.Element | null {
  const { session, studio } = useServices();
  const name = useApp((s) => s.ui.tensor ?? (s.ui.selection.nodes.length === 1 ? s.ui.selection.nodes[0]! : null));
  const summary = useApp((s) => (name ? (own(s.engine.tensors, name) ?? null) : null));
  const preview = useApp((s) => (name ? initPreview(s.doc.nodes.find((n) => n.id === name)) : null));
  const [which, setWhich] = useState<Which>('value');
  const [data, setData] = useState<TensorData | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setData(null);
    setError(null);
    if (!name || !summary || !session) return;
    if (which === 'grad' && !summary.has_grad) return;
    let live = true;
    session.getTensor(name, which).then(
      (d) => live && setData(d),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [name, summary, which, session]);

  if (!name) return null;
  const copy = (): void => {
    if (!data) return;
    const text = JSON.stringify({ name, which, shape: data.shape, dtype: data.dtype, data: Array.from(data.data) });
    navigator.clipboard?.writeText(text).then(
      () => studio.toast('info', `Copied ${name} ${which} as JSON`),
      () => studio.toast('warn', 'Clipboard not available'),
    );
  };
  return (
    <section className="tensor-viewer" data-testid="tensor-viewer">
      <h3>
        Tensor <code>{name}</code>
        <button className="link" onClick={() => studio.setUi({ tensor: null })}>
          close
        </button>
      </h3>
      <div className="tabs">
        <button
          className={which === 'value' ? 'on' : ''}
          data-testid="tensor-tab-value"
          onClick={() => setWhich('value')}
        >
          value
        </button>
        <button className={which === 'grad' ? 'on' : ''} data-testid="tensor-tab-grad" onClick={() => setWhich('grad')}>
          .grad
        </button>
        <button data-testid="tensor-copy" disabled={!data} onClick={copy}>
          Copy JSON
        </button>
        <PinButton tensor={name} which={which} />
      </div>
      {!summary && !preview && <p className="muted">Run the graph to see this tensor.</p>}
      {!summary && preview && which === 'value' && (
        <>
          <p className="muted init-preview-note" data-testid="tensor-init-preview">
            Its init values, [{preview.shape.join(', ')}]: the graph has not run yet (run or step to see the engine’s
            tensor and its .grad).
          </p>
          <TensorView t={preview} />
        </>
      )}
      {summary && which === 'grad' && !summary.has_grad && (
        <p className="muted">.grad is None{summary.is_leaf ? '' : ' (not a leaf: set retain_grad to keep it)'}.</p>
      )}
      {summary && (
        <p className="muted" data-testid="tensor-stats">
          [{summary.shape.join(', ')}] {summary.dtype}
          {(which === 'value' ? summary.stats : summary.grad_stats) &&
            ((s) => ` · min ${fmt(s.min)} · max ${fmt(s.max)} · mean ${fmt(s.mean)}${s.nan ? ` · NaN×${s.nan}` : ''}`)(
              (which === 'value' ? summary.stats : summary.grad_stats)!,
            )}
        </p>
      )}
      {error && <p className="field-error">{error}</p>}
      {data && <TensorView t={{ shape: data.shape, data: data.data, diverging: which === 'grad' }} />}
    </section>
  );
}
