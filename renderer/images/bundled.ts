/** The bundled images as tensors (what loading their PNG gives), for the examples and the palette. */
import { DRAWINGS, type DrawingName } from './drawings';
import { pixelsToTensor, type ImageTensor } from './to-tensor';

/** `ToTensor()` of bundled image `name`: `[1, 3, H, W]` (or `[1, 1, H, W]` for a greyscale one). */
export function bundledTensor(name: DrawingName): ImageTensor {
  return pixelsToTensor(DRAWINGS[name].draw());
}

/** The shortest decimal that reads back as the same float32 (keeps documents small). */
export function shortF32(v: number): number {
  for (let p = 1; p < 10; p++) {
    const s = Number(v.toPrecision(p));
    if (Math.fround(s) === v) return s;
  }
  return v;
}
