/** The loss per iteration as a line with points; hover shows the exact loss. */
import { axisBottom, axisLeft, line, scaleLinear, select } from 'd3';
import { createTooltip, localXY } from './tooltip';
import type { Viz } from './types';

/** Creates a loss curve in `el`. */
export function createLossCurve(el: HTMLElement): Viz<readonly number[]> {
  const svg = select(el).append('svg').attr('class', 'viz-loss').attr('data-testid', 'viz-loss-curve');
  const tip = createTooltip(el);
  return {
    update(losses) {
      svg.selectAll('*').remove();
      const width = 300,
        height = 140,
        m = { l: 48, r: 8, t: 8, b: 22 };
      svg.attr('width', width).attr('height', height);
      const pts = losses.map((v, i) => ({ i: i + 1, v })).filter((p) => Number.isFinite(p.v));
      if (!pts.length) return;
      const x = scaleLinear()
        .domain([1, Math.max(2, losses.length)])
        .range([m.l, width - m.r]);
      const lo = Math.min(...pts.map((p) => p.v)),
        hi = Math.max(...pts.map((p) => p.v));
      const y = scaleLinear()
        .domain(lo === hi ? [lo - 1, hi + 1] : [lo, hi])
        .nice()
        .range([height - m.b, m.t]);
      svg
        .append('g')
        .attr('transform', `translate(0,${height - m.b})`)
        .call(
          axisBottom(x)
            .ticks(Math.min(losses.length, 6))
            // iterations are counted from 1, in whole steps: no tick between two iterations
            .tickFormat((d) => (Number.isInteger(Number(d)) ? String(d) : '')),
        );
      svg.append('g').attr('transform', `translate(${m.l},0)`).call(axisLeft(y).ticks(4));
      svg
        .append('path')
        .datum(pts)
        .attr('fill', 'none')
        .attr('stroke', '#d62728')
        .attr('stroke-width', 2)
        .attr(
          'd',
          line<{ i: number; v: number }>()
            .x((p) => x(p.i))
            .y((p) => y(p.v)),
        );
      svg
        .append('g')
        .selectAll('circle')
        .data(pts)
        .join('circle')
        .attr('r', 3.5)
        .attr('fill', '#d62728')
        .attr('cx', (p) => x(p.i))
        .attr('cy', (p) => y(p.v))
        .on('mousemove', (ev: MouseEvent, p) => {
          const [px, py] = localXY(el, ev);
          tip.show(px, py, `iteration ${p.i}: loss = ${p.v}`);
        })
        .on('mouseleave', () => tip.hide());
    },
    destroy() {
      tip.destroy();
      svg.remove();
    },
  };
}
