/**
 * Transpose, MatMul, Cat and AdaptiveAvgPool2d in the web build, on parity fixtures of
 * test/fixtures/gen/cases_shape.py: x @ x.T shows the Transpose as a view sharing x's
 * storage and PyTorch's flags and grad_fns; stepping backward walks PyTorch 1.13's
 * order through MmBackward0, TransposeBackward0 and the bmm path; a MatMul whose
 * operands do not fit shows mm's message at the node before and after the run.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectFlags, stepBackwardToEnd } from './check';
import { appForFile, clickAndSettle, localFixture, openTidy, shot } from './harness';

const app = appForFile();

const opNode = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"] .op-node`);

describe('shape ops in the app', () => {
  it('x @ x.T: the Transpose is a view of x’s storage; flags and grad_fns are PyTorch’s', async () => {
    const { page } = app();
    const { path, ids, expected } = localFixture('matmul_transposed');
    await openTidy(page, path);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await expectFlags(page, expected, ids);
    for (const id of ['xt', 'gram', 'yt', 'yw'])
      expect(await opNode(page, id).getAttribute('data-grad-fn')).toBe(expected.tensors[id]!.grad_fn);
    const xStorage = await opNode(page, 'x').getAttribute('data-storage');
    expect(xStorage).not.toBe('');
    expect(await opNode(page, 'xt').getAttribute('data-storage')).toBe(xStorage);
    expect(await opNode(page, 'gram').getAttribute('data-storage')).not.toBe(xStorage);
    const mark = page.locator('.react-flow__node[data-id="xt"] [data-storage=shared]');
    expect(await mark.textContent()).toContain(`shares storage with x (#${xStorage} = #${xStorage})`);
    expect(await mark.getAttribute('title')).toContain('transpose() returns a view');
    await shot(page, 'shape-ops-gram-transpose-view');
  });

  it('stepping backward follows PyTorch’s order through mm, the transpose and the bmm path', async () => {
    const { page } = app();
    const { expected } = localFixture('matmul_transposed');
    await clickAndSettle(page, 'reset');
    const seen = await stepBackwardToEnd(page, expected.backward_steps, { step: 8, name: 'shape-ops-bmm-step' });
    expect(seen.map((s) => s.gradFn)).toEqual(expected.backward_steps.map((s) => s.grad_fn));
    expect(seen.map((s) => s.gradFn)).toContain('BmmBackward0');
    expect(app().errors).toEqual([]);
  });

  it('a MatMul that does not fit shows mm’s message at the node, before and after the run', async () => {
    const { page } = app();
    const { path, expected } = localFixture('error_matmul_folded_right');
    await openTidy(page, path);
    const problem = page.locator('.react-flow__node[data-id="mm"] .op-node');
    await page.waitForSelector('.react-flow__node[data-id="mm"] .op-node[data-error=true]');
    expect(await clickAndSettle(page, 'run')).toBe('error');
    expect(expected.error?.message).toBe('mat1 and mat2 shapes cannot be multiplied (30x4 and 3x2)');
    expect(await page.textContent('body')).toContain(expected.error!.message);
    expect(await problem.getAttribute('data-error')).toBe('true');
    await shot(page, 'shape-ops-matmul-error');
  });
});
