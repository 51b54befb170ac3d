/**
 * A 2-D tensor as a heatmap with row/column indices; small ones print their
 * numbers in the cells. Hover shows the exact value.
 */
import { select } from 'd3';
import { absMax, divergingColour, extent, fmt, sequentialColour } from './scales';
import { createTooltip, localXY } from './tooltip';
import type { TensorInput, Viz } from './types';

/** Creates a heatmap in `el`. */
export function createHeatmap(el: HTMLElement): Viz<TensorInput> {
  const svg = select(el).append('svg').attr('class', 'viz-heatmap').attr('data-testid', 'viz-heatmap');
  const tip = createTooltip(el);
  return {
    update(t) {
      svg.selectAll('*').remove();
      const [R, C] = [t.shape[0] ?? 1, t.shape[1] ?? 1];
      const cell = Math.max(6, Math.min(36, Math.floor(320 / Math.max(R, C, 1))));
      const pad = 24;
      svg.attr('width', pad + C * cell + 4).attr('height', pad + R * cell + 4);
      const [lo, hi] = extent(t.data);
      const colour = t.diverging ? divergingColour(absMax(t.data)) : sequentialColour(lo, hi);
      const cells = Array.from({ length: R * C }, (_, i) => ({ i, r: Math.floor(i / C), c: i % C, v: t.data[i]! }));
      const g = svg.append('g').attr('transform', `translate(${pad},${pad})`);
      g.selectAll('rect')
        .data(cells)
        .join('rect')
        .attr('x', (d) => d.c * cell)
        .attr('y', (d) => d.r * cell)
        .attr('width', cell - 1)
        .attr('height', cell - 1)
        .attr('fill', (d) => colour(d.v))
        .on('mousemove', (ev: MouseEvent, d) => {
          const [x, y] = localXY(el, ev);
          tip.show(x, y, `[${d.r}, ${d.c}] = ${d.v}`);
        })
        .on('mouseleave', () => tip.hide());
      if (cell >= 28 && R * C <= 144) {
        g.selectAll('text.v')
          .data(cells)
          .join('text')
          .attr('class', 'v')
          .attr('x', (d) => d.c * cell + cell / 2)
          .attr('y', (d) => d.r * cell + cell / 2 + 3)
          .attr('text-anchor', 'middle')
          .attr('font-size', 9)
          .attr('pointer-events', 'none')
          .text((d) => fmt(d.v, 2));
      }
      svg
        .append('g')
        .selectAll('text')
        .data(Array.from({ length: C }, (_, i) => i))
        .join('text')
        .attr('x', (c) => pad + c * cell + cell / 2)
        .attr('y', pad - 6)
        .attr('text-anchor', 'middle')
        .attr('font-size', 9)
        .text((c) => (C <= 32 || c % 4 === 0 ? String(c) : ''));
      svg
        .append('g')
        .selectAll('text')
        .data(Array.from({ length: R }, (_, i) => i))
        .join('text')
        .attr('x', pad - 4)
        .attr('y', (r) => pad + r * cell + cell / 2 + 3)
        .attr('text-anchor', 'end')
        .attr('font-size', 9)
        .text((r) => (R <= 32 || r % 4 === 0 ? String(r) : ''));
    },
    destroy() {
      tip.destroy();
      svg.remove();
    },
  };
}
