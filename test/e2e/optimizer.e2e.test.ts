/**
 * run.optimizer in the app (web build, Chromium), as a learner meets it: after a run, the
 * inspector of a parameter's node lists optimizer.state with PyTorch's names (one line per
 * state tensor, with what it is), with the numbers PyTorch 1.13 computed (the fixtures of
 * test/fixtures/gen/cases_optim.py); stepping shows the state once the backward pass is over.
 * The run settings edit run.optimizer and run.mode without JSON: the engine's torch.optim
 * messages at each field, and the canvas's flags follow the mode before any run.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { stats } from '../../engine/protocol/stats';
import { fmt } from '../../renderer/viz/scales';
import { LOCAL_PARITY_DIR, readJson } from '../helpers/fixtures';
import { appForFile, clickAndSettle, nodeAttrs, openExample, openFile, shot } from './harness';

const app = appForFile();

/** A fixture of test/fixtures/parity: its document's path and PyTorch's result. */
const parity = (name: string) => ({
  graphPath: `${LOCAL_PARITY_DIR}/${name}.graph.json`,
  expected: readJson(`${LOCAL_PARITY_DIR}/${name}.expected.json`),
});

const select = (page: Page, id: string) => page.click(`.react-flow__node[data-id="${id}"] .op-node-head`);

/** Opens fixture `name`, runs it to the end and selects node `id` (the inspector shows it). */
async function runAndSelect(page: Page, name: string, id: string): Promise<void> {
  await openFile(page, parity(name).graphPath);
  expect(await clickAndSettle(page, 'run')).toBe('done');
  await select(page, id);
}

/** The inspector's optimizer.state lines of `param`: entry name -> text. */
function entries(page: Page, param: string): Promise<Record<string, string>> {
  return page
    .locator(`[data-testid=optimizer-param][data-param="${param}"] .optimizer-entry`)
    .evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-entry')!, e.querySelector('dd')!.textContent!])),
    );
}

interface StateJson {
  optimizer: { state: Record<string, Record<string, { shape: number[]; data: number[] } | number | null>> };
}

describe('optimizer.state in the inspector', () => {
  it("after a run, shows SGD's momentum_buffer of a Tensor node with PyTorch's numbers", async () => {
    const { page } = app();
    await runAndSelect(page, 'optim_tensor_leaf_sgd', 'x');
    await page.waitForSelector('[data-testid=optimizer-state]');
    expect(await page.textContent('[data-testid=optimizer-kind]')).toBe('torch.optim.SGD');
    const lines = await entries(page, 'x');
    expect(Object.keys(lines)).toEqual(['momentum_buffer']);
    // This fixture is element-wise: the engine's buffer is PyTorch's bit for bit, so its statistics are too.
    const expected = parity('optim_tensor_leaf_sgd').expected as StateJson;
    const buf = expected.optimizer.state.x!.momentum_buffer as { shape: number[]; data: number[] };
    const s = stats(buf.data);
    expect(lines.momentum_buffer).toContain(`[5, 7] mean ${fmt(s.mean)}, |max| ${fmt(s.absMax)}`);
    expect(lines.momentum_buffer).toContain('past gradients');
    await shot(page, 'optimizer-sgd-momentum-buffer');
  });

  it("Adam's step, exp_avg and exp_avg_sq per parameter of a layer; a frozen layer has no state", async () => {
    const { page } = app();
    await runAndSelect(page, 'optim_frozen_layer', 'fc2');
    await page.waitForSelector('[data-testid=optimizer-param][data-param="fc2.bias"]');
    const weight = await entries(page, 'fc2.weight');
    expect(Object.keys(weight)).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    expect(weight.step).toMatch(/^4 — how many steps/);
    expect(weight.exp_avg).toContain('[3, 5] mean');
    expect(weight.exp_avg_sq).toContain('second moment');
    await shot(page, 'optimizer-adam-state');
    await select(page, 'fc1');
    const empty = page.locator('[data-testid=optimizer-param][data-param="fc1.weight"] p');
    await expect.poll(() => empty.textContent()).toContain('Empty: it had no .grad');
  });

  it('a parameter outside run.optimizer.params is named as left alone', async () => {
    const { page } = app();
    await runAndSelect(page, 'optim_params_subset', 'fc2');
    await page.waitForSelector('[data-testid=optimizer-skipped]');
    expect(await page.textContent('[data-testid=optimizer-skipped]')).toContain(
      'fc2.bias is not in run.optimizer.params',
    );
    expect(Object.keys(await entries(page, 'fc2.weight'))).toEqual(['momentum_buffer']);
    // With nothing selected, the run settings name the optimizer as its constructor call.
    await page.click('.react-flow__pane', { position: { x: 20, y: 20 } });
    await page.waitForSelector('[data-testid=run-optimizer]');
    expect(await page.textContent('[data-testid=run-optimizer] code')).toBe(
      'torch.optim.SGD([fc2.weight, s], lr=0.1, momentum=0.9)',
    );
    await shot(page, 'optimizer-run-settings');
  });

  it('stepping: the state appears when the backward pass ends (optimizer.step() runs right after it)', async () => {
    const { page } = app();
    await openFile(page, parity('optim_tensor_leaf').graphPath);
    await select(page, 'x');
    expect(await page.locator('[data-testid=optimizer-state]').count()).toBe(0);
    // The backward pass of sum(x * x * w) has 4 functions; the 4th (AccumulateGrad of x) ends it.
    for (let k = 0; k < 4; k++) await clickAndSettle(page, 'step-backward');
    await page.waitForSelector('[data-testid=optimizer-param][data-param="x"]');
    const lines = await entries(page, 'x');
    expect(Object.keys(lines)).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    expect(lines.step).toMatch(/^1 /);
    expect(await page.textContent('[data-testid=step-status]')).toContain(
      'Backward pass finished, then opt.step() updated the parameters (torch.optim.Adam). Next: Forward step',
    );
    await shot(page, 'optimizer-stepping-adam');
  });

  it('the run settings edit the optimizer: Adam with a bad lr shows torch.optim’s message, fixed it trains', async () => {
    const { page, errors } = app();
    await openExample(page, 'digits_cnn_sgd');
    await page.click('.react-flow__pane', { position: { x: 20, y: 20 } });
    await page.selectOption('[data-testid=optimizer-kind-select]', 'Adam');
    expect(await page.getAttribute('[data-testid=optimizer-eps]', 'placeholder')).toBe('1e-8');
    await page.fill('[data-testid=optimizer-lr]', '-0.01');
    await page.press('[data-testid=optimizer-lr]', 'Enter');
    const error = page.locator('[data-optimizer-field=lr] [data-testid=optimizer-error]');
    await expect.poll(() => error.textContent()).toBe('Invalid learning rate: -0.01');
    await page.locator('[data-testid=optimizer-editor]').scrollIntoViewIfNeeded();
    await shot(page, 'optimizer-editor-invalid-lr');
    await page.fill('[data-testid=optimizer-lr]', '0.002');
    await page.press('[data-testid=optimizer-lr]', 'Enter');
    await expect.poll(() => error.count()).toBe(0);
    expect(await page.textContent('[data-testid=run-optimizer] code')).toBe('torch.optim.Adam(params, lr=0.002)');
    await page.fill('[data-testid=iterations]', '3');
    expect(await clickAndSettle(page, 'run-n')).toBe('done');
    await page.click('.react-flow__node[data-id="fc2"] .op-node-head');
    await page.waitForSelector('[data-testid=optimizer-param][data-param="fc2.weight"]');
    expect(Object.keys(await entries(page, 'fc2.weight'))).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    // undo, one command per change: iterations, lr back to -0.01, back to SGD's lr (kept by the switch), SGD
    for (let k = 0; k < 3; k++) await page.click('[data-testid=undo]');
    await page.click('.react-flow__pane', { position: { x: 20, y: 20 } });
    expect(await page.inputValue('[data-testid=optimizer-lr]')).toBe('0.05');
    expect(await page.inputValue('[data-testid=optimizer-kind-select]')).toBe('Adam');
    await page.click('[data-testid=undo]');
    await page.click('.react-flow__pane', { position: { x: 20, y: 20 } });
    expect(await page.inputValue('[data-testid=optimizer-kind-select]')).toBe('SGD');
    expect(errors).toEqual([]);
  });

  it('run.mode eval: Dropout passes its leaf input through on the canvas before any run', async () => {
    const { page } = app();
    await openFile(page, parity('dropout_p03_seeded').graphPath);
    await expect.poll(async () => (await nodeAttrs(page, 'd')).leaf).toBe('false');
    await page.click('.react-flow__pane', { position: { x: 20, y: 20 } });
    await page.selectOption('[data-testid=run-mode]', 'eval');
    // F.dropout(x, training=False) is x itself: a leaf that requires grad, as PyTorch 1.13 returns it
    await expect.poll(async () => (await nodeAttrs(page, 'd')).leaf).toBe('true');
    expect((await nodeAttrs(page, 'd')).requiresGrad).toBe('true');
    await shot(page, 'run-mode-eval-dropout');
    await page.click('[data-testid=undo]');
    await expect.poll(async () => (await nodeAttrs(page, 'd')).leaf).toBe('false');
  });
});
