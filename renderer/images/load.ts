/**
 * Loading an image as a Tensor node: decode in the browser (createImageBitmap,
 * then a canvas's getImageData: straight RGBA), ToTensor, scale down to
 * {@link DEFAULT_MAX_SIDE} on the longest side with PyTorch's area
 * interpolation, and add a Tensor node with a `values` init.
 */
import type { AppServices } from '../app/context';
import { freshId } from '../document/graph';
import { estimateSize, freeSpot, type SizeOf } from '../document/placement';
import type { XY } from '../document/types';
import { DEFAULT_MAX_SIDE, fitLongest, pixelsToTensor, resizeArea, type ImageTensor, type Pixels } from './to-tensor';
import { shortF32 } from './bundled';

/** Images larger than this (longest side) are scaled down by the browser before ToTensor, to keep memory small. */
const DECODE_MAX_SIDE = 1024;

/** File types the loader takes. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg'];

/** True for a PNG or JPEG file (by type, or by name when the type is missing). */
export function isImageFile(f: File): boolean {
  return IMAGE_TYPES.includes(f.type) || /\.(png|jpe?g)$/i.test(f.name);
}

/** The pixels of an image file, straight (not premultiplied) RGBA. */
export async function decodeImage(blob: Blob): Promise<Pixels> {
  const probe = await createImageBitmap(blob);
  const [h, w] =
    Math.max(probe.width, probe.height) > DECODE_MAX_SIDE
      ? fitLongest(probe.height, probe.width, DECODE_MAX_SIDE)
      : [probe.height, probe.width];
  probe.close();
  const bmp = await createImageBitmap(blob, {
    premultiplyAlpha: 'none',
    colorSpaceConversion: 'none',
    resizeWidth: w,
    resizeHeight: h,
    resizeQuality: 'high',
  });
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser cannot read image pixels (no 2-D canvas)');
  ctx.drawImage(bmp, 0, 0);
  bmp.close();
  return { width: w, height: h, rgba: ctx.getImageData(0, 0, w, h).data };
}

/** ToTensor of `p`, scaled down (area) so its longest side is at most `maxSide`. */
export function imageTensor(p: Pixels, maxSide = DEFAULT_MAX_SIDE): ImageTensor {
  const t = pixelsToTensor(p);
  if (Math.max(p.width, p.height) <= maxSide) return t;
  const [h, w] = fitLongest(p.height, p.width, maxSide);
  return resizeArea(t, h, w);
}

/** Tensor params of an image: float32, no grad, its values. */
export function imageParams(t: ImageTensor): Record<string, unknown> {
  return {
    shape: [...t.shape],
    dtype: 'float32',
    requires_grad: false,
    init: { kind: 'values', data: t.data.map(shortF32) },
  };
}

/**
 * Adds a Tensor node holding `t` at the free spot nearest `at` (canvas
 * coordinates of its top-left corner), selects it and opens it in the tensor
 * viewer. `name` (a file name) gives its id and label. Returns the id.
 */
export function addImageNode(app: AppServices, t: ImageTensor, name: string, at: XY, sizeOf?: SizeOf): string | null {
  const doc = app.studio.doc;
  const stem = name.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_]+/g, '_') || 'image';
  const id = freshId(/^[A-Za-z_]/.test(stem) ? stem : `img_${stem}`, new Set(doc.nodes.map((n) => n.id)));
  const params = imageParams(t);
  const position = freeSpot(doc.nodes, at, estimateSize({ op: 'Tensor', params }), sizeOf);
  const node = { id, op: 'Tensor', label: name, params, position };
  if (!app.studio.dispatch({ type: 'addElements', nodes: [{ node }], edges: [] }, `Load image ${name}`)) return null;
  app.studio.select([id]);
  app.studio.setUi({ tensor: id });
  return id;
}

/** Decodes image file `f` and adds it as a Tensor node near `at`; failures become a toast. */
export async function loadImageFile(app: AppServices, f: File, at: XY, sizeOf?: SizeOf): Promise<string | null> {
  try {
    const t = imageTensor(await decodeImage(f));
    const id = addImageNode(app, t, f.name, at, sizeOf);
    if (id) app.studio.toast('info', `Loaded ${f.name} as ${id}: [${t.shape.join(', ')}] float32, values pixel/255`);
    return id;
  } catch (e) {
    app.studio.toast('error', `Cannot load ${f.name} as an image: ${e instanceof Error ? e.message : String(e)}`);
    return null;
  }
}
