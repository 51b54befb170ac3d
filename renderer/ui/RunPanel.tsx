/**
 * Run N iterations with a progress bar, a loss curve and cancel. N is the
 * document's own `run.iterations` (what the toolbar's Run uses too), so it
 * follows the document that is open; editing it is an undoable document edit.
 */
import { useMemo } from 'react';
import { useApp, useServices } from '../app/context';
import { accuracyKindOf } from '../training/classifier';
import { createLossCurve } from '../viz/loss-curve';
import { fmt } from '../viz/scales';
import { useViz } from '../viz/use-viz';

/** The iterations panel. */
export function RunPanel(): React.JSX.Element {
  const { session, studio } = useServices();
  const iterations = useApp((s) => s.doc.run?.iterations ?? 1);
  const progress = useApp((s) => s.engine.progress);
  const losses = useApp((s) => s.engine.losses);
  const accuracies = useApp((s) => s.engine.accuracies);
  const status = useApp((s) => s.engine.status);
  const doc = useApp((s) => s.doc);
  const kind = useMemo(() => accuracyKindOf(doc), [doc]);
  const setN = (n: number): void => {
    const run = studio.doc.run ?? {};
    if (n !== iterations)
      studio.dispatch({ type: 'setRun', run: { ...run, iterations: n } }, 'Set iterations', 'run:iterations');
  };
  const chart = useMemo(() => (losses.length ? { losses, accuracies } : null), [losses, accuracies]);
  const ref = useViz(createLossCurve, chart);
  const lastAccuracy = progress ? progress.accuracy : accuracies[accuracies.length - 1];
  const pct = progress
    ? Math.round((100 * progress.iteration) / Math.max(1, progress.of))
    : status === 'done'
      ? 100
      : 0;
  return (
    <section className="run-panel" data-testid="run-panel">
      <h3>Iterations</h3>
      <div className="row">
        <input
          type="number"
          min={1}
          max={100000}
          value={iterations}
          data-testid="iterations"
          onChange={(e) => setN(Math.max(1, Number(e.target.value) || 1))}
        />
        <button
          data-testid="run-n"
          disabled={!session || status === 'running'}
          onClick={() => void session?.run(iterations)}
        >
          Run {iterations}×
        </button>
        <button data-testid="cancel" disabled={!session || status !== 'running'} onClick={() => void session?.cancel()}>
          Cancel
        </button>
      </div>
      <progress data-testid="progress" max={100} value={pct} />
      {progress && (
        <div className="muted">
          iteration {progress.iteration} of {progress.of}
          {progress.loss !== null ? ` · loss ${fmt(progress.loss)}` : ''}
          {typeof progress.accuracy === 'number'
            ? ` · batch accuracy ${Math.round(100 * progress.accuracy)}%`
            : ''} · {Math.round(progress.elapsed_ms)} ms
        </div>
      )}
      <div ref={ref} className="loss-curve" style={{ display: losses.length ? 'block' : 'none' }} />
      {accuracies.length > 0 && losses.length > 0 && (
        <p className="muted" data-testid="accuracy-legend">
          <span className="legend-loss">— loss</span> · <span className="legend-accuracy">- - batch accuracy</span>
          {typeof lastAccuracy === 'number' ? ` (last ${Math.round(100 * lastAccuracy)}%)` : ''}:{' '}
          {kind?.kind === 'binary'
            ? 'the share of the outputs whose logit > 0 (sigmoid > 0.5, class 1) matches target > 0.5.'
            : 'the share of the batch whose largest score is its label.'}
        </p>
      )}
      {kind?.kind === 'regression' && losses.length > 0 && (
        <p className="muted" data-testid="accuracy-none">
          No accuracy: {kind.op} is a regression loss, its target is a value to come close to rather than a class to get
          right, so the loss itself measures how far off the outputs are.
        </p>
      )}
    </section>
  );
}
