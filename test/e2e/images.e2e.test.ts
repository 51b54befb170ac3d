/**
 * Images (issue 14, item 4): a PNG loaded through the palette's file input
 * and one dropped on the canvas become Tensor nodes holding ToTensor's values;
 * the tensor viewer shows them as RGB / greyscale pictures with zoom; the
 * inspector resizes (undoable); the padding and pooling examples show the
 * bundled image through each mode, forward and backward.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { drawShapes } from '../../renderer/images/drawings';
import { pixelsToTensor } from '../../renderer/images/to-tensor';
import { appForFile, clickAndSettle, openExample, REPO, shot } from './harness';

const SHAPES = resolve(REPO, 'renderer/images/bundled/shapes.png');
const DIGIT = resolve(REPO, 'renderer/images/bundled/digit.png');
const f = Math.fround;

const app = appForFile();

interface DocNode {
  id: string;
  op: string;
  label?: string;
  position: { x: number; y: number };
  params: { shape: number[]; requires_grad?: boolean; init: { kind: string; data: number[] } };
}
const docNodes = (page: Page): Promise<DocNode[]> =>
  page.evaluate(
    () => (window as unknown as { __studio: { state: { doc: { nodes: DocNode[] } } } }).__studio.state.doc.nodes,
  );

/** RGBA of pixel (x, y) of the n-th picture canvas in the tensor viewer. */
const picturePixel = (page: Page, x: number, y: number, n = 0): Promise<number[]> =>
  page.evaluate(
    ([x, y, n]) => {
      const c = document.querySelectorAll<HTMLCanvasElement>(
        '[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas',
      )[n]!;
      return Array.from(c.getContext('2d')!.getImageData(x, y, 1, 1).data);
    },
    [x, y, n] as const,
  );

/** Drops a file on `selector` at `at` as the browser does: dragenter, dragover, drop with a DataTransfer. */
async function dropFile(
  page: Page,
  selector: string,
  name: string,
  type: string,
  bytes: Buffer,
  at: { x: number; y: number },
) {
  const dt = await page.evaluateHandle(
    ([b64, name, type]) => {
      const t = new DataTransfer();
      t.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type }));
      return t;
    },
    [bytes.toString('base64'), name, type] as const,
  );
  for (const ev of ['dragenter', 'dragover', 'drop'])
    await page.dispatchEvent(selector, ev, { dataTransfer: dt, clientX: at.x, clientY: at.y });
}

const clickNode = (page: Page, id: string): Promise<void> =>
  page.click(`.react-flow__node[data-id="${id}"] .op-node-head`);

describe('loading images', () => {
  it('the file input adds a [1, 3, 32, 32] Tensor with pixel/255 values, shown as an RGB picture', async () => {
    const { page } = app();
    expect(await page.textContent('[data-testid=palette]')).toContain('Load image…');
    await page.setInputFiles('[data-testid=load-image]', SHAPES);
    await page.waitForSelector('.react-flow__node[data-id="shapes1"]');
    const node = (await docNodes(page)).find((n) => n.id === 'shapes1')!;
    expect(node.op).toBe('Tensor');
    expect(node.label).toBe('shapes.png');
    expect(node.params.shape).toEqual([1, 3, 32, 32]);
    expect(node.params.requires_grad).toBe(false);
    const d = node.params.init.data.map(f);
    // pixel (x=0, y=0) is the background (235, 232, 220); (x=5, y=15) the blue square (40, 80, 220);
    // channel-major: R plane, then G at offset 1024, then B at 2048; row-major inside a plane
    expect([d[0], d[1024], d[2048]]).toEqual([f(235 / 255), f(232 / 255), f(220 / 255)]);
    const at = 15 * 32 + 5;
    expect([d[at], d[1024 + at], d[2048 + at]]).toEqual([f(40 / 255), f(80 / 255), f(220 / 255)]);
    // the viewer shows it before any run, as a picture whose pixels are the PNG's
    await page.waitForSelector('[data-testid=tensor-init-preview]');
    // its node shows the picture on the canvas too, before any run
    await page.waitForSelector('.react-flow__node[data-id="shapes1"] [data-testid=node-picture] canvas');
    await page.waitForSelector('[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas');
    expect(await picturePixel(page, 0, 0)).toEqual([235, 232, 220, 255]);
    expect(await picturePixel(page, 5, 15)).toEqual([40, 80, 220, 255]);
    expect(await page.textContent('[data-testid=viz-picture-caption]')).toContain('RGB ×7');
    // nearest-neighbour zoom: the canvas keeps 32×32 pixels and is drawn 7× larger, then 8× after "+"
    const size = (): Promise<number[]> =>
      page.$eval('[data-testid=viz-image-rgb] canvas', (c) => [
        (c as HTMLCanvasElement).width,
        c.getBoundingClientRect().width,
      ]);
    expect(await size()).toEqual([32, 224]);
    await page.click('[data-testid=picture-zoom-in]');
    await expect.poll(size).toEqual([32, 256]);
    expect(await page.$eval('[data-testid=viz-image-rgb] canvas', (c) => getComputedStyle(c).imageRendering)).toBe(
      'pixelated',
    );
    // hover: the pixel's three numbers
    const pic = page.locator('[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas');
    await pic.scrollIntoViewIfNeeded();
    const box = (await pic.boundingBox())!;
    await page.mouse.move(box.x + 5 * 8 + 4, box.y + 15 * 8 + 4); // pixel (5, 15) at ×8
    await expect
      .poll(() => page.textContent('[data-testid=viz-picture-tooltip]'))
      .toBe(`[0, :, 15, 5] = (${[40, 80, 220].map((v) => Number(f(v / 255).toPrecision(4))).join(', ')})`);
    await shot(page, 'images-load-shapes');
  });

  it('runs: the engine’s tensor is the same picture, next to its per-channel heatmaps', async () => {
    const { page } = app();
    await clickAndSettle(page, 'run');
    await clickNode(page, 'shapes1');
    await page.waitForSelector('[data-testid=tensor-stats]');
    await page.waitForSelector('[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas');
    expect(await page.locator('[data-testid=tensor-init-preview]').count()).toBe(0);
    expect(await picturePixel(page, 5, 15)).toEqual([40, 80, 220, 255]);
    expect(await page.locator('[data-testid=tensor-viewer] [data-testid=viz-image-grid] canvas').count()).toBe(3);
  });

  it('the inspector resizes with area interpolation and normalises, each one undo step', async () => {
    const { page } = app();
    await page.click('[data-testid=image-resize-64]');
    let node = (await docNodes(page)).find((n) => n.id === 'shapes1')!;
    expect(node.params.shape).toEqual([1, 3, 64, 64]);
    expect(node.params.init.data.length).toBe(3 * 64 * 64);
    // doubling with mode='area' repeats each pixel 2×2: (5, 15) → (10..11, 30..31)
    expect(f(node.params.init.data[30 * 64 + 11 + 2 * 4096]!)).toBe(f(220 / 255));
    await page.click('[data-testid=undo]');
    node = (await docNodes(page)).find((n) => n.id === 'shapes1')!;
    expect(node.params.shape).toEqual([1, 3, 32, 32]);
    await page.click('[data-testid=image-normalise-imagenet]');
    node = (await docNodes(page)).find((n) => n.id === 'shapes1')!;
    // (235/255 - 0.485) / 0.229
    expect(node.params.init.data[0]).toBeCloseTo((235 / 255 - 0.485) / 0.229, 5);
    await page.click('[data-testid=undo]');
  });

  it('a PNG dropped on the canvas lands where it was dropped, greyscale as [1, 1, 28, 28]', async () => {
    const { page } = app();
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const at = { x: Math.round(canvas.x + canvas.width * 0.3), y: Math.round(canvas.y + canvas.height * 0.7) };
    const pane = '[data-testid=canvas] .react-flow__pane';
    const count = (await docNodes(page)).length;
    // a text file on the canvas and a PNG on the palette add nothing (and the page stays)
    await dropFile(page, pane, 'notes.txt', 'text/plain', Buffer.from('hello'), at);
    await expect
      .poll(() => page.textContent('[data-testid=toast]'))
      .toContain('Drop a PNG or JPEG image on the canvas');
    await dropFile(page, '[data-testid=palette]', 'digit.png', 'image/png', readFileSync(DIGIT), at);
    expect((await docNodes(page)).length).toBe(count);
    await dropFile(page, pane, 'digit.png', 'image/png', readFileSync(DIGIT), at);
    await page.waitForSelector('.react-flow__node[data-id="digit1"]');
    const nodes = await docNodes(page);
    const node = nodes.find((n) => n.id === 'digit1')!;
    expect(node.params.shape).toEqual([1, 1, 28, 28]);
    // the drop point in canvas coordinates: the node is within a node's width of it, and overlaps no other node
    const boxes = await page.$$eval('.react-flow__node', (els) =>
      els.map((e) => ({ id: e.getAttribute('data-id'), ...e.getBoundingClientRect().toJSON() })),
    );
    const mine = boxes.find((b) => b.id === 'digit1')!;
    expect(Math.abs(mine.x - at.x)).toBeLessThan(200);
    expect(Math.abs(mine.y - at.y)).toBeLessThan(200);
    for (const b of boxes.filter((b) => b.id !== 'digit1'))
      expect(
        mine.x < b.x + b.width && b.x < mine.x + mine.width && mine.y < b.y + b.height && b.y < mine.y + mine.height,
      ).toBe(false);
    // the stroke's centre (14, 7) is white, the corner black: a greyscale picture
    await page.waitForSelector('[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas');
    expect(await page.textContent('[data-testid=viz-picture-caption]')).toContain('greyscale');
    expect(await picturePixel(page, 14, 7)).toEqual([255, 255, 255, 255]);
    expect(await picturePixel(page, 0, 0)).toEqual([0, 0, 0, 255]);
    await shot(page, 'images-drop-digit');
    expect(app().errors).toEqual([]);
  });
});

/** Clicks a step button until the engine holds tensor `name` (forward) or stops; returns the clicks made. */
async function stepForwardUntil(page: Page, name: string, max = 40): Promise<number> {
  for (let i = 1; i <= max; i++) {
    await clickAndSettle(page, 'step-forward');
    const has = await page.evaluate(
      (n) =>
        n in
        (window as unknown as { __studio: { state: { engine: { tensors: object } } } }).__studio.state.engine.tensors,
      name,
    );
    if (has) return i;
  }
  throw new Error(`${name} never ran`);
}

/** From a reset, steps backward `n` grad_fns, takes screenshot `name` (mid-backward), then steps to the end. */
async function backwardToEnd(page: Page, n: number, name: string): Promise<void> {
  await clickAndSettle(page, 'reset');
  for (let i = 0; i < n; i++) await clickAndSettle(page, 'step-backward');
  await shot(page, name);
  for (let i = 0; i < 60 && (await page.getAttribute('[data-testid=engine-status]', 'data-state')) !== 'done'; i++)
    await clickAndSettle(page, 'step-backward');
}

/** Opens node `id` in the tensor viewer, on the value or .grad tab. */
async function view(page: Page, id: string, which: 'value' | 'grad' = 'value'): Promise<void> {
  await clickNode(page, id);
  await page.click(`[data-testid=tensor-tab-${which}]`);
  await page.waitForSelector('[data-testid=tensor-stats]');
}

/** Opens example `slug`, steps forward from a reset until `until` ran, and shows `id`'s picture (of `shape`). */
async function forwardTo(page: Page, slug: string, until: string, id: string, shape: string): Promise<void> {
  await openExample(page, slug);
  await clickAndSettle(page, 'reset');
  await stepForwardUntil(page, until);
  await view(page, id);
  await page.waitForSelector('[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas');
  expect(await page.textContent('[data-testid=tensor-stats]')).toContain(shape);
}

/** The bundled shapes image as bytes: [c][y][x]. */
const SHAPES_PIXELS = (() => {
  const t = pixelsToTensor(drawShapes());
  return (c: number, y: number, x: number): number => Math.round(t.data[(c * 32 + y) * 32 + x]! * 255);
})();

/** Where padding mode `m` takes index i (of a 32-pixel side) from; null for a zero. */
function source(m: string, i: number): number | null {
  if (i >= 0 && i < 32) return i;
  if (m === 'zeros') return null;
  if (m === 'reflect') return i < 0 ? -i : 62 - i;
  if (m === 'replicate') return i < 0 ? 0 : 31;
  return (i + 32) % 32; // circular
}

describe('a JPEG', () => {
  it('drops as [1, 3, H, W] with its colours (within JPEG’s rounding)', async () => {
    const { page } = app();
    // an 8×6 JPEG of one colour (200, 100, 50), made by the browser's own encoder
    const b64 = await page.evaluate(async () => {
      const c = document.createElement('canvas');
      [c.width, c.height] = [8, 6];
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = 'rgb(200, 100, 50)';
      ctx.fillRect(0, 0, 8, 6);
      const blob = await new Promise<Blob>((r) => c.toBlob((b) => r(b!), 'image/jpeg', 1));
      return btoa(String.fromCharCode(...new Uint8Array(await blob.arrayBuffer())));
    });
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const at = { x: Math.round(canvas.x + canvas.width * 0.6), y: Math.round(canvas.y + canvas.height * 0.3) };
    await dropFile(
      page,
      '[data-testid=canvas] .react-flow__pane',
      'photo.jpg',
      'image/jpeg',
      Buffer.from(b64, 'base64'),
      at,
    );
    await page.waitForSelector('.react-flow__node[data-id="photo1"]');
    const node = (await docNodes(page)).find((n) => n.id === 'photo1')!;
    expect(node.params.shape).toEqual([1, 3, 6, 8]);
    const d = node.params.init.data;
    [200, 100, 50].forEach((v, c) => expect(Math.abs(d[c * 48 + 20]! * 255 - v)).toBeLessThan(4));
  });
});

describe('the padding-modes example', () => {
  it('shows each padding_mode as the image in a 3-pixel frame of its own (forward)', async () => {
    const { page } = app();
    await forwardTo(page, 'conv2d_padding_modes', 'conv_reflect', 'conv_reflect', '[1, 3, 38, 38]');
    await page.locator('[data-testid=tensor-viewer]').scrollIntoViewIfNeeded();
    await shot(page, 'images-padding-forward-reflect');
    await stepForwardUntil(page, 'conv_circular');
    // output (y, x) of the identity kernel with padding 4 is the padded image at (y + 1, x + 1): input index y - 3, x - 3
    const probes = [
      [0, 0],
      [0, 37],
      [2, 20],
      [20, 0],
      [37, 36],
      [3, 3],
      [18, 18],
    ] as const;
    for (const m of ['zeros', 'reflect', 'replicate', 'circular']) {
      await view(page, `conv_${m}`);
      await page.waitForSelector('[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas');
      for (const [y, x] of probes) {
        const [sy, sx] = [source(m, y - 3), source(m, x - 3)];
        const want = [0, 1, 2].map((c) => (sy === null || sx === null ? 0 : SHAPES_PIXELS(c, sy, sx)));
        expect(await picturePixel(page, x, y), `${m} (${y}, ${x})`).toEqual([...want, 255]);
      }
    }
    await shot(page, 'images-padding-forward-circular');
  });

  it('backward: each clone’s .grad counts how often the padding used each pixel', async () => {
    const { page } = app();
    await backwardToEnd(page, 6, 'images-padding-backward-6');
    const max = { zeros: 1, reflect: 4, replicate: 16, circular: 4 };
    for (const [m, hi] of Object.entries(max)) {
      await view(page, `in_${m}`, 'grad');
      await expect.poll(() => page.textContent('[data-testid=tensor-stats]')).toContain(`· min 1 · max ${hi} ·`);
    }
    // gradients stay on the diverging scale, one heatmap per channel, no picture
    await page.waitForSelector('[data-testid=tensor-viewer] [data-testid=viz-image-grid] canvas');
    expect(await page.locator('[data-testid=tensor-viewer] [data-testid=viz-image-rgb]').count()).toBe(0);
    expect(await page.textContent('[data-testid=tensor-viewer]')).toContain('gradient (diverging');
    await page.locator('[data-testid=tensor-viewer]').scrollIntoViewIfNeeded();
    await shot(page, 'images-padding-backward-grad-circular');
  });
});

describe('the pooling example', () => {
  it('max keeps edges, average blurs them and counts the padding in unless told not to', async () => {
    const { page } = app();
    await forwardTo(page, 'pooling_variants', 'avg_excl', 'maxpool', '[1, 3, 16, 16]');
    // the window of output (0, 0) covers input rows and columns -1..1: four background pixels and five padding cells
    const bg = [0, 1, 2].map((c) => SHAPES_PIXELS(c, 0, 0));
    expect(await picturePixel(page, 0, 0)).toEqual([...bg, 255]);
    await view(page, 'avg_incl');
    await page.waitForSelector('[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas');
    expect(await picturePixel(page, 0, 0)).toEqual([...bg.map((v) => Math.round((4 * v) / 9)), 255]);
    await view(page, 'avg_excl');
    await page.waitForSelector('[data-testid=tensor-viewer] [data-testid=viz-image-rgb] canvas');
    expect(await picturePixel(page, 0, 0)).toEqual([...bg, 255]);
    await page.locator('[data-testid=tensor-viewer]').scrollIntoViewIfNeeded();
    await shot(page, 'images-pooling-forward');
  });

  it('backward: max sends the gradient to one pixel per window, average spreads it', async () => {
    const { page } = app();
    await backwardToEnd(page, 5, 'images-pooling-backward-5');
    await view(page, 'in_maxpool', 'grad');
    // max: zero where no window's maximum was; average (including padding): 1/9 per window covering the pixel
    await expect.poll(() => page.textContent('[data-testid=tensor-stats]')).toMatch(/· min 0 · max [1-4] ·/);
    await view(page, 'in_avg_incl', 'grad');
    await expect.poll(() => page.textContent('[data-testid=tensor-stats]')).toContain('· min 0.1111 · max 0.4444 ·');
    await page.locator('[data-testid=tensor-viewer]').scrollIntoViewIfNeeded();
    await shot(page, 'images-pooling-backward-grad');
    expect(app().errors).toEqual([]);
  });
});

describe('pictures on the canvas', () => {
  it('every image-shaped output shows its picture on its node, side by side with the graph', async () => {
    const { page } = app();
    await openExample(page, 'conv2d_padding_modes');
    await clickAndSettle(page, 'run');
    // x, four clones and four convs are [1, 3, H, W]; sums and adds are scalars
    await expect.poll(() => page.locator('[data-testid=node-picture] canvas').count()).toBe(9);
    const px = (id: string, x: number, y: number): Promise<number[]> =>
      page.$eval(
        `.react-flow__node[data-id="${id}"] [data-testid=node-picture] canvas`,
        (c, [x, y]) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(x!, y!, 1, 1).data),
        [x, y],
      );
    // the zero frame is black, the circular one wraps the disc from the top-right corner round to the bottom-left
    await expect.poll(() => px('conv_zeros', 0, 0)).toEqual([0, 0, 0, 255]);
    const [sy, sx] = [source('circular', 37 - 3), source('circular', 0 - 3)];
    expect(await px('conv_circular', 0, 37)).toEqual([...[0, 1, 2].map((c) => SHAPES_PIXELS(c, sy!, sx!)), 255]);
    // backward: the clones' .grad appear under their values, on the diverging scale (white 0, red positive)
    expect(await page.locator('[data-testid=node-grad-picture]').count()).toBe(5); // x and the four clones
    const gpx = (id: string, x: number, y: number): Promise<number[]> =>
      page.$eval(
        `.react-flow__node[data-id="${id}"] [data-testid=node-grad-picture] canvas`,
        (c, [x, y]) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(x!, y!, 1, 1).data),
        [x, y],
      );
    // replicate's corner pixel was used 16 times (the scale's top: dark red), an inner one once (pale)
    const [corner, inner] = [await gpx('in_replicate', 0, 0), await gpx('in_replicate', 16, 16)];
    expect(corner[0]! > corner[2]! && corner[1]! < 40).toBe(true);
    expect(inner[0]! + inner[1]! + inner[2]!).toBeGreaterThan(corner[0]! + corner[1]! + corner[2]! + 200);
    await shot(page, 'images-padding-canvas-grads');
    expect(app().errors).toEqual([]);
  });
});
