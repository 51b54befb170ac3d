/**
 * The comparison strip under the canvas: pinned tensors and gradients side by
 * side (fetched from the engine again whenever it computed them anew), the
 * difference of each with the first earlier pin of the same kind and shape
 * (a − b on a diverging scale, and max |a − b|), and for a document that runs
 * several iterations a slider that shows the graph after iteration k of n.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { TensorData, TensorSummary } from '../../engine/protocol/messages';
import { own } from '../../engine/protocol/dict';
import { useApp, useServices } from '../app/context';
import { comparedWith, difference, documentPins, maxAbs, pinLabel, samePin, withPin } from '../compare/diff';
import { semanticKey } from '../session/engine-session';
import type { EngineSlice } from '../state/engine-state';
import type { Pin } from '../state/store';
import { fmt } from '../viz/scales';
import { TensorView } from './TensorView';
import './compare-code.css';

/** "Pin to compare" for the tensor viewer (and anywhere a tensor is shown). */
export function PinButton({ tensor, which }: Pin): React.JSX.Element {
  const { studio } = useServices();
  const pinned = useApp((s) => s.ui.pins.some((p) => samePin(p, { tensor, which })));
  return (
    <button
      data-testid="tensor-pin"
      disabled={pinned}
      title="Show this tensor in the comparison strip under the canvas, beside the others you pin"
      onClick={() => studio.setUi({ pins: withPin(studio.state.ui.pins, { tensor, which }) })}
    >
      {pinned ? 'Pinned' : 'Pin to compare'}
    </button>
  );
}

type Fetched = { readonly data: TensorData } | { readonly missing: string };

function missingReason(p: Pin, summary: TensorSummary | null): string | null {
  if (!summary) return 'not computed yet: run or step the graph';
  if (p.which === 'grad' && !summary.has_grad)
    return `.grad is None${summary.is_leaf ? ' (backward has not reached it)' : ' (not a leaf: set retain_grad)'}`;
  return null;
}

/** The values of every pin, fetched again when the engine's summary of that tensor changes. */
function usePinned(pins: readonly Pin[]): (Fetched | null)[] {
  const { session } = useServices();
  const summaries = useApp((s) => pins.map((p) => own(s.engine.tensors, p.tensor) ?? null));
  const running = useApp((s) => s.engine.status === 'running');
  const [got, setGot] = useState<(Fetched | null)[]>([]);
  useEffect(() => {
    if (running) return; // keep the last picture while the engine works (scrubbing)
    let live = true;
    Promise.all(
      pins.map(async (p, i): Promise<Fetched> => {
        const why = missingReason(p, summaries[i]!);
        if (why || !session) return { missing: why ?? 'no engine' };
        try {
          return { data: await session.getTensor(p.tensor, p.which) };
        } catch (e) {
          return { missing: (e as Error).message };
        }
      }),
    ).then((r) => live && setGot(r));
    return () => {
      live = false;
    };
    // useApp compares shallowly: summaries is the same array until one of the engine's summaries changes
  }, [pins, session, running, summaries]);
  return got;
}

function PinCard({ pin, got, onRemove }: { pin: Pin; got: Fetched | null; onRemove: () => void }): React.JSX.Element {
  const data = got && 'data' in got ? got.data : null;
  const t = useMemo(
    () => (data ? { shape: data.shape, data: data.data, diverging: pin.which === 'grad' } : null),
    [data, pin.which],
  );
  return (
    <div className="compare-card" data-testid="compare-pin" data-tensor={pin.tensor} data-which={pin.which}>
      <div className="compare-head">
        <code>{pinLabel(pin)}</code>
        {data && <span className="muted"> [{data.shape.join(', ')}]</span>}
        <button className="link" title="Unpin" aria-label={`Unpin ${pinLabel(pin)}`} onClick={onRemove}>
          ×
        </button>
      </div>
      {got && 'missing' in got && <p className="muted">{got.missing}</p>}
      {t && <TensorView t={t} />}
    </div>
  );
}

function DiffCard({ a, b, da, db }: { a: Pin; b: Pin; da: TensorData; db: TensorData }): React.JSX.Element {
  const d = useMemo(() => difference(da.data, db.data), [da, db]);
  const m = maxAbs(d);
  const t = useMemo(() => ({ shape: da.shape, data: d, diverging: true }), [da.shape, d]);
  return (
    <div
      className="compare-card diff"
      data-testid="compare-diff"
      data-a={pinLabel(a)}
      data-b={pinLabel(b)}
      data-max-abs-diff={String(m)}
    >
      <div className="compare-head">
        <code>
          {pinLabel(a)} − {pinLabel(b)}
        </code>
      </div>
      <div className="compare-max" data-testid="compare-max">
        max |a − b| = {m === 0 ? '0' : m.toExponential(2)}
      </div>
      <p className="muted">
        {m === 0
          ? 'Equal in every element.'
          : m < 1e-5
            ? 'Equal up to float32 rounding.'
            : 'They differ: red where a is larger, blue where b is.'}
      </p>
      {d.length > 1 && <TensorView t={t} />}
    </div>
  );
}

/**
 * The iteration the canvas shows, 1-based: the one the engine reports (stepping
 * reports each step's), else the last backward step's, else how many a run ran.
 */
function shownIteration(e: EngineSlice): number | null {
  const reported = 'iteration' in e ? (e as { iteration?: unknown }).iteration : undefined;
  if (typeof reported === 'number') return reported + 1;
  const step = e.stepResults[e.stepResults.length - 1];
  if (step) return step.iteration + 1;
  return e.losses.length || null;
}

/** "iteration k of n": reruns the document for k iterations so the canvas, the pins and the loss show iteration k. */
function IterationScrubber({ n }: { n: number }): React.JSX.Element {
  const { session } = useServices();
  const losses = useApp((s) => s.engine.losses);
  const engineK = useApp((s) => shownIteration(s.engine));
  const key = useApp((s) => semanticKey(s.doc));
  const [pending, setPending] = useState<number | null>(null);
  const [all, setAll] = useState<readonly number[]>([]);
  const want = useRef<number | null>(null);
  const busy = useRef(false);
  useEffect(() => setAll([]), [key]);
  useEffect(() => {
    if (losses.length >= all.length && losses.length > 0) setAll(losses);
  }, [losses, all.length]);
  const go = async (to: number): Promise<void> => {
    want.current = to;
    if (busy.current || !session) return;
    busy.current = true;
    try {
      let ran: number | null = null;
      if (all.length < n) {
        await session.run(n); // every iteration's loss, for the line
        ran = n;
      }
      while (want.current !== null) {
        const next: number = want.current;
        want.current = null;
        if (next !== ran) await session.run(next);
        ran = next;
      }
    } finally {
      busy.current = false;
      setPending(null);
    }
  };
  const k = pending ?? engineK;
  const loss = k !== null ? all[k - 1] : undefined;
  // a classifier's batch accuracy beside its loss (the Iterations panel's chart has both, further down)
  const accuracy = useApp((s) => (k !== null ? (s.engine.accuracies[k - 1] ?? null) : null));
  return (
    <div className="compare-scrub" data-testid="iteration-scrubber">
      <label>
        <span data-testid="iteration-label">
          iteration {k ?? '–'} of {n}
        </span>
        <input
          type="range"
          min={1}
          max={n}
          value={k ?? 1}
          data-testid="iteration-scrub"
          onChange={(e) => {
            const v = Number(e.target.value);
            setPending(v);
            void go(v);
          }}
        />
      </label>
      <div className="scrub-numbers">
        <div className="muted" data-testid="iteration-loss">
          {loss !== undefined && k !== null
            ? `loss ${fmt(loss, 6)} at iteration ${k}`
            : 'move the slider to run the loop that far'}
        </div>
        {accuracy !== null && (
          <div className="muted" data-testid="iteration-accuracy">
            batch accuracy {Math.round(100 * accuracy)}%
          </div>
        )}
      </div>
      <p className="muted">
        {k === null
          ? `The slider runs the loop for k of its ${n} iterations and shows the graph as it is then.`
          : `The canvas, the pins and the tensor viewer show iteration ${k}: its values and its gradients.`}
      </p>
      {all.length > 1 && <LossSpark losses={all} at={k ?? 0} />}
    </div>
  );
}

/** Every iteration's loss as a small line, the shown iteration marked (the Iterations panel has the full chart). */
function LossSpark({ losses, at }: { losses: readonly number[]; at: number }): React.JSX.Element {
  const W = 240,
    H = 56,
    pad = 5;
  const finite = losses.filter(Number.isFinite);
  const lo = Math.min(...finite),
    hi = Math.max(...finite);
  const x = (i: number): number => pad + ((W - 2 * pad) * i) / Math.max(1, losses.length - 1);
  const y = (v: number): number => (hi === lo ? H / 2 : pad + ((H - 2 * pad) * (hi - v)) / (hi - lo));
  const pts = losses.map((v, i) => (Number.isFinite(v) ? `${x(i)},${y(v)}` : '')).join(' ');
  const v = losses[at - 1];
  return (
    <svg className="loss-spark" data-testid="scrub-loss" data-points={losses.length} width={W} height={H}>
      <title>loss per iteration: {losses.map((l) => fmt(l, 4)).join(', ')}</title>
      <polyline points={pts} fill="none" stroke="#d62728" strokeWidth={1.5} />
      {v !== undefined && Number.isFinite(v) && (
        <circle data-testid="scrub-loss-marker" cx={x(at - 1)} cy={y(v)} r={4} fill="#d62728" />
      )}
    </svg>
  );
}

/** The strip (shown when something is pinned or the document loops). */
export function ComparePanel(): React.JSX.Element | null {
  const { studio } = useServices();
  const pins = useApp((s) => s.ui.pins);
  const epoch = useApp((s) => s.epoch);
  const iterations = useApp((s) => s.doc.run?.iterations ?? 1);
  useEffect(() => {
    studio.setUi({ pins: documentPins(studio.doc.extra) });
  }, [epoch, studio]);
  const got = usePinned(pins);
  const datas = pins.map((_, i) => {
    const g = got[i];
    return g && 'data' in g ? g.data : null;
  });
  const against = comparedWith(
    pins,
    datas.map((d) => d?.shape ?? null),
  );
  if (!pins.length && iterations <= 1) return null;
  return (
    <section className="compare-strip" data-testid="compare-strip">
      <h3>
        Compare
        {pins.length > 0 && (
          <button className="link" onClick={() => studio.setUi({ pins: [] })}>
            unpin all
          </button>
        )}
      </h3>
      {iterations > 1 && <IterationScrubber n={iterations} />}
      {!pins.length && (
        <p className="muted">Pin tensors or gradients from the tensor viewer to see them side by side.</p>
      )}
      <div className="compare-row">
        {pins.map((p, i) => {
          const j = against[i]!;
          return (
            <div className="compare-pair" key={`${p.tensor}:${p.which}`}>
              <PinCard
                pin={p}
                got={got[i] ?? null}
                onRemove={() => studio.setUi({ pins: pins.filter((q) => !samePin(p, q)) })}
              />
              {j >= 0 && datas[j] && datas[i] && <DiffCard a={pins[j]!} b={p} da={datas[j]!} db={datas[i]!} />}
            </div>
          );
        })}
      </div>
    </section>
  );
}
