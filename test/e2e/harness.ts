/**
 * Drives /usr/bin/chromium (headless, playwright-core) against the served web
 * build: launch, open the app, and helpers for the DOM contract
 * (data-testid, data-* attributes on React Flow nodes).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';

/** The repository root. */
export const REPO = resolve(import.meta.dirname, '../..');
/** The reference parity cases (test/fixtures/reference). */
export const PARITY = resolve(REPO, 'test/fixtures/reference');
/** Where screenshots go. */
export const SHOTS = resolve(REPO, 'test-results/screenshots');

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Launches headless Chromium (with `extraArgs` after the usual flags). */
export function launch(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...ARGS, ...extraArgs],
  });
}

/** An open app page, with the console errors and page errors it logged. */
export interface AppPage {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly errors: string[];
}

/**
 * Opens the app in a fresh context (own localStorage, downloads allowed).
 * A fresh context is a first start, so the app greets with its welcome view;
 * it is closed as a user would (`keepWelcome` leaves it open).
 */
export async function openApp(
  browser: Browser,
  baseUrl: string,
  opts: { keepWelcome?: boolean } = {},
): Promise<AppPage> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => void d.accept());
  await page.goto(baseUrl);
  await page.waitForSelector('[data-testid=palette]');
  if (!opts.keepWelcome) {
    await page.click('[data-testid=welcome-start]');
    await page.waitForSelector('[data-testid=welcome]', { state: 'detached' });
  }
  return { page, context, errors };
}

/**
 * One browser and one open app for the tests of a file: launched before them,
 * closed after them. Returns a getter (the app exists once `beforeAll` ran).
 */
export function appForFile(): () => AppPage {
  let browser: Browser | undefined;
  let app: AppPage | undefined;
  beforeAll(async () => {
    browser = await launch();
    app = await openApp(browser, inject('baseUrl'));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => app!;
}

/** Saves a screenshot as test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = resolve(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The document epoch (bumped whenever a whole document is opened). */
export function epoch(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __studio: { state: { epoch: number } } }).__studio.state.epoch);
}

/** Waits until a new document was opened after `before`, and the canvas shows its nodes. */
async function waitOpened(page: Page, before: number): Promise<void> {
  await page.waitForFunction(
    (b) => (window as unknown as { __studio: { state: { epoch: number } } }).__studio.state.epoch > b,
    before,
  );
  await page.waitForFunction(() => {
    const s = (window as unknown as { __studio: { state: { doc: { nodes: { id: string }[] } } } }).__studio.state;
    const shown = new Set(Array.from(document.querySelectorAll('.react-flow__node'), (e) => e.getAttribute('data-id')));
    return s.doc.nodes.length === shown.size && s.doc.nodes.every((n) => shown.has(n.id));
  });
}

/** Opens an example from the gallery. */
export async function openExample(page: Page, slug: string): Promise<void> {
  const before = await epoch(page);
  await page.click('[data-testid=open-examples]');
  await page.click(`[data-testid=example-${slug}]`);
  await page.waitForSelector('[data-testid=examples-gallery]', { state: 'detached' });
  await waitOpened(page, before);
}

/** Opens a graph document from disk through the file input. */
export async function openFile(page: Page, path: string): Promise<void> {
  const before = await epoch(page);
  await page.setInputFiles('[data-testid=open-file]', path);
  await waitOpened(page, before);
}

/** The engine status (`data-state`). */
export function engineState(page: Page): Promise<string | null> {
  return page.getAttribute('[data-testid=engine-status]', 'data-state');
}

/** Waits until the engine status is one of `states`. */
export async function waitState(page: Page, states: readonly string[], timeout = 60_000): Promise<string> {
  await page.waitForFunction(
    (s) => s.includes(document.querySelector('[data-testid=engine-status]')?.getAttribute('data-state') ?? ''),
    states,
    { timeout },
  );
  return (await engineState(page))!;
}

/** Clicks a button and waits until the engine is no longer running. */
export async function clickAndSettle(page: Page, testid: string, timeout = 60_000): Promise<string> {
  await page.waitForSelector(`[data-testid=${testid}]:not([disabled])`, { timeout });
  await page.click(`[data-testid=${testid}]`);
  await page.waitForTimeout(30);
  return waitState(page, ['idle', 'done', 'error'], timeout);
}

/** The autograd data-* attributes of one node. */
export interface NodeAttrs {
  leaf: string | null;
  requiresGrad: string | null;
  hasGrad: string | null;
  active: string | null;
  error: string | null;
}

/** Reads the data-* attributes of node `id`. */
export async function nodeAttrs(page: Page, id: string): Promise<NodeAttrs> {
  const el = page.locator(`.react-flow__node[data-id="${id}"] .op-node`);
  const get = (a: string): Promise<string | null> => el.getAttribute(a);
  return {
    leaf: await get('data-leaf'),
    requiresGrad: await get('data-requires-grad'),
    hasGrad: await get('data-has-grad'),
    active: await get('data-active'),
    error: await get('data-error'),
  };
}

/** A parity fixture's document and expected result. */
export function parity(name: string): { graphPath: string; graph: Record<string, unknown>; expected: ExpectedResult } {
  const graphPath = resolve(PARITY, `${name}.graph.json`);
  return {
    graphPath,
    graph: JSON.parse(readFileSync(graphPath, 'utf8')),
    expected: JSON.parse(
      readFileSync(resolve(PARITY, `${name}.expected.json`), 'utf8')
        .replace(/\bNaN\b/g, 'null')
        .replace(/-?Infinity\b/g, 'null'),
    ),
  };
}

/** One of the project's own parity fixtures (test/fixtures/parity): its path, node ids and expected result. */
export function localFixture(name: string): { path: string; ids: string[]; expected: ExpectedResult } {
  const path = resolve(REPO, 'test/fixtures/parity', `${name}.graph.json`);
  const graph = JSON.parse(readFileSync(path, 'utf8')) as { nodes: { id: string }[] };
  const expected = JSON.parse(
    readFileSync(resolve(REPO, 'test/fixtures/parity', `${name}.expected.json`), 'utf8'),
  ) as ExpectedResult;
  return { path, ids: graph.nodes.map((n) => n.id), expected };
}

type Studio = { __studio: { state: { doc: { nodes: { position: { x: number; y: number } }[] } } } };

/** Lays the canvas out with Tidy, by the nodes' measured sizes (so after a run, which grows them, it fits them). */
export async function tidy(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node')).every(
      (e) => e.style.visibility !== 'hidden' && e.offsetHeight > 0,
    ),
  );
  const where = () => JSON.stringify((window as unknown as Studio).__studio.state.doc.nodes.map((n) => n.position));
  const before = await page.evaluate(where);
  await page.click('[data-testid=tidy]');
  await page.waitForFunction(
    (b) => JSON.stringify((window as unknown as Studio).__studio.state.doc.nodes.map((n) => n.position)) !== b,
    before,
  );
}

/** Opens a graph file and lays it out with Tidy, as a learner would before reading it. */
export async function openTidy(page: Page, path: string): Promise<void> {
  await openFile(page, path);
  await tidy(page);
}

/** The part of a result the tests compare. */
export interface ExpectedResult {
  tensors: Record<string, { is_leaf: boolean; requires_grad: boolean; grad_fn: string | null; grad: unknown }>;
  backward_steps: { grad_fn: string; node: string | null }[];
  error: { message: string; node: string | null } | null;
}
