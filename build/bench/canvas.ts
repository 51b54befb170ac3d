/**
 * `npm run bench -- --canvas`: the canvas row of the bench, from the
 * end-to-end test test/e2e/perf.e2e.test.ts (a 300-node graph opened, laid
 * out, run, then panned and zoomed in headless Chromium while the page records
 * requestAnimationFrame times; see build/bench/README.md).
 *
 *   --canvas        read test-results/canvas-perf.json, or, when there is none
 *                   and Chromium is installed, run the test first (about 40 s)
 *   --canvas-fresh  run the test even when the file exists
 *   --canvas-only   print only the canvas row (skips W1-W4)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the test writes (the parts the bench reads). */
interface PhaseJson {
  medianMs: number;
  p95Ms: number;
  fps: number;
  avgFps: number;
  droppedShare: number;
  frames: number;
}
interface ModeJson {
  flags: string[];
  openMs: number;
  runMs: number;
  fitZoom: number;
  phases: Record<string, PhaseJson>;
  all: PhaseJson;
  /** Longest frame while the text comes back after zooming in to 1:1 (absent in files from before 2026-11-28). */
  detailSwitchMaxMs?: number;
}
interface PerfJson {
  date: string;
  browser: string;
  machine: { cpu: string; cores: number; loadAverage: number[] };
  graph: { nodes: number; edges: number };
  capped: ModeJson | null;
  uncapped: ModeJson | null;
}

/** The canvas measurement as the bench reports it. */
export type CanvasResult =
  | {
      ok: true;
      /** Where it came from: the file as found, or a run of the test now. */
      source: 'file' | 'run';
      file: string;
      date: string;
      browser: string;
      machine: PerfJson['machine'];
      nodes: number;
      edges: number;
      /** Pan and zoom together at 60 Hz rAF pacing: frame time median, fps from it, p95, share of refreshes missed. */
      medianMs: number;
      fps: number;
      p95Ms: number;
      droppedShare: number;
      openMs: number;
      runMs: number;
      /** Longest frame while a zoomed-in large graph gets its text back (at rest, after the wheel gesture), or null. */
      detailSwitchMaxMs: number | null;
      phases: Record<string, { medianMs: number; p95Ms: number; avgFps: number; droppedShare: number }>;
      /** The same with rAF unpaced (--disable-frame-rate-limit): the real cost of a frame. */
      uncapped: {
        medianMs: number;
        p95Ms: number;
        phases: Record<string, { medianMs: number; p95Ms: number; avgFps: number }>;
      } | null;
    }
  | { ok: false; error: string };

const PERF_JSON = 'test-results/canvas-perf.json';
const TEST = 'test/e2e/perf.e2e.test.ts';
const r2 = (v: number): number => Math.round(v * 100) / 100;

function chromium(): string | null {
  const p = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

/** Runs the perf e2e test (its output goes to stderr); returns its exit status. */
function runTest(root: string): number | null {
  const r = spawnSync('npx', ['vitest', 'run', '--config', 'build/vitest.e2e.config.ts', TEST], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  return r.status;
}

function fromJson(j: PerfJson, file: string, source: 'file' | 'run'): CanvasResult {
  const c = j.capped;
  if (!c) return { ok: false, error: `${file} has no capped measurement (the test failed early?)` };
  const u = j.uncapped;
  const pick = (p: PhaseJson): { medianMs: number; p95Ms: number; avgFps: number; droppedShare: number } => ({
    medianMs: p.medianMs,
    p95Ms: p.p95Ms,
    avgFps: p.avgFps,
    droppedShare: p.droppedShare,
  });
  return {
    ok: true,
    source,
    file,
    date: j.date,
    browser: j.browser,
    machine: j.machine,
    nodes: j.graph.nodes,
    edges: j.graph.edges,
    medianMs: c.all.medianMs,
    fps: r2(1000 / c.all.medianMs),
    p95Ms: c.all.p95Ms,
    droppedShare: c.all.droppedShare,
    openMs: c.openMs,
    runMs: c.runMs,
    detailSwitchMaxMs: c.detailSwitchMaxMs ?? null,
    phases: Object.fromEntries(Object.entries(c.phases).map(([k, p]) => [k, pick(p)])),
    uncapped: u
      ? {
          medianMs: u.all.medianMs,
          p95Ms: u.all.p95Ms,
          phases: Object.fromEntries(
            Object.entries(u.phases).map(([k, p]) => [k, { medianMs: p.medianMs, p95Ms: p.p95Ms, avgFps: p.avgFps }]),
          ),
        }
      : null,
  };
}

/** The canvas measurement when `--canvas`, `--canvas-fresh` or `--canvas-only` is given, else null. */
export function canvasBench(argv: readonly string[], root: string): CanvasResult | null {
  const fresh = argv.includes('--canvas-fresh');
  if (!fresh && !argv.includes('--canvas') && !argv.includes('--canvas-only')) return null;
  const file = join(root, PERF_JSON);
  let source: 'file' | 'run' = 'file';
  if (fresh || !existsSync(file)) {
    if (!chromium()) return { ok: false, error: `no ${PERF_JSON} and no Chromium (set CHROMIUM_PATH) to run ${TEST}` };
    const before = existsSync(file) ? statSync(file).mtimeMs : 0;
    const status = runTest(root);
    if (!existsSync(file) || statSync(file).mtimeMs === before)
      return { ok: false, error: `${TEST} exited with ${status} and wrote no ${PERF_JSON}` };
    source = 'run';
  }
  try {
    return fromJson(JSON.parse(readFileSync(file, 'utf8')) as PerfJson, PERF_JSON, source);
  } catch (e) {
    return { ok: false, error: `${PERF_JSON}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

const f = (v: number, d = 1): string => (Number.isFinite(v) ? v.toFixed(d) : '-');

/** The row for the table output. */
export function canvasRow(c: CanvasResult): string {
  if (!c.ok) return `canvas: not measured (${c.error})`;
  const ph = Object.entries(c.phases)
    .map(([k, p]) => `${k} ${f(p.avgFps, 0)}`)
    .join(', ');
  const u = c.uncapped ? `; unpaced rAF: median ${f(c.uncapped.medianMs)} ms, p95 ${f(c.uncapped.p95Ms)} ms` : '';
  return (
    `canvas ${c.nodes} nodes: median ${f(c.medianMs)} ms/frame (${f(c.fps, 0)} fps), p95 ${f(c.p95Ms)} ms` +
    ` (${c.browser}, headless, 60 Hz rAF; ${f(c.droppedShare * 100, 0)}% of refreshes missed; average fps ${ph}${u};` +
    `${c.detailSwitchMaxMs != null ? ` text back after zoom-in: max frame ${f(c.detailSwitchMaxMs, 0)} ms;` : ''}` +
    ` open ${c.openMs} ms, run ${c.runMs} ms; ${c.source === 'run' ? 'measured now' : `from ${c.file} of ${c.date.slice(0, 16).replace('T', ' ')}`})`
  );
}

/** With `--canvas-only`: prints the canvas result alone (table row or JSON) and returns true. */
export function canvasOnly(argv: readonly string[], c: CanvasResult | null, json: boolean): boolean {
  if (!c || !argv.includes('--canvas-only')) return false;
  process.stdout.write(
    json ? `${JSON.stringify({ date: new Date().toISOString(), canvas: c }, null, 2)}\n` : `${canvasRow(c)}\n`,
  );
  if (!c.ok) process.exitCode = 1;
  return true;
}
