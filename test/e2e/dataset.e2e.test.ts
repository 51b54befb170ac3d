/**
 * The Dataset node in the web build: a parity fixture (a Linear classifier on the 8x8
 * digits, 3 SGD iterations) opens, the worker fetches the digits split (an asset of the
 * build, no network beyond the app's origin) and runs it; the node shows its two outputs
 * with their shapes and badges (leaves without grad, the labels int64), and the loss equals
 * PyTorch's.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appForFile, clickAndSettle, localFixture, openFile, shot, tidy } from './harness';

const app = appForFile();

describe('Dataset node in the app', () => {
  it('runs a Linear classifier on digits and shows images [16, 1, 8, 8] and labels [16]', async () => {
    const { page } = app();
    const { path, expected } = localFixture('dataset_digits_linear_sgd');
    await openFile(page, path);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await tidy(page);
    const data = page.locator('.react-flow__node[data-id="data"]');
    expect(await data.locator('[data-testid=output-images]').textContent()).toContain('[16, 1, 8, 8]');
    expect(await data.locator('[data-testid=output-labels]').textContent()).toContain('[16]');
    expect(await data.locator('.react-flow__handle[data-handleid="images"]').count()).toBe(1);
    expect(await data.locator('.react-flow__handle[data-handleid="labels"]').count()).toBe(1);
    // each output has its badges, named: both leaves without grad, the labels int64
    const badges = (output: string) =>
      data
        .locator(
          `.node-flags[data-output="${output}"] :is([data-badge=leaf], [data-badge=requires_grad], [data-badge=dtype])`,
        )
        .allTextContents();
    expect(await badges('images')).toEqual(['leaf', 'no grad', 'float32']);
    expect(await badges('labels')).toEqual(['leaf', 'no grad', 'int64']);
    // the inspector lists each output's facts as PyTorch prints them
    await page.click('.react-flow__node[data-id="data"] .op-node-head');
    const facts = (output: string) =>
      page.locator(`.autograd-facts[data-output="${output}"] dd`).evaluateAll((d) => d.map((e) => e.textContent));
    expect((await facts('labels')).slice(0, 4)).toEqual(['[16]', 'torch.int64', 'True', 'False']);
    expect((await facts('images')).slice(0, 4)).toEqual(['[16, 1, 8, 8]', 'torch.float32', 'True', 'False']);
    const loss = page.locator('.react-flow__node[data-id="loss"] .op-node');
    expect(await loss.getAttribute('data-grad-fn')).toBe('NllLossBackward0');
    const want = (expected.tensors as unknown as Record<string, { data: number[] }>).loss!.data[0]!;
    // the engine's summary of the loss (a scalar: its mean is its value) equals PyTorch's
    const got = await page.evaluate(() => {
      const w = window as unknown as {
        __studio: { state: { engine: { tensors: Record<string, { stats: { mean: number } | null }> } } };
      };
      return w.__studio.state.engine.tensors.loss?.stats?.mean ?? null;
    });
    expect(got).toBeCloseTo(want, 5);
    await shot(page, 'dataset-digits-linear');
    expect(app().errors).toEqual([]);
  });

  it('exports a PyTorch script that embeds the batches and prints PyTorch’s loss', async () => {
    const { page } = app();
    const { expected } = localFixture('dataset_digits_linear_sgd');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-python]')]);
    const file = join(mkdtempSync(join(tmpdir(), 'dataset-export-')), download.suggestedFilename());
    await download.saveAs(file);
    const py = spawnSync('/usr/bin/python3', [file], { encoding: 'utf8', maxBuffer: 1 << 28 });
    expect(py.status, py.stderr).toBe(0);
    const result = JSON.parse(py.stdout) as { tensors: Record<string, { data: number[] }> };
    const want = (expected.tensors as unknown as Record<string, { data: number[] }>).loss!.data[0]!;
    expect(result.tensors.loss!.data[0]).toBeCloseTo(want, 5);
    expect(app().errors).toEqual([]);
  });

  it('normalize is edited in the inspector: none, the usual values, or a mean and std of one’s own', async () => {
    const { page, errors } = app();
    await openFile(page, localFixture('dataset_digits_linear_sgd').path);
    await page.click('.react-flow__node[data-id="data"] .op-node-head');
    const face = page.locator('.react-flow__node[data-id="data"] .op-node-params [data-param=normalize]');
    expect(await face.textContent()).toBe('normalize=(0.5, 0.5)');
    await page.click('[data-testid=normalize-offer]:has-text("usual values of digits")');
    await expect.poll(() => face.textContent()).toBe('normalize=(0.3054, 0.3755)');
    await page.fill('[data-testid=normalize-std]', '0.4');
    await page.press('[data-testid=normalize-std]', 'Enter');
    await expect.poll(() => face.textContent()).toBe('normalize=(0.3054, 0.4)');
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await shot(page, 'dataset-normalize-editor');
    await page.selectOption('[data-testid=normalize-kind]', 'none');
    await expect.poll(() => face.count()).toBe(0);
    await page.click('[data-testid=undo]');
    await expect.poll(() => face.textContent()).toBe('normalize=(0.3054, 0.4)');
    expect(errors).toEqual([]);
  });
});
