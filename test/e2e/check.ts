/** Comparisons of what the canvas shows against an expected result. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { nodeAttrs, shot, type ExpectedResult } from './harness';

/** Checks data-leaf / data-requires-grad / data-has-grad of every listed node against the result. */
export async function expectFlags(page: Page, expected: ExpectedResult, ids: readonly string[]): Promise<void> {
  for (const id of ids) {
    const t = expected.tensors[id];
    if (!t) continue;
    const a = await nodeAttrs(page, id);
    expect({ id, leaf: a.leaf, requiresGrad: a.requiresGrad, hasGrad: a.hasGrad }).toEqual({
      id,
      leaf: String(t.is_leaf),
      requiresGrad: String(t.requires_grad),
      hasGrad: String(t.grad !== null),
    });
  }
}

/** The current step as the panel shows it. */
export async function currentStep(page: Page): Promise<{ gradFn: string | null; node: string | null }> {
  const el = page.locator('[data-testid=current-step]');
  return { gradFn: await el.getAttribute('data-grad-fn'), node: await el.getAttribute('data-node') };
}

/**
 * Clicks step-backward until the backward pass ends (the run is done, stopped
 * with an error, or its next iteration comes next), checking each step's
 * grad_fn and node against `steps`; returns the steps seen.
 */
export async function stepBackwardToEnd(
  page: Page,
  steps: ExpectedResult['backward_steps'] | null,
  shotAt: { step: number; name: string } | null = null,
  max = 200,
): Promise<{ gradFn: string | null; node: string | null }[]> {
  const seen: { gradFn: string | null; node: string | null }[] = [];
  for (let i = 0; i < max; i++) {
    await page.waitForSelector('[data-testid=step-backward]:not([disabled])');
    await page.click('[data-testid=step-backward]');
    await page.waitForFunction((n) => {
      const s = document.querySelector('[data-testid=engine-status]')?.getAttribute('data-state');
      const count = document.querySelectorAll('[data-testid=step-order] li').length;
      return s === 'error' || s === 'done' || (s === 'idle' && count >= n);
    }, i + 1);
    const state = await page.getAttribute('[data-testid=engine-status]', 'data-state');
    const cur = await currentStep(page);
    seen.push(cur);
    if (shotAt && shotAt.step === i + 1) await shot(page, shotAt.name);
    if (steps)
      expect(cur, `backward step ${i + 1}`).toEqual({
        gradFn: steps[i]?.grad_fn ?? null,
        node: steps[i]?.node ?? null,
      });
    if (state === 'done' || state === 'error') break;
    const stage = await page.getAttribute('[data-testid=step-status]', 'data-stage');
    if (stage === 'between' || stage === 'update') break;
  }
  return seen;
}
