/**
 * One tensor drawn by rank: image grid (4-D/3-D), heatmap (2-D), bars (1-D) or
 * a number; values of shape [N, 3, H, W] / [N, 1, H, W] also as RGB or
 * greyscale pictures with zoom, above their per-channel heatmaps.
 */
import { useMemo, useState } from 'react';
import '../images/images.css';
import { createBars } from '../viz/bars';
import { createHeatmap } from '../viz/heatmap';
import { createImageGrid } from '../viz/image-grid';
import { autoMode, createImageRgb, defaultZoom, isPicture, type RgbInput, type RgbMode } from '../viz/image-rgb';
import { createLegend, type LegendInput } from '../viz/legend';
import { absMax, divergingColour, extent, fmt, sequentialColour } from '../viz/scales';
import type { TensorInput } from '../viz/types';
import { useViz } from '../viz/use-viz';

function Chart({ t }: { t: TensorInput }): React.JSX.Element {
  const rank = t.shape.length;
  const create = rank >= 3 ? createImageGrid : rank === 2 ? createHeatmap : createBars;
  const input = useMemo<TensorInput>(
    () => (rank > 4 ? { ...t, shape: [t.shape.slice(0, -3).reduce((a, b) => a * b, 1), ...t.shape.slice(-3)] } : t),
    [t, rank],
  );
  const ref = useViz(create, input);
  return <div ref={ref} className="viz-host" key={`${rank >= 3 ? 'img' : rank}`} />;
}

const ZOOMS = [1, 2, 3, 4, 6, 8, 12, 16];

/** The RGB / greyscale picture of an image tensor, with zoom and how values map to brightness. */
function PictureView({ t }: { t: TensorInput }): React.JSX.Element {
  const [zoom, setZoom] = useState(() => defaultZoom(t.shape));
  const [mode, setMode] = useState<RgbMode>(() => autoMode(t));
  const input = useMemo<RgbInput>(() => ({ t, zoom, mode }), [t, zoom, mode]);
  const ref = useViz(createImageRgb, input);
  // the next zoom level up or down (the starting zoom need not be one of them)
  const step = (d: 1 | -1): void =>
    setZoom((z) => (d > 0 ? ZOOMS.find((x) => x > z) : [...ZOOMS].reverse().find((x) => x < z)) ?? z);
  return (
    <div className="picture-view" data-testid="picture-view" data-zoom={zoom} data-mode={mode}>
      <div className="picture-controls">
        <span>image</span>
        <button data-testid="picture-zoom-out" onClick={() => step(-1)} disabled={zoom <= ZOOMS[0]!} title="Zoom out">
          −
        </button>
        <span data-testid="picture-zoom">×{zoom}</span>
        <button
          data-testid="picture-zoom-in"
          onClick={() => step(1)}
          disabled={zoom >= ZOOMS[ZOOMS.length - 1]!}
          title="Zoom in (pixels stay sharp)"
        >
          +
        </button>
        <select
          data-testid="picture-mode"
          value={mode}
          onChange={(e) => setMode(e.target.value as RgbMode)}
          title="How values become brightness"
        >
          <option value="clamp">0..1 (clamped)</option>
          <option value="minmax">min..max</option>
        </select>
      </div>
      <div ref={ref} className="viz-host" />
    </div>
  );
}

/** A tensor's picture with its colour legend. */
export function TensorView({ t }: { t: TensorInput }): React.JSX.Element {
  const numel = t.data.length;
  const legend = useMemo<LegendInput | null>(() => {
    if (numel <= 1 || t.shape.length < 2) return null;
    if (t.diverging) {
      const m = absMax(t.data) || 1;
      return { kind: 'colour', title: 'gradient (diverging, 0 = white)', colour: divergingColour(m), min: -m, max: m };
    }
    const [lo, hi] = extent(t.data);
    return {
      kind: 'colour',
      title: t.shape.length >= 3 ? 'value (normalised per image)' : 'value',
      colour: sequentialColour(lo, hi),
      min: lo,
      max: hi,
    };
  }, [t, numel]);
  const legendRef = useViz(createLegend, legend);
  if (numel === 1) {
    return (
      <div className="scalar" data-testid="tensor-scalar" title={String(t.data[0])}>
        {fmt(t.data[0]!, 6)}
      </div>
    );
  }
  const rank = t.shape.length;
  return (
    <div className="tensor-view">
      {isPicture(t) && <PictureView key={t.shape.join('x')} t={t} />}
      <Chart key={rank >= 3 ? 'img' : String(rank)} t={t} />
      <div ref={legendRef} style={{ display: legend ? 'block' : 'none' }} />
    </div>
  );
}
