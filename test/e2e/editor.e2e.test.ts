/**
 * The editor as a user drives it (issue 13), mouse and keyboard only: edges
 * are selected by click or keyboard focus, deleted with Delete, moved off a
 * port to disconnect, replaced by a new connection on a used port, edited from
 * a context menu; every edit is one undo step. New nodes land in free space.
 * A first start greets with a welcome view and a walkthrough that a learner
 * can follow to a first graph; the help explains shortcuts and words.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clickAndSettle, launch, nodeAttrs, openApp, openExample, shot, type AppPage } from './harness';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { REPO } from './harness';
import { canvasZoom, panePoint } from './frames';

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

/** Presses the mouse at `a`, drags in small steps to `b` and releases (after React Flow has measured what just changed). */
async function dragPoints(page: Page, a: { x: number; y: number }, b: { x: number; y: number }): Promise<void> {
  await page.waitForTimeout(250);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(a.x + 6, a.y + 4, { steps: 3 });
  await page.mouse.move(b.x, b.y, { steps: 15 });
  await page.waitForTimeout(50);
  await page.mouse.up();
}

/** A point where the input end of the edge into `target`.`handle` can be grabbed (its reconnect anchor, not under a label or a port). */
async function grabPoint(page: Page, target: string, handle: string): Promise<{ x: number; y: number }> {
  const sel = `${edgeSel(target, handle)} circle.react-flow__edgeupdater-target`;
  const c = await centre(page, sel);
  const hit = await page.evaluate(
    ({ c, sel }) => {
      const anchor = document.querySelector(sel);
      for (const dx of [-8, -6, -10, -4])
        for (const dy of [0, -4, 4, -7, 7])
          if (document.elementFromPoint(c.x + dx, c.y + dy) === anchor) return { x: c.x + dx, y: c.y + dy };
      return null;
    },
    { c, sel },
  );
  expect(hit, 'a free spot on the edge end').not.toBeNull();
  return hit!;
}

const out = (id: string): string => `.react-flow__node[data-id="${id}"] .react-flow__handle.source`;
const inp = (id: string, port: string): string =>
  `.react-flow__node[data-id="${id}"] .react-flow__handle[data-handleid="${port}"]`;

const ORIGINAL = [
  'ce→total.a',
  'logsm→nll.input',
  'nll→total.b',
  't→ce.target',
  't→nll.target',
  'x1→ce.input',
  'x2→logsm.input',
];

describe('edges are first-class', () => {
  it('every edge carries its ends and is focusable; every node has a title', async () => {
    const { page } = app;
    await openExample(page, 'cross_entropy_decomposed');
    expect(await edgeList(page)).toEqual(ORIGINAL);
    expect(
      await page.locator('[data-testid=edge]').evaluateAll((els) => els.map((e) => e.getAttribute('tabindex'))),
    ).toEqual(Array(7).fill('0'));
    expect(await page.locator('[data-testid=node-title]').count()).toBe(7);
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
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 'x2→logsm.input'));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('Delete removes the edge that has keyboard focus, and Backspace works too', async () => {
    const { page } = app;
    await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
    await page.locator(edgeSel('total', 'b')).focus();
    await page.keyboard.press('Delete');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 'nll→total.b'));
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
        ORIGINAL.filter((e) => e !== 'x2→logsm.input')
          .concat('t→logsm.input')
          .sort(),
      );
    expect(await page.textContent('[data-testid=toast]')).toContain('Replaced x2 → logsm.input by t → logsm.input');
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('dragging an edge’s end off its port disconnects it, in one undo step', async () => {
    const { page } = app;
    const empty = (await panePoint(page))!;
    // grab the end just outside the node (the port's own handle starts a new connection), drop it on empty canvas
    await dragPoints(page, await grabPoint(page, 'ce', 'input'), empty);
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 'x1→ce.input'));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('moving an edge’s end to another port moves the edge', async () => {
    const { page } = app;
    // the end of t → nll.target dropped on logsm.input, which x2 held: the edge moves and x2 → logsm.input goes
    await dragPoints(page, await grabPoint(page, 'nll', 'target'), await centre(page, inp('logsm', 'input')));
    await expect
      .poll(() => edgeList(page))
      .toEqual(
        ORIGINAL.filter((e) => e !== 't→nll.target' && e !== 'x2→logsm.input')
          .concat('t→logsm.input')
          .sort(),
      );
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
    // dropped on a port that refuses it (logsm would feed itself): the edge stays where it was, and the toast says why
    await dragPoints(page, await grabPoint(page, 'nll', 'input'), await centre(page, inp('logsm', 'input')));
    await expect.poll(() => page.textContent('[data-testid=toast]')).toContain('cannot feed itself');
    expect(await edgeList(page)).toEqual(ORIGINAL);
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
        ORIGINAL.filter((e) => e !== 'x1→ce.input')
          .concat('x1→detach1.input', 'detach1→ce.input')
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
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => e !== 'x1→ce.input'));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
  });

  it('right-click on a node duplicates, disconnects or deletes it', async () => {
    const { page } = app;
    const title = '.react-flow__node[data-id="ce"] [data-testid=node-title]';
    await page.click(title, { button: 'right' });
    await page.waitForSelector('[data-testid=context-menu][data-kind=node]');
    // the right-clicked node is selected, so the inspector shows what the menu acts on
    await expect.poll(() => page.getAttribute('.react-flow__node[data-id="ce"]', 'class')).toContain('selected');
    await expect.poll(() => page.locator('[data-testid=inspector] h2').textContent()).toBe('CrossEntropyLoss');
    await page.click('[data-testid=menu-duplicate]');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(8);
    // the copy keeps its inputs
    await expect.poll(() => edgeList(page)).toEqual([...ORIGINAL, 't→ce1.target', 'x1→ce1.input'].sort());
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    await page.click(title, { button: 'right' });
    await page.click('[data-testid=menu-disconnect]');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL.filter((e) => !e.includes('ce')));
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
    await page.click(title, { button: 'right' });
    await page.click('[data-testid=menu-delete]');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(6);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    await expect.poll(() => edgeList(page)).toEqual(ORIGINAL);
    expect(app.errors).toEqual([]);
  });
});

/** The on-screen box of every node. */
async function nodeBoxes(page: Page): Promise<{ id: string; x: number; y: number; w: number; h: number }[]> {
  return page.locator('.react-flow__node').evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { id: e.getAttribute('data-id')!, x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
}

/** Pairs of nodes whose boxes overlap on screen. */
async function overlaps(page: Page): Promise<string[]> {
  const b = await nodeBoxes(page);
  const hits: string[] = [];
  for (let i = 0; i < b.length; i++) {
    for (let j = i + 1; j < b.length; j++) {
      const [p, q] = [b[i]!, b[j]!];
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) hits.push(`${p.id}/${q.id}`);
    }
  }
  return hits;
}

const boxOf = async (page: Page, id: string): Promise<{ x: number; y: number; width: number; height: number }> =>
  (await page.locator(`.react-flow__node[data-id="${id}"]`).boundingBox())!;

describe('placement', () => {
  it('palette clicks never stack nodes; with a node selected the new one goes beside it', async () => {
    const { page } = app;
    await page.click('[data-testid=new]');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    await page.click('[data-testid=palette-ReLU]');
    await page.waitForSelector('.react-flow__node[data-id="relu1"]');
    // relu1 is selected: Clamp goes to its right, level with it
    await page.click('[data-testid=palette-Clamp]');
    await page.waitForSelector('.react-flow__node[data-id="clamp1"]');
    await page.waitForTimeout(100);
    const [r, c] = [await boxOf(page, 'relu1'), await boxOf(page, 'clamp1')];
    expect(c.x).toBeGreaterThan(r.x + r.width);
    expect(Math.abs(c.y - r.y)).toBeLessThan(2);
    // nothing selected: the next ones aim at the centre, where relu1 is, and land in free space
    for (const op of ['Sum', 'Sum', 'Tensor']) {
      await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
      await page.click(`[data-testid=palette-${op}]`);
    }
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(5);
    await page.waitForTimeout(150);
    expect(await overlaps(page)).toEqual([]);
    await shot(page, 'editor-placement-clicks');
  });

  it('a node dragged from the palette lands at the drop point, or next to the node it would cover', async () => {
    const { page } = app;
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const drop = { x: canvas.width * 0.15, y: canvas.height * 0.85 };
    await page.dragAndDrop('[data-testid=palette-Tensor]', '[data-testid=canvas]', { targetPosition: drop });
    await page.waitForSelector('.react-flow__node[data-id="tensor2"]');
    const t = await boxOf(page, 'tensor2');
    const at = { x: canvas.x + drop.x, y: canvas.y + drop.y };
    expect(at.x).toBeGreaterThan(t.x);
    expect(at.x).toBeLessThan(t.x + t.width);
    expect(at.y).toBeGreaterThanOrEqual(t.y);
    expect(at.y).toBeLessThan(t.y + 40);
    // dropped on top of relu1: it goes to the nearest free spot instead
    const r = await boxOf(page, 'relu1');
    await page.dragAndDrop('[data-testid=palette-Clamp]', '[data-testid=canvas]', {
      targetPosition: { x: r.x - canvas.x + r.width / 2, y: r.y - canvas.y + 10 },
    });
    await page.waitForSelector('.react-flow__node[data-id="clamp2"]');
    await page.waitForTimeout(150);
    expect(await overlaps(page)).toEqual([]);
  });

  it('Ctrl+D and paste put the copy in free space and keep the edges among the copies', async () => {
    const { page } = app;
    await dragPoints(page, await centre(page, out('tensor1')), await centre(page, inp('relu1', 'input')));
    await expect.poll(() => edgeList(page)).toEqual(['tensor1→relu1.input']);
    await page.click('.react-flow__node[data-id="tensor1"] [data-testid=node-title]');
    await page.click('.react-flow__node[data-id="relu1"] [data-testid=node-title]', { modifiers: ['Control'] });
    await page.keyboard.press('Control+d');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(9);
    await expect.poll(() => edgeList(page)).toEqual(['tensor1→relu1.input', 'tensor3→relu2.input']);
    await page.waitForTimeout(150);
    expect(await overlaps(page)).toEqual([]);
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(11);
    await expect
      .poll(() => edgeList(page))
      .toEqual(['tensor1→relu1.input', 'tensor3→relu2.input', 'tensor4→relu3.input']);
    await page.waitForTimeout(150);
    expect(await overlaps(page)).toEqual([]);
    await shot(page, 'editor-placement-duplicate');
    // one undo step each
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(9);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(7);
    expect(app.errors).toEqual([]);
  });
});

describe('a way in', () => {
  let fresh: AppPage;
  const slugs = readdirSync(resolve(REPO, 'renderer/examples'))
    .filter((f) => f.endsWith('.graph.json'))
    .map((f) => f.replace('.graph.json', ''));

  it('a first start opens the welcome view with the examples and a three-step walkthrough', async () => {
    fresh = await openApp(browser, inject('baseUrl'), { keepWelcome: true });
    const { page } = fresh;
    await page.waitForSelector('[data-testid=welcome]');
    expect(await page.locator('[data-testid=walkthrough] li').count()).toBe(3);
    for (const s of slugs) expect(await page.locator(`[data-testid=welcome-example-${s}]`).count(), s).toBe(1);
    await shot(page, 'welcome');
    await page.click('[data-testid=welcome-start]');
    await page.waitForSelector('[data-testid=welcome]', { state: 'detached' });
  });

  it('following the walkthrough with mouse and keyboard gives a first graph with gradients', async () => {
    const { page } = fresh;
    // 1. add nodes: each lands beside the one before
    for (const op of ['Tensor', 'ReLU', 'Sum']) await page.click(`[data-testid=palette-${op}]`);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(3);
    // the view follows a node placed off screen
    await page.waitForTimeout(300);
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const sum = await boxOf(page, 'sum1');
    expect(sum.x + sum.width).toBeLessThanOrEqual(canvas.x + canvas.width);
    await page.click('.react-flow__node[data-id="tensor1"] [data-testid=node-title]');
    await page.check('[data-testid=inspector] .param-field[data-param=requires_grad] input');
    // 2. wire them
    await dragPoints(page, await centre(page, out('tensor1')), await centre(page, inp('relu1', 'input')));
    await expect.poll(() => edgeList(page)).toEqual(['tensor1→relu1.input']);
    await dragPoints(page, await centre(page, out('relu1')), await centre(page, inp('sum1', 'input')));
    await expect.poll(() => edgeList(page)).toEqual(['relu1→sum1.input', 'tensor1→relu1.input']);
    // 3. backward from the sum, run
    await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
    await page.selectOption('[data-testid=run-backward]', 'sum1');
    expect(await clickAndSettle(page, 'run')).toBe('done');
    expect(await nodeAttrs(page, 'tensor1')).toMatchObject({ leaf: 'true', requiresGrad: 'true', hasGrad: 'true' });
    expect(await nodeAttrs(page, 'sum1')).toMatchObject({ leaf: 'false', requiresGrad: 'true', hasGrad: 'false' });
    await page.mouse.move(0, 0);
    await shot(page, 'first-graph');
    // hovering a badge explains it in one sentence
    const badge = '.react-flow__node[data-id="relu1"] [data-badge=grad_fn]';
    await page.hover(badge);
    const tip = (await page.getAttribute(badge, 'title'))!;
    expect(tip).toMatch(/^grad_fn = ReluBackward0: .+\.$/);
    expect(tip.slice(0, -1)).not.toMatch(/[.!?]\s/);
    for (const b of ['leaf', 'requires_grad', 'grad']) {
      const t = (await page.getAttribute(`.react-flow__node[data-id="tensor1"] [data-badge=${b}]`, 'title'))!;
      // one sentence: ends with a full stop and has no other sentence end inside
      expect(t, b).toMatch(/\.$/);
      expect(t.slice(0, -1), b).not.toMatch(/[.!?]\s/);
    }
  });

  it('the help opens the shortcut sheet and the glossary', async () => {
    const { page } = fresh;
    await page.click('[data-testid=help]');
    await page.waitForSelector('[data-testid=help-sheet]');
    const sheet = (await page.textContent('[data-testid=shortcut-sheet]'))!;
    for (const w of ['Undo', 'Redo', 'Duplicate', 'Delete', 'Run', 'Ctrl+Z']) expect(sheet).toContain(w);
    const terms = await page
      .locator('[data-testid=glossary] [data-term]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-term')));
    expect(terms).toEqual([
      'leaf',
      'requires_grad',
      'grad_fn',
      '.grad',
      'detach',
      'storage',
      'in-place (version counter)',
    ]);
    await shot(page, 'help');
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid=help-sheet]', { state: 'detached' });
  });

  it('after a first session, a start opens straight onto the canvas (the help stays)', async () => {
    const { page } = fresh;
    await page.waitForTimeout(1200); // the autosave
    await page.reload();
    await page.waitForSelector('[data-testid=palette]');
    await page.waitForSelector('[data-testid=restore-banner]');
    expect(await page.locator('[data-testid=welcome]').count()).toBe(0);
    expect(await page.locator('[data-testid=help]').count()).toBe(1);
    expect(fresh.errors).toEqual([]);
  });
});

describe('panels follow the selection and the document', () => {
  const viewerName = (page: Page): Promise<string | null> => page.textContent('[data-testid=tensor-viewer] h3 code');

  it('the tensor viewer follows a rename, and shows the renamed tensor after a run', async () => {
    const { page } = app;
    await openExample(page, 'cross_entropy_decomposed');
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await page.click('.react-flow__node[data-id="t"] [data-testid=node-title]');
    await expect.poll(() => viewerName(page)).toBe('t');
    await page.fill('[data-testid=inspector-id]', 'target');
    await page.press('[data-testid=inspector-id]', 'Enter');
    await expect.poll(() => viewerName(page)).toBe('target');
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await expect.poll(() => page.textContent('[data-testid=tensor-stats]')).toContain('[4] int64');
    expect(await page.textContent('[data-testid=tensor-viewer]')).not.toContain('Run the graph');
    // undo the rename: the viewer goes back with it
    await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
    await page.click('.react-flow__node[data-id="target"] [data-testid=node-title]');
    await page.keyboard.press('Control+z');
    await expect.poll(() => viewerName(page)).toBe('t');
  });

  it('after Ctrl+D the inspector and the viewer both show the copy', async () => {
    const { page } = app;
    await page.click('.react-flow__node[data-id="x1"] [data-testid=node-title]');
    await expect.poll(() => viewerName(page)).toBe('x1');
    await page.keyboard.press('Control+d');
    await expect.poll(() => page.inputValue('[data-testid=inspector-id]')).toBe('x3');
    await expect.poll(() => viewerName(page)).toBe('x3');
    await shot(page, 'editor-panels-duplicate');
  });

  it('the iterations follow the document that is open, and the toolbar runs that count', async () => {
    const { page } = app;
    await openExample(page, 'small_cnn_training');
    expect(await page.inputValue('[data-testid=iterations]')).toBe('12');
    await page.fill('[data-testid=iterations]', '3');
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await expect.poll(() => page.locator('[data-testid=viz-loss-curve] circle').count()).toBe(3);
    await openExample(page, 'cross_entropy_decomposed');
    expect(await page.inputValue('[data-testid=iterations]')).toBe('1');
    expect(await page.textContent('[data-testid=run-n]')).toBe('Run 1×');
    expect(app.errors).toEqual([]);
  });
});

describe('readable graphs', () => {
  let wide: AppPage;
  /**
   * Examples too large for a 1440x900 window at a readable zoom: the CNN has more ranks than fit
   * across, the padding example four rows of image-showing nodes one above the other, the
   * Sigmoid-vs-ReLU example two five-layer MLPs of 15 ranks side by side.
   */
  const TOO_LARGE = ['small_cnn_training', 'conv2d_padding_modes', 'mlp_sigmoid_vs_relu'];
  const slugs = readdirSync(resolve(REPO, 'renderer/examples'))
    .filter((f) => f.endsWith('.graph.json'))
    .map((f) => f.replace('.graph.json', ''));
  type Box = { x: number; y: number; width: number; height: number };
  const inside = (a: Box, b: Box): boolean =>
    a.x >= b.x - 1 && a.y >= b.y - 1 && a.x + a.width <= b.x + b.width + 1 && a.y + a.height <= b.y + b.height + 1;
  const apart = (a: Box, b: Box): boolean =>
    a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;

  /** The controls and the minimap are inside the canvas and not under the problems panel. */
  async function controlsFree(page: Page): Promise<void> {
    const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
    const problems = (await page.locator('[data-testid=problems]').count())
      ? await page.locator('[data-testid=problems]').boundingBox()
      : null;
    for (const sel of ['.react-flow__controls', '.react-flow__minimap']) {
      if (sel.includes('minimap') && (await page.locator(sel).count()) === 0) continue;
      const b = (await page.locator(sel).boundingBox())!;
      expect(inside(b, canvas), sel).toBe(true);
      if (problems) expect(apart(b, problems), sel).toBe(true);
    }
  }

  for (const slug of slugs) {
    it(`${slug} at fit view in 1440x900: every node on screen, titles at least 9 px, controls free`, async () => {
      wide ??= await openApp(browser, inject('baseUrl'));
      const { page } = wide;
      await page.setViewportSize({ width: 1440, height: 900 });
      await openExample(page, slug);
      await page.waitForTimeout(400); // the fit view runs once the nodes are measured
      const zoom = await canvasZoom(page);
      const sizes = await page
        .locator('[data-testid=node-title]')
        .evaluateAll((els) => els.map((e) => parseFloat(getComputedStyle(e).fontSize)));
      expect(sizes.length).toBeGreaterThan(0);
      expect(Math.min(...sizes) * zoom, `zoom ${zoom}`).toBeGreaterThanOrEqual(9);
      // the whole graph is on screen, except for a graph too large to fit readably: it opens at the readable zoom
      // (titles 16 px x 9/16 = 9 px) with its inputs, the left-most nodes, in view
      const canvas = (await page.locator('[data-testid=canvas]').boundingBox())!;
      const boxes = await nodeBoxes(page);
      const left = Math.min(...boxes.map((b) => b.x));
      const shown = TOO_LARGE.includes(slug) ? boxes.filter((b) => b.x < left + 5) : boxes;
      if (TOO_LARGE.includes(slug)) expect(zoom).toBeCloseTo(9 / 16, 5);
      for (const b of shown) expect(inside({ x: b.x, y: b.y, width: b.w, height: b.h }, canvas), b.id).toBe(true);
      // the minimap only when part of the graph is out of view: over a graph that fits it would cover nodes
      await expect.poll(() => page.locator('.react-flow__minimap').count()).toBe(TOO_LARGE.includes(slug) ? 1 : 0);
      expect(await overlaps(page)).toEqual([]);
      await controlsFree(page);
      await shot(page, `fit-${slug}`);
    });
  }

  it('with an error shown after a run, the controls stay free', async () => {
    const { page } = wide;
    await openExample(page, 'adversarial_loop_error');
    expect(await clickAndSettle(page, 'run')).toBe('error');
    await page.waitForSelector('[data-testid=problems]');
    await controlsFree(page);
    await shot(page, 'fit-error-controls');
  });

  it('Tidy lays out unconnected nodes without overlaps, one undo step', async () => {
    const { page } = wide;
    await page.click('[data-testid=new]');
    for (let i = 0; i < 4; i++) {
      await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
      await page.click('[data-testid=palette-Tensor]');
    }
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(4);
    await page.click('[data-testid=tidy]');
    await page.waitForTimeout(300);
    expect(await overlaps(page)).toEqual([]);
    expect(await page.getAttribute('[data-testid=undo]', 'title')).toContain('Tidy layout');
  });

  it('the toolbar stays one row at 1280 px, even with a long graph name; the palette search is not clipped', async () => {
    const { page } = wide;
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
    await page.fill(
      '[data-testid=run-settings] .param-field input[type=text]',
      'A graph with a rather long name that would not fit into the toolbar at all',
    );
    const tops = await page
      .locator('[data-testid=toolbar] > *:not(.visually-hidden)')
      .evaluateAll((els) =>
        els
          .filter((e) => getComputedStyle(e).display !== 'none')
          .map((e) => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)),
      );
    expect(new Set(tops).size).toBe(1);
    const bar = (await page.locator('[data-testid=toolbar]').boundingBox())!;
    expect(bar.height).toBeLessThan(48);
    const run = (await page.locator('[data-testid=engine-status]').boundingBox())!;
    expect(run.x + run.width).toBeLessThanOrEqual(1280);
    const search = (await page.locator('[data-testid=palette-search]').boundingBox())!;
    const palette = (await page.locator('[data-testid=palette]').boundingBox())!;
    expect(inside(search, palette)).toBe(true);
    await shot(page, 'toolbar-1280');
    expect(wide.errors).toEqual([]);
  });
});

describe('nodes fill themselves in', () => {
  const param = (page: Page, id: string, name: string): Promise<string | null> =>
    page.textContent(`.react-flow__node[data-id="${id}"] .op-node-params [data-param=${name}]`);

  it('connecting an input sets in_features from its shape in the same undo step; a typed value stays, with a one-click "use N"', async () => {
    const { page } = app;
    await page.setViewportSize({ width: 1600, height: 1000 });
    await page.click('[data-testid=new]');
    await page.click('[data-testid=palette-Tensor]');
    await page.waitForSelector('.react-flow__node[data-id="tensor1"]');
    const shape = page.locator('[data-testid=inspector] .param-field[data-param=shape] input');
    await shape.fill('[2, 64]');
    await shape.press('Enter');
    await expect.poll(() => page.textContent('.react-flow__node[data-id="tensor1"] .port-out')).toContain('[2, 64]');
    await page.click('[data-testid=palette-Linear]');
    await page.waitForSelector('.react-flow__node[data-id="linear1"]');
    expect(await param(page, 'linear1', 'in_features')).toBe('in_features=3');
    await dragPoints(page, await centre(page, out('tensor1')), await centre(page, inp('linear1', 'input')));
    await expect.poll(() => param(page, 'linear1', 'in_features')).toBe('in_features=64');
    expect(await page.textContent('[data-testid=toast]')).toContain(
      'linear1.in_features = 64 from the input\u2019s shape [2, 64]'.replace('\u2019', "'"),
    );
    await shot(page, 'editor-infer-filled');
    // one undo step takes back the edge and the size
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeList(page)).toEqual([]);
    expect(await param(page, 'linear1', 'in_features')).toBe('in_features=3');
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => edgeList(page)).toEqual(['tensor1→linear1.input']);
    expect(await param(page, 'linear1', 'in_features')).toBe('in_features=64');
    // the user types a value: it is kept, even across a new connection, and the face offers the inferred one
    await page.click('.react-flow__node[data-id="linear1"] [data-testid=node-title]');
    const field = page.locator('[data-testid=inspector] .param-field[data-param=in_features] input');
    await field.fill('18');
    await field.press('Enter');
    await expect.poll(() => param(page, 'linear1', 'in_features')).toBe('in_features=18');
    await page.click('.react-flow__node[data-id="linear1"] [data-testid=node-title]', { button: 'right' });
    await page.click('[data-testid=menu-disconnect]');
    await expect.poll(() => edgeList(page)).toEqual([]);
    await dragPoints(page, await centre(page, out('tensor1')), await centre(page, inp('linear1', 'input')));
    await expect.poll(() => edgeList(page)).toEqual(['tensor1→linear1.input']);
    expect(await param(page, 'linear1', 'in_features')).toBe('in_features=18');
    const hint = '.react-flow__node[data-id="linear1"] [data-testid=infer-hint]';
    await expect.poll(() => page.textContent(hint)).toContain('gives in_features=64');
    await shot(page, 'editor-infer-mismatch');
    await page.click(`${hint} [data-testid=use-inferred]`);
    await expect.poll(() => param(page, 'linear1', 'in_features')).toBe('in_features=64');
    await expect.poll(() => page.locator(hint).count()).toBe(0);
    expect(app.errors).toEqual([]);
  });

  it('a Conv2d takes in_channels from an NCHW input', async () => {
    const { page } = app;
    await page.click('[data-testid=new]');
    await page.click('[data-testid=palette-Tensor]');
    await page.waitForSelector('.react-flow__node[data-id="tensor1"]');
    const shape = page.locator('[data-testid=inspector] .param-field[data-param=shape] input');
    await shape.fill('[2, 5, 8, 8]');
    await shape.press('Enter');
    await expect
      .poll(() => page.textContent('.react-flow__node[data-id="tensor1"] .port-out'))
      .toContain('[2, 5, 8, 8]');
    await page.click('[data-testid=palette-Conv2d]');
    await page.waitForSelector('.react-flow__node[data-id="conv1"]');
    expect(await param(page, 'conv1', 'in_channels')).toBe('in_channels=1');
    await dragPoints(page, await centre(page, out('tensor1')), await centre(page, inp('conv1', 'input')));
    await expect.poll(() => param(page, 'conv1', 'in_channels')).toBe('in_channels=5');
    // the engine agrees: the output shape follows, with no problem on the node
    await expect.poll(() => page.textContent('.react-flow__node[data-id="conv1"] .port-out')).toContain('[2, 1, 6, 6]');
    expect(await page.locator('.react-flow__node[data-id="conv1"] [data-testid=node-error]').count()).toBe(0);
  });
});

describe('tensor values are edited as values', () => {
  it('the kind picker, the grid, paste from NumPy text, and full; each one undo step, and the engine computes with them', async () => {
    const { page } = app;
    await page.click('[data-testid=new]');
    await page.click('[data-testid=palette-Tensor]');
    await page.waitForSelector('.react-flow__node[data-id="tensor1"]');
    const shape = page.locator('[data-testid=inspector] .param-field[data-param=shape] input');
    await shape.fill('[2, 3]');
    await shape.press('Enter');
    await page.selectOption('[data-testid=init-kind]', 'values');
    await expect.poll(() => page.locator('[data-testid=init-cell]').count()).toBe(6);
    expect(await page.getAttribute('[data-testid=init-grid]', 'data-cols')).toBe('3');
    // type one cell
    const cell = page.locator('[data-testid=init-cell][data-index="4"]');
    await cell.fill('2.5');
    await cell.press('Enter');
    await page.click('[data-testid=init-json] summary');
    await expect
      .poll(() => page.inputValue('[data-testid=init-json] textarea'))
      .toMatch(/"data": \[\s*0,\s*0,\s*0,\s*0,\s*2\.5,\s*0\s*\]/);
    // paste a PyTorch repr
    await page.click('[data-testid=init-paste-open]');
    await page.fill('[data-testid=init-paste]', 'tensor([[1., 2., 3.],\n        [4., 5., -6.]])');
    await page.click('[data-testid=init-paste-apply]');
    await expect
      .poll(() =>
        page.locator('[data-testid=init-cell]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      )
      .toEqual(['1', '2', '3', '4', '5', '-6']);
    await page.click('[data-testid=init-paste-open]');
    await page.fill('[data-testid=init-paste]', '1, 2, 3');
    await page.click('[data-testid=init-paste-apply]');
    expect(await page.textContent('[data-testid=init-paste-error]')).toBe('3 numbers for 6 elements of [2, 3]');
    await shot(page, 'editor-init-grid');
    // the engine sees the values: run and read the tensor's stats
    expect(await clickAndSettle(page, 'run')).toBe('done');
    await page.click('.react-flow__node[data-id="tensor1"] [data-testid=node-title]');
    await expect.poll(() => page.textContent('[data-testid=tensor-stats]')).toContain('min -6');
    expect(await page.textContent('[data-testid=tensor-stats]')).toContain('max 5');
    // full(7): the face says so; one undo step goes back to the pasted values
    await page.selectOption('[data-testid=init-kind]', 'full');
    await page.fill('[data-testid=init-field-value]', '7');
    await expect
      .poll(() => page.textContent('.react-flow__node[data-id="tensor1"] .op-node-params [data-param=init]'))
      .toBe('init=full(7)');
    await page.click('.react-flow__pane', { position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect
      .poll(() => page.textContent('.react-flow__node[data-id="tensor1"] .op-node-params [data-param=init]'))
      .toBe('init=values');
    expect(app.errors).toEqual([]);
  });
});
