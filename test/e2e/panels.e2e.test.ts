/**
 * Panels on the web build with the real engine: tensor viewer (image grid,
 * heatmap, bars, scalar, hover, copy), autograd view, iterations with
 * progress and loss curve, lint warnings, autosave and restore.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clickAndSettle, launch, openApp, openExample, shot, type AppPage } from './harness';

let browser: Browser;
let app: AppPage;

beforeAll(async () => {
  browser = await launch();
  app = await openApp(browser, inject('baseUrl'));
});
afterAll(async () => {
  await browser?.close();
});

const clickNode = (id: string): Promise<void> => app.page.click(`.react-flow__node[data-id="${id}"] .op-node-head`);

describe('tensor viewer', () => {
  it('shows a 4-D value as an image grid and its grad on a diverging scale, with exact numbers on hover', async () => {
    const { page } = app;
    await openExample(page, 'pooling_variants');
    await clickAndSettle(page, 'run');
    await clickNode('x');
    await page.waitForSelector('[data-testid=viz-image-grid] canvas');
    expect(await page.locator('[data-testid=viz-image-grid] canvas').count()).toBe(3); // x is an RGB image: one heatmap per channel
    const c = page.locator('[data-testid=viz-image-grid] canvas').first();
    await c.scrollIntoViewIfNeeded(); // the side panel scrolls when the inspector above is tall
    const box = (await c.boundingBox())!;
    await page.mouse.move(box.x + 3, box.y + 3);
    await expect
      .poll(() => page.locator('[data-testid=viz-tooltip]').first().textContent())
      .toMatch(/^\[0, 0, 0, 0\] = -?\d/);
    await page.click('[data-testid=tensor-tab-grad]');
    await page.waitForSelector('[data-testid=viz-image-grid] canvas');
    expect(await page.textContent('[data-testid=tensor-viewer]')).toContain('gradient (diverging');
    await shot(page, 'tensor-viewer-image-grid');
  });

  it('shows 2-D as a heatmap, 1-D as bars and a scalar as a number; copies JSON', async () => {
    const { page } = app;
    await openExample(page, 'cross_entropy_decomposed');
    await clickAndSettle(page, 'run');
    await clickNode('x1');
    await page.click('[data-testid=tensor-tab-value]');
    await page.waitForSelector('[data-testid=viz-heatmap] rect');
    expect(await page.locator('[data-testid=tensor-viewer] [data-testid=viz-heatmap] rect').count()).toBe(20);
    await shot(page, 'tensor-viewer-heatmap');
    await clickNode('t');
    await page.waitForSelector('[data-testid=viz-bars] rect');
    await clickNode('total');
    // (the comparison strip under the canvas shows the example's pinned losses as scalars too)
    const scalar = '[data-testid=tensor-viewer] [data-testid=tensor-scalar]';
    await page.waitForSelector(scalar);
    expect(Number(await page.getAttribute(scalar, 'title'))).toBeCloseTo(5.728, 2);
    await app.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click('[data-testid=tensor-copy]');
    const text = await page.evaluate(() => navigator.clipboard.readText());
    expect(JSON.parse(text)).toMatchObject({ name: 'total', which: 'value', shape: [] });
  });
});

describe('autograd view', () => {
  it('draws the backward graph with AccumulateGrad nodes', async () => {
    const { page } = app;
    await openExample(page, 'detach_vs_clone');
    await clickAndSettle(page, 'run');
    await page.click('[data-testid=open-autograd-view]');
    await page.waitForSelector('[data-testid=autograd-view] .bw-node');
    const fns = await page
      .locator('[data-testid=autograd-view] .bw-node')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-grad-fn')));
    expect(fns).toContain('CloneBackward0');
    expect(fns).toContain('AccumulateGrad');
    await shot(page, 'autograd-view');
    await page.keyboard.press('Escape');
  });
});

describe('iterations', () => {
  it('runs N iterations with a progress bar and a loss curve', async () => {
    const { page } = app;
    await openExample(page, 'small_cnn_training');
    await page.fill('[data-testid=iterations]', '12');
    await clickAndSettle(page, 'run-n');
    expect(await page.getAttribute('[data-testid=progress]', 'value')).toBe('100');
    await page.waitForSelector('[data-testid=viz-loss-curve] circle');
    expect(await page.locator('[data-testid=viz-loss-curve] circle').count()).toBe(12);
    await page.waitForSelector('[data-testid=grad-legend] svg');
    await shot(page, 'iterations-loss-curve');
  });
});

describe('learn', () => {
  it('shows lint warnings for the classic mistakes', async () => {
    const { page } = app;
    await openExample(page, 'classic_mistakes');
    await page.waitForSelector('[data-testid=lint-warnings]');
    const codes = await page
      .locator('[data-testid=lint-warnings] li')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    expect(codes.sort()).toEqual(['probabilities-into-nll', 'softmax-into-cross-entropy']);
    expect(await page.locator('[data-testid=node-warning]').count()).toBe(2);
    await shot(page, 'lint-warnings');
  });
});

describe('keep work', () => {
  it('autosaves and offers to restore unsaved work after a reload', async () => {
    const { page } = app;
    await page.click('[data-testid=palette-Exp]');
    await page.waitForTimeout(1200);
    await page.reload();
    await page.waitForSelector('[data-testid=restore-banner]');
    await page.click('[data-testid=restore-autosave]');
    await page.waitForSelector('.react-flow__node[data-id="exp1"]');
    expect(await page.textContent('[data-testid=doc-name]')).toContain('•');
    expect(app.errors.filter((e) => !e.includes('clipboard'))).toEqual([]);
  });

  it('places a node by dragging it from the palette', async () => {
    const { page } = app;
    const before = await page.locator('.react-flow__node').count();
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    await page.dragAndDrop('[data-testid=palette-Clamp]', '[data-testid=canvas]', {
      targetPosition: { x: canvas.width / 3, y: 80 },
    });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(before + 1);
  });
});
