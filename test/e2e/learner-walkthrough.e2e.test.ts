/**
 * What a learner met walking through the training features at 1440x900 (the
 * review of issue 15), pinned down once fixed:
 * - train vs eval showed only in the run settings: a BatchNorm2d's or a
 *   Dropout's face now says model.train() or model.eval() and what it means;
 * - the toolbar's Reset and engine status were cut off at 1440 px (the step
 *   panel says "Reset to step again" about a button off screen);
 * - stepping forward through a BatchNorm2d showed no buffers in the first
 *   iteration and the previous iteration's values after it (a step reports only
 *   the node's output); a buffer's one sentence was repeated on each line;
 * - after Cancel the step panel said "Not started" and the canvas lost its
 *   flags, though the engine stands where it stopped ("step on, run to
 *   continue, or reset");
 * - with the training strip open the comparison strip's loss line was
 *   scrolled out of its short strip, and the batch accuracy was only in the
 *   Iterations panel at the bottom of the side panel.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appForFile, clickAndSettle, openExample, shot, waitState } from './harness';

const app = appForFile();

/** The engine slice's iteration (0-based) and the nodes stepped forward. */
const engine = (
  page: Page,
): Promise<{ iteration: number | null; forwardExecuted: string[]; error: { iteration: number | null } | null }> =>
  page.evaluate(() => (window as unknown as { __studio: { state: { engine: never } } }).__studio.state.engine);

const tracked = (page: Page): Promise<string | null> =>
  page.textContent('[data-testid=buffer-state] [data-entry=num_batches_tracked] dd');

/** Steps forward until `node` has run in the current iteration. */
async function forwardThrough(page: Page, node: string): Promise<void> {
  for (let i = 0; i < 40 && !(await engine(page)).forwardExecuted.includes(node); i++)
    expect(await clickAndSettle(page, 'step-forward')).not.toBe('error');
  expect((await engine(page)).forwardExecuted).toContain(node);
}

describe('a learner at 1440x900', () => {
  it('sees the whole toolbar, Reset and the engine status included, at 1280, 1440 and 1500 px', async () => {
    const { page } = app();
    for (const width of [1280, 1440, 1500]) {
      await page.setViewportSize({ width, height: 900 });
      const bar = await page.$eval('[data-testid=toolbar]', (e) => [e.scrollWidth, e.clientWidth]);
      expect(bar[0], `toolbar at ${width} px`).toBeLessThanOrEqual(bar[1]!);
      for (const id of ['reset', 'engine-status']) {
        const box = (await page.locator(`[data-testid=${id}]`).boundingBox())!;
        expect(box.x + box.width, `${id} at ${width} px`).toBeLessThanOrEqual(width);
      }
    }
    await shot(page, 'learner-toolbar-1440');
  });

  it("stepping through a BatchNorm2d shows this forward's buffers, with one sentence for all three", async () => {
    const { page, errors } = app();
    await page.setViewportSize({ width: 1440, height: 900 });
    await openExample(page, 'fashion_cnn_adam');
    await forwardThrough(page, 'bn1');
    await page.click('.react-flow__node[data-id="bn1"] .op-node-head');
    // iteration 1: the forward through bn1 counted its first batch
    await expect.poll(() => tracked(page)).toBe('1');
    const note = (await page.textContent('[data-testid=buffer-note]'))!;
    expect(note).toContain('not parameters: no .grad, and the optimizer does not step them');
    expect(note).toContain('In train mode (model.train()) each forward pass updates them');
    expect(await page.locator('[data-testid=buffer-state] .buffer-entry').count()).toBe(3);
    // the node says which mode is on and what it means for it
    const mark = '.react-flow__node[data-id="bn1"] [data-testid=mode-mark]';
    expect(await page.textContent(mark)).toBe('model.train(): batch statistics');
    await shot(page, 'learner-bn1-buffers-iteration1');
    // finish iteration 1 (forward, backward, opt.step()), then forward through bn1 again: the second batch
    while ((await engine(page)).iteration === 0 && !(await page.isDisabled('[data-testid=step-backward]')))
      await clickAndSettle(page, 'step-backward');
    await forwardThrough(page, 'bn1');
    expect((await engine(page)).iteration).toBe(1);
    await expect.poll(() => tracked(page)).toBe('2');
    // eval mode (Run settings): the node's face and the buffers' sentence follow
    await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
    await page.selectOption('[data-testid=run-mode]', 'eval');
    await expect.poll(() => page.textContent(mark)).toBe('model.eval(): running statistics');
    await shot(page, 'learner-bn-eval-mode');
    await page.click('[data-testid=undo]');
    await expect.poll(() => page.textContent(mark)).toBe('model.train(): batch statistics');
    expect(errors).toEqual([]);
  }, 300_000);

  it('after Cancel the run stands where it stopped: the step panel, the canvas and stepping go on from there', async () => {
    const { page, errors } = app();
    await page.setViewportSize({ width: 1440, height: 900 });
    await clickAndSettle(page, 'reset');
    await openExample(page, 'digits_cnn_sgd');
    await page.fill('[data-testid=iterations]', '3000');
    await page.click('[data-testid=run-n]');
    await page.waitForFunction(
      () =>
        ((window as unknown as { __studio: { state: { engine: { progress: { iteration: number } | null } } } }).__studio
          .state.engine.progress?.iteration ?? 0) >= 3,
      null,
      { timeout: 120_000 },
    );
    await page.click('[data-testid=cancel]');
    expect(await waitState(page, ['error', 'done', 'idle'])).toBe('error');
    expect(await page.textContent('[data-testid=error-panel]')).toContain('run cancelled (iteration');
    const { error } = await engine(page);
    const status = page.locator('[data-testid=step-status]');
    await expect.poll(() => status.getAttribute('data-stage')).not.toBe('start');
    expect(await status.getAttribute('data-iteration')).toBe(String(error!.iteration! + 1));
    expect(await status.textContent()).not.toContain('Not started');
    // the canvas has the tensors of where it stopped (the result pulled after the cancel), conv1's trained weight among them
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (window as unknown as { __studio: { state: { engine: { tensors: Record<string, unknown> } } } }).__studio
              .state.engine.tensors['conv1.weight'] !== undefined,
        ),
      )
      .toBe(true);
    // the loss line sits on the slider's row: in view though the training strip leaves the comparison strip little room
    const spark = (await page.locator('[data-testid=scrub-loss]').boundingBox())!;
    const strip = (await page.locator('[data-testid=compare-strip]').boundingBox())!;
    expect(await page.$eval('[data-testid=compare-strip]', (e) => e.scrollTop)).toBe(0);
    expect(spark.y + spark.height).toBeLessThanOrEqual(strip.y + strip.height);
    // and the batch accuracy of the iteration shown beside its loss
    const { accuracies } = await page.evaluate(
      () => (window as unknown as { __studio: { state: { engine: { accuracies: number[] } } } }).__studio.state.engine,
    );
    const k = Number(await page.getAttribute('[data-testid=step-status]', 'data-iteration'));
    // (none while iteration k's loss is not computed yet: the run stopped before it)
    const acc = accuracies[k - 1];
    if (acc === undefined) expect(await page.locator('[data-testid=iteration-accuracy]').count()).toBe(0);
    else
      expect(await page.textContent('[data-testid=iteration-accuracy]')).toBe(
        `batch accuracy ${Math.round(100 * acc)}%`,
      );
    await shot(page, 'learner-cancelled');
    // and stepping goes on from there
    const next = (await page.isDisabled('[data-testid=step-forward]')) ? 'step-backward' : 'step-forward';
    expect(await clickAndSettle(page, next)).toBe('idle');
    expect((await engine(page)).iteration).toBe(error!.iteration);
    // a finished run of 2 iterations: the slider's row has iteration 2's batch accuracy beside its loss
    await page.fill('[data-testid=iterations]', '2');
    await page.click('[data-testid=run-n]');
    expect(await waitState(page, ['done', 'error'])).toBe('done');
    const done = await page.evaluate(
      () => (window as unknown as { __studio: { state: { engine: { accuracies: number[] } } } }).__studio.state.engine,
    );
    expect(done.accuracies).toHaveLength(2);
    await expect
      .poll(() => page.textContent('[data-testid=iteration-accuracy]'))
      .toBe(`batch accuracy ${Math.round(100 * done.accuracies[1]!)}%`);
    expect(errors).toEqual([]);
  }, 300_000);
});
