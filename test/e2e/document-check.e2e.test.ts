/**
 * The one document check (engine/protocol/document.ts) in the web build, under
 * the strict CSP: a file whose edges leave targetHandle out opens as the
 * engine reads it, and a file with a structural fault is refused with the
 * engine's words and the JSON path, leaving the open document alone.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appForFile, openFile, shot } from './harness';

const dir = mkdtempSync(join(tmpdir(), 'document-check-'));
const write = (name: string, doc: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
};
const graph = (run: Record<string, unknown>) => ({
  format: 'autograd-studio/graph',
  version: 1,
  meta: { name: 'no handles' },
  nodes: [
    { id: 'x', op: 'Tensor', params: { shape: [3], requires_grad: true, init: { kind: 'arange', start: -1 } } },
    { id: 'r', op: 'ReLU' },
    { id: 's', op: 'Sum' },
  ],
  // one-port targets: the format lets a document leave targetHandle out (or null)
  edges: [
    { source: 'x', target: 'r' },
    { source: 'r', target: 's', targetHandle: null },
  ],
  run,
});

type Studio = { __studio: { state: { doc: { meta: { name?: string }; edges: { targetHandle: string }[] } } } };

describe('the document check in the app', () => {
  const app = appForFile();

  it('opens edges without targetHandle into one-port ops, as the engine does, and runs them', async () => {
    const { page, errors } = app();
    await openFile(page, write('no-handles.graph.json', graph({ backward: 's' })));
    const handles = await page.evaluate(() =>
      (window as unknown as Studio).__studio.state.doc.edges.map((e) => e.targetHandle),
    );
    expect(handles).toEqual(['input', 'input']);
    expect(await page.locator('.react-flow__edge').count()).toBe(2);
    await page.click('[data-testid=run]');
    await page.waitForSelector('[data-testid=engine-status][data-state=done]');
    await shot(page, 'document-check-no-handles');
    expect(errors).toEqual([]);
  });

  it('refuses a file with an unknown run field, naming the path in the engine words, and keeps the open document', async () => {
    const { page, errors } = app();
    await page.setInputFiles('[data-testid=open-file]', write('typo.graph.json', graph({ iteration: 3 })));
    const toast = page.locator('[data-testid=toast][data-kind=error]');
    await toast.waitFor();
    expect(await toast.textContent()).toBe('Cannot open typo.graph.json: run.iteration: unknown field of run');
    await shot(page, 'document-check-refused');
    const name = await page.evaluate(() => (window as unknown as Studio).__studio.state.doc.meta.name);
    expect(name).toBe('no handles');
    expect(errors).toEqual([]);
  });
});
