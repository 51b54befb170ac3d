/**
 * Loops on the canvas (issue 14, item 2), acting as a user does: each
 * feedback is its own edge (dashed, drawn back under the graph, labelled
 * "next iteration"), deleted with Delete and restored with Ctrl+Z, made from a
 * node's context menu; the leaf error of the adversarial loop shows delta's
 * state in iteration 2 (a non-leaf with grad_fn AddBackward0) and offers the
 * one-click Detach fix, after which the loop runs to the end.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appForFile, clickAndSettle, nodeAttrs, openExample, shot } from './harness';

const app = appForFile();

/** Every feedback edge on the canvas as `from→to`. */
const feedbackList = (page: Page): Promise<string[]> =>
  page
    .locator('[data-testid=feedback-edge]')
    .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}→${e.getAttribute('data-to')}`));

/** The document's run.feedback as `from→to`. */
const docFeedback = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    (
      (window as unknown as { __studio: { doc: { run?: { feedback?: { from: string; to: string }[] } } } }).__studio.doc
        .run?.feedback ?? []
    ).map((f) => `${f.from}→${f.to}`),
  );

const gradFn = (page: Page, id: string): Promise<string | null> =>
  page.getAttribute(`.react-flow__node[data-id="${id}"] .op-node`, 'data-grad-fn');

describe('feedback edges', () => {
  it('draws each feedback as its own dashed edge from its source to the Tensor it feeds', async () => {
    const { page } = app();
    await openExample(page, 'adversarial_loop_error');
    expect(await feedbackList(page)).toEqual(['delta_next→delta']);
    const edge = page.locator('[data-testid=feedback-edge]');
    const path = edge.locator('path.react-flow__edge-path');
    expect(await path.getAttribute('style')).toContain('stroke-dasharray');
    const box = (await path.boundingBox())!;
    const from = (await page.locator('.react-flow__node[data-id="delta_next"]').boundingBox())!;
    const to = (await page.locator('.react-flow__node[data-id="delta"]').boundingBox())!;
    // it leaves delta_next to the right, runs back under both nodes, and enters delta from the left
    expect(box.x + box.width).toBeGreaterThan(from.x + from.width);
    expect(box.x).toBeLessThan(to.x);
    expect(box.y + box.height).toBeGreaterThan(Math.max(from.y + from.height, to.y + to.height));
    expect(await page.textContent('[data-testid=feedback-label-delta]')).toContain(
      '↺ next iteration: delta = delta_next',
    );
    await shot(page, 'loops-feedback-edge');
  });

  it('a click selects it, Delete removes it, Ctrl+Z restores it', async () => {
    const { page } = app();
    await page.click('[data-testid=feedback-label-delta]');
    await expect.poll(() => page.getAttribute('[data-testid=feedback-edge]', 'class')).toContain('selected');
    await page.keyboard.press('Delete');
    await expect.poll(() => feedbackList(page)).toEqual([]);
    expect(await docFeedback(page)).toEqual([]);
    await page.keyboard.press('Control+z');
    await expect.poll(() => feedbackList(page)).toEqual(['delta_next→delta']);
    expect(await docFeedback(page)).toEqual(['delta_next→delta']);
    await page.click('[data-testid=redo]');
    await expect.poll(() => docFeedback(page)).toEqual([]);
    await page.click('[data-testid=undo]');
    await expect.poll(() => feedbackList(page)).toEqual(['delta_next→delta']);
  });

  it('Delete removes the feedback edge that has keyboard focus', async () => {
    const { page } = app();
    await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
    await page.focus('[data-testid=feedback-edge]');
    await page.keyboard.press('Delete');
    await expect.poll(() => docFeedback(page)).toEqual([]);
    await page.keyboard.press('Control+z');
    await expect.poll(() => feedbackList(page)).toEqual(['delta_next→delta']);
  });

  it('is made from a node’s context menu ("Feed back into…") and removed from its own', async () => {
    const { page } = app();
    await page.click('.react-flow__node[data-id="sign"] .op-node-head', { button: 'right' });
    await page.click('[data-testid=menu-feed-back-alpha]');
    await expect.poll(() => feedbackList(page)).toEqual(['delta_next→delta', 'sign→alpha']);
    await page.click('[data-testid=feedback-label-alpha]', { button: 'right' });
    expect(await page.getAttribute('[data-testid=context-menu]', 'data-kind')).toBe('edge');
    await page.click('[data-testid=menu-delete]');
    await expect.poll(() => feedbackList(page)).toEqual(['delta_next→delta']);
    await page.keyboard.press('Control+z');
    await expect.poll(() => feedbackList(page)).toEqual(['delta_next→delta', 'sign→alpha']);
    await page.keyboard.press('Control+z');
    await expect.poll(() => docFeedback(page)).toEqual(['delta_next→delta']);
  });
});

/** The centre of the first element `sel` matches. */
async function centre(page: Page, sel: string): Promise<{ x: number; y: number }> {
  const b = (await page.locator(sel).first().boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** The centre of `sel` once it has stopped moving (the canvas fits the view after a document opens). */
async function settledCentre(page: Page, sel: string): Promise<{ x: number; y: number }> {
  let last = await centre(page, sel);
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(50);
    const now = await centre(page, sel);
    if (Math.abs(now.x - last.x) < 0.5 && Math.abs(now.y - last.y) < 0.5) return now;
    last = now;
  }
  throw new Error(`${sel} kept moving`);
}

/**
 * Drags from the centre of `from` to the centre of `to` in small steps, as a hand does: from
 * where both handles have settled, and onto where the target is when the pointer arrives.
 */
async function drag(page: Page, fromSel: string, toSel: string): Promise<void> {
  const from = await settledCentre(page, fromSel);
  await settledCentre(page, toSel);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + 6, from.y + 4, { steps: 3 });
  const to = await centre(page, toSel);
  await page.mouse.move(to.x, to.y, { steps: 15 });
  const there = await settledCentre(page, toSel);
  if (Math.abs(there.x - to.x) >= 0.5 || Math.abs(there.y - to.y) >= 0.5) await page.mouse.move(there.x, there.y);
  await page.mouse.up();
}

const handleOut = (id: string): string => `.react-flow__node[data-id="${id}"] .react-flow__handle.source`;
const handleFeedback = (id: string): string => `.react-flow__node[data-id="${id}"] .handle-feedback`;

describe('making a feedback by dragging', () => {
  it('an output dropped on a Tensor’s ↺ handle feeds it back (one undo step)', async () => {
    const { page } = app();
    await openExample(page, 'adversarial_loop_detached');
    await drag(page, handleOut('sign'), handleFeedback('alpha'));
    await expect.poll(() => feedbackList(page)).toEqual(['detached→delta', 'sign→alpha']);
    expect(await page.textContent('.react-flow__node[data-id="alpha"] [data-testid=feedback-port]')).toContain(
      '= sign (previous iteration)',
    );
    expect(await page.getAttribute('[data-testid=undo]', 'title')).toContain('Feed sign back into alpha');
    await page.keyboard.press('Control+z');
    await expect.poll(() => feedbackList(page)).toEqual(['detached→delta']);
  });

  it('a Tensor’s own output dropped on its ↺ handle is refused, with the reason', async () => {
    const { page } = app();
    await drag(page, handleOut('alpha'), handleFeedback('alpha'));
    await expect.poll(() => page.textContent('[data-testid=toast]')).toContain('would feed back itself');
    expect(await feedbackList(page)).toEqual(['detached→delta']);
  });
});

describe('the leaf error of the adversarial loop', () => {
  it('shows delta as it is in iteration 2: a non-leaf with grad_fn AddBackward0', async () => {
    const { page } = app();
    await openExample(page, 'adversarial_loop_error');
    expect(await clickAndSettle(page, 'run')).toBe('error');
    const panel = page.locator('[data-testid=error-panel]');
    expect(await panel.locator('.error-message').textContent()).toBe(
      'you can only change requires_grad flags of leaf variables.',
    );
    const fix = await page.textContent('[data-testid=feedback-fix]');
    expect(fix).toContain('In iteration 2 of 3, delta is delta_next’s output from iteration 1');
    expect(fix).toContain('grad_fn=AddBackward0');
    expect(await nodeAttrs(page, 'delta')).toMatchObject({ leaf: 'false', requiresGrad: 'true' });
    expect(await gradFn(page, 'delta')).toBe('AddBackward0');
    expect(await page.textContent('[data-testid=feedback-label-delta]')).toContain('non-leaf');
    await page.click('.react-flow__node[data-id="delta"] .op-node-head');
    const facts = await page.textContent('[data-testid=inspector] .autograd-facts');
    expect(facts).toContain('is_leafFalse');
    expect(facts).toContain('grad_fnAddBackward0');
    expect(await page.textContent('[data-testid=inspector-feedback]')).toBe(
      'Iteration 2 of 3: delta = delta_next of iteration 1 (fed back), a non-leaf with grad_fn=AddBackward0.',
    );
    await shot(page, 'loops-leaf-error');
  });

  it('fix-insert-detach puts a Detach on the feedback path (one undo step) and the loop runs to the end', async () => {
    const { page } = app();
    expect(await clickAndSettle(page, 'fix-insert-detach')).toBe('done');
    expect(await feedbackList(page)).toEqual(['detach1→delta']);
    expect(await page.locator('.react-flow__node[data-id="detach1"]').count()).toBe(1);
    expect(await page.locator('[data-testid=error-panel]').count()).toBe(0);
    // iteration 3 of 3 started from a fresh leaf
    expect(await nodeAttrs(page, 'delta')).toMatchObject({ leaf: 'true', requiresGrad: 'true' });
    expect(await gradFn(page, 'delta')).toBe('');
    await shot(page, 'loops-fixed');
    await page.keyboard.press('Control+z');
    await expect.poll(() => feedbackList(page)).toEqual(['delta_next→delta']);
    expect(await page.locator('.react-flow__node[data-id="detach1"]').count()).toBe(0);
  });
});

/** The engine slice's step state, as the canvas has it. */
const stepState = (page: Page): Promise<{ phase: string; status: string; iteration: number | null }> =>
  page.evaluate(() => {
    const e = (
      window as unknown as {
        __studio: { state: { engine: { phase: string; status: string; iteration?: number | null } } };
      }
    ).__studio.state.engine;
    return { phase: e.phase, status: e.status, iteration: e.iteration ?? null };
  });

/** Steps as a user would (Backward step while the backward pass runs, else Forward step) until `done` holds. */
async function stepUntil(page: Page, done: (s: Awaited<ReturnType<typeof stepState>>) => boolean): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const s = await stepState(page);
    if (done(s)) return;
    await clickAndSettle(page, s.phase === 'backward' ? 'step-backward' : 'step-forward');
  }
  throw new Error(`stepping did not get there: ${JSON.stringify(await stepState(page))}`);
}

/** Opens an example, takes 3 forward steps and 4 backward steps, with a screenshot after each run of steps. */
async function openAndStep(page: Page, slug: string): Promise<void> {
  await openExample(page, slug);
  for (let i = 0; i < 3; i++) await clickAndSettle(page, 'step-forward');
  await shot(page, `loops-${slug}-forward`);
  for (let i = 0; i < 4; i++) await clickAndSettle(page, 'step-backward');
  await shot(page, `loops-${slug}-backward`);
}

describe('the loop examples mid-step', () => {
  it('adversarial_loop_error: stepping into iteration 2 stops at delta, shown as the non-leaf it is', async () => {
    const { page } = app();
    await openAndStep(page, 'adversarial_loop_error');
    await stepUntil(page, (s) => s.status === 'error');
    expect(await nodeAttrs(page, 'delta')).toMatchObject({ leaf: 'false', requiresGrad: 'true', error: 'true' });
    expect(await gradFn(page, 'delta')).toBe('AddBackward0');
    expect(await page.textContent('[data-testid=feedback-fix]')).toContain('In iteration 2 of 3');
    await shot(page, 'loops-adversarial_loop_error-iteration-2');
  });

  it('adversarial_loop_detached: in iteration 2 delta is a fresh leaf again, and the loop steps to the end', async () => {
    const { page } = app();
    await openAndStep(page, 'adversarial_loop_detached');
    await stepUntil(page, (s) => s.iteration === 1 && s.phase === 'forward');
    expect(await nodeAttrs(page, 'delta')).toMatchObject({ leaf: 'true', requiresGrad: 'true', error: 'false' });
    expect(await gradFn(page, 'delta')).toBe('');
    expect(await nodeAttrs(page, 'detached')).toMatchObject({ leaf: 'true', requiresGrad: 'false' });
    await page.click('.react-flow__node[data-id="delta"] .op-node-head');
    expect(await page.textContent('[data-testid=inspector-feedback]')).toBe(
      'Iteration 2 of 3: delta = detached of iteration 1 (fed back), a leaf.',
    );
    await shot(page, 'loops-adversarial_loop_detached-iteration-2');
    await stepUntil(page, (s) => s.status === 'done' || s.status === 'error');
    expect((await stepState(page)).status).toBe('done');
  });
});
