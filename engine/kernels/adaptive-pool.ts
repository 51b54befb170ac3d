import { allocLike, type FloatArray } from '../core/dtype';

/** Planes of `h x w` pooled to `oh x ow`. */
export interface AdaptivePoolGeometry {
  readonly planes: number;
  readonly h: number;
  readonly w: number;
  readonly oh: number;
  readonly ow: number;
}

/** Window i of `out` over `size` inputs: [floor(i * size / out), ceil((i + 1) * size / out)). */
export function adaptiveWindow(i: number, size: number, out: number): [number, number] {
  return [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
}

/** Visits every output cell with its window: f(plane offset, output index, h0, h1, w0, w1). */
function forEachWindow(
  g: AdaptivePoolGeometry,
  f: (plane: number, o: number, h0: number, h1: number, w0: number, w1: number) => void,
): void {
  for (let p = 0; p < g.planes; p++) {
    for (let i = 0; i < g.oh; i++) {
      const [h0, h1] = adaptiveWindow(i, g.h, g.oh);
      for (let j = 0; j < g.ow; j++) {
        const [w0, w1] = adaptiveWindow(j, g.w, g.ow);
        f(p * g.h * g.w, (p * g.oh + i) * g.ow + j, h0, h1, w0, w1);
      }
    }
  }
}

/** Mean over each window (summed in float64, rounded once). */
export function adaptiveAvgPool2dForward(x: FloatArray, g: AdaptivePoolGeometry): FloatArray {
  const out = allocLike(x, g.planes * g.oh * g.ow);
  forEachWindow(g, (plane, o, h0, h1, w0, w1) => {
    let sum = 0;
    for (let y = h0; y < h1; y++) for (let z = w0; z < w1; z++) sum += x[plane + y * g.w + z]!;
    out[o] = sum / ((h1 - h0) * (w1 - w0));
  });
  return out;
}

/** Each output gradient spread evenly over its window (windows may overlap: the shares add up). */
export function adaptiveAvgPool2dBackward(gradOut: FloatArray, g: AdaptivePoolGeometry): FloatArray {
  const dx = allocLike(gradOut, g.planes * g.h * g.w);
  forEachWindow(g, (plane, o, h0, h1, w0, w1) => {
    const share = gradOut[o]! / ((h1 - h0) * (w1 - w0));
    for (let y = h0; y < h1; y++) for (let z = w0; z < w1; z++) dx[plane + y * g.w + z] += share;
  });
  return dx;
}
