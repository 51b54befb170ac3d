/**
 * The images that ship with the app, drawn by code (no third-party pictures):
 * small, with hard edges, and touching the border where a lesson needs it (a
 * padding mode shows what lies beyond the edge). The PNG files beside this
 * module are written from these drawings by `build/scripts/gen-images.ts`.
 */
import type { Pixels } from './to-tensor';

type RGB = readonly [number, number, number];

/** A small RGBA raster with the few shapes the drawings need. */
class Raster {
  readonly rgba: Uint8ClampedArray;
  constructor(
    readonly width: number,
    readonly height: number,
    fill: RGB,
  ) {
    this.rgba = new Uint8ClampedArray(width * height * 4);
    this.paint(() => true, fill);
  }
  /** Paints every pixel whose centre satisfies `inside`. */
  paint(inside: (x: number, y: number) => boolean, c: RGB): this {
    for (let y = 0; y < this.height; y++)
      for (let x = 0; x < this.width; x++)
        if (inside(x + 0.5, y + 0.5)) this.rgba.set([...c, 255], (y * this.width + x) * 4);
    return this;
  }
  /** Paints each pixel with the grey level `f(x, y)` in [0, 255] (greyscale images). */
  shade(f: (x: number, y: number) => number): this {
    for (let y = 0; y < this.height; y++)
      for (let x = 0; x < this.width; x++) {
        const v = Math.round(Math.min(255, Math.max(0, f(x + 0.5, y + 0.5))));
        this.rgba.set([v, v, v, 255], (y * this.width + x) * 4);
      }
    return this;
  }
}

const disc = (cx: number, cy: number, r: number) => (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const rect = (x0: number, y0: number, x1: number, y1: number) => (x: number, y: number) =>
  x >= x0 && x < x1 && y >= y0 && y < y1;

/** Distance from (x, y) to the segment a-b. */
function segment(x: number, y: number, [ax, ay]: readonly number[], [bx, by]: readonly number[]): number {
  const [dx, dy] = [bx! - ax!, by! - ay!];
  const t = Math.max(0, Math.min(1, ((x - ax!) * dx + (y - ay!) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax! - t * dx, y - ay! - t * dy);
}

/**
 * 32×32 RGB: a red disc cut by the top and right edges, a blue square on the
 * left edge, a green triangle standing on the bottom edge, a dark bar.
 */
export function drawShapes(): Pixels {
  const r = new Raster(32, 32, [235, 232, 220]);
  r.paint(disc(25, 6, 8), [220, 40, 40]);
  r.paint(rect(0, 11, 10, 21), [40, 80, 220]);
  r.paint((x, y) => y >= 18 && Math.abs(x - 20) <= (y - 18) * 0.75, [30, 160, 60]);
  r.paint(rect(12, 4, 15, 16), [40, 40, 40]);
  return r;
}

/** 28×28 greyscale, like an MNIST digit: a bright "7" with soft edges on black. */
export function drawDigit(): Pixels {
  const strokes = [
    [
      [7, 7],
      [21, 7],
    ],
    [
      [21, 7],
      [12, 23],
    ],
    [
      [11, 15],
      [19, 15],
    ],
  ] as const;
  return new Raster(28, 28, [0, 0, 0]).shade((x, y) => {
    const d = Math.min(...strokes.map(([a, b]) => segment(x, y, a, b)));
    return 255 * Math.min(1, Math.max(0, 2.2 - d));
  });
}

/** 32×32 RGB: a yellow face with dark eyes and a red smile on sky blue. */
export function drawSmiley(): Pixels {
  const r = new Raster(32, 32, [120, 180, 235]);
  r.paint(disc(16, 16, 13), [250, 210, 40]);
  r.paint(disc(11, 12, 2.2), [30, 30, 30]).paint(disc(21, 12, 2.2), [30, 30, 30]);
  r.paint(
    (x, y) => {
      const d = Math.hypot(x - 16, y - 15);
      return y > 18 && d >= 6.5 && d <= 8.8;
    },
    [200, 30, 40],
  );
  return r;
}

/** The bundled images by name (file `<name>.png`). */
export const DRAWINGS = {
  shapes: { draw: drawShapes, title: 'shapes (32×32 RGB)' },
  digit: { draw: drawDigit, title: 'digit 7 (28×28 greyscale)' },
  smiley: { draw: drawSmiley, title: 'smiley (32×32 RGB)' },
} as const;

/** A bundled image's name. */
export type DrawingName = keyof typeof DRAWINGS;
