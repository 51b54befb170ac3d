/**
 * The training view under the canvas, for a document whose backward root is a
 * classification loss (CrossEntropyLoss, NLLLoss) fed by a Dataset node: the
 * current batch's images with the class each was predicted (the scores'
 * argmax, PyTorch's tie rule) and its label, and "Evaluate on test split"
 * with its accuracy and confusion matrix. The loss and the batch accuracy per
 * iteration are the Iterations panel's chart; progress and Cancel are there too.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { argmaxRows } from '../../engine/protocol/classify';
import { own } from '../../engine/protocol/dict';
import type { EvaluateResult, TensorData } from '../../engine/protocol/messages';
import { useApp, useServices } from '../app/context';
import { semanticKey } from '../session/engine-session';
import { classifierOf, type Classifier } from '../training/classifier';
import { drawPicture } from '../viz/image-rgb';
import './training.css';

/** Images shown of a batch (a batch of 32 shows whole). */
const MAX_SHOWN = 32;

interface Batch {
  readonly images: TensorData;
  readonly pred: Int32Array;
  readonly labels: ArrayLike<number>;
}

/** The current batch's images, predictions and labels, fetched again whenever the engine computed them anew. */
function useBatch(c: Classifier): Batch | null {
  const { session } = useServices();
  const ds = c.dataset!;
  const scores = useApp((s) => own(s.engine.tensors, c.scores) ?? null);
  const images = useApp((s) => own(s.engine.tensors, ds.images) ?? null);
  const running = useApp((s) => s.engine.status === 'running');
  const [batch, setBatch] = useState<Batch | null>(null);
  useEffect(() => {
    if (running) return; // keep the last batch on screen while the engine works
    if (!session || !scores || !images || scores.shape.length !== 2) return setBatch(null);
    let live = true;
    Promise.all([
      session.getTensor(ds.images, 'value'),
      session.getTensor(c.scores, 'value'),
      session.getTensor(c.target, 'value'),
    ]).then(
      ([img, s, t]) => {
        const [rows, cols] = s.shape as [number, number];
        if (live) setBatch({ images: img, pred: argmaxRows(s.data, rows, cols), labels: t.data });
      },
      () => live && setBatch(null),
    );
    return () => {
      live = false;
    };
  }, [session, running, scores, images, ds.images, c.scores, c.target]);
  return batch;
}

function BatchImage({ batch, n, classes }: { batch: Batch; n: number; classes: readonly string[] }): React.JSX.Element {
  const ref = useRef<HTMLCanvasElement>(null);
  const t = useMemo(() => ({ shape: batch.images.shape, data: batch.images.data, diverging: false }), [batch]);
  useEffect(() => {
    if (ref.current) drawPicture(ref.current, t, n, 'minmax');
  }, [t, n]);
  const [H, W] = batch.images.shape.slice(-2) as [number, number];
  const zoom = Math.max(1, Math.round(48 / Math.max(H, W)));
  const pred = batch.pred[n]!;
  const label = batch.labels[n]!;
  const right = pred === label;
  return (
    <figure
      className={`batch-image ${right ? 'right' : 'wrong'}`}
      data-testid="batch-image"
      data-pred={pred}
      data-true={label}
      title={`sample ${n}: predicted ${classes[pred] ?? pred}, label ${classes[label] ?? label}`}
    >
      <canvas ref={ref} width={W} height={H} style={{ width: W * zoom, height: H * zoom }} />
      <figcaption>
        {right ? (
          <span>{classes[pred] ?? pred} ✓</span>
        ) : (
          <>
            <span>{classes[pred] ?? pred} ✗</span>
            <span className="muted">true: {classes[label] ?? label}</span>
          </>
        )}
      </figcaption>
    </figure>
  );
}

function BatchGrid({ c }: { c: Classifier }): React.JSX.Element {
  const batch = useBatch(c);
  const classes = c.dataset!.classes;
  if (!batch)
    return <p className="muted">Run or step the graph: the batch it trains on appears here, with its predictions.</p>;
  const n = Math.min(MAX_SHOWN, batch.pred.length);
  let right = 0;
  for (let i = 0; i < batch.pred.length; i++) right += batch.pred[i] === batch.labels[i] ? 1 : 0;
  return (
    <>
      <div className="muted" data-testid="batch-accuracy" data-right={right} data-of={batch.pred.length}>
        <code>{c.scores}.argmax(1) == labels</code> for {right} of {batch.pred.length} images of this batch: the
        predicted class is the one with the largest score.
      </div>
      <div className="batch-grid" data-testid="batch-grid">
        {Array.from({ length: n }, (_, i) => (
          <BatchImage key={i} batch={batch} n={i} classes={classes} />
        ))}
      </div>
    </>
  );
}

function Confusion({ r }: { r: EvaluateResult }): React.JSX.Element {
  const most = Math.max(1, ...r.confusion.flat());
  return (
    <table className="confusion" data-testid="confusion-matrix">
      <caption className="muted">rows: true class · columns: predicted class</caption>
      <thead>
        <tr>
          <th />
          {r.classes.map((name, p) => (
            <th key={p} scope="col" title={name}>
              {name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {r.confusion.map((row, t) => (
          <tr key={t}>
            <th scope="row">{r.classes[t]}</th>
            {row.map((v, p) => (
              <td
                key={p}
                className={p === t ? 'diag' : v > 0 ? 'off' : ''}
                style={{ ['--share' as string]: String(v / most) }}
                title={`${v} images of ${r.classes[t]} predicted as ${r.classes[p]}`}
              >
                {v || ''}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Evaluate({ c }: { c: Classifier }): React.JSX.Element {
  const { session } = useServices();
  const key = useApp((s) => semanticKey(s.doc));
  const trainedFor = useApp((s) => s.engine.losses.length);
  const running = useApp((s) => s.engine.status === 'running');
  const [state, setState] = useState<{ result?: EvaluateResult; error?: string; busy?: boolean; after?: number }>({});
  useEffect(() => setState({}), [key]);
  const go = async (): Promise<void> => {
    if (!session) return;
    setState({ busy: true });
    try {
      setState({ result: await session.evaluate(), after: trainedFor });
    } catch (e) {
      setState({ error: (e as Error).message });
    }
  };
  const r = state.result;
  return (
    <div className="evaluate">
      <button data-testid="evaluate-test" disabled={!session || running} onClick={() => void go()}>
        Evaluate on test split
      </button>
      <p className="muted">
        <code>model.eval()</code> and <code>torch.no_grad()</code>: one forward pass over every test image of{' '}
        <code>{c.dataset!.id}</code> with the weights trained so far; nothing is learned from it.
      </p>
      {state.busy && <p className="muted">evaluating… (Cancel in the Iterations panel stops it)</p>}
      {state.error && (
        <p className="eval-error" data-testid="eval-error">
          {state.error}
        </p>
      )}
      {r && (
        <>
          <div
            className="eval-accuracy"
            data-testid="eval-accuracy"
            data-correct={r.correct}
            data-count={r.count}
            data-stale={state.after !== trainedFor}
          >
            test accuracy {((100 * r.correct) / r.count).toFixed(1)}% ({r.correct} of {r.count})
          </div>
          <p className="muted">
            {state.after === trainedFor
              ? `After ${trainedFor} training iteration${trainedFor === 1 ? '' : 's'}.`
              : `Evaluated after ${state.after} iterations; the weights have changed since: evaluate again.`}
          </p>
          <Confusion r={r} />
        </>
      )}
    </div>
  );
}

/** The training view (shown when the backward root is a classification loss whose target is a Dataset's labels). */
export function TrainingPanel(): React.JSX.Element | null {
  const doc = useApp((s) => s.doc);
  const c = useMemo(() => classifierOf(doc), [doc]);
  if (!c?.dataset) return null;
  return (
    <section className="compare-strip training-panel" data-testid="training-panel">
      <h3>Training</h3>
      <div className="training-row">
        <div className="training-batch">
          <h4>This batch</h4>
          <BatchGrid c={c} />
        </div>
        <div className="training-eval">
          <h4>Test split</h4>
          <Evaluate c={c} />
        </div>
      </div>
    </section>
  );
}
