/**
 * Frame-time measurement in the page (requestAnimationFrame timestamps) while
 * input is driven through the DevTools protocol like a real mouse: events go
 * out at a fixed rate without waiting for each to be handled, so a slow frame
 * makes Chromium coalesce them (as it does for a 125 Hz mouse), instead of
 * slowing the input down to the page's pace.
 *
 * In-page code is passed as strings: a test runner's transform may wrap
 * named functions in helpers that do not exist in the page.
 */
import type { CDPSession, Page } from 'playwright-core';

/** Frame-time statistics of one measured interaction. */
export interface FrameStats {
  frames: number;
  durationMs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  meanMs: number;
  /** 1000 / median frame time. */
  fps: number;
  /** Frames per second over the whole interaction (frames / duration). */
  avgFps: number;
  /** Share of display refreshes (at the refresh interval) that got no new frame. */
  droppedShare: number;
  /** Share of frames slower than 1000/60 ms (+0.5 ms for timer coarsening). */
  over60HzShare: number;
  /** Long animation frames (> 50 ms) reported by the LoAF observer. */
  longFrames: number;
  /** Input events sent during the interaction. */
  events: number;
}

/** Raw frames of one interaction. */
export interface Recording {
  ts: number[];
  loaf: number;
  events: number;
}

const START_RECORDING = `(() => {
  const r = { ts: [], on: true, loaf: 0, obs: null };
  window.__frames = r;
  const f = (t) => { if (!r.on) return; r.ts.push(t); requestAnimationFrame(f); };
  requestAnimationFrame(f);
  try {
    r.obs = new PerformanceObserver((l) => { r.loaf += l.getEntries().length; });
    r.obs.observe({ type: 'long-animation-frame' });
  } catch { /* no LoAF */ }
})()`;
const STOP_RECORDING = `new Promise((ok) => requestAnimationFrame(() => {
  const r = window.__frames; r.on = false; if (r.obs) r.obs.disconnect(); ok({ ts: r.ts, loaf: r.loaf });
}))`;

/** The canvas zoom (React Flow viewport scale). */
export async function canvasZoom(page: Page): Promise<number> {
  return (await page.evaluate(`(() => {
    const m = /scale\\(([\\d.e+-]+)\\)/.exec(document.querySelector('.react-flow__viewport').style.transform);
    return m ? Number(m[1]) : NaN;
  })()`)) as number;
}

/** An empty point of the pane (a drag there pans instead of moving a node), nearest its centre. */
export async function panePoint(page: Page): Promise<{ x: number; y: number } | null> {
  return (await page.evaluate(`(() => {
    const b = document.querySelector('.react-flow__pane').getBoundingClientRect();
    const cx = b.x + b.width / 2, cy = b.y + b.height / 2;
    let best = null, bestD = Infinity;
    for (let x = b.x + 80; x < b.right - 260; x += 20) for (let y = b.y + 40; y < b.bottom - 200; y += 20) {
      const el = document.elementFromPoint(x, y);
      if (!el || !el.classList.contains('react-flow__pane')) continue;
      const d = (x - cx) ** 2 + (y - cy) ** 2;
      if (d < bestD) { bestD = d; best = { x, y }; }
    }
    return best;
  })()`)) as { x: number; y: number } | null;
}

/** Waits until the viewport transform has not changed for 300 ms. */
export async function waitViewportSettled(page: Page): Promise<void> {
  let last = '';
  for (let i = 0, same = 0; i < 100 && same < 3; i++) {
    const t = (await page.evaluate(`document.querySelector('.react-flow__viewport').style.transform`)) as string;
    same = t === last ? same + 1 : 0;
    last = t;
    await page.waitForTimeout(100);
  }
}

/** Records rAF timestamps while `act` runs (it returns the number of input events it sent). */
export async function recordFrames(page: Page, act: () => Promise<number>): Promise<Recording> {
  await page.evaluate(START_RECORDING);
  const events = await act();
  const r = (await page.evaluate(STOP_RECORDING)) as { ts: number[]; loaf: number };
  return { ...r, events };
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** Sends `send(t)` every `everyMs` for `ms` (t = ms since start) without waiting for the page; returns the count. */
async function paced(ms: number, everyMs: number, send: (t: number) => Promise<unknown> | null): Promise<number> {
  const pending: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let i = 0; ; i++) {
    const t = performance.now() - t0;
    if (t >= ms) break;
    const p = send(t);
    if (p) pending.push(p);
    await sleep(Math.max(0, t0 + (i + 1) * everyMs - performance.now()));
  }
  await Promise.all(pending);
  return pending.length;
}

const mouse = (
  cdp: CDPSession,
  type: 'mouseMoved' | 'mousePressed' | 'mouseReleased',
  x: number,
  y: number,
  buttons: number,
): Promise<unknown> =>
  cdp.send('Input.dispatchMouseEvent', {
    type,
    x,
    y,
    button: type === 'mouseMoved' && !buttons ? 'none' : 'left',
    buttons,
    clickCount: type === 'mouseMoved' ? 0 : 1,
  });

/**
 * Drags the pane from `at` around a circle of radius 150 px, one turn per
 * second, for `ms`, with a 125 Hz mouse. Returns the move events sent.
 */
export async function pan(cdp: CDPSession, at: { x: number; y: number }, ms: number): Promise<number> {
  const R = 150;
  await mouse(cdp, 'mouseMoved', at.x, at.y, 0);
  await mouse(cdp, 'mousePressed', at.x, at.y, 1);
  let last = at;
  const n = await paced(ms, 8, (t) => {
    const a = (2 * Math.PI * t) / 1000;
    last = { x: at.x + R * Math.sin(a), y: at.y + R * (1 - Math.cos(a)) };
    return mouse(cdp, 'mouseMoved', last.x, last.y, 1);
  });
  await mouse(cdp, 'mouseReleased', last.x, last.y, 0);
  return n;
}

/** React Flow's wheel zoom: zoom *= 2^(-deltaY · 0.002) for pixel deltas. */
const WHEEL_LOG2_PER_PX = 0.002;

/**
 * Wheels at `at` for `ms` with 60 wheel events a second (a touchpad), the zoom
 * going in by `log2Range` doublings and back out (1 - cos). Returns the events sent.
 */
export async function zoom(
  cdp: CDPSession,
  at: { x: number; y: number },
  ms: number,
  log2Range: number,
): Promise<number> {
  let sent = 0;
  const wheel = (dy: number): Promise<unknown> =>
    cdp.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: at.x, y: at.y, deltaX: 0, deltaY: dy });
  await mouse(cdp, 'mouseMoved', at.x, at.y, 0);
  const n = await paced(ms, 1000 / 60, (t) => {
    const target = (log2Range * (1 - Math.cos((2 * Math.PI * t) / ms))) / 2;
    const dy = Math.round(-(target - sent) / WHEEL_LOG2_PER_PX);
    if (dy === 0) return null;
    sent += -dy * WHEEL_LOG2_PER_PX;
    return wheel(dy);
  });
  if (Math.abs(sent) > 0.001) await wheel(Math.round(sent / WHEEL_LOG2_PER_PX));
  return n;
}

/** Wheels once at `at` so that the zoom becomes `to`. */
export async function zoomTo(page: Page, cdp: CDPSession, at: { x: number; y: number }, to: number): Promise<void> {
  const dy = Math.round(-Math.log2(to / (await canvasZoom(page))) / WHEEL_LOG2_PER_PX);
  await mouse(cdp, 'mouseMoved', at.x, at.y, 0);
  await cdp.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: at.x, y: at.y, deltaX: 0, deltaY: dy });
}

const median = (s: readonly number[]): number => s[Math.floor((s.length - 1) / 2)]!;
const pct = (s: readonly number[], p: number): number =>
  s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
const r2 = (v: number): number => Math.round(v * 100) / 100;

/** The refresh interval: the median frame time of a recording of the idle page. */
export function refreshInterval(idle: Recording): number {
  return median(
    idle.ts
      .slice(1)
      .map((t, i) => t - idle.ts[i]!)
      .sort((a, b) => a - b),
  );
}

/** Joins recordings into one series (the gap between two is counted as one refresh). */
export function joinRecordings(rs: readonly Recording[], intervalMs: number): Recording {
  const ts: number[] = [];
  for (const r of rs) {
    const shift = ts.length && r.ts.length ? ts[ts.length - 1]! + intervalMs - r.ts[0]! : 0;
    for (const t of r.ts) ts.push(t + shift);
  }
  return { ts, loaf: rs.reduce((n, r) => n + r.loaf, 0), events: rs.reduce((n, r) => n + r.events, 0) };
}

/** Statistics of a recording against a refresh interval. */
export function frameStats(r: Recording, intervalMs: number): FrameStats {
  const { ts } = r;
  const d = ts.slice(1).map((t, i) => t - ts[i]!);
  if (d.length === 0) throw new Error('no frames recorded');
  const s = [...d].sort((a, b) => a - b);
  const durationMs = ts[ts.length - 1]! - ts[0]!;
  const slots = d.reduce((n, x) => n + Math.max(1, Math.round(x / intervalMs)), 0);
  return {
    frames: d.length,
    durationMs: r2(durationMs),
    medianMs: r2(median(s)),
    p95Ms: r2(pct(s, 95)),
    maxMs: r2(s[s.length - 1]!),
    meanMs: r2(durationMs / d.length),
    fps: r2(1000 / median(s)),
    avgFps: r2((1000 * d.length) / durationMs),
    droppedShare: r2((slots - d.length) / slots),
    over60HzShare: r2(d.filter((x) => x > 1000 / 60 + 0.5).length / d.length),
    longFrames: r.loaf,
    events: r.events,
  };
}
