/**
 * The editor as a user drives it (issue 13), mouse and keyboard only: edges
 * are selected by click or keyboard focus, deleted with Delete, moved off a
 * port to disconnect, replaced by a new connection on a used port, edited from
 * a context menu; every edit is one undo step.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, openApp, openExample, shot, type AppPage } from './harness';

let browser: Browser;
let app: AppPage;

beforeAll(async () => {
  browser = await launch();
  app = await openApp(browser, inject('baseUrl'));
});
afterAll(async () => {
  await browser?.close();
});

/** The edge into `target`.`handle`. */
const edgeSel = (target: string, handle: string): string =>
  `[data-testid=edge][data-target="${target}"][data-target-handle="${handle}"]`;

/** The edges on the canvas as `source→target.handle`, sorted. */
async function edgeList(page: Page): Promise<string[]> {
  const list = await page
    .locator('[data-testid=edge]')
    .evaluateAll((els) =>
      els.map(
        (e) =>
          `${e.getAttribute('data-source')}→${e.getAttribute('data-target')}.${e.getAttribute('data-target-handle')}`,
      ),
    );
  return list.sort();
}

/** A point on an edge's drawn path at fraction `f` of its length, in page pixels. */
async function pointOnEdge(page: Page, sel: string, f: number): Promise<{ x: number; y: number }> {
  return page.locator(`${sel} path.react-flow__edge-path`).evaluate((p: SVGPathElement, frac) => {
    const pt = p.getPointAtLength(p.getTotalLength() * frac);
    const m = p.getScreenCTM()!;
    return { x: pt.x * m.a + pt.y * m.c + m.e, y: pt.x * m.b + pt.y * m.d + m.f };
  }, f);
}

/** The centre of an element, in page pixels. */
async function centre(page: Page, sel: string): Promise<{ x: number; y: number }> {
  const b = (await page.locator(sel).first().boundingBox())!;
  return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
}

/** Presses the mouse at `a`, drags in small steps to `b` and releases. */
async function dragPoints(page: Page, a: { x: number; y: number }, b: { x: number; y: number }): Promise<void> {
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + 6, a.y + 4, { steps: 3 });
  await page.mouse.move(b.x, b.y, { steps: 15 });
  await page.waitForTimeout(50);
  await page.mouse.up();
}

const out = (id: string): string => `.react-flow__node[data-id="${id}"] .react-flow__handle.source`;
const inp = (id: string, port: string): string =>
  `.react-flow__node[data-id="${id}"] .react-flow__handle[data-handleid="${port}"]`;

const ORIGINAL = [
  'ce→total.b',
  'logsm→nll.input',
  'nll→total.a',
  't→ce.target',
  't→nll.target',
  'x→ce.input',
  'x→logsm.input',
];

describe('edges are first-class', () => {
  it('every edge carries its ends and is focusable; every node has a title', async () => {
    const { page } = app;
    await openExample(page, 'cross_entropy_decomposed');
    expect(await edgeList(page)).toEqual(ORIGINAL);
    expect(
      await page.locator('[data-testid=edge]').evaluateAll((els) => els.map((e) => e.getAttribute('tabindex'))),
    ).toEqual(Array(7).fill('0'));
    expect(await page.locator('[data-testid=node-title]').count()).toBe(6);
    expect(await page.textContent('.react-flow__node[data-id="logsm"] [data-testid=node-title]')).toContain(
      'LogSoftmax',
    );
  });

  it('a click selects an edge, Delete removes it, Ctrl+Z restores it', async () => {
    const { page } = app;
    const sel = edgeSel('logsm', 'input');
    const p = await pointOnEdge(page, sel, 0.3);
    await page.mouse.click(p.x, p.y);
    await expect.poll(() => page.getAttribute(sel, 'class')).toContain('selected');
    await shot(page, 'editor-edge-selected');
    await page.keyboard.press('Delete');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 'x→logsm.input'));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('Delete removes the edge that has keyboard focus, and Backspace works too', async () => {
    const { page } = app;
    await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
    await page.locator(edgeSel('total', 'b')).focus();
    await page.keyboard.press('Delete');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 'ce→total.b'));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
    await page.locator(edgeSel('nll', 'target')).focus();
    await page.keyboard.press('Enter'); // React Flow's keyboard selection
    await expect.poll(() => page.getAttribute(edgeSel('nll', 'target'), 'class')).toContain('selected');
    await page.keyboard.press('Backspace');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 't→nll.target'));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('a new connection dropped on a used port replaces the old edge, in one undo step', async () => {
    const { page } = app;
    await page.waitForTimeout(250);
    await dragPoints(page, await centre(page, out('t')), await centre(page, inp('logsm', 'input')));
    await expect
      .poll(() => edgeList(page))
      .toEqual(
        ORIGINAL.filter((e) => e !== 'x→logsm.input')
          .concat('t→logsm.input')
          .sort(),
      );
    expect(await page.textContent('[data-testid=toast]')).toContain('Replaced x → logsm.input by t → logsm.input');
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('dragging an edge’s end off its port disconnects it, in one undo step', async () => {
    const { page } = app;
    const end = await centre(page, `${edgeSel('ce', 'input')} circle.react-flow__edgeupdater-target`);
    const node = (await page.locator('.react-flow__node[data-id="ce"]').boundingBox())!;
    // grab the end just outside the node (the port's own handle starts a new connection), drop it on empty canvas
    await dragPoints(page, { x: end.x - 8, y: end.y }, { x: node.x + node.width / 2, y: node.y + node.height + 120 });
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 'x→ce.input'));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('moving an edge’s end to another port moves the edge', async () => {
    const { page } = app;
    // the end of t → nll.target dropped on logsm.input, which x held: the edge moves and x → logsm.input goes
    const end = await centre(page, `${edgeSel('nll', 'target')} circle.react-flow__edgeupdater-target`);
    await dragPoints(page, { x: end.x - 8, y: end.y }, await centre(page, inp('logsm', 'input')));
    await expect
      .poll(() => edgeList(page))
      .toEqual(
        ORIGINAL.filter((e) => e !== 't→nll.target' && e !== 'x→logsm.input')
          .concat('t→logsm.input')
          .sort(),
      );
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('right-click on an edge inserts Detach on it; undo takes it out again', async () => {
    const { page } = app;
    const p = await pointOnEdge(page, edgeSel('ce', 'input'), 0.3);
    await page.mouse.click(p.x, p.y, { button: 'right' });
    await page.waitForSelector('[data-testid=context-menu][data-kind=edge]');
    await shot(page, 'editor-edge-menu');
    await page.click('[data-testid=menu-insert-detach]');
    await expect
      .poll(() => edgeList(page))
      .toEqual(
        ORIGINAL.filter((e) => e !== 'x→ce.input')
          .concat('x→detach1.input', 'detach1→ce.input')
          .sort(),
      );
    expect(await page.locator('.react-flow__node[data-id="detach1"]').count()).toBe(1);
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
    expect(await page.locator('.react-flow__node[data-id="detach1"]').count()).toBe(0);
    // and Clone, then disconnect from the menu
    await page.mouse.click(p.x, p.y, { button: 'right' });
    await page.click('[data-testid=menu-insert-clone]');
    await expect.poll(() => edgeList(page)).toContain('clone1→ce.input');
    await page.keyboard.press('Control+z');
    await page.mouse.click(p.x, p.y, { button: 'right' });
    await page.click('[data-testid=menu-delete]');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 'x→ce.input'));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('right-click on a node duplicates, disconnects or deletes it', async () => {
    const { page } = app;
    const title = '.react-flow__node[data-id="ce"] [data-testid=node-title]';
    await page.click(title, { button: 'right' });
    await page.waitForSelector('[data-testid=context-menu][data-kind=node]');
    await page.click('[data-testid=menu-duplicate]');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    // the copy keeps its inputs
    await expect.poll(() => edgeList(page)).toEqual([...ORIGINAL, 't→ce1.target', 'x→ce1.input'].sort());
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    await page.click(title, { button: 'right' });
    await page.click('[data-testid=menu-disconnect]');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => !e.includes('ce')));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
    await page.click(title, { button: 'right' });
    await page.click('[data-testid=menu-delete]');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
    expect(app.errors).toEqual([]);
  });
});
