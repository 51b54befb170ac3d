/** One tensor drawn by rank: image grid (4-D/3-D), heatmap (2-D), bars (1-D) or a number. */
import { useMemo } from 'react';
import { createBars } from '../viz/bars';
import { createHeatmap } from '../viz/heatmap';
import { createImageGrid } from '../viz/image-grid';
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
      <Chart key={rank >= 3 ? 'img' : String(rank)} t={t} />
      <div ref={legendRef} style={{ display: legend ? 'block' : 'none' }} />
    </div>
  );
}
