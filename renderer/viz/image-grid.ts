/**
 * 4-D `[N, C, H, W]` and 3-D `[C, H, W]` tensors as a grid of images: one row
 * per sample, one image per channel. Values are normalised per image
 * (min → dark, max → bright); gradients share one diverging scale centred
 * on zero so images can be compared. Hover shows the exact number.
 */
import { color, select } from 'd3';
import { absMax, divergingColour, extent, fmt, sequentialColour } from './scales';
import { createTooltip, localXY } from './tooltip';
import type { TensorInput, Viz } from './types';

function rgb(c: string): [number, number, number] {
  const x = color(c)?.rgb();
  return x ? [x.r, x.g, x.b] : [255, 0, 255];
}

/** Creates an image grid in `el`. */
export function createImageGrid(el: HTMLElement): Viz<TensorInput> {
  const root = select(el).append('div').attr('class', 'viz-image-grid').attr('data-testid', 'viz-image-grid');
  const tip = createTooltip(el);
  return {
    update(t) {
      root.selectAll('*').remove();
      const shape = t.shape.length === 3 ? [1, ...t.shape] : [...t.shape];
      const [N, C, H, W] = shape as [number, number, number, number];
      const plane = H * W;
      const scale = Math.max(2, Math.min(24, Math.floor(112 / Math.max(H, W, 1))));
      const m = t.diverging ? absMax(t.data) : 0;
      const shared = t.diverging ? divergingColour(m) : null;
      for (let n = 0; n < N; n++) {
        const row = root.append('div').attr('class', 'viz-image-row');
        row
          .append('span')
          .attr('class', 'viz-image-rowlabel')
          .text(t.shape.length === 4 ? `n=${n}` : '');
        for (let c = 0; c < C; c++) {
          const off = (n * C + c) * plane;
          const [lo, hi] = extent(t.data, off, off + plane);
          const colour = shared ?? sequentialColour(lo, hi);
          const cell = row.append('figure').attr('class', 'viz-image');
          const canvas = cell
            .append('canvas')
            .attr('width', W)
            .attr('height', H)
            .style('width', `${W * scale}px`)
            .style('height', `${H * scale}px`)
            .node()!;
          cell.append('figcaption').text(`c=${c}`);
          const ctx = canvas.getContext('2d');
          if (ctx) {
            const img = ctx.createImageData(Math.max(W, 1), Math.max(H, 1));
            for (let i = 0; i < plane; i++) {
              const [r, g, b] = rgb(colour(t.data[off + i]!));
              img.data.set([r, g, b, 255], i * 4);
            }
            ctx.putImageData(img, 0, 0);
          }
          canvas.addEventListener('mousemove', (ev) => {
            const x = Math.min(W - 1, Math.floor(ev.offsetX / scale));
            const y = Math.min(H - 1, Math.floor(ev.offsetY / scale));
            const v = t.data[off + y * W + x]!;
            const [px, py] = localXY(el, ev);
            tip.show(px, py, `[${t.shape.length === 4 ? `${n}, ` : ''}${c}, ${y}, ${x}] = ${v}`);
          });
          canvas.addEventListener('mouseleave', () => tip.hide());
          canvas.setAttribute('title', t.diverging ? `±${fmt(m)}` : `${fmt(lo)} … ${fmt(hi)}`);
        }
      }
    },
    destroy() {
      tip.destroy();
      root.remove();
    },
  };
}
