/**
 * Images as tensors: ToTensor's layout and values (a hand-computed 2×2 image,
 * and all 256 levels against PyTorch's float32 division), greyscale
 * detection, area resize and Normalize against PyTorch, and the committed
 * PNGs being exactly what their drawings give.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../../build/scripts/png';
import { DRAWINGS, type DrawingName } from '../../renderer/images/drawings';
import { fitLongest, isGreyscale, normalise, pixelsToTensor, resizeArea } from '../../renderer/images/to-tensor';
import { autoMode, defaultZoom, isPicture, toByte } from '../../renderer/viz/image-rgb';
import { REPO_ROOT } from '../helpers/fixtures';

/** Runs Python code on /usr/bin/python3 (PyTorch 1.13) and parses the JSON it prints. */
function torchJson(code: string): unknown {
  const r = spawnSync('/usr/bin/python3', ['-c', `import json, torch\n${code}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

const f = Math.fround;

// the 256 levels, two resizes of `grey`, one of `rgb` and Normalize of `rgb`, computed by PyTorch in one process
const grey = { shape: [1, 1, 5, 7] as const, data: Array.from({ length: 35 }, (_, i) => f(((i * 37) % 256) / 255)) };
const rgb = { shape: [1, 3, 4, 6] as const, data: Array.from({ length: 72 }, (_, i) => f(((i * 53) % 256) / 255)) };
const MEAN = [0.485, 0.456, 0.406],
  STD = [0.229, 0.224, 0.225];
const RESIZES = [
  [grey, 2, 3],
  [grey, 8, 9],
  [rgb, 3, 4],
] as const;
const torch = torchJson(
  [
    'F = torch.nn.functional',
    `g = torch.tensor(${JSON.stringify(grey.data)}).reshape(${JSON.stringify(grey.shape)})`,
    `c = torch.tensor(${JSON.stringify(rgb.data)}).reshape(${JSON.stringify(rgb.shape)})`,
    `m = torch.tensor(${JSON.stringify(MEAN)}).view(3, 1, 1); s = torch.tensor(${JSON.stringify(STD)}).view(3, 1, 1)`,
    'print(json.dumps({',
    "  'levels': torch.arange(256).float().div(255).tolist(),",
    "  'resize': [F.interpolate(t, size=(h, w), mode='area').flatten().tolist() for t, h, w in [(g, 2, 3), (g, 8, 9), (c, 3, 4)]],",
    "  'normalize': c[0].sub(m).div(s).flatten().tolist(),",
    '}))',
  ].join('\n'),
) as { levels: number[]; resize: number[][]; normalize: number[] };

describe('pixelsToTensor (torchvision ToTensor)', () => {
  it('makes [1, 3, H, W], channel-major, pixel / 255, alpha dropped', () => {
    // pixels (r, g, b, a), row by row: (255,0,0,255) (0,128,255,128) / (10,20,30,0) (1,2,3,255)
    const rgba = [255, 0, 0, 255, 0, 128, 255, 128, 10, 20, 30, 0, 1, 2, 3, 255];
    const t = pixelsToTensor({ width: 2, height: 2, rgba });
    expect(t.shape).toEqual([1, 3, 2, 2]);
    // red plane, then green, then blue; each row-major
    expect(t.data).toEqual([
      1,
      0,
      f(10 / 255),
      f(1 / 255),
      0,
      f(128 / 255),
      f(20 / 255),
      f(2 / 255),
      0,
      1,
      f(30 / 255),
      f(3 / 255),
    ]);
  });

  it('makes [1, 1, H, W] when every pixel has r = g = b', () => {
    const grey = { width: 3, height: 1, rgba: [0, 0, 0, 255, 51, 51, 51, 255, 255, 255, 255, 0] };
    expect(isGreyscale(grey)).toBe(true);
    expect(pixelsToTensor(grey)).toEqual({ shape: [1, 1, 1, 3], data: [0, f(0.2), 1] });
    const almost = { width: 1, height: 1, rgba: [10, 10, 11, 255] };
    expect(isGreyscale(almost)).toBe(false);
    expect(pixelsToTensor(almost).shape).toEqual([1, 3, 1, 1]);
  });

  it('gives each of the 256 levels exactly as torch.float().div(255)', () => {
    const rgba = Array.from({ length: 256 }, (_, i) => [i, i, i, 255]).flat();
    expect(pixelsToTensor({ width: 256, height: 1, rgba }).data).toEqual(torch.levels);
  });
});

describe('resize and normalise', () => {
  it('resizeArea is F.interpolate(mode="area"), down and up', () => {
    RESIZES.forEach(([t, h, w], k) => {
      const got = resizeArea(t, h, w);
      expect(got.shape).toEqual([1, t.shape[1], h, w]);
      expect(got.data.length).toBe(torch.resize[k]!.length);
      got.data.forEach((v, i) => expect(v).toBeCloseTo(torch.resize[k]![i]!, 6));
    });
  });

  it('fitLongest keeps the aspect ratio', () => {
    expect(fitLongest(480, 640, 64)).toEqual([48, 64]);
    expect(fitLongest(100, 10, 32)).toEqual([32, 3]);
    expect(fitLongest(1000, 1, 32)).toEqual([32, 1]);
  });

  it('normalise is transforms.Normalize(mean, std)', () => {
    normalise(rgb, MEAN, STD).data.forEach((v, i) => expect(v).toBeCloseTo(torch.normalize[i]!, 6));
    // one mean and std for every channel
    expect(normalise(grey, [0.5], [0.5]).data[1]).toBeCloseTo((37 / 255 - 0.5) / 0.5, 6);
  });
});

describe('the bundled images', () => {
  it('are committed exactly as build/scripts/gen-images.ts writes them', () => {
    for (const name of Object.keys(DRAWINGS) as DrawingName[]) {
      const p = DRAWINGS[name].draw();
      const file = readFileSync(resolve(REPO_ROOT, `renderer/images/bundled/${name}.png`));
      expect(Buffer.compare(file, encodePng(p, isGreyscale(p))), name).toBe(0);
    }
  });

  it('digit is greyscale, shapes and smiley are RGB', () => {
    expect(pixelsToTensor(DRAWINGS.digit.draw()).shape).toEqual([1, 1, 28, 28]);
    expect(pixelsToTensor(DRAWINGS.shapes.draw()).shape).toEqual([1, 3, 32, 32]);
    expect(pixelsToTensor(DRAWINGS.smiley.draw()).shape).toEqual([1, 3, 32, 32]);
  });
});

describe('the picture view', () => {
  it('shows values of [N, 1 | 3, H, W] and [1 | 3, H, W], never gradients or other channel counts', () => {
    const v = (shape: number[], diverging = false) => ({ shape, data: [], diverging });
    expect(isPicture(v([1, 3, 4, 5]))).toBe(true);
    expect(isPicture(v([2, 1, 4, 5]))).toBe(true);
    expect(isPicture(v([3, 4, 5]))).toBe(true);
    expect(isPicture(v([1, 3, 4, 5], true))).toBe(false);
    expect(isPicture(v([1, 2, 4, 5]))).toBe(false);
    expect(isPicture(v([1, 3, 0, 5]))).toBe(false);
    expect(isPicture(v([3, 5]))).toBe(false);
  });

  it('turns values back into ToTensor’s bytes, clamped or stretched', () => {
    // ToTensor's inverse: every level comes back exactly
    for (let p = 0; p < 256; p++) expect(toByte(f(p / 255), 'clamp', 0, 1)).toBe(p);
    expect([toByte(-0.5, 'clamp', -1, 2), toByte(1.7, 'clamp', -1, 2), toByte(NaN, 'clamp', 0, 1)]).toEqual([
      0, 255, 0,
    ]);
    // min..max: -1 → 0, 0.5 → 127.5 → 128, 2 → 255; a constant picture is mid-grey
    expect([-1, 0.5, 2].map((x) => toByte(x, 'minmax', -1, 2))).toEqual([0, 128, 255]);
    expect(toByte(3, 'minmax', 3, 3)).toBe(128);
  });

  it('starts in true colours for ToTensor’s range, stretched for anything else (a normalised image, a delta)', () => {
    const t = (data: number[]) => ({ shape: [1, 1, 1, data.length], data, diverging: false });
    expect(autoMode(t([0, 0.5, 1]))).toBe('clamp');
    expect(autoMode(t([-0.03, 0.01, 0.02]))).toBe('minmax');
    expect(autoMode(t([0.2, 2.1]))).toBe('minmax');
  });

  it('starts at the integer zoom that makes the picture about 224 px', () => {
    expect(defaultZoom([1, 3, 32, 32])).toBe(7);
    expect(defaultZoom([1, 3, 38, 38])).toBe(5);
    expect(defaultZoom([1, 1, 4, 2])).toBe(16);
    expect(defaultZoom([1, 3, 480, 640])).toBe(1);
  });
});
