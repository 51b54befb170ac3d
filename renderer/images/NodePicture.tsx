/**
 * Small pictures on a canvas node whose output is an image ([1, 1 | 3, H, W]):
 * the engine's value once the node ran (a Tensor with a `values` init shows
 * its init before), and its `.grad` once backward filled it (channel 0, on the
 * diverging scale), so every layer of an image graph, and where its gradient
 * went, can be seen side by side on the canvas, CNN-Explainer style.
 */
import { useEffect, useRef, useState } from 'react';
import './images.css';
import type { TensorSummary } from '../../engine/protocol/messages';
import { own } from '../../engine/protocol/dict';
import { useApp, useServices } from '../app/context';
import { absMax, fmt } from '../viz/scales';
import { autoMode, drawGradPlane, drawPicture } from '../viz/image-rgb';
import type { TensorInput } from '../viz/types';

/** Longest side of a node's picture in canvas pixels (nodes are 180 wide; the canvas zooms anyway, so not an integer zoom). */
const SIDE = 112;

/** A Tensor node's values init as a picture input, or null. */
function initOf(node: { op: string; params: Record<string, unknown> } | undefined): TensorInput | null {
  if (node?.op !== 'Tensor') return null;
  const { shape, init } = node.params as { shape?: unknown; init?: { kind?: unknown; data?: unknown } };
  if (!Array.isArray(shape) || init?.kind !== 'values' || !Array.isArray(init.data)) return null;
  return pictureShape(shape as number[])
    ? { shape: shape as number[], data: init.data as number[], diverging: false }
    : null;
}

function pictureShape(s: readonly number[] | undefined): boolean {
  return !!s && s.length === 4 && s[0] === 1 && (s[1] === 1 || s[1] === 3) && s[2]! > 0 && s[3]! > 0;
}

/** The engine's value or .grad of `id` when the summary says there is one (refetched when the summary changes). */
function useFetched(id: string, summary: TensorSummary | null, which: 'value' | 'grad'): TensorInput | null {
  const { session } = useServices();
  const [t, setT] = useState<TensorInput | null>(null);
  const wanted = pictureShape(summary?.shape) && (which === 'value' || summary?.has_grad === true);
  useEffect(() => {
    setT(null);
    if (!wanted || !session) return;
    let live = true;
    session.getTensor(id, which).then(
      (d) => live && setT({ shape: d.shape, data: d.data, diverging: which === 'grad' }),
      () => undefined, // the tensor viewer reports errors; the picture just stays away
    );
    return () => {
      live = false;
    };
  }, [id, summary, wanted, which, session]);
  return t;
}

/** One picture: a value in colour ([0, 1] as is; other ranges stretched min..max, as the caption says) or a gradient's channel 0 on the diverging scale. */
function Picture({ t, caption }: { t: TensorInput; caption: string }): React.JSX.Element {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    if (t.diverging) drawGradPlane(ref.current, t, 0);
    else drawPicture(ref.current, t, 0, autoMode(t));
  }, [t]);
  const [H, W] = [t.shape[2]!, t.shape[3]!];
  const zoom = SIDE / Math.max(H, W);
  return (
    <figure className="node-picture" data-testid={t.diverging ? 'node-grad-picture' : 'node-picture'}>
      <canvas ref={ref} width={W} height={H} style={{ width: Math.round(W * zoom), height: Math.round(H * zoom) }} />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

/** The pictures of node `id`'s output and of its .grad, when it is an image. */
export function NodePicture({ id }: { id: string }): React.JSX.Element | null {
  const summary = useApp((s) => own(s.engine.tensors, id) ?? null);
  const init = useApp((s) => initOf(s.doc.nodes.find((n) => n.id === id)));
  const value = useFetched(id, summary, 'value');
  const grad = useFetched(id, summary, 'grad');
  const shown = summary ? value : init;
  if (!shown) return null;
  const plane = shown.shape[2]! * shown.shape[3]!;
  return (
    <>
      <Picture
        t={shown}
        caption={`${summary ? 'value' : 'value (init)'}${autoMode(shown) === 'minmax' ? ' · min..max' : ''}`}
      />
      {grad && <Picture t={grad} caption={`.grad, channel 0 · ±${fmt(absMax(grad.data, 0, plane))}`} />}
    </>
  );
}
