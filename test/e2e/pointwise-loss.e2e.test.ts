/**
 * MSELoss and BCEWithLogitsLoss in the web build, on parity fixtures of
 * test/fixtures/gen/cases_pointwise_loss.py: the classic broadcast mistake
 * (a [4, 1] output against a [4] target) runs with PyTorch's flags and shows
 * PyTorch's UserWarning on the loss node with a plain sentence; stepping
 * backward shows ExpandBackward0 summing the broadcast gradient back; the
 * BCEWithLogitsLoss size error is PyTorch's ValueError.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectFlags, stepBackwardToEnd } from './check';
import { appForFile, clickAndSettle, nodeAttrs, openFile, REPO, shot, type ExpectedResult } from './harness';

const app = appForFile();

/** One of the project's own parity fixtures. */
function fixture(name: string): { path: string; ids: string[]; expected: ExpectedResult } {
  const path = resolve(REPO, 'test/fixtures/parity', `${name}.graph.json`);
  const graph = JSON.parse(readFileSync(path, 'utf8')) as { nodes: { id: string }[] };
  const expected = JSON.parse(
    readFileSync(resolve(REPO, 'test/fixtures/parity', `${name}.expected.json`), 'utf8'),
  ) as ExpectedResult;
  return { path, ids: graph.nodes.map((n) => n.id), expected };
}

type Studio = { __studio: { state: { doc: { nodes: { position: { x: number; y: number } }[] } } } };

/** Opens a fixture and lays it out with Tidy, as a learner would before reading it. */
async function openTidy(page: Page, path: string): Promise<void> {
  await openFile(page, path);
  const where = () => JSON.stringify((window as unknown as Studio).__studio.state.doc.nodes.map((n) => n.position));
  const before = await page.evaluate(where);
  await page.click('[data-testid=tidy]');
  await page.waitForFunction(
    (b) => JSON.stringify((window as unknown as Studio).__studio.state.doc.nodes.map((n) => n.position)) !== b,
    before,
  );
}

const warningOf = (id: string) => `.react-flow__node[data-id="${id}"] [data-testid=node-warning]`;

describe('pointwise losses in the app', () => {
  it('a [4, 1] output against a [4] target: PyTorch’s warning on the loss node, its flags and grad_fns', async () => {
    const { page } = app();
    const { path, ids, expected } = fixture('mse_column_output_row_target');
    await openTidy(page, path);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await expectFlags(page, expected, ids);
    const loss = page.locator('.react-flow__node[data-id="loss"] .op-node');
    expect(await loss.getAttribute('data-grad-fn')).toBe('MseLossBackward0');
    await page.waitForSelector(warningOf('loss'));
    const warning = await page.textContent(warningOf('loss'));
    expect(warning).toContain(
      'UserWarning: Using a target size (torch.Size([4])) that is different to the input size ' +
        '(torch.Size([4, 1])). This will likely lead to incorrect results due to broadcasting.',
    );
    expect(warning).toContain('give input and target the same shape');
    expect(await page.locator(warningOf('fc')).count()).toBe(0);
    await shot(page, 'pointwise-loss-broadcast-warning');
  });

  it('stepping backward: MseLossBackward0, then ExpandBackward0 sums the [4, 4] gradient back to [4, 1]', async () => {
    const { page } = app();
    const { expected } = fixture('mse_column_output_row_target');
    await clickAndSettle(page, 'reset');
    const seen = await stepBackwardToEnd(page, expected.backward_steps, {
      step: 2,
      name: 'pointwise-loss-expand-step',
    });
    expect(seen.map((s) => s.gradFn)).toEqual(expected.backward_steps.map((s) => s.grad_fn));
    expect(seen[1]).toEqual({ gradFn: 'ExpandBackward0', node: 'loss' });
    expect(app().errors).toEqual([]);
  });

  it('BCEWithLogitsLoss with weight and pos_weight runs with PyTorch’s flags; a wrong target size is its ValueError', async () => {
    const { page } = app();
    const ok = fixture('bce_logits_weight_pos_weight');
    await openTidy(page, ok.path);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await expectFlags(page, ok.expected, ok.ids);
    const loss = page.locator('.react-flow__node[data-id="loss"] .op-node');
    expect(await loss.getAttribute('data-grad-fn')).toBe('BinaryCrossEntropyWithLogitsBackward0');
    await shot(page, 'pointwise-loss-bce');

    const bad = fixture('error_bce_size_mismatch');
    await openTidy(page, bad.path);
    expect(await clickAndSettle(page, 'run')).toBe('error');
    const panel = await page.textContent('[data-testid=error-panel]');
    expect(panel).toContain('ValueError');
    expect(panel).toContain('Target size (torch.Size([3])) must be the same as input size (torch.Size([4, 3]))');
    expect((await nodeAttrs(page, 'loss')).error).toBe('true');
    await shot(page, 'pointwise-loss-bce-size-error');
    expect(app().errors).toEqual([]);
  });
});
