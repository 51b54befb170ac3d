/**
 * `[N, 3, H, W]` and `[N, 1, H, W]` values (and `[3, H, W]`, `[1, H, W]`) as
 * pictures: RGB or greyscale, one per sample, scaled up by an integer zoom
 * with nearest-neighbour pixels (no blur). Values are shown as ToTensor made
 * them (0 black, 1 full), clamped to [0, 1], or stretched min → 0, max → 1
 * per picture; the caption says which. Hover shows the pixel's numbers.
 */
import { color, select } from 'd3';
import { absMax, divergingColour, extent, fmt } from './scales';
import { createTooltip, localXY } from './tooltip';
import type { TensorInput, Viz } from './types';

/** How values map to brightness. */
export type RgbMode = 'clamp' | 'minmax';

/** What the picture view takes. */
export interface RgbInput {
  readonly t: TensorInput;
  readonly zoom: number;
  readonly mode: RgbMode;
}

/** True for a tensor the picture view can show: values (not a gradient) of shape [N, 1|3, H, W] or [1|3, H, W]. */
export function isPicture(t: TensorInput): boolean {
  const s = t.shape;
  const c = s.length === 4 ? s[1] : s.length === 3 ? s[0] : 0;
  return !t.diverging && (c === 1 || c === 3) && s[s.length - 1]! > 0 && s[s.length - 2]! > 0;
}

/** The zoom that shows an H×W picture about 224 px wide: 1 to 16. */
export function defaultZoom(shape: readonly number[]): number {
  const side = Math.max(shape[shape.length - 1] ?? 1, shape[shape.length - 2] ?? 1, 1);
  return Math.max(1, Math.min(16, Math.floor(224 / side)));
}

/** The mode a picture starts in: true colours when every value is in [0, 1] (as ToTensor makes them), else min..max. */
export function autoMode(t: TensorInput): RgbMode {
  const [lo, hi] = extent(t.data);
  return lo < 0 || hi > 1 ? 'minmax' : 'clamp';
}

/** Bytes (0-255) of a value under `mode` with range [lo, hi]: ToTensor's inverse, v * 255 rounded. */
export function toByte(v: number, mode: RgbMode, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return 0;
  const u = mode === 'minmax' ? (hi > lo ? (v - lo) / (hi - lo) : 0.5) : v;
  return Math.round(Math.min(1, Math.max(0, u)) * 255);
}

/** Draws sample `n` of picture tensor `t` into `canvas` (one canvas pixel per tensor pixel); returns the sample's [min, max]. */
export function drawPicture(canvas: HTMLCanvasElement, t: TensorInput, n: number, mode: RgbMode): [number, number] {
  const s = t.shape;
  const [C, H, W] = [s[s.length - 3]!, s[s.length - 2]!, s[s.length - 1]!];
  const plane = H * W;
  const off = n * C * plane;
  const [lo, hi] = extent(t.data, off, off + C * plane);
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  if (!ctx) return [lo, hi];
  const img = ctx.createImageData(W, H);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++)
      img.data[i * 4 + c] = toByte(t.data[off + (C === 3 ? c : 0) * plane + i]!, mode, lo, hi);
    img.data[i * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return [lo, hi];
}

/**
 * Draws channel `c` of sample 0 of a gradient `[1, C, H, W]` into `canvas` on the
 * diverging scale (blue negative, white 0, red positive) centred on zero; returns the largest |value|.
 */
export function drawGradPlane(canvas: HTMLCanvasElement, t: TensorInput, c: number): number {
  const s = t.shape;
  const [H, W] = [s[s.length - 2]!, s[s.length - 1]!];
  const off = c * H * W;
  const m = absMax(t.data, off, off + H * W);
  const colour = divergingColour(m);
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext('2d');
  if (!ctx) return m;
  const img = ctx.createImageData(W, H);
  for (let i = 0; i < H * W; i++) {
    const x = color(colour(t.data[off + i]!))?.rgb();
    img.data.set(x ? [x.r, x.g, x.b, 255] : [255, 0, 255, 255], i * 4);
  }
  ctx.putImageData(img, 0, 0);
  return m;
}

/** Creates the picture view in `el`. */
export function createImageRgb(el: HTMLElement): Viz<RgbInput> {
  const root = select(el).append('div').attr('class', 'viz-image-rgb').attr('data-testid', 'viz-image-rgb');
  const tip = createTooltip(el, 'viz-picture-tooltip');
  return {
    update({ t, zoom, mode }) {
      root.selectAll('*').remove();
      const shape = t.shape.length === 3 ? [1, ...t.shape] : [...t.shape];
      const [N, C, H, W] = shape as [number, number, number, number];
      const plane = H * W;
      const row = root.append('div').attr('class', 'viz-image-row');
      for (let n = 0; n < N; n++) {
        const off = n * C * plane;
        const fig = row.append('figure').attr('class', 'viz-image viz-picture');
        const canvas = fig
          .append('canvas')
          .attr('data-channels', C)
          .style('width', `${W * zoom}px`)
          .style('height', `${H * zoom}px`)
          .node()!;
        const [lo, hi] = drawPicture(canvas, t, n, mode);
        const outside = lo < 0 || hi > 1;
        const what = C === 3 ? 'RGB' : 'greyscale';
        const how =
          mode === 'minmax'
            ? `min ${fmt(lo)} → black, max ${fmt(hi)} → white`
            : outside
              ? `values outside [0, 1] clamped (min ${fmt(lo)}, max ${fmt(hi)})`
              : '0 → black, 1 → full';
        fig
          .append('figcaption')
          .attr('data-testid', 'viz-picture-caption')
          .text(`${N > 1 ? `n=${n} · ` : ''}${what} ×${zoom} · ${how}`);
        canvas.addEventListener('mousemove', (ev) => {
          const x = Math.min(W - 1, Math.floor(ev.offsetX / zoom));
          const y = Math.min(H - 1, Math.floor(ev.offsetY / zoom));
          const vals = Array.from({ length: C }, (_, c) => fmt(t.data[off + c * plane + y * W + x]!));
          const [px, py] = localXY(el, ev);
          tip.show(
            px,
            py,
            `[${t.shape.length === 4 ? `${n}, ` : ''}:, ${y}, ${x}] = ${C === 3 ? `(${vals.join(', ')})` : vals[0]}`,
          );
        });
        canvas.addEventListener('mouseleave', () => tip.hide());
      }
    },
    destroy() {
      tip.destroy();
      root.remove();
    },
  };
}
