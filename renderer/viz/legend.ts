/** A colour legend: a gradient bar with tick labels, or edge widths for gradient norms. */
import { range, select } from 'd3';
import { fmt, type ColourFn } from './scales';
import type { Viz } from './types';

/** What a legend shows. */
export type LegendInput =
  | {
      readonly kind: 'colour';
      readonly title: string;
      readonly colour: ColourFn;
      readonly min: number;
      readonly max: number;
    }
  | {
      readonly kind: 'width';
      readonly title: string;
      readonly width: (v: number) => number;
      readonly min: number;
      readonly max: number;
    };

/** Creates a legend in `el`. */
export function createLegend(el: HTMLElement): Viz<LegendInput> {
  const svg = select(el).append('svg').attr('class', 'viz-legend').attr('data-testid', 'viz-legend');
  return {
    update(l) {
      svg.selectAll('*').remove();
      const w = 200,
        h = 44;
      svg.attr('width', w).attr('height', h);
      svg.append('text').attr('x', 0).attr('y', 10).attr('font-size', 10).text(l.title);
      if (l.kind === 'colour') {
        const steps = range(0, 1.0001, 1 / 40);
        svg
          .append('g')
          .selectAll('rect')
          .data(steps)
          .join('rect')
          .attr('x', (t) => t * (w - 10))
          .attr('y', 14)
          .attr('width', (w - 10) / 40 + 1)
          .attr('height', 12)
          .attr('fill', (t) => l.colour(l.min + t * (l.max - l.min)));
      } else {
        const vals = [0, 0.25, 0.5, 0.75, 1].map((t) => l.min * Math.pow(l.max / Math.max(l.min, 1e-12), t));
        svg
          .append('g')
          .selectAll('line')
          .data(vals)
          .join('line')
          .attr('x1', (_, i) => i * 40 + 4)
          .attr('x2', (_, i) => i * 40 + 34)
          .attr('y1', 20)
          .attr('y2', 20)
          .attr('stroke', '#c2410c')
          .attr('stroke-width', (v) => l.width(v))
          .attr('stroke-linecap', 'round');
      }
      svg.append('text').attr('x', 0).attr('y', 40).attr('font-size', 9).text(fmt(l.min));
      svg
        .append('text')
        .attr('x', w - 4)
        .attr('y', 40)
        .attr('font-size', 9)
        .attr('text-anchor', 'end')
        .text(fmt(l.max));
    },
    destroy() {
      svg.remove();
    },
  };
}
