/**
 * The activations in the web build, on parity fixtures of test/fixtures/gen/cases_act.py:
 * an MLP through Sigmoid, Tanh, GELU and LeakyReLU shows each grad_fn PyTorch records and
 * its flags; LeakyReLU(inplace) on an Add output makes the Add's tensor take
 * LeakyReluBackward1; with a negative slope that backward is PyTorch's RuntimeError.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectFlags } from './check';
import { appForFile, clickAndSettle, nodeAttrs, openFile, REPO, shot, type ExpectedResult } from './harness';

const app = appForFile();
const PARITY = resolve(REPO, 'test/fixtures/parity');

/** Opens fixture `name` and runs it; returns PyTorch's result for it. */
async function openAndRun(name: string, outcome: 'done' | 'error'): Promise<ExpectedResult> {
  const { page } = app();
  await openFile(page, resolve(PARITY, `${name}.graph.json`));
  expect(await clickAndSettle(page, 'run')).toBe(outcome);
  return JSON.parse(readFileSync(resolve(PARITY, `${name}.expected.json`), 'utf8')) as ExpectedResult;
}

const gradFnOf = (id: string) =>
  app().page.locator(`.react-flow__node[data-id="${id}"] .op-node`).getAttribute('data-grad-fn');

describe('activations in the app', () => {
  it('an MLP through Sigmoid, Tanh, GELU and LeakyReLU: PyTorch’s grad_fns and flags', async () => {
    const expected = await openAndRun('act_mlp_chain', 'done');
    const ids = Object.keys(expected.tensors).filter((id) => !id.includes('.'));
    await expectFlags(app().page, expected, ids);
    for (const [id, fn] of [
      ['a1', 'SigmoidBackward0'],
      ['a2', 'TanhBackward0'],
      ['a3', 'GeluBackward0'],
      ['a4', 'LeakyReluBackward0'],
    ] as const) {
      expect(await gradFnOf(id), id).toBe(fn);
      expect(expected.tensors[id]!.grad_fn).toBe(fn);
    }
    await shot(app().page, 'activations-mlp-chain');
    expect(app().errors).toEqual([]);
  });

  it('LeakyReLU(inplace) on an Add output: the Add’s tensor takes LeakyReluBackward1', async () => {
    const expected = await openAndRun('act_leaky_relu_inplace', 'done');
    await expectFlags(app().page, expected, Object.keys(expected.tensors));
    expect(expected.tensors.a!.grad_fn).toBe('LeakyReluBackward1');
    expect(await gradFnOf('a')).toBe('LeakyReluBackward1');
    expect(await gradFnOf('lr')).toBe('LeakyReluBackward1');
    // As for relu_(): the in-place node says it writes a's storage, and a says it was changed.
    const nodeEl = (id: string) => app().page.locator(`.react-flow__node[data-id="${id}"]`);
    expect(await nodeEl('lr').locator('[data-testid=inplace-write]').textContent()).toContain('writes in place');
    expect(await nodeEl('a').locator('[data-testid=storage-changed]').getAttribute('data-by')).toBe('lr');
    await shot(app().page, 'activations-leaky-relu-inplace');
    expect(app().errors).toEqual([]);
  });

  it('LeakyReLU(inplace) with a negative slope: its backward is PyTorch’s RuntimeError', async () => {
    const expected = await openAndRun('error_leaky_relu_inplace_negative_slope', 'error');
    const panel = await app().page.textContent('[data-testid=error-panel]');
    expect(panel).toContain('RuntimeError');
    expect(panel).toContain(expected.error!.message.slice(0, 80));
    expect((await nodeAttrs(app().page, expected.error!.node!)).error).toBe('true');
    await shot(app().page, 'activations-leaky-relu-negative-slope');
    expect(app().errors).toEqual([]);
  });
});
