/**
 * Legend of the edge widths after backward (gradient L2 norm, log scale). It
 * sits in the canvas's bottom-left corner beside the zoom controls, folded to a
 * small button (three strokes, thin to thick) so it covers no node however
 * short the canvas is; a click opens the scale with its numbers, another folds it.
 */
import { useMemo, useState } from 'react';
import { useApp } from '../app/context';
import { flowRange } from '../canvas/flow-model';
import { createLegend, type LegendInput } from '../viz/legend';
import { fmt, gradWidthScale } from '../viz/scales';
import { useViz } from '../viz/use-viz';

/** Three strokes of growing width: the folded legend's face. */
function WidthIcon(): React.JSX.Element {
  return (
    <svg width="22" height="14" viewBox="0 0 22 14" aria-hidden="true">
      {[1, 2.5, 4.5].map((w, i) => (
        <line key={i} x1={2 + i * 7} x2={6 + i * 7} y1={7} y2={7} stroke="#c2410c" strokeWidth={w} />
      ))}
    </svg>
  );
}

/** Shown on the canvas once a backward pass carried gradient. */
export function GradLegend(): React.JSX.Element | null {
  const engine = useApp((s) => s.engine);
  const [open, setOpen] = useState(false);
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
  const what =
    lo !== null && hi !== null ? `edge width: the gradient's L2 norm ‖g‖₂, from ${fmt(lo)} to ${fmt(hi)}` : '';
  return (
    <div
      className={`grad-legend ${open ? 'open' : 'folded'}`}
      data-testid="grad-legend"
      data-open={open}
      style={{ display: range ? 'flex' : 'none' }}
    >
      <button
        className="grad-legend-toggle"
        data-testid="grad-legend-toggle"
        title={open ? 'fold the legend' : `${what}: click for the scale`}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        <WidthIcon /> ‖g‖₂
      </button>
      <div ref={ref} style={{ display: open ? 'block' : 'none' }} />
      {open && (
        <div className="grad-legend-cut">
          <span className="cut-sample" /> ✂ gradient stops
        </div>
      )}
    </div>
  );
}
