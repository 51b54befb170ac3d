/**
 * Canvas performance: a 300-node document (big-graph.ts) opens through the
 * file input, is laid out, runs, and is then panned (mouse drag on the pane)
 * and zoomed (wheel) while the page records requestAnimationFrame timestamps.
 * Writes test-results/canvas-perf.json (read by `npm run bench -- --canvas`)
 * and test-results/screenshots/perf-300-nodes*.png.
 *
 * What rAF does here (headless Chromium 156, --disable-gpu, software
 * compositing): it is paced by a 60 Hz begin-frame source like a real display,
 * so a frame that is ready in time is reported as 16.7 ms and a late one as a
 * whole multiple of it (33.3, 50, ...). "capped" is that mode, the harness's
 * normal launch. "uncapped" launches a second browser with
 * --disable-frame-rate-limit --disable-gpu-vsync, where rAF runs as fast as
 * frames are produced, so its frame times are the real cost of a frame (the
 * head room under the 16.7 ms budget). rAF timestamps are coarsened to 0.1 ms.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { bigGraphSize, writeBigGraph } from './big-graph';
import {
  canvasZoom,
  frameStats,
  joinRecordings,
  pan,
  panePoint,
  recordFrames,
  refreshInterval,
  waitViewportSettled,
  zoom,
  zoomTo,
  type FrameStats,
  type Recording,
} from './frames';
import { epoch, launch, nodeAttrs, openApp, REPO, shot, waitState } from './harness';

/** Where the measurements go (the bench reads them). */
const PERF_JSON = resolve(REPO, 'test-results/canvas-perf.json');
/** How long each interaction is measured. */
const PHASE_MS = 2000;
/** Flags that unpace rAF (see the header). */
const UNCAPPED = ['--disable-frame-rate-limit', '--disable-gpu-vsync'];
/** The bound asserted on the median frame time (30 fps), generous for a loaded CI machine. */
const MEDIAN_BOUND_MS = 34;

interface ModeResult {
  flags: string[];
  /** Refresh interval measured on the idle page. */
  intervalMs: number;
  /** From handing over the file to every node rendered and measured. */
  openMs: number;
  /** From clicking run to engine-status done. */
  runMs: number;
  /** Zoom after the app fitted the graph into the view. */
  fitZoom: number;
  /** pan: drag at the fitted view; zoom: wheel in to 1:1 and back out; pan1to1: drag at zoom 1. */
  phases: Record<'pan' | 'zoom' | 'pan1to1', FrameStats>;
  /**
   * Longest frame from one wheel step to 1:1 until 0.6 s later: a large graph gets its text back once a zoom-in
   * gesture has ended (Canvas.tsx, fast-viewport.ts), so this is the one slow frame left, at rest.
   */
  detailSwitchMaxMs: number;
  /** The three phases as one series (the reported number). */
  all: FrameStats;
}

const report: {
  date: string;
  browser: string;
  machine: { cpu: string; cores: number; loadAverage: number[] };
  graph: { nodes: number; edges: number };
  viewport: { width: number; height: number };
  summary: {
    medianMs: number;
    p95Ms: number;
    fps: number;
    droppedShare: number;
    uncappedMedianMs: number | null;
    uncappedP95Ms: number | null;
  } | null;
  capped: ModeResult | null;
  uncapped: ModeResult | null;
} = {
  date: new Date().toISOString(),
  browser: '',
  machine: { cpu: cpus()[0]?.model ?? '?', cores: cpus().length, loadAverage: [loadavg()[0]!] },
  graph: { nodes: 0, edges: 0 },
  viewport: { width: 1600, height: 1000 },
  summary: null,
  capped: null,
  uncapped: null,
};

function writeReport(): void {
  mkdirSync(resolve(PERF_JSON, '..'), { recursive: true });
  const c = report.capped,
    u = report.uncapped;
  report.summary = c
    ? {
        medianMs: c.all.medianMs,
        p95Ms: c.all.p95Ms,
        fps: c.all.fps,
        droppedShare: c.all.droppedShare,
        uncappedMedianMs: u?.all.medianMs ?? null,
        uncappedP95Ms: u?.all.p95Ms ?? null,
      }
    : null;
  report.machine.loadAverage[1] = loadavg()[0]!;
  writeFileSync(PERF_JSON, `${JSON.stringify(report, null, 2)}\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'canvas-perf-'));
const graphPath = join(dir, 'big-300.graph.json');
const nodeCount = writeBigGraph(graphPath);
const edgeCount = bigGraphSize().edges;

/** Waits until every node is rendered and measured (React Flow shows a node once it has its size). */
async function waitLaidOut(page: Page, nodes: number): Promise<void> {
  // a function, not a string: the app's CSP forbids the eval a string predicate needs
  await page.waitForFunction(
    (n) => {
      const els = Array.from(document.querySelectorAll<HTMLElement>('.react-flow__node'));
      return els.length === n && els.every((e) => e.style.visibility !== 'hidden');
    },
    nodes,
    { timeout: 60_000 },
  );
}

/** Opens, lays out and runs the 300-node graph, then measures pan and zoom in one browser. */
async function measure(browser: Browser, flags: string[], shots: boolean): Promise<ModeResult> {
  const { page, errors } = await openApp(browser, inject('baseUrl'));
  const cdp = await page.context().newCDPSession(page);
  try {
    // the refresh interval, on the idle page (unpaced, rAF has none: count against 60 Hz)
    const idle = await recordFrames(page, async () => {
      await page.waitForTimeout(500);
      return 0;
    });
    const intervalMs = flags.length ? 1000 / 60 : refreshInterval(idle);

    const before = await epoch(page);
    const t0 = Date.now();
    await page.setInputFiles('[data-testid=open-file]', graphPath);
    await page.waitForFunction(
      (b) => (window as unknown as { __studio: { state: { epoch: number } } }).__studio.state.epoch > b,
      before,
    );
    await waitLaidOut(page, nodeCount);
    const openMs = Date.now() - t0;
    await waitViewportSettled(page);
    expect(await page.locator('.react-flow__edge').count()).toBe(edgeCount);

    const t1 = Date.now();
    await page.click('[data-testid=run]');
    expect(await waitState(page, ['done', 'error'])).toBe('done');
    const runMs = Date.now() - t1;
    expect((await nodeAttrs(page, 'x_0')).hasGrad).toBe('true');
    expect((await nodeAttrs(page, 'loss')).requiresGrad).toBe('true');
    await waitViewportSettled(page);
    const fitZoom = await canvasZoom(page);
    // zoomed out, a large graph is drawn without its text (Canvas.tsx DETAIL_ZOOM)
    expect(await page.getAttribute('[data-testid=canvas]', 'data-detail')).toBe(fitZoom < 0.45 ? 'low' : 'full');
    if (shots) await shot(page, 'perf-300-nodes');

    const box = (await page.locator('.react-flow__pane').boundingBox())!;
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const at = await panePoint(page);
    expect(at, 'an empty spot of the pane to drag').not.toBeNull();
    const a = await recordFrames(page, () => pan(cdp, at!, PHASE_MS));
    await waitViewportSettled(page);
    // in to 1:1 and back out to the fitted view
    const b = await recordFrames(page, () => zoom(cdp, centre, PHASE_MS, Math.log2(1 / fitZoom)));
    await waitViewportSettled(page);
    // then at 1:1, every label readable and most nodes off screen; the text comes back when the wheel gesture ends
    const d = await recordFrames(page, async () => {
      await zoomTo(page, cdp, centre, 1);
      await page.waitForTimeout(600);
      return 1;
    });
    await waitViewportSettled(page);
    expect(await page.getAttribute('[data-testid=canvas]', 'data-detail')).toBe('full');
    const at1 = await panePoint(page);
    expect(at1, 'an empty spot of the pane to drag at 1:1').not.toBeNull();
    const c = await recordFrames(page, () => pan(cdp, at1!, PHASE_MS));
    await waitViewportSettled(page);
    if (shots) {
      await shot(page, 'perf-300-nodes-1to1');
      // every node stays in the DOM at any zoom (no mounting while panning or zooming); the SVG export has all of them
      expect(await page.locator('.react-flow__node').count()).toBe(nodeCount);
      const [svg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-svg]')]);
      const text = readFileSync((await svg.path())!, 'utf8');
      expect(text.match(/<g transform=/g)?.length).toBe(nodeCount);
      expect(text.match(/<path /g)?.length).toBe(edgeCount);
    }
    expect(errors).toEqual([]);

    const st = (r: Recording): FrameStats => frameStats(r, intervalMs);
    return {
      flags,
      intervalMs: Math.round(intervalMs * 100) / 100,
      openMs,
      runMs,
      fitZoom: Math.round(fitZoom * 1000) / 1000,
      phases: { pan: st(a), zoom: st(b), pan1to1: st(c) },
      all: st(joinRecordings([a, b, c], intervalMs)),
      detailSwitchMaxMs: st(d).maxMs,
    };
  } finally {
    await page.context().close();
  }
}

const browsers: Browser[] = [];
afterAll(async () => {
  for (const b of browsers) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('canvas performance, 300 nodes', () => {
  it(`opens, lays out, runs, and pans and zooms with a median frame under ${MEDIAN_BOUND_MS} ms`, async () => {
    const browser = await launch();
    browsers.push(browser);
    report.browser = `Chromium ${browser.version()}`;
    report.graph = { nodes: nodeCount, edges: edgeCount };
    const m = await measure(browser, [], true);
    report.capped = m;
    writeReport();
    console.log(
      `canvas ${nodeCount} nodes (capped 60 Hz): open ${m.openMs} ms, run ${m.runMs} ms, fit zoom ${m.fitZoom}, text back after zoom-in: max frame ${m.detailSwitchMaxMs} ms; ${JSON.stringify(m.phases)}`,
    );
    expect(m.all.frames).toBeGreaterThan(30);
    expect(m.all.medianMs).toBeLessThan(MEDIAN_BOUND_MS);
  });

  it('measures the real frame cost with rAF unpaced', async () => {
    const browser = await launch(UNCAPPED);
    browsers.push(browser);
    const m = await measure(browser, UNCAPPED, false);
    report.uncapped = m;
    writeReport();
    console.log(
      `canvas ${nodeCount} nodes (uncapped): open ${m.openMs} ms, run ${m.runMs} ms, text back after zoom-in: max frame ${m.detailSwitchMaxMs} ms; ${JSON.stringify(m.phases)}`,
    );
    expect(m.all.frames).toBeGreaterThan(30);
  });
});
