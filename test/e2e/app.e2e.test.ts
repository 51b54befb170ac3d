/**
 * The app shell on the web build: it loads under the strict CSP, lists every
 * op in the palette, adds, connects, replaces the edge of a used port,
 * undoes and redoes, and exports.
 */
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { OPS } from '../../engine/protocol/ops';
import { launch, openApp, shot, type AppPage } from './harness';

let browser: Browser;
let app: AppPage;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

describe('app shell', () => {
  it('loads with a CSP meta tag and no errors, and lists every op in the palette', async () => {
    app = await openApp(browser, inject('baseUrl'));
    const { page } = app;
    const csp = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
    expect(csp).toContain("script-src 'self'");
    for (const o of OPS) expect(await page.locator(`[data-testid=palette-${o.op}]`).count(), o.op).toBe(1);
    // The engine names its kernels in its ready event: the page is cross-origin isolated, so the
    // worker runs the WebAssembly kernels (built before the e2e tests) on one thread per core, at most 8.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await page.waitForSelector('[data-testid=engine-status][data-kernels^=wasm-simd]');
    const threads = Math.min(8, await page.evaluate(() => navigator.hardwareConcurrency));
    expect(await page.getAttribute('[data-testid=engine-status]', 'title')).toMatch(
      new RegExp(`^engine, kernels: wasm-simd(\\+fma)? x${threads}$`),
    );
    await shot(page, 'app-empty');
    expect(app.errors).toEqual([]);
  });

  it('filters the palette as you type', async () => {
    const { page } = app;
    await page.fill('[data-testid=palette-search]', 'pool');
    expect(await page.locator('[data-testid=palette-MaxPool2d]').count()).toBe(1);
    expect(await page.locator('[data-testid=palette-Linear]').count()).toBe(0);
    await page.fill('[data-testid=palette-search]', '');
  });

  it('adds nodes from the palette, connects them, replaces the edge of a used port, and undoes/redoes', async () => {
    const { page } = app;
    // place each node by dragging it from the palette to its own spot
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const place = async (op: string, x: number, y: number): Promise<void> => {
      await page.dragAndDrop(`[data-testid=palette-${op}]`, '[data-testid=canvas]', {
        targetPosition: { x: canvas.width * x, y: canvas.height * y },
      });
    };
    await place('Tensor', 0.15, 0.2);
    await place('ReLU', 0.5, 0.35);
    await place('Tensor', 0.15, 0.6);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    // and one more by clicking: it lands at the centre
    await page.click('[data-testid=palette-Exp]');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
    await page.click('[data-testid=undo]');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    const drag = async (from: string, to: string): Promise<void> => {
      await page.waitForTimeout(250); // let React Flow measure the moved nodes
      const a = (await page.locator(from).boundingBox())!;
      const b = (await page.locator(to).boundingBox())!;
      await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
      await page.mouse.down();
      await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 5, { steps: 3 });
      await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 15 });
      await page.waitForTimeout(50);
      await page.mouse.up();
    };
    const out = (id: string): string => `.react-flow__node[data-id="${id}"] .react-flow__handle.source`;
    const inp = (id: string, port: string): string =>
      `.react-flow__node[data-id="${id}"] .react-flow__handle[data-handleid="${port}"]`;
    for (let i = 0; i < 3 && (await page.locator('.react-flow__edge').count()) === 0; i++) {
      await drag(out('tensor1'), inp('relu1', 'input'));
      await page.waitForTimeout(300);
    }
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    // a connection dropped on a used port replaces the edge that held it (one undo step)
    await drag(out('tensor2'), inp('relu1', 'input'));
    await expect
      .poll(() => page.locator('[data-testid=toast]').textContent())
      .toContain('Replaced tensor1 → relu1.input by tensor2 → relu1.input');
    expect(await page.locator('[data-testid=edge]').getAttribute('data-source')).toBe('tensor2');
    await shot(page, 'app-connected');

    await page.click('[data-testid=undo]');
    await expect.poll(() => page.locator('[data-testid=edge]').getAttribute('data-source')).toBe('tensor1');
    await page.click('[data-testid=undo]');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(0);
    await page.click('[data-testid=redo]');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
  });

  it('copies and pastes a node as one undo step, and deletes with the keyboard', async () => {
    const { page } = app;
    await page.click('.react-flow__node[data-id="relu1"] .op-node-head');
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
    // the pasted ReLU keeps its input connection
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    await page.click('[data-testid=undo]');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await page.click('.react-flow__node[data-id="relu1"] .op-node-head');
    await page.keyboard.press('Delete');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(2);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
  });

  it('edits a param in the inspector with validation', async () => {
    const { page } = app;
    await page.click('.react-flow__node[data-id="tensor1"] .op-node-head');
    const field = page.locator('[data-testid=inspector] .param-field[data-param=shape] input');
    await field.fill('[2, -3]');
    await expect.poll(() => page.locator('[data-testid=param-error]').count()).toBe(1);
    await field.fill('[2, 3]');
    await field.press('Enter');
    await expect
      .poll(() => page.locator('.react-flow__node[data-id="tensor1"] .op-node-params').textContent())
      .toContain('[2,3]');
  });

  it('exports the canvas as SVG and PNG', async () => {
    const { page } = app;
    const [svg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-svg]')]);
    expect(svg.suggestedFilename()).toMatch(/\.svg$/);
    const text = readFileSync((await svg.path())!, 'utf8');
    expect(text).toContain('<svg');
    expect(text).toContain('ReLU');
    const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-png]')]);
    expect(png.suggestedFilename()).toMatch(/\.png$/);
    const bytes = readFileSync((await png.path())!);
    expect(bytes.subarray(1, 4).toString()).toBe('PNG');
    expect(app.errors).toEqual([]);
  });
});
