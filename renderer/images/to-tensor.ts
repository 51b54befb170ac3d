/**
 * Images as tensors, exactly as torchvision's `transforms.ToTensor()` makes
 * them: float32 `[1, C, H, W]`, channel-major, each value pixel / 255. An RGB
 * or RGBA image gives C = 3 (alpha dropped, as PIL's `convert('RGB')` does); an
 * image whose every pixel has r = g = b gives C = 1 (PIL mode "L"). Resizing is
 * PyTorch's `F.interpolate(mode='area')` (adaptive average pooling) and
 * normalisation `transforms.Normalize(mean, std)`, so the numbers match PyTorch.
 */

/** An image tensor: shape `[1, C, H, W]` and its values, flat and row-major. */
export interface ImageTensor {
  readonly shape: readonly [1, number, number, number];
  readonly data: number[];
}

/** Decoded pixels: 8-bit RGBA, row by row (what canvas `getImageData` returns). */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly rgba: ArrayLike<number>;
}

/** True when every pixel has r = g = b (a greyscale image, one channel). */
export function isGreyscale(p: Pixels): boolean {
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    const r = p.rgba[i * 4]!;
    if (p.rgba[i * 4 + 1] !== r || p.rgba[i * 4 + 2] !== r) return false;
  }
  return true;
}

/** `ToTensor()` of RGBA pixels: `[1, 3, H, W]`, or `[1, 1, H, W]` for a greyscale image; values pixel / 255. */
export function pixelsToTensor(p: Pixels): ImageTensor {
  const { width: W, height: H } = p;
  const C = isGreyscale(p) ? 1 : 3;
  const plane = W * H;
  const data = new Array<number>(C * plane);
  for (let c = 0; c < C; c++)
    for (let i = 0; i < plane; i++) data[c * plane + i] = Math.fround(p.rgba[i * 4 + c]! / 255);
  return { shape: [1, C, H, W], data };
}

/** Start and end (exclusive) of output cell `i` of `out` over `n` inputs (PyTorch's adaptive pooling). */
function window(i: number, out: number, n: number): [number, number] {
  return [Math.floor((i * n) / out), Math.ceil(((i + 1) * n) / out)];
}

/** `F.interpolate(x, size=(h, w), mode='area')` of an image tensor. */
export function resizeArea(t: ImageTensor, h: number, w: number): ImageTensor {
  const [, C, H, W] = t.shape;
  const data = new Array<number>(C * h * w);
  for (let c = 0; c < C; c++)
    for (let y = 0; y < h; y++) {
      const [y0, y1] = window(y, h, H);
      for (let x = 0; x < w; x++) {
        const [x0, x1] = window(x, w, W);
        let s = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) s += t.data[(c * H + yy) * W + xx]!;
        data[(c * h + y) * w + x] = Math.fround(s / ((y1 - y0) * (x1 - x0)));
      }
    }
  return { shape: [1, C, h, w], data };
}

/** Height and width with the longest side `longest`, aspect kept (each side at least 1). */
export function fitLongest(h: number, w: number, longest: number): [number, number] {
  const s = longest / Math.max(h, w);
  return [Math.max(1, Math.round(h * s)), Math.max(1, Math.round(w * s))];
}

/** `transforms.Normalize(mean, std)`: each channel c becomes (v - mean[c]) / std[c]. */
export function normalise(t: ImageTensor, mean: readonly number[], std: readonly number[]): ImageTensor {
  const [, C, H, W] = t.shape;
  const plane = H * W;
  const data = t.data.map((v, i) => {
    const c = Math.min(Math.floor(i / plane), C - 1);
    return Math.fround((v - mean[c % mean.length]!) / std[c % std.length]!);
  });
  return { shape: t.shape, data };
}

/** Normalisations the inspector offers (torchvision's ImageNet numbers; 0.5 maps [0, 1] to [-1, 1]). */
export const NORMALISATIONS = {
  imagenet: { label: 'ImageNet', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  half: { label: 'mean 0.5, std 0.5', mean: [0.5], std: [0.5] },
} as const;

/** Longest side of a loaded image unless the user picks another: documents stay small. */
export const DEFAULT_MAX_SIDE = 64;
