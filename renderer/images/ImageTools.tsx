/**
 * The inspector's image tools for a Tensor holding an image ([N, 1 | 3, H, W]
 * with a `values` init): resize with PyTorch's area interpolation and
 * normalise with transforms.Normalize, each one undo step.
 */
import { useServices } from '../app/context';
import type { GraphNode } from '../document/types';
import { shortF32 } from './bundled';
import { fitLongest, normalise, NORMALISATIONS, resizeArea, type ImageTensor } from './to-tensor';

const SIDES = [32, 64, 128];

/** The node's image tensor, or null when it does not hold one. */
function imageOf(node: GraphNode): ImageTensor | null {
  const { shape, init } = node.params as { shape?: unknown; init?: { kind?: unknown; data?: unknown } };
  if (!Array.isArray(shape) || shape.length !== 4 || shape[0] !== 1 || (shape[1] !== 1 && shape[1] !== 3)) return null;
  if (init?.kind !== 'values' || !Array.isArray(init.data)) return null;
  return { shape: shape as unknown as ImageTensor['shape'], data: init.data as number[] };
}

/** Resize and normalise buttons for an image Tensor (nothing for other nodes). */
export function ImageTools({ node }: { node: GraphNode }): React.JSX.Element | null {
  const { studio } = useServices();
  const img = node.op === 'Tensor' ? imageOf(node) : null;
  if (!img) return null;
  const [, C, H, W] = img.shape;
  const set = (t: ImageTensor, label: string): void =>
    void studio.dispatch(
      {
        type: 'setParams',
        id: node.id,
        set: { shape: [...t.shape], init: { kind: 'values', data: t.data.map(shortF32) } },
        unset: [],
      },
      `${label} ${node.id}`,
    );
  return (
    <div className="image-tools" data-testid="image-tools">
      <p className="muted">
        An image, [1, {C}, {H}, {W}]: {C === 3 ? 'RGB' : 'greyscale'}, values as ToTensor gives them.
      </p>
      <div className="picture-controls">
        <span title="F.interpolate(x, size, mode='area') of the current values">resize, longest side</span>
        {SIDES.map((s) => {
          const [h, w] = fitLongest(H, W, s);
          return (
            <button
              key={s}
              data-testid={`image-resize-${s}`}
              disabled={h === H && w === W}
              title={`F.interpolate(x, size=(${h}, ${w}), mode='area')`}
              onClick={() => set(resizeArea(img, h, w), `Resize to ${h}×${w}`)}
            >
              {s}
            </button>
          );
        })}
      </div>
      <div className="picture-controls">
        <span>normalise</span>
        {Object.entries(NORMALISATIONS)
          .filter(([k]) => C === 3 || k !== 'imagenet')
          .map(([k, n]) => (
            <button
              key={k}
              data-testid={`image-normalise-${k}`}
              title={`transforms.Normalize(mean=${JSON.stringify(n.mean)}, std=${JSON.stringify(n.std)}): (x − mean) / std per channel`}
              onClick={() => set(normalise(img, n.mean, n.std), `Normalise (${n.label})`)}
            >
              {n.label}
            </button>
          ))}
      </div>
    </div>
  );
}
