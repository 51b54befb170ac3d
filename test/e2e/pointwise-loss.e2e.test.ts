/**
 * MSELoss and BCEWithLogitsLoss in the web build, on parity fixtures of
 * test/fixtures/gen/cases_pointwise_loss.py: the classic broadcast mistake
 * (a [4, 1] output against a [4] target) runs with PyTorch's flags and shows
 * PyTorch's UserWarning on the loss node with a plain sentence; stepping
 * backward shows ExpandBackward0 summing the broadcast gradient back; the
 * BCEWithLogitsLoss size error is PyTorch's ValueError; a binary classifier's
 * batch accuracy, and a regression's sentence saying why it has none.
 */
import { describe, expect, it } from 'vitest';
import { expectFlags, stepBackwardToEnd } from './check';
import { appForFile, clickAndSettle, localFixture, nodeAttrs, openFile, shot, tidy } from './harness';

const app = appForFile();

const warningOf = (id: string) => `.react-flow__node[data-id="${id}"] [data-testid=node-warning]`;

describe('pointwise losses in the app', () => {
  it('a [4, 1] output against a [4] target: PyTorch’s warning on the loss node, its flags and grad_fns', async () => {
    const { page } = app();
    const { path, ids, expected } = localFixture('mse_column_output_row_target');
    await openFile(page, path);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await tidy(page);
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
    const { expected } = localFixture('mse_column_output_row_target');
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
    const ok = localFixture('bce_logits_weight_pos_weight');
    await openFile(page, ok.path);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await tidy(page);
    await expectFlags(page, ok.expected, ok.ids);
    const loss = page.locator('.react-flow__node[data-id="loss"] .op-node');
    expect(await loss.getAttribute('data-grad-fn')).toBe('BinaryCrossEntropyWithLogitsBackward0');
    await shot(page, 'pointwise-loss-bce');

    const bad = localFixture('error_bce_size_mismatch');
    await openFile(page, bad.path);
    expect(await clickAndSettle(page, 'run')).toBe('error');
    await tidy(page);
    const panel = await page.textContent('[data-testid=error-panel]');
    expect(panel).toContain('ValueError');
    expect(panel).toContain('Target size (torch.Size([3])) must be the same as input size (torch.Size([4, 3]))');
    expect((await nodeAttrs(page, 'loss')).error).toBe('true');
    await shot(page, 'pointwise-loss-bce-size-error');
    expect(app().errors).toEqual([]);
  });

  it('a binary classifier’s batch accuracy is (logit > 0) == (target > 0.5); a regression has none, and says why', async () => {
    const { page } = app();
    const bce = localFixture('bce_logits_classifier_adam');
    await openFile(page, bce.path);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    // by hand from PyTorch's last logits and targets: the share of the 10 outputs classified right
    const t = bce.expected.tensors as unknown as Record<string, { data: number[] }>;
    const y = t.y!.data;
    const right = t.fc!.data.filter((z, i) => z > 0 === y[i]! > 0.5).length;
    const accuracies = await page.evaluate(
      () =>
        (window as unknown as { __studio: { state: { engine: { accuracies: number[] } } } }).__studio.state.engine
          .accuracies,
    );
    expect(accuracies).toHaveLength(4);
    expect(accuracies.at(-1)).toBe(right / 10);
    const legend = page.locator('[data-testid=accuracy-legend]');
    expect(await legend.textContent()).toContain(`(last ${Math.round((100 * right) / 10)}%)`);
    expect(await legend.textContent()).toContain('logit > 0');
    await page.locator('[data-testid=run-panel]').scrollIntoViewIfNeeded();
    await shot(page, 'accuracy-bce-logits');

    await openFile(page, localFixture('mse_linear_regression_sgd').path);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    expect(await page.locator('[data-testid=accuracy-legend]').count()).toBe(0);
    expect(await page.textContent('[data-testid=accuracy-none]')).toContain(
      'No accuracy: MSELoss is a regression loss',
    );
    await page.locator('[data-testid=run-panel]').scrollIntoViewIfNeeded();
    await shot(page, 'accuracy-none-mse');
    expect(app().errors).toEqual([]);
  });
});
