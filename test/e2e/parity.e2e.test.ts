/**
 * The parity fixtures opened through the file input, run on the web build
 * with the real engine worker, and compared with what PyTorch computed;
 * export JSON round trips them.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectFlags, stepBackwardToEnd } from './check';
import {
  clickAndSettle,
  launch,
  nodeAttrs,
  openApp,
  openFile,
  parity,
  PARITY,
  REPO,
  shot,
  type AppPage,
} from './harness';

const names = readdirSync(PARITY)
  .filter((f) => f.endsWith('.graph.json'))
  .map((f) => f.replace('.graph.json', ''))
  .sort();
/** Fixtures stepped backward to the end, one grad_fn per click. */
const STEPPED = new Set([
  'small_cnn',
  'clone_keeps_graph',
  'detach_blocks_grad',
  'retain_grad',
  'maxpool_ceil_padding',
]);

let browser: Browser;
let app: AppPage;

beforeAll(async () => {
  browser = await launch();
  app = await openApp(browser, inject('baseUrl'));
});
afterAll(async () => {
  await browser?.close();
});

const core = (d: Record<string, unknown>): unknown => ({
  nodes: (d.nodes as Record<string, unknown>[]).map((n) => ({ id: n.id, op: n.op, params: n.params })),
  edges: (d.edges as Record<string, unknown>[]).map((e) => ({
    source: e.source,
    sourceHandle: e.sourceHandle ?? 'out',
    target: e.target,
    targetHandle: e.targetHandle,
  })),
});

async function exportJson(): Promise<{ name: string; json: Record<string, unknown> }> {
  const [dl] = await Promise.all([app.page.waitForEvent('download'), app.page.click('[data-testid=export-json]')]);
  return { name: dl.suggestedFilename(), json: JSON.parse(readFileSync((await dl.path())!, 'utf8')) };
}

describe('parity fixtures through the file input', () => {
  it('finds the fixtures', () => {
    expect(names.length).toBeGreaterThanOrEqual(10);
  });

  for (const name of names) {
    it(`${name}: run matches PyTorch’s flags and error`, async () => {
      const { page } = app;
      const { graphPath, graph, expected } = parity(name);
      await openFile(page, graphPath);
      const ids = (graph.nodes as { id: string }[]).map((n) => n.id);
      expect(await page.locator('.react-flow__node').count()).toBe(ids.length);
      const state = await clickAndSettle(page, 'run');
      await page.waitForTimeout(50);
      await shot(page, `parity-${name}`);
      expect(state).toBe(expected.error ? 'error' : 'done');
      await expectFlags(page, expected, ids);
      if (expected.error) {
        expect(await page.textContent('[data-testid=error-panel]')).toContain(expected.error.message);
        if (expected.error.node && ids.includes(expected.error.node))
          expect((await nodeAttrs(page, expected.error.node)).error).toBe('true');
      }
      if (STEPPED.has(name)) {
        await clickAndSettle(page, 'reset');
        const seen = await stepBackwardToEnd(page, expected.backward_steps);
        expect(seen.length).toBe(expected.backward_steps.length);
        expect(await page.getAttribute('[data-testid=engine-status]', 'data-state')).toBe('done');
        await expectFlags(page, expected, ids);
      }
    });
  }

  it('export JSON after open gives the same nodes, edges and run, with the view state', async () => {
    const { graphPath, graph } = parity('small_cnn');
    await openFile(app.page, graphPath);
    const { name, json } = await exportJson();
    expect(name).toBe('small_cnn.graph.json');
    expect(core(json)).toEqual(core(graph));
    expect(json.run).toEqual(graph.run);
    expect(json.format).toBe('autograd-studio/graph');
    expect(json.view).toMatchObject({ x: expect.any(Number), y: expect.any(Number), zoom: expect.any(Number) });
  });

  it('export JSON keeps unknown top-level keys', async () => {
    const dir = resolve(REPO, 'test-results/tmp');
    mkdirSync(dir, { recursive: true });
    const path = resolve(dir, 'extra.graph.json');
    const { graph } = parity('retain_grad');
    writeFileSync(path, JSON.stringify({ ...graph, comment: 'kept', plugin: { a: [1, 2] } }));
    await openFile(app.page, path);
    const { json } = await exportJson();
    expect(json.comment).toBe('kept');
    expect(json.plugin).toEqual({ a: [1, 2] });
    expect(core(json)).toEqual(core(graph));
  });

  it('shows the leaf error of adversarial_loop_error in the error panel, with PyTorch’s text', async () => {
    const { page } = app;
    await openFile(page, parity('adversarial_loop_error').graphPath);
    await clickAndSettle(page, 'run');
    const panel = page.locator('[data-testid=error-panel]');
    expect(await panel.textContent()).toContain('you can only change requires_grad flags of leaf variables.');
    expect(await panel.textContent()).toContain('delta');
    expect((await nodeAttrs(page, 'delta')).error).toBe('true');
    await shot(page, 'error-panel-adversarial');
    expect(app.errors).toEqual([]);
  });
});
