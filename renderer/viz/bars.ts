/**
 * A 1-D tensor as bars around a zero line (gradients coloured on the
 * diverging scale). Hover shows the exact value.
 */
import { axisLeft, scaleBand, scaleLinear, select } from 'd3';
import { absMax, divergingColour, extent } from './scales';
import { createTooltip, localXY } from './tooltip';
import type { TensorInput, Viz } from './types';

/** Creates a bar chart in `el`. */
export function createBars(el: HTMLElement): Viz<TensorInput> {
  const svg = select(el).append('svg').attr('class', 'viz-bars').attr('data-testid', 'viz-bars');
  const tip = createTooltip(el);
  return {
    update(t) {
      svg.selectAll('*').remove();
      const n = t.data.length;
      const width = Math.max(160, Math.min(420, n * 18 + 50));
      const height = 150;
      const m = { l: 44, r: 6, t: 8, b: 18 };
      svg.attr('width', width).attr('height', height);
      const [lo, hi] = extent(t.data);
      const y = scaleLinear()
        .domain([Math.min(0, lo), Math.max(0, hi)])
        .nice()
        .range([height - m.b, m.t]);
      const x = scaleBand<number>()
        .domain(Array.from({ length: n }, (_, i) => i))
        .range([m.l, width - m.r])
        .padding(0.15);
      const colour = t.diverging ? divergingColour(absMax(t.data)) : () => '#4c78a8';
      svg.append('g').attr('transform', `translate(${m.l},0)`).call(axisLeft(y).ticks(5));
      svg
        .append('line')
        .attr('x1', m.l)
        .attr('x2', width - m.r)
        .attr('y1', y(0))
        .attr('y2', y(0))
        .attr('stroke', '#888');
      svg
        .append('g')
        .selectAll('rect')
        .data(Array.from(t.data, (v, i) => ({ v, i })))
        .join('rect')
        .attr('x', (d) => x(d.i)!)
        .attr('width', x.bandwidth())
        .attr('y', (d) => (Number.isFinite(d.v) ? y(Math.max(0, d.v)) : m.t))
        .attr('height', (d) => (Number.isFinite(d.v) ? Math.abs(y(d.v) - y(0)) : height - m.b - m.t))
        .attr('fill', (d) => colour(d.v))
        .on('mousemove', (ev: MouseEvent, d) => {
          const [px, py] = localXY(el, ev);
          tip.show(px, py, `[${d.i}] = ${d.v}`);
        })
        .on('mouseleave', () => tip.hide());
    },
    destroy() {
      tip.destroy();
      svg.remove();
    },
  };
}
