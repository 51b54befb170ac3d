/**
 * A small picture on a canvas node whose output is an image ([1, 1 | 3, H, W]):
 * the engine's value once the node ran (a Tensor with a `values` init shows
 * its init before), so every layer of an image graph can be seen side by side
 * on the canvas, CNN-Explainer style. Values are clamped to [0, 1].
 */
import { useEffect, useRef, useState } from 'react';
import './images.css';
import { own } from '../../engine/protocol/dict';
import { useApp, useServices } from '../app/context';
import { drawPicture, isPicture } from '../viz/image-rgb';
import type { TensorInput } from '../viz/types';

/** Largest side of a node's picture in canvas pixels (nodes are 180 wide). */
const SIDE = 144;

/** A Tensor node's values init as a picture input, or null. */
function initOf(node: { op: string; params: Record<string, unknown> } | undefined): TensorInput | null {
  if (node?.op !== 'Tensor') return null;
  const { shape, init } = node.params as { shape?: unknown; init?: { kind?: unknown; data?: unknown } };
  if (!Array.isArray(shape) || init?.kind !== 'values' || !Array.isArray(init.data)) return null;
  return { shape: shape as number[], data: init.data as number[], diverging: false };
}

const pictureShape = (s: readonly number[] | undefined): boolean =>
  !!s && s.length === 4 && s[0] === 1 && (s[1] === 1 || s[1] === 3) && s[2]! > 0 && s[3]! > 0;

/** The picture of node `id`'s output, when it is an image. */
export function NodePicture({ id }: { id: string }): React.JSX.Element | null {
  const { session } = useServices();
  const summary = useApp((s) => own(s.engine.tensors, id) ?? null);
  const init = useApp((s) => initOf(s.doc.nodes.find((n) => n.id === id)));
  const [fetched, setFetched] = useState<TensorInput | null>(null);
  const ref = useRef<HTMLCanvasElement>(null);
  const wanted = pictureShape(summary?.shape);

  useEffect(() => {
    setFetched(null);
    if (!wanted || !session) return;
    let live = true;
    session.getTensor(id, 'value').then(
      (d) => live && setFetched({ shape: d.shape, data: d.data, diverging: false }),
      () => undefined, // the tensor viewer reports errors; the picture just stays away
    );
    return () => {
      live = false;
    };
  }, [id, summary, wanted, session]);

  const t = summary ? fetched : init && pictureShape(init.shape) && isPicture(init) ? init : null;
  useEffect(() => {
    if (t && ref.current) drawPicture(ref.current, t, 0, 'clamp');
  }, [t]);
  if (!t) return null;
  const [H, W] = [t.shape[2]!, t.shape[3]!];
  const zoom = Math.max(1, Math.floor(SIDE / Math.max(H, W)));
  return (
    <div className="node-picture" data-testid="node-picture" title={`the output as an image, [${t.shape.join(', ')}]`}>
      <canvas ref={ref} width={W} height={H} style={{ width: W * zoom, height: H * zoom }} />
    </div>
  );
}
