/**
 * A run grows the nodes (flags, grad_fn and storage badges, "shares storage" marks); the
 * layout of a document opened without positions, and Tidy before a run, keep room for
 * that (Note [A layout leaves room for the run] in renderer/document/layout.ts), so no
 * node lands on another once the run ends. Boxes are the nodes' drawn rectangles.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appForFile, clickAndSettle, localFixture, openFile, openTidy, shot } from './harness';

const app = appForFile();

/** The pairs of nodes whose drawn boxes intersect. */
const overlapping = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const boxes = Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node')).map((e) => ({
      id: e.dataset.id!,
      r: e.getBoundingClientRect(),
    }));
    const hits: string[] = [];
    for (const [i, a] of boxes.entries())
      for (const b of boxes.slice(i + 1))
        if (a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom)
          hits.push(`${a.id}/${b.id}`);
    return hits;
  });

const drawn = (page: Page) =>
  page.waitForFunction(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node')).every(
      (e) => e.style.visibility !== 'hidden' && e.offsetHeight > 0,
    ),
  );

describe('layout and the run', () => {
  it('a graph opened without positions has no node on another after the run', async () => {
    const { page } = app();
    await openFile(page, localFixture('matmul_transposed').path);
    await drawn(page);
    expect(await overlapping(page)).toEqual([]);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await page.waitForSelector('.react-flow__node[data-id="xt"] [data-storage=shared]');
    expect(await overlapping(page)).toEqual([]);
    await shot(page, 'layout-run-opened');
  });

  it('Tidy before the run leaves room for what the run adds', async () => {
    const { page } = app();
    // three Exps in one rank, 28 px apart when tidied: a run grows each by about 42 px
    const exp = (id: string) => ({ id, op: 'Exp', params: {} });
    const doc = {
      format: 'autograd-studio/graph',
      version: 1,
      nodes: [
        { id: 'x', op: 'Tensor', params: { shape: [3], requires_grad: true, init: { kind: 'ones' } } },
        ...['a', 'b', 'c'].map(exp),
        { id: 'ab', op: 'Add', params: {} },
        { id: 'abc', op: 'Add', params: {} },
        { id: 's', op: 'Sum', params: {} },
      ],
      edges: [
        ...['a', 'b', 'c'].map((t) => ({ source: 'x', target: t, targetHandle: 'input' })),
        { source: 'a', target: 'ab', targetHandle: 'a' },
        { source: 'b', target: 'ab', targetHandle: 'b' },
        { source: 'ab', target: 'abc', targetHandle: 'a' },
        { source: 'c', target: 'abc', targetHandle: 'b' },
        { source: 'abc', target: 's', targetHandle: 'input' },
      ],
      run: { backward: 's' },
    };
    const path = join(mkdtempSync(join(tmpdir(), 'layout-run-')), 'three_exps.graph.json');
    writeFileSync(path, JSON.stringify(doc));
    await openTidy(page, path);
    expect(await overlapping(page)).toEqual([]);
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await page.waitForSelector('.react-flow__node[data-id="c"] [data-badge=grad_fn]');
    await drawn(page);
    expect(await overlapping(page)).toEqual([]);
    await shot(page, 'layout-run-tidy');
  });
});
