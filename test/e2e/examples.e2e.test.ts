/**
 * Every example of the gallery on the web build with the real engine worker:
 * open, run, check the autograd flags against the expected result, step
 * forward, reset, step backward to the end in PyTorch's order.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  clickAndSettle,
  launch,
  nodeAttrs,
  openApp,
  openExample,
  parity,
  REPO,
  shot,
  type AppPage,
  type ExpectedResult,
} from './harness';
import { expectFlags, stepBackwardToEnd } from './check';

/** Examples built on parity fixtures: same ids and ops (the adversarial loops on an image), so the same flags and backward order. */
const PARITY_OF: Record<string, string> = {
  adversarial_loop_error: 'adversarial_loop_error',
  adversarial_loop_detached: 'adversarial_loop_detached',
};

/** Facts about the other examples: [node, leaf, requires_grad, has_grad]. */
const FACTS: Record<string, [string, boolean, boolean, boolean][]> = {
  // Two inputs, one per path; compare-code.e2e.test.ts checks its result against PyTorch's.
  cross_entropy_decomposed: [
    ['x1', true, true, true],
    ['x2', true, true, true],
    ['t', true, false, false],
    ['ce', false, true, false],
    ['nll', false, true, false],
    ['total', false, true, false],
  ],
  detach_vs_clone: [
    ['x', true, true, true],
    ['w', true, true, true],
    ['detached', true, false, false],
    ['cloned', false, true, false],
    ['total', false, true, false],
  ],
  conv2d_padding_modes: [
    ['x', true, true, true],
    ['in_reflect', false, true, true],
    ['conv_circular', false, true, false],
  ],
  pooling_variants: [
    ['x', true, true, true],
    ['maxpool', false, true, false],
    ['avg_excl', false, true, false],
  ],
  small_cnn_training: [
    ['x', true, false, false],
    ['W', true, true, true],
    ['b', true, true, true],
    ['fc', false, true, false],
    ['loss', false, true, false],
  ],
  classic_mistakes: [
    ['x', true, true, false],
    ['probs', false, true, false],
    ['exp_x', false, true, false],
  ],
};

/** Examples whose lesson is an error: the message they stop with. */
const STOPS_WITH: Record<string, string> = {
  classic_mistakes: 'has been modified by an inplace operation',
};

const slugs = readdirSync(resolve(REPO, 'renderer/examples'))
  .filter((f) => f.endsWith('.graph.json'))
  .map((f) => f.replace('.graph.json', ''));
const docOf = (slug: string): { nodes: { id: string }[]; run?: { iterations?: number } } =>
  JSON.parse(readFileSync(resolve(REPO, 'renderer/examples', `${slug}.graph.json`), 'utf8'));

let browser: Browser;
let app: AppPage;

beforeAll(async () => {
  browser = await launch();
  app = await openApp(browser, inject('baseUrl'));
});
afterAll(async () => {
  await browser?.close();
});

describe('examples gallery', () => {
  it('has every example', async () => {
    await app.page.click('[data-testid=open-examples]');
    for (const s of slugs) expect(await app.page.locator(`[data-testid=example-${s}]`).count(), s).toBe(1);
    await shot(app.page, 'examples-gallery');
    await app.page.keyboard.press('Escape');
  });

  for (const slug of slugs) {
    describe(slug, () => {
      const expected: ExpectedResult | null = PARITY_OF[slug] ? parity(PARITY_OF[slug]).expected : null;
      const ids = docOf(slug).nodes.map((n) => n.id);

      it('opens and runs with the flags of the expected result', async () => {
        const { page } = app;
        await openExample(page, slug);
        expect(await page.locator('.react-flow__node').count()).toBe(ids.length);
        const state = await clickAndSettle(page, 'run');
        await page.waitForTimeout(100);
        await shot(page, `example-${slug}-run`);
        if (expected) {
          expect(state).toBe(expected.error ? 'error' : 'done');
          await expectFlags(page, expected, ids);
          if (expected.error) {
            expect(await page.textContent('[data-testid=error-panel]')).toContain(expected.error.message);
            if (expected.error.node) expect((await nodeAttrs(page, expected.error.node)).error).toBe('true');
          }
        } else {
          expect(state).toBe(STOPS_WITH[slug] ? 'error' : 'done');
          if (STOPS_WITH[slug]) expect(await page.textContent('[data-testid=error-panel]')).toContain(STOPS_WITH[slug]);
          for (const [id, leaf, rg, grad] of FACTS[slug] ?? []) {
            const a = await nodeAttrs(page, id);
            expect({ id, ...a, active: null, error: null }).toEqual({
              id,
              leaf: String(leaf),
              requiresGrad: String(rg),
              hasGrad: String(grad),
              active: null,
              error: null,
            });
          }
        }
      });

      it('steps forward, then resets', async () => {
        const { page } = app;
        await clickAndSettle(page, 'reset');
        await clickAndSettle(page, 'step-forward');
        await expect.poll(() => page.locator('.op-node[data-active=true]').count()).toBe(1);
        await clickAndSettle(page, 'step-forward');
        expect(await page.textContent('[data-testid=forward-executed]')).toContain('→');
        await shot(page, `example-${slug}-step-forward`);
        await clickAndSettle(page, 'reset');
        expect(await page.getAttribute('[data-testid=engine-status]', 'data-state')).toBe('idle');
      });

      it('steps backward to the end in PyTorch’s order', async () => {
        const { page } = app;
        await clickAndSettle(page, 'reset');
        const seen = await stepBackwardToEnd(page, expected?.backward_steps ?? null, {
          step: 3,
          name: `example-${slug}-step-backward-3`,
        });
        expect(seen.length).toBeGreaterThan(0);
        if (expected) expect(seen.length).toBe(expected.backward_steps.length);
        // one backward pass: the run is done after it, stopped, or goes on with the next iteration
        const final = STOPS_WITH[slug] ? 'error' : (docOf(slug).run?.iterations ?? 1) > 1 ? 'idle' : 'done';
        expect(await page.getAttribute('[data-testid=engine-status]', 'data-state')).toBe(final);
        await shot(page, `example-${slug}-step-backward-end`);
      });
    });
  }
});
