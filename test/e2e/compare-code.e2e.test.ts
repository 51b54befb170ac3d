/**
 * Issue 14, items 5 and 6, acted as a user does: the comparison strip (pins,
 * a − b, max |a − b|), the iteration slider of a loop, the "Export PyTorch
 * script" download run on real PyTorch, and the code panel following a
 * forward step. Expected numbers come from /usr/bin/python3 with PyTorch 1.13
 * (the exported scripts, see the comments) or from the CLI's engine run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { compareResult, type ResultLike } from '../helpers/compare';
import { appForFile, clickAndSettle, openExample, REPO, shot, waitState } from './harness';

const app = appForFile();

const example = (slug: string): string => resolve(REPO, 'renderer/examples', `${slug}.graph.json`);

/** The engine's result for a document file, as the CLI prints it. */
function cliRun(file: string): ResultLike {
  const r = spawnSync(process.execPath, [resolve(REPO, 'build/scripts/cli.mjs'), 'run', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ResultLike;
}

/** Clicks "Export PyTorch script", saves the download and runs it on /usr/bin/python3: its name, text and result. */
async function exportAndRun(page: Page): Promise<{ name: string; text: string; result: ResultLike }> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-python]')]);
  const file = join(mkdtempSync(join(tmpdir(), 'h5-export-')), download.suggestedFilename());
  await download.saveAs(file);
  const py = spawnSync('/usr/bin/python3', [file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  expect(py.status, py.stderr).toBe(0);
  return { name: download.suggestedFilename(), text: readFileSync(file, 'utf8'), result: JSON.parse(py.stdout) };
}

/** The diff cards: [a, b, max |a − b|]. */
async function diffs(page: Page): Promise<[string, string, number][]> {
  return page.$$eval('[data-testid=compare-diff]', (els) =>
    els.map((e) => [e.getAttribute('data-a')!, e.getAttribute('data-b')!, Number(e.getAttribute('data-max-abs-diff'))]),
  ) as Promise<[string, string, number][]>;
}

/** The code panel's marked lines, as text. */
async function markedLines(page: Page): Promise<string[]> {
  return page.$$eval('[data-testid=code-panel] [data-current=true] code', (els) => els.map((e) => e.textContent ?? ''));
}

const activeNode = (page: Page): Promise<string | null> =>
  page.evaluate(
    () =>
      (window as unknown as { __studio: { state: { engine: { active: string | null } } } }).__studio.state.engine
        .active,
  );

describe('comparison strip', () => {
  it('CrossEntropyLoss vs LogSoftmax + NLLLoss: two inputs, equal losses and equal gradients', async () => {
    const { page } = app();
    await openExample(page, 'cross_entropy_decomposed');
    // The example pins ce, nll, x1.grad and x2.grad; before a run they say so.
    await page.waitForSelector('[data-testid=compare-strip]');
    const pinned = await page.$$eval('[data-testid=compare-pin]', (els) =>
      els.map((e) => `${e.getAttribute('data-tensor')}:${e.getAttribute('data-which')}`),
    );
    expect(pinned).toEqual(['ce:value', 'nll:value', 'x1:grad', 'x2:grad']);
    await expect.poll(() => page.locator('[data-testid=compare-pin]').first().innerText()).toMatch(/not computed/);

    // Mid-step: forward through the first nodes, then a few backward steps.
    await clickAndSettle(page, 'step-forward');
    await clickAndSettle(page, 'step-forward');
    await clickAndSettle(page, 'step-forward');
    await shot(page, 'compare-ce-forward');
    for (let i = 0; i < 4; i++) await clickAndSettle(page, 'step-backward');
    // x2's AccumulateGrad ran (backward order: total, nll, logsm, x2, ...): x2.grad is there, x1.grad not yet.
    await expect
      .poll(() => page.locator('[data-testid=compare-pin][data-tensor=x2]').innerText())
      .not.toMatch(/None|not computed/);
    expect(await page.locator('[data-testid=compare-pin][data-tensor=x1]').innerText()).toMatch(/\.grad is None/);
    await shot(page, 'compare-ce-backward');

    await clickAndSettle(page, 'run');
    await expect.poll(() => diffs(page)).toHaveLength(2);
    // PyTorch 1.13 (the exported script on /usr/bin/python3): ce = nll = 2.8640341758728027 and
    // x1.grad == x2.grad exactly (cross_entropy is log_softmax then nll_loss), so max |a - b| = 0.
    expect(await diffs(page)).toEqual([
      ['ce', 'nll', 0],
      ['x1.grad', 'x2.grad', 0],
    ]);
    const scalars = await page.$$eval('[data-testid=compare-pin] [data-testid=tensor-scalar]', (els) =>
      els.map((e) => Number(e.getAttribute('title'))),
    );
    expect(scalars).toEqual([2.8640341758728027, 2.8640341758728027]);
    expect(await page.locator('[data-testid=compare-max]').first().innerText()).toBe('max |a − b| = 0');
    await shot(page, 'compare-ce-done');
  });

  it('pins a tensor from the tensor viewer, shows a − b against the earlier pin, and unpins it', async () => {
    const { page } = app();
    // the node's top-left corner: the strip and the edge legend cover its lower part at this size
    await page.click('.react-flow__node[data-id="logsm"] [data-testid=node-title]', { position: { x: 4, y: 4 } });
    await page.waitForSelector('[data-testid=tensor-viewer]');
    await page.click('[data-testid=tensor-pin]');
    await expect.poll(() => page.locator('[data-testid=compare-pin]').count()).toBe(5);
    expect(await page.locator('[data-testid=tensor-pin]').innerText()).toBe('Pinned');
    // logsm [4, 5] has no earlier value pin of its shape (x1 and x2 are pinned as .grad): no diff.
    expect(await diffs(page)).toHaveLength(2);
    await page.click('[data-testid=tensor-tab-grad]');
    await page.click('[aria-label="Unpin logsm"]');
    await expect.poll(() => page.locator('[data-testid=compare-pin]').count()).toBe(4);
  });
});

describe('iterations', () => {
  it('small CNN: the slider shows iteration k of 12, its loss, and the loss falls', async () => {
    const { page } = app();
    await openExample(page, 'small_cnn_training');
    await page.waitForSelector('[data-testid=iteration-scrub]');
    expect(await page.locator('[data-testid=iteration-label]').innerText()).toBe('iteration – of 12');
    // Mid-step pictures: a forward step, then backward steps, of iteration 1.
    await clickAndSettle(page, 'step-forward');
    await clickAndSettle(page, 'step-forward');
    await clickAndSettle(page, 'step-forward');
    await shot(page, 'compare-cnn-forward');
    for (let i = 0; i < 5; i++) await clickAndSettle(page, 'step-backward');
    // Stepping is in iteration 1, and the slider says so.
    expect(await page.locator('[data-testid=iteration-label]').innerText()).toBe('iteration 1 of 12');
    await shot(page, 'compare-cnn-backward');

    // Scrub with the keyboard: End is iteration 12, Home iteration 1.
    await page.focus('[data-testid=iteration-scrub]');
    await page.keyboard.press('End');
    await expect.poll(() => page.locator('[data-testid=iteration-label]').innerText()).toBe('iteration 12 of 12');
    // PyTorch 1.13 (exported script with run.iterations 1 and 12): loss 0.7085163593292236 after
    // iteration 1, 0.0589359775185585 after iteration 12. The label shows 6 significant digits;
    // 0.05893598 lies next to a rounding boundary (0.05893595), and the engine's float32 sums
    // may land on either side of it, so the label is read back as a number.
    await expect
      .poll(() => page.locator('[data-testid=iteration-loss]').innerText())
      .toMatch(/^loss 0\.05893[56]\d? at iteration 12$/);
    const shown = Number(/loss (\S+)/.exec(await page.locator('[data-testid=iteration-loss]').innerText())![1]);
    expect(Math.abs(shown - 0.0589359775185585)).toBeLessThan(1e-7);
    expect(await waitState(page, ['done', 'error'])).toBe('done');
    const losses = await page.evaluate(
      () =>
        (window as unknown as { __studio: { state: { engine: { losses: number[] } } } }).__studio.state.engine.losses,
    );
    expect(losses).toHaveLength(12);
    for (let i = 1; i < losses.length; i++) expect(losses[i]!).toBeLessThan(losses[i - 1]!);
    expect(losses[0]!).toBeCloseTo(0.7085163593292236, 5);
    expect(losses[11]!).toBeCloseTo(0.0589359775185585, 5);
    await shot(page, 'compare-cnn-iteration-12');

    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('[data-testid=iteration-label]').innerText()).toBe('iteration 1 of 12');
    await expect
      .poll(() => page.locator('[data-testid=iteration-loss]').innerText())
      .toBe('loss 0.708516 at iteration 1');
    // The slider's loss line keeps all 12 iterations, iteration 1 marked.
    await expect.poll(() => page.getAttribute('[data-testid=scrub-loss]', 'data-points')).toBe('12');
    expect(await page.locator('[data-testid=scrub-loss-marker]').count()).toBe(1);
    // The canvas shows iteration 1: the loss node's value is the first iteration's.
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (
              window as unknown as {
                __studio: { state: { engine: { tensors: Record<string, { stats: { mean: number } }> } } };
              }
            ).__studio.state.engine.tensors.loss?.stats.mean,
        ),
      )
      .toBeCloseTo(0.7085163593292236, 5);
    await shot(page, 'compare-cnn-iteration-1');
  });
});

describe('PyTorch code', () => {
  it('downloads a script that prints, on PyTorch, the result the app and the CLI compute', async () => {
    const { page } = app();
    await openExample(page, 'cross_entropy_decomposed');
    await page.waitForSelector('[data-testid=export-python]');
    expect(await page.locator('[data-testid=export-python]').innerText()).toBe('Export PyTorch script');
    const { name, result: torch } = await exportAndRun(page);
    expect(name).toBe('cross_entropy_decomposed.py');
    expect(compareResult(torch, cliRun(example('cross_entropy_decomposed')))).toEqual([]);
    // What the app shows after a run: the same loss.
    await clickAndSettle(page, 'run');
    const ce = torch.tensors!.ce!.data![0]!;
    await expect
      .poll(() =>
        page.locator('[data-testid=compare-pin][data-tensor=ce] [data-testid=tensor-scalar]').getAttribute('title'),
      )
      .toBe(String(ce));
  });

  it('the loop example exports a script that runs its 12 iterations on PyTorch', async () => {
    const { page } = app();
    await openExample(page, 'small_cnn_training');
    const { text, result } = await exportAndRun(page);
    expect(text).toContain('for iteration in range(12):');
    expect(compareResult(result, cliRun(example('small_cnn_training')))).toEqual([]);
  });

  it('the code panel marks the statement of each forward step', async () => {
    const { page } = app();
    await openExample(page, 'cross_entropy_decomposed');
    await page.click('[data-testid=toggle-code]');
    await page.waitForSelector('[data-testid=code-panel] .code-line');
    expect(await markedLines(page)).toEqual([]);
    const seen: string[] = [];
    // Forward steps until the forward pass is complete (then Forward step waits for the backward pass).
    for (let i = 0; i < 10 && !(await page.locator('[data-testid=step-forward]').isDisabled()); i++) {
      await clickAndSettle(page, 'step-forward');
      const node = await activeNode(page);
      if (!node || seen.includes(node)) break;
      seen.push(node);
      // Tensor nodes are set up in main() (`x1 = torch.tensor([`, a statement over several lines);
      // ops in Model.forward (`logsm = F.log_softmax(x2, dim=1)`).
      await expect.poll(() => markedLines(page).then((l) => l[0]?.trim() ?? '')).toMatch(new RegExp(`^${node} = `));
      if (node === 'logsm') {
        expect(await markedLines(page)).toEqual(['        logsm = F.log_softmax(x2, dim=1)']);
        await shot(page, 'code-panel-forward');
      }
    }
    expect(seen).toContain('logsm');
    expect(seen).toContain('ce');
    // A backward step marks the backward() call.
    await clickAndSettle(page, 'step-backward');
    await expect.poll(() => markedLines(page)).toContain('    total.backward()');
    await shot(page, 'code-panel-backward');
    // Long runs of values fold (the small CNN spells out x and W); a click opens one.
    await openExample(page, 'small_cnn_training');
    await page.waitForSelector('[data-testid=code-panel] [data-testid=code-fold]');
    const folds = await page.locator('[data-testid=code-fold]').count();
    expect(folds).toBeGreaterThan(1);
    const lines = await page.locator('[data-testid=code-panel] .code-line').count();
    await page.locator('[data-testid=code-fold]').first().click();
    await expect.poll(() => page.locator('[data-testid=code-fold]').count()).toBe(folds - 1);
    expect(await page.locator('[data-testid=code-panel] .code-line').count()).toBeGreaterThan(lines);
    await clickAndSettle(page, 'step-forward');
    await clickAndSettle(page, 'step-forward');
    await shot(page, 'code-panel-cnn-forward');
    // Nothing the strip, the slider or the code panel did logged an error (a CSP violation would).
    expect(app().errors).toEqual([]);
  });
});
