/**
 * Stepping keeps and grows the picture (issue 14, items 1 and 3), acted out as
 * a learner does on the web build: Forward step / Backward step keep every
 * badge and value of the nodes that ran, edges keep the gradient they carried,
 * the end of a run is a plain finished state, and storage ids and in-place
 * writes are on the nodes. Expected numbers are PyTorch 1.13's (the examples'
 * scripts run with /usr/bin/python3): relu_() through x.detach() makes
 * x = [[0.5, 0, 2], [0.3, 0, 1.5]]; relu_() on the clone leaves x alone.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { appForFile, clickAndSettle, openExample, openFile, REPO, shot } from './harness';

const app = appForFile();

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"] .op-node`);
const attr = (page: Page, id: string, a: string): Promise<string | null> => node(page, id).getAttribute(a);
const status = (page: Page): Promise<string | null> => page.getAttribute('[data-testid=engine-status]', 'data-state');
const stage = (page: Page): Promise<string | null> => page.getAttribute('[data-testid=step-status]', 'data-stage');
/** The minimum of a tensor's values as the canvas holds them (the summary the engine reported). */
const minOf = (page: Page, id: string): Promise<number | null> =>
  page.evaluate(
    (n) =>
      (
        window as unknown as {
          __studio: { state: { engine: { tensors: Record<string, { stats: { min: number } }> } } };
        }
      ).__studio.state.engine.tensors[n]?.stats.min ?? null,
    id,
  );
/** data-step of every edge label, by "source>target". */
async function edgeSteps(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const out: Record<string, string> = {};
    for (const e of document.querySelectorAll('[data-testid=edge]')) {
      const id = `${e.getAttribute('data-target')}:${e.getAttribute('data-target-handle')}`;
      const label = document.querySelector(`[data-testid="edge-label-${CSS.escape(id)}"]`);
      out[`${e.getAttribute('data-source')}>${e.getAttribute('data-target')}`] = label?.getAttribute('data-step') ?? '';
    }
    return out;
  });
}

/** Clicks Forward step until `id` has run. */
async function forwardUntil(page: Page, id: string): Promise<void> {
  for (let i = 0; i < 30; i++) {
    await clickAndSettle(page, 'step-forward');
    if ((await page.textContent('[data-testid=forward-executed]'))?.includes(id)) return;
  }
  throw new Error(`${id} never ran`);
}

describe('detach vs clone, stepped', () => {
  it('shows storage ids and the in-place write that proves detach shares memory', async () => {
    const { page } = app();
    await openExample(page, 'detach_vs_clone');
    await clickAndSettle(page, 'reset');
    expect(await stage(page)).toBe('start');
    await forwardUntil(page, 'relu_c');
    const xs = await attr(page, 'x', 'data-storage');
    expect(xs).toMatch(/^\d+$/);
    // clone copies: a new storage; relu_() on it wrote there, x is untouched
    expect(await attr(page, 'cloned', 'data-storage')).not.toBe(xs);
    expect(await attr(page, 'relu_c', 'data-storage')).toBe(await attr(page, 'cloned', 'data-storage'));
    expect(await attr(page, 'cloned', 'data-grad-fn')).toBe('ReluBackward0'); // cloned *is* relu_'s output now
    expect(await node(page, 'cloned').locator('[data-testid=storage-changed]').getAttribute('data-by')).toBe('relu_c');
    expect(await node(page, 'x').locator('[data-testid=storage-changed]').count()).toBe(0);
    expect(await minOf(page, 'x')).toBeCloseTo(-1.2, 5);
    expect(await page.getAttribute('[data-testid=step-status]', 'data-iteration')).toBe('1');
    expect(await page.textContent('[data-testid=step-status]')).toContain('iteration 1 of 1');

    await forwardUntil(page, 'relu_d');
    // detach shares: the same storage, and relu_() on it changed x
    expect(await attr(page, 'detached', 'data-storage')).toBe(xs);
    expect(await attr(page, 'relu_d', 'data-storage')).toBe(xs);
    expect(await node(page, 'x').locator('[data-testid=storage-changed]').getAttribute('data-by')).toBe('relu_d');
    expect(await node(page, 'x').locator('[data-testid=storage-changed]').innerText()).toContain('relu_d');
    expect(await minOf(page, 'x')).toBe(0); // -1.2 and -0.7 are now 0 in x itself
    // and the node says so: x's smallest entry went from -1.2 to 0
    expect(await node(page, 'x').locator('[data-testid=storage-change]').innerText()).toBe('min -1.2 → 0, max 2 → 2');
    expect(await attr(page, 'x', 'data-leaf')).toBe('true');
    expect(await attr(page, 'x', 'data-grad-fn')).toBe('');
    await node(page, 'x').click();
    await expect.poll(() => page.textContent('[data-testid=inspector-storage]')).toBe(`#${xs}`);
    // x._version is 1 after d.relu_(), as in PyTorch (the counter is the storage's)
    await expect.poll(() => page.textContent('[data-testid=inspector-version]')).toBe('1 (changed in place)');
    await shot(page, 'stepping-detach-vs-clone-forward');

    // the copy mark is an inline SVG, not a glyph a font may lack
    expect(await node(page, 'cloned').locator('.storage-copy svg').count()).toBe(1);
    expect(await node(page, 'cloned').locator('.storage-copy').innerText()).not.toContain('⧉');
  });

  it('keeps badges, values and crossed edges at every backward step', async () => {
    const { page } = app();
    await clickAndSettle(page, 'reset');
    const nonLeaves = ['cloned', 'relu_c', 'a', 'b', 'sum_a', 'sum_b', 'total'];
    const seenSteps: Record<string, string>[] = [];
    for (let i = 1; i <= 9; i++) {
      await clickAndSettle(page, 'step-backward');
      expect(await page.locator('[data-testid=step-order] li').count(), `step ${i}`).toBe(i);
      for (const id of nonLeaves) expect(await attr(page, id, 'data-grad-fn'), `${id} at step ${i}`).not.toBe('');
      expect(await attr(page, 'total', 'data-grad-fn')).toBe('AddBackward0');
      expect(await attr(page, 'detached', 'data-storage')).toBe(await attr(page, 'x', 'data-storage'));
      seenSteps.push(await edgeSteps(page));
      if (i === 4) {
        await shot(page, 'stepping-detach-vs-clone-backward-4');
        // the inspector and the tensor viewer show the value computed by the forward pass
        await node(page, 'a').click();
        await expect.poll(() => page.textContent('[data-testid=inspector]')).toContain('MulBackward0');
        expect(await page.locator('text=Run the graph to see this tensor').count()).toBe(0);
      }
    }
    // step 1 (AddBackward0 of total) sent gradient to both sums; everything else was still to come
    expect(seenSteps[0]).toMatchObject({ 'sum_a>total': 'current', 'sum_b>total': 'current', 'b>sum_b': 'pending' });
    // step 2 (SumBackward0 of sum_b): total's edges stay coloured, b>sum_b is current
    expect(seenSteps[1]).toMatchObject({ 'sum_a>total': 'crossed', 'sum_b>total': 'crossed', 'b>sum_b': 'current' });
    // gradient never crosses Detach: its edge stays cut, never pending
    expect(seenSteps[1]!['x>detached']).toBe('');
    expect(await status(page)).toBe('done');
    expect(await stage(page)).toBe('done');
    expect(await page.locator('[data-testid=error-panel]').count()).toBe(0);
    // after the end, every edge that carried gradient is drawn as flow
    const modes = await page.$$eval('.edge-label', (els) => els.map((e) => e.getAttribute('data-mode')));
    expect(modes.filter((m) => m === 'flow').length).toBeGreaterThanOrEqual(8);
    await shot(page, 'stepping-detach-vs-clone-backward-end');
  });

  it('steps past the end do nothing: no StateError, the run stays finished', async () => {
    const { page } = app();
    expect(await page.isDisabled('[data-testid=step-backward]')).toBe(true);
    expect(await page.isDisabled('[data-testid=step-forward]')).toBe(true);
    expect(await page.textContent('[data-testid=step-forward]')).toBe('Forward step');
    expect(await page.textContent('[data-testid=step-backward]')).toBe('Backward step');
    // the shortcuts reach the session directly
    await page.locator('[data-testid=canvas]').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+,');
    await page.keyboard.press('Control+.');
    await page.waitForTimeout(200); // nothing to wait for: the point is that nothing happens
    expect(await status(page)).toBe('done');
    expect(await page.locator('[data-testid=error-panel]').count()).toBe(0);
    expect(await attr(page, 'total', 'data-grad-fn')).toBe('AddBackward0');
  });
});

describe('forward step after the forward pass', () => {
  it('waits for Backward step instead of raising', async () => {
    const { page } = app();
    await clickAndSettle(page, 'reset');
    for (let i = 0; i < 9; i++) await clickAndSettle(page, 'step-forward');
    expect(await stage(page)).toBe('backward');
    expect(await page.isDisabled('[data-testid=step-forward]')).toBe(true);
    await page.keyboard.press('Control+.');
    await page.waitForTimeout(200);
    expect(await status(page)).toBe('idle');
    expect(await page.locator('[data-testid=error-panel]').count()).toBe(0);
  });
});

describe('iterations', () => {
  it('counts iterations from 1 and goes on into the next one', async () => {
    const { page } = app();
    const dir = resolve(REPO, 'test-results/tmp');
    mkdirSync(dir, { recursive: true });
    const path = resolve(dir, 'two-iterations.graph.json');
    writeFileSync(
      path,
      JSON.stringify({
        format: 'autograd-studio/graph',
        version: 1,
        meta: { name: 'two iterations' },
        nodes: [
          { id: 'x', op: 'Tensor', params: { shape: [2], requires_grad: true, init: { kind: 'ones' } } },
          { id: 's', op: 'Sum', params: {} },
        ],
        edges: [{ source: 'x', sourceHandle: 'out', target: 's', targetHandle: 'input' }],
        run: { backward: 's', iterations: 2 },
      }),
    );
    await openFile(page, path);
    await clickAndSettle(page, 'reset');
    await clickAndSettle(page, 'step-backward');
    expect(await page.textContent('[data-testid=step-status]')).toContain('iteration 1 of 2');
    await clickAndSettle(page, 'step-backward'); // AccumulateGrad: the first backward pass ends
    expect(await stage(page)).toBe('between');
    expect(await status(page)).toBe('idle');
    await clickAndSettle(page, 'step-forward');
    expect(await page.textContent('[data-testid=step-status]')).toContain('iteration 2 of 2');
    await clickAndSettle(page, 'step-backward');
    await clickAndSettle(page, 'step-backward');
    expect(await status(page)).toBe('done');
    expect(await page.textContent('[data-testid=step-status]')).toContain('iteration 2 of 2');
    // the loss chart counts the same way: ticks 1 and 2, nothing between them
    expect(await clickAndSettle(page, 'run')).toBe('done');
    const ticks = await page.$$eval('[data-testid=viz-loss-curve] g:first-of-type .tick text', (els) =>
      els.map((e) => e.textContent).filter((t) => t),
    );
    expect(ticks).toEqual(['1', '2']);
  });
});

describe('the version-counter error', () => {
  it('marks the node whose saved tensor changed and the in-place node, with a sentence', async () => {
    const { page } = app();
    await openExample(page, 'classic_mistakes');
    expect(await clickAndSettle(page, 'run')).toBe('error');
    const panel = page.locator('[data-testid=error-panel]');
    expect(await panel.textContent()).toContain(
      'one of the variables needed for gradient computation has been modified by an inplace operation: ' +
        '[torch.FloatTensor [4, 5]], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead.',
    );
    expect(await panel.textContent()).toContain('iteration 1 of 1');
    // PyTorch's message names ExpBackward0: exp's saved output; relu_ changed it
    expect(await attr(page, 'exp_x', 'data-error')).toBe('true');
    expect(await attr(page, 'relu_exp', 'data-error-related')).toBe('true');
    expect(await attr(page, 'exp_x', 'data-error-related')).toBe('false');
    expect(await attr(page, 'relu_exp', 'data-storage')).toBe(await attr(page, 'exp_x', 'data-storage'));
    expect(await page.textContent('[data-testid=error-explain]')).toBe(
      '“relu_exp” overwrote “exp_x” in place (version 0 → 1) after autograd had saved “exp_x” for the backward pass, so its ' +
        'gradient can no longer be computed: turn off inplace on “relu_exp”, or give it a clone() of “exp_x”.',
    );
    await shot(page, 'stepping-classic-mistakes-version-error');
  });

  it('is shown mid-step too, and the fix (inplace off) runs', async () => {
    const { page } = app();
    await clickAndSettle(page, 'reset');
    await clickAndSettle(page, 'step-forward');
    await clickAndSettle(page, 'step-forward');
    await shot(page, 'stepping-classic-mistakes-forward-2');
    let state = 'idle';
    for (let i = 0; i < 20 && state === 'idle'; i++) state = await clickAndSettle(page, 'step-backward');
    expect(state).toBe('error');
    expect(await attr(page, 'exp_x', 'data-error')).toBe('true');
    expect(await attr(page, 'relu_exp', 'data-error-related')).toBe('true');
    await shot(page, 'stepping-classic-mistakes-backward-error');
    await node(page, 'relu_exp').click();
    await page.locator('[data-testid=inspector] [data-param=inplace] input[type=checkbox]').uncheck();
    expect(await clickAndSettle(page, 'run')).toBe('done');
    expect(await attr(page, 'relu_exp', 'data-error-related')).toBe('false');
    expect(await attr(page, 'exp_x', 'data-error')).toBe('false');
  });
});
