/**
 * The loss per iteration as a line with points; hover shows the exact loss.
 * With a classification loss, the batch accuracy of each iteration is a
 * dashed line on its own axis (0 to 100%, right).
 */
import { axisBottom, axisLeft, axisRight, line, scaleLinear, select } from 'd3';
import { createTooltip, localXY } from './tooltip';
import type { Viz } from './types';

/** What the chart shows: one loss per iteration and, optionally, one accuracy (a share in [0, 1]) per iteration. */
export interface LossCurveInput {
  readonly losses: readonly number[];
  readonly accuracies?: readonly (number | null)[];
}

const ACCURACY = '#2563eb';

/** Creates a loss curve in `el`. */
export function createLossCurve(el: HTMLElement): Viz<LossCurveInput> {
  const svg = select(el).append('svg').attr('class', 'viz-loss').attr('data-testid', 'viz-loss-curve');
  const tip = createTooltip(el);
  return {
    update({ losses, accuracies = [] }) {
      svg.selectAll('*').remove();
      const acc = accuracies
        .map((v, i) => ({ i: i + 1, v: v ?? NaN }))
        .filter((p) => Number.isFinite(p.v) && p.i <= losses.length);
      const width = 300,
        height = 140,
        m = { l: 48, r: acc.length ? 36 : 8, t: 8, b: 22 };
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
      if (acc.length) drawAccuracy(acc, x, height - m.b, m.t, width - m.r);
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
      const accAt = new Map(acc.map((p) => [p.i, p.v]));
      svg
        .append('g')
        .selectAll('circle')
        .data(pts)
        .join('circle')
        .attr('r', losses.length > 60 ? 1.5 : 3.5)
        .attr('fill', '#d62728')
        .attr('cx', (p) => x(p.i))
        .attr('cy', (p) => y(p.v))
        .on('mousemove', (ev: MouseEvent, p) => {
          const [px, py] = localXY(el, ev);
          const a = accAt.get(p.i);
          tip.show(px, py, `iteration ${p.i}: loss = ${p.v}${a !== undefined ? `, batch accuracy = ${pct(a)}` : ''}`);
        })
        .on('mouseleave', () => tip.hide());
    },
    destroy() {
      tip.destroy();
      svg.remove();
    },
  };

  function drawAccuracy(
    acc: { i: number; v: number }[],
    x: (i: number) => number,
    bottom: number,
    top: number,
    right: number,
  ): void {
    const y = scaleLinear().domain([0, 1]).range([bottom, top]);
    svg
      .append('g')
      .attr('class', 'viz-accuracy-axis')
      .attr('transform', `translate(${right},0)`)
      .call(
        axisRight(y)
          .ticks(4)
          .tickFormat((d) => `${Math.round(Number(d) * 100)}%`),
      );
    svg
      .append('path')
      .datum(acc)
      .attr('data-testid', 'viz-accuracy')
      .attr('data-points', acc.length)
      .attr('fill', 'none')
      .attr('stroke', ACCURACY)
      .attr('stroke-width', 1.5)
      .attr('stroke-dasharray', '4 2')
      .attr(
        'd',
        line<{ i: number; v: number }>()
          .x((p) => x(p.i))
          .y((p) => y(p.v)),
      );
  }
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}
