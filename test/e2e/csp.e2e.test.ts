/**
 * The app under the desktop's Content-Security-Policy, in Chromium: the web
 * build is served with the policy app:// sends (electron/main/protocol.ts) as
 * a header on top of the page's own meta policy, neither allowing inline
 * style. React and React Flow set styles through the CSSOM (`element.style`),
 * which `style-src` does not restrict; an injected `<style>` element or
 * `style="..."` markup would be refused and reported. The test uses the app
 * widely (examples, runs, steps, every tensor view, the autograd view, the loss
 * curve, lint, drag, zoom, pan, SVG and PNG export) and expects no
 * `securitypolicyviolation` event, after checking that one is reported for an
 * inline style (so the listener and the policy are live).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/protocol';
import { clickAndSettle, launch, openExample, shot } from './harness';

vi.mock('electron', () => import('../electron/electron-mock'));

interface Violation {
  directive: string;
  blocked: string;
  sample: string;
}

let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
  // the page itself gets the desktop's policy as a header, as app:// sends it
  await context.route('**/*', async (route) => {
    if (route.request().resourceType() !== 'document') return route.continue();
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: { ...response.headers(), 'content-security-policy': CONTENT_SECURITY_POLICY },
    });
  });
  await context.addInitScript(() => {
    const w = window as unknown as { __violations: Violation[] };
    w.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }),
    );
  });
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => void d.accept());
  const served = page.waitForResponse((r) => r.request().resourceType() === 'document');
  await page.goto(inject('baseUrl'));
  expect((await served).headers()['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  await page.waitForSelector('[data-testid=palette]');
  // a fresh profile is a first start: close the welcome view as a user would
  const welcome = page.locator('[data-testid=welcome-start]');
  if (await welcome.count()) await welcome.click();
});
afterAll(async () => {
  await browser?.close();
});

const violations = (): Promise<Violation[]> =>
  page.evaluate(() => (window as unknown as { __violations: Violation[] }).__violations);
const clickNode = (id: string): Promise<void> => page.click(`.react-flow__node[data-id="${id}"] .op-node-head`);

describe('under the desktop CSP (no inline style)', () => {
  it('refuses and reports an inline <style> element and a style attribute (the check is live)', async () => {
    const meta = await page.getAttribute('meta[http-equiv=Content-Security-Policy]', 'content');
    expect(meta).toContain("style-src 'self';");
    const applied = await page.evaluate(async () => {
      const probe = document.createElement('div');
      probe.id = 'csp-probe';
      document.body.appendChild(probe);
      const style = document.createElement('style');
      style.textContent = '#csp-probe { width: 123px; }';
      document.head.appendChild(style);
      const markup = document.createElement('div');
      markup.innerHTML = '<span id="csp-probe-2" style="display: inline-block; width: 77px"></span>';
      document.body.appendChild(markup);
      const cssom = document.createElement('div');
      cssom.style.width = '55px'; // the CSSOM, as React sets styles: allowed
      document.body.appendChild(cssom);
      await new Promise((r) => setTimeout(r, 50));
      const widths = [
        probe.offsetWidth,
        (document.getElementById('csp-probe-2') as HTMLElement).offsetWidth,
        cssom.offsetWidth,
      ];
      style.remove();
      probe.remove();
      markup.remove();
      cssom.remove();
      return widths;
    });
    expect(applied[0]).not.toBe(123);
    expect(applied[1]).not.toBe(77);
    expect(applied[2]).toBe(55);
    // each refusal is reported once per policy: the header's and the meta tag's
    const seen = await violations();
    expect(seen.map((v) => v.directive).sort()).toEqual([
      'style-src-attr',
      'style-src-attr',
      'style-src-elem',
      'style-src-elem',
    ]);
    // Chromium also logs each refusal as a console error: these four are the probe's
    expect(errors.filter((e) => e.includes('Content Security Policy'))).toHaveLength(4);
    errors.length = 0;
    await page.evaluate(() => ((window as unknown as { __violations: Violation[] }).__violations.length = 0));
  });

  it('runs, steps and shows every view without a violation', async () => {
    await openExample(page, 'pooling_variants');
    await clickAndSettle(page, 'run');
    await clickNode('x');
    await page.waitForSelector('[data-testid=viz-image-grid] canvas');
    const c = page.locator('[data-testid=viz-image-grid] canvas').first();
    await c.scrollIntoViewIfNeeded(); // the side panel scrolls when the inspector above is tall
    const box = (await c.boundingBox())!;
    await page.mouse.move(box.x + 3, box.y + 3);
    await page.waitForSelector('[data-testid=viz-tooltip]');
    await page.click('[data-testid=tensor-tab-grad]');
    await page.waitForSelector('[data-testid=viz-image-grid] canvas');

    await openExample(page, 'cross_entropy_decomposed');
    await clickAndSettle(page, 'run');
    await clickNode('x1');
    await page.click('[data-testid=tensor-tab-value]');
    await page.waitForSelector('[data-testid=viz-heatmap] rect');
    const cell = (await page.locator('[data-testid=viz-heatmap] rect').first().boundingBox())!;
    await page.mouse.move(cell.x + 2, cell.y + 2);
    await clickNode('t');
    await page.waitForSelector('[data-testid=viz-bars] rect');
    await clickNode('total');
    await page.waitForSelector('[data-testid=tensor-scalar]');
    await clickAndSettle(page, 'reset');
    await clickAndSettle(page, 'step-forward');
    await clickAndSettle(page, 'step-backward');
    await clickAndSettle(page, 'step-backward');

    await openExample(page, 'detach_vs_clone');
    await clickAndSettle(page, 'run');
    await page.click('[data-testid=open-autograd-view]');
    await page.waitForSelector('[data-testid=autograd-view] .bw-node');
    await page.keyboard.press('Escape');

    await openExample(page, 'small_cnn_training');
    await page.fill('[data-testid=iterations]', '5');
    await clickAndSettle(page, 'run-n');
    await page.waitForSelector('[data-testid=viz-loss-curve] circle');
    await page.waitForSelector('[data-testid=grad-legend] svg');

    await openExample(page, 'classic_mistakes');
    await page.waitForSelector('[data-testid=lint-warnings]');
    await shot(page, 'csp-strict-views');
    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('edits, drags, zooms, pans and exports without a violation', async () => {
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    await page.dragAndDrop('[data-testid=palette-Clamp]', '[data-testid=canvas]', {
      targetPosition: { x: canvas.width / 3, y: 80 },
    });
    await page.click('[data-testid=palette-Exp]');
    const node = page.locator('.react-flow__node').first();
    const nb = (await node.boundingBox())!;
    await page.mouse.move(nb.x + 20, nb.y + 10);
    await page.mouse.down();
    await page.mouse.move(nb.x + 80, nb.y + 60, { steps: 5 });
    await page.mouse.up();
    await page.mouse.move(canvas.x + canvas.width / 2, canvas.y + canvas.height / 2);
    await page.mouse.wheel(0, -400);
    await page.mouse.wheel(0, 800);
    await page.mouse.move(canvas.x + 40, canvas.y + canvas.height - 40);
    await page.mouse.down();
    await page.mouse.move(canvas.x + 240, canvas.y + canvas.height - 140, { steps: 5 });
    await page.mouse.up();
    await page.click('[data-testid=tidy]');
    await page.click('[data-testid=undo]');
    await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-svg]')]);
    await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-png]')]);
    await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-json]')]);
    await page.waitForTimeout(300);
    await shot(page, 'csp-strict-edited');
    expect(await violations()).toEqual([]);
    expect(errors).toEqual([]);
  });
});
