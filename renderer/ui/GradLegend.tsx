/** Legend of the edge widths after backward (gradient L2 norm, log scale). */
import { useMemo } from 'react';
import { useApp } from '../app/context';
import { flowRange } from '../canvas/flow-model';
import { createLegend, type LegendInput } from '../viz/legend';
import { gradWidthScale } from '../viz/scales';
import { useViz } from '../viz/use-viz';

/** Shown on the canvas once a backward pass carried gradient. */
export function GradLegend(): React.JSX.Element | null {
  const engine = useApp((s) => s.engine);
  const range = flowRange(engine);
  const lo = range?.[0] ?? null,
    hi = range?.[1] ?? null;
  const input = useMemo<LegendInput | null>(
    () =>
      lo !== null && hi !== null
        ? { kind: 'width', title: 'gradient ‖g‖₂ along edges', width: gradWidthScale(lo, hi), min: lo, max: hi }
        : null,
    [lo, hi],
  );
  const ref = useViz(createLegend, input);
  return (
    <div className="grad-legend" data-testid="grad-legend" style={{ display: range ? 'flex' : 'none' }}>
      <div ref={ref} />
      <div className="grad-legend-cut">
        <span className="cut-sample" /> ✂ gradient stops
      </div>
    </div>
  );
}
