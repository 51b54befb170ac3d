/**
 * `npm run bench`: W1-W4 (docs/workloads.md) on the engine and, where
 * /usr/bin/python3 has torch, on PyTorch with one thread (the targets' yardstick)
 * and with as many threads as the engine uses (torch-Nt), in the same run.
 *
 *   npm run bench [-- --json] [--only W2,W3] [--min-time S] [--rounds R] [--no-torch] [--cli [--cli-seconds S]]
 *                 [--threads N] [--kernels ts]
 *                 [--canvas | --canvas-fresh | --canvas-only]   (canvas frame times: build/bench/canvas.ts)
 *                 [--security | --security-only]   (the attack suite's large cases: build/bench/security.ts)
 *
 * Engine time: one GraphSession runs the workload's document for many
 * iterations (each iteration = zero grads, forward, backward); the median of
 * the per-iteration times after warm-up. Engine and torch alternate over
 * several rounds per workload, and each side reports its best median. Peak memory: the CLI as it
 * ships runs W2 in a fresh process (no TypeScript loader) and Python's getrusage reads its peak
 * RSS; the torch peer reads its own the same way. The engine's loss and gradient checksums are compared with
 * torch's ("check ok"). `--cli` also times `cli run W2.graph.json` end to end.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { load, GraphSession } from '../../engine/graph/index';
import { FLOPS, WORKLOADS, workloadDocument, type WorkloadName } from '../bench/workloads';
import { fastKernels, kernelBackend } from '../../engine/kernels/fast/index';
import { installNodeFastKernels } from '../../engine/host/node/fast-kernels';
import { canvasBench, canvasOnly, canvasRow } from '../bench/canvas';
import { securityBench, securityRows } from '../bench/security';
import { engineW5, torchW5, type W5 } from '../bench/w5';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const PYTHON = '/usr/bin/python3';
const WARMUP = 5;
/** Iterations of the CLI timing (`--cli`). */
const CLI_ITERS = 100;

interface Measured {
  ms: number;
  /** Mean ms per step over the timed steps (garbage collection included); engine only. */
  mean_ms?: number;
  /** Median CPU time per step (all threads of the process), ms. */
  cpu_ms: number;
  reps: number;
  loss: number;
  grads: Record<string, [number, number]>;
}

interface TorchOut {
  torch: string;
  workloads: Record<string, Measured>;
  peak_rss_kib: number;
}

/** Runs one workload on the engine; median ms per step after warm-up. */
function runEngine(name: WorkloadName, minTimeMs: number, maxReps: number): Measured {
  const l = load(workloadDocument(name, 100_000));
  if (!l.ok) throw new Error(`${name}: ${JSON.stringify(l.issues)}`);
  const s = new GraphSession(l.graph);
  const times: number[] = [];
  const cpu: number[] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  let measureStart = 0;
  let stop = false;
  s.run({
    onIteration: (it) => {
      const now = performance.now();
      const c = process.cpuUsage();
      if (it > WARMUP) {
        times.push(now - last);
        cpu.push((c.user - lastCpu.user + c.system - lastCpu.system) / 1000);
      } else if (it === WARMUP) measureStart = now;
      last = now;
      lastCpu = c;
      // Stop only between iterations, so the last one's grads are complete.
      stop = times.length >= maxReps || (times.length >= 10 && now - measureStart > minTimeMs);
    },
    shouldCancel: () => stop,
  });
  if (s.error) throw new Error(`${name}: ${s.error.type}: ${s.error.message}`);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const grads: Record<string, [number, number]> = {};
  for (const [id, p] of s.params) {
    for (const [which, t] of [
      ['weight', p.weight],
      ['bias', p.bias],
    ] as const) {
      if (!t?.grad) continue;
      let sum = 0,
        abs = 0;
      for (const v of t.grad.contiguousData()) {
        sum += v;
        abs += Math.abs(v);
      }
      grads[`${id}.${which}`] = [sum, abs];
    }
  }
  return {
    ms: times[times.length >> 1]!,
    mean_ms: mean,
    cpu_ms: cpu[cpu.length >> 1]!,
    reps: times.length,
    loss: s.losses[s.losses.length - 1]!,
    grads,
  };
}

/** Compares the engine's loss and grad checksums with torch's; null when they agree. */
function check(e: Measured, t: Measured): string | null {
  if (!(Math.abs(e.loss - t.loss) <= 1e-5 * Math.max(1, Math.abs(t.loss)))) return `loss ${e.loss} vs ${t.loss}`;
  for (const [k, [ts, ta]] of Object.entries(t.grads)) {
    const g = e.grads[k];
    if (!g) return `${k}: no grad`;
    if (!(Math.abs(g[1] - ta) <= 1e-4 * ta + 1e-6)) return `${k}: sum|grad| ${g[1]} vs ${ta}`;
    if (!(Math.abs(g[0] - ts) <= 1e-4 * ta + 1e-6)) return `${k}: sum(grad) ${g[0]} vs ${ts}`;
  }
  return null;
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** A persistent `torch_bench.py --serve` process: one workload per request. */
class TorchPeer {
  readonly version: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;

  private constructor(child: ChildProcessWithoutNullStreams, lines: AsyncIterator<string>, version: string) {
    this.child = child;
    this.lines = lines;
    this.version = version;
  }

  static async start(): Promise<TorchPeer> {
    const child = spawn(PYTHON, [join(ROOT, 'build/bench/torch_bench.py'), '--serve'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) throw new Error('torch peer did not start');
    return new TorchPeer(child, lines, (JSON.parse(first.value) as { torch: string }).torch);
  }

  /** Runs `w` on `threads` torch threads. */
  async run(w: WorkloadName, minTimeS: number, threads = 1): Promise<Measured> {
    this.child.stdin.write(`${w} ${minTimeS} ${threads}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error('torch peer ended');
    return JSON.parse(r.value) as Measured;
  }

  close(): void {
    this.child.stdin.end();
  }
}

function runTorch(args: string[]): TorchOut {
  const r = spawnSync(PYTHON, [join(ROOT, 'build/bench/torch_bench.py'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`torch peer failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as TorchOut;
}

/**
 * Peak RSS (KiB) of the engine running W2 as it ships: `cli run` of W2 for
 * about `minTimeMs` in a fresh process, read by Python's getrusage of its
 * children (torch_bench.py reads its own peak the same way). Not this
 * script under tsx: the TypeScript loader alone adds ~40 MiB that no user's
 * engine process carries. Null without Python.
 */
function enginePeakRss(minTimeMs: number, stepMs: number, threads: number | undefined, kernels: string): number | null {
  if (spawnSync(PYTHON, ['-c', ''], { stdio: 'ignore' }).status !== 0) return null;
  const dir = mkdtempSync(join(tmpdir(), 'bench-rss-'));
  const files = [1, Math.max(20, Math.round(minTimeMs / stepMs))].map((k) => {
    const f = join(dir, `W2-${k}.graph.json`);
    writeFileSync(f, JSON.stringify(workloadDocument('W2', k)));
    return f;
  });
  cliWall(files[0]!); // builds the CLI's bundle if it is stale, so the measured run only runs
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (threads) env.AUTOGRAD_STUDIO_THREADS = String(threads);
  if (kernels === 'ts') env.AUTOGRAD_STUDIO_KERNELS = 'ts';
  const peak =
    'import resource, subprocess, sys\n' +
    'subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n' +
    'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)';
  const r = spawnSync(PYTHON, ['-c', peak, process.execPath, join(ROOT, 'build/scripts/cli.mjs'), 'run', files[1]!], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  rmSync(dir, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`engine peak RSS run failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Wall time (ms) of one CLI command running W2 for `iters` iterations, and per iteration. */
function cliTime(cmd: string[], iters: number): { totalMs: number; perIterMs: number } {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const file = join(dir, 'W2.graph.json');
  writeFileSync(file, JSON.stringify(workloadDocument('W2', iters)));
  const t0 = performance.now();
  const r = spawnSync(cmd[0]!, [...cmd.slice(1), 'run', file], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  const totalMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr}`);
  return { totalMs, perIterMs: totalMs / iters };
}

/** `npm run -s cli` (tsx) and the bundled fast start (build/scripts/cli.mjs) on W2. */
function cliTimes(iters: number): Record<string, { totalMs: number; perIterMs: number }> {
  return {
    'npm run -s cli --': cliTime(['npm', 'run', '-s', 'cli', '--'], iters),
    'node build/scripts/cli.mjs': cliTime([process.execPath, join(ROOT, 'build/scripts/cli.mjs')], iters),
  };
}

/** One workload through the CLI: per-iteration cost beside the session's. */
interface CliIteration {
  workload: WorkloadName;
  iterations: number;
  /** (wall of K iterations - wall of 1) / (K - 1), each the best of the rounds, ms. */
  perIterMs: number;
  sessionMs: number;
  sessionMeanMs: number;
}

/** Wall time (ms) of `node build/scripts/cli.mjs run FILE`. */
function cliWall(file: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'build/scripts/cli.mjs'), 'run', file], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`cli run ${file} failed: ${r.stderr}`);
  return performance.now() - t0;
}

/**
 * The CLI's cost per iteration the way an outside check times it: `cli run`
 * of the workload with K iterations against 1 (start-up, reading, the first
 * iteration and writing the result cancel), alternating over `rounds`, the
 * best of each. K gives about 1.5 s of iterations at the session's median.
 * Each round also measures the session again, right before its two CLI runs
 * (`sessionMs`: the best of those medians), so the ratio compares times taken
 * within seconds of each other: on a shared VM the speed moves 15-30% from one
 * minute to the next, and the main measurement ran minutes earlier.
 * `seconds` (`--cli-seconds`, default 1.5) scales K and its cap of 5,000
 * together: a longer run spreads V8's one-time compiling of the engine over
 * more iterations (build/bench/README.md, session 26).
 */
function cliPerIteration(
  w: WorkloadName,
  session: Measured,
  rounds: number,
  perRoundMs: number,
  seconds: number,
): CliIteration {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  const cap = Math.round((5000 * seconds) / 1.5);
  const iterations = Math.max(20, Math.min(cap, Math.round((seconds * 1000) / session.ms)));
  const files = [1, iterations].map((k) => {
    const f = join(dir, `${w}-${k}.graph.json`);
    writeFileSync(f, JSON.stringify(workloadDocument(w, k)));
    return f;
  });
  let one = Infinity,
    many = Infinity;
  let near: Measured | null = null;
  for (let r = 0; r < rounds; r++) {
    const m = runEngine(w, perRoundMs, 5000);
    if (near === null || m.ms < near.ms) near = m;
    one = Math.min(one, cliWall(files[0]!));
    many = Math.min(many, cliWall(files[1]!));
  }
  rmSync(dir, { recursive: true, force: true });
  return {
    workload: w,
    iterations,
    perIterMs: (many - one) / (iterations - 1),
    sessionMs: near!.ms,
    sessionMeanMs: near!.mean_ms ?? near!.ms,
  };
}

const fmt = (v: number, d = 2): string => (Number.isFinite(v) ? v.toFixed(d) : '-');

async function main(argv: string[]): Promise<void> {
  let json = false,
    withTorch = true,
    withCli = false;
  let only: WorkloadName[] = [...WORKLOADS];
  let withW5 = true;
  let minTime = 2;
  let rounds = 3;
  let threads: number | undefined;
  let kernels = 'wasm';
  let cliSeconds = 1.5;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') json = true;
    else if (a === '--no-torch') withTorch = false;
    else if (a === '--cli') withCli = true;
    else if (a === '--only') {
      const names = argv[++i]!.split(',');
      withW5 = names.includes('W5'); // W5, a whole training run, is measured apart (build/bench/w5.ts)
      only = names.filter((n) => n !== 'W5') as WorkloadName[];
    } else if (a === '--min-time') minTime = Number(argv[++i]);
    else if (a === '--rounds') rounds = Math.max(1, Number(argv[++i]));
    else if (a === '--threads') threads = Number(argv[++i]);
    else if (a === '--kernels') kernels = argv[++i]!;
    else if (a === '--cli-seconds') cliSeconds = Number(argv[++i]);
  }
  if (kernels !== 'ts') {
    spawnSync(process.execPath, [join(ROOT, 'build/wasm/build.mjs'), '--if-stale', '--quiet'], {
      stdio: 'inherit',
    });
    installNodeFastKernels(threads);
  }
  if (argv.includes('--security-only')) {
    const rows = securityBench();
    process.stdout.write(
      json ? `${JSON.stringify({ security: rows }, null, 2)}\n` : `${securityRows(rows).join('\n')}\n`,
    );
    return;
  }
  const canvas = canvasBench(argv, ROOT);
  if (canvasOnly(argv, canvas, json)) return;
  const load0 = loadavg()[0]!;
  const peer = withTorch && torchAvailable() ? await TorchPeer.start() : null;
  // Rounds alternate engine and torch per workload; each side keeps its best
  // (lowest) median, so a burst of load on the machine hurts neither side alone.
  const engine: Partial<Record<WorkloadName, Measured>> = {};
  const torchBest: Partial<Record<WorkloadName, Measured>> = {};
  const torchNBest: Partial<Record<WorkloadName, Measured>> = {};
  const nThreads = fastKernels()?.threads ?? 1;
  const keepBest = (best: Partial<Record<WorkloadName, Measured>>, w: WorkloadName, m: Measured): void => {
    if (!best[w] || m.ms < best[w]!.ms) best[w] = m;
  };
  const per = minTime / rounds;
  for (let r = 0; r < rounds; r++) {
    for (const w of only) {
      keepBest(engine, w, runEngine(w, per * 1000, 5000));
      if (peer) {
        keepBest(torchBest, w, await peer.run(w, per));
        if (nThreads > 1) keepBest(torchNBest, w, await peer.run(w, per, nThreads));
      }
    }
  }
  peer?.close();
  const w5 = withW5 ? w5Rounds(rounds, peer !== null) : null;
  const torch = peer ? { torch: peer.version, workloads: torchBest as Record<string, Measured> } : null;
  const rss = only.includes('W2')
    ? {
        engine: enginePeakRss(1000, engine.W2!.ms, threads, kernels),
        torch: peer ? runTorch(['--only', 'W2', '--min-time', '1']).peak_rss_kib : null,
      }
    : null;
  const rows = only.map((w) => {
    const e = engine[w]!;
    const t = torch?.workloads[w] ?? null;
    const tn = nThreads > 1 ? (torchNBest[w] ?? null) : t;
    return {
      workload: w,
      engineMs: e.ms,
      torchMs: t ? t.ms : null,
      engineCpuMs: e.cpu_ms,
      torchCpuMs: t ? t.cpu_ms : null,
      ratio: t ? e.ms / t.ms : null,
      torchNtMs: tn ? tn.ms : null,
      ratioNt: tn ? e.ms / tn.ms : null,
      engineGflops: FLOPS[w] / (e.ms * 1e6),
      torchGflops: t ? FLOPS[w] / (t.ms * 1e6) : null,
      reps: e.reps,
      check: t ? (check(e, t) ?? (tn && tn !== t ? check(e, tn) : null) ?? 'ok') : 'no torch',
    };
  });
  const cli = withCli ? cliTimes(CLI_ITERS) : null;
  const cliIterations = withCli
    ? only.map((w) => cliPerIteration(w, engine[w]!, rounds, per * 1000, cliSeconds))
    : null;
  const machine = {
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const report = {
    date: new Date().toISOString(),
    machine,
    loadAverage: [load0, loadavg()[0]!],
    rounds,
    backend: kernelBackend(),
    torch: torch?.torch ?? null,
    /** Threads of torch-Nt: the engine's thread count. */
    torchThreads: nThreads,
    rows,
    peakRssKiB: rss,
    cli,
    cliIterations,
    w5,
  };
  if (canvas) Object.assign(report, { canvas });
  const security = argv.includes('--security') ? securityBench() : null;
  if (security) Object.assign(report, { security });
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const out: string[] = [];
  out.push(
    `# bench ${report.date.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores), node ${machine.node}, kernels: ${report.backend}${torch ? `, torch ${torch.torch} (1 thread, and ${nThreads} as the engine)` : ''}, best of ${rounds} rounds, load average ${fmt(load0, 1)} -> ${fmt(report.loadAverage[1]!, 1)}`,
  );
  out.push(
    `| workload | engine ms/step | torch-1t ms/step | ratio | torch-${nThreads}t ms/step | ratio ${nThreads}t | engine GFLOP/s | torch GFLOP/s | engine cpu ms | torch cpu ms | check |`,
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    out.push(
      `| ${r.workload} | ${fmt(r.engineMs, 3)} | ${r.torchMs === null ? '-' : fmt(r.torchMs, 3)} | ${r.ratio === null ? '-' : `${fmt(r.ratio)}x`} | ${r.torchNtMs === null ? '-' : fmt(r.torchNtMs, 3)} | ${r.ratioNt === null ? '-' : `${fmt(r.ratioNt)}x`} | ${fmt(r.engineGflops)} | ${r.torchGflops === null ? '-' : fmt(r.torchGflops)} | ${fmt(r.engineCpuMs, 3)} | ${r.torchCpuMs === null ? '-' : fmt(r.torchCpuMs, 3)} | ${r.check} |`,
    );
  }
  if (rss) {
    const mib = (kib: number | null): string => (kib ? fmt(kib / 1024, 1) : '-');
    const ratio = rss.torch && rss.engine ? ` (${fmt(rss.engine / rss.torch)}x)` : '';
    out.push(
      `peak RSS W2 (engine: the CLI running it): engine ${mib(rss.engine)} MiB, torch ${mib(rss.torch)} MiB${ratio}`,
    );
  }
  if (cli) {
    for (const [cmd, t] of Object.entries(cli)) {
      out.push(
        `${cmd} run W2.graph.json (${CLI_ITERS} iterations): ${fmt(t.totalMs, 0)} ms wall, ${fmt(t.perIterMs)} ms/iteration incl. start-up`,
      );
    }
  }
  for (const c of cliIterations ?? []) {
    out.push(
      `cli run ${c.workload}, per iteration (${c.iterations} iterations against 1, best of ${rounds}): ${fmt(c.perIterMs, 3)} ms; session (measured in the same rounds) median ${fmt(c.sessionMs, 3)} ms (${fmt(c.perIterMs / c.sessionMs)}x), mean ${fmt(c.sessionMeanMs, 3)} ms (${fmt(c.perIterMs / c.sessionMeanMs)}x)`,
    );
  }
  if (w5) out.push(...w5Rows(w5.engine, w5.torch));
  if (canvas) out.push(canvasRow(canvas));
  if (security) out.push(...securityRows(security));
  const bad = rows.filter((r) => r.check !== 'ok' && r.check !== 'no torch');
  out.push(
    bad.length === 0
      ? torch
        ? 'check ok'
        : 'check skipped (no torch)'
      : `check FAILED: ${bad.map((r) => `${r.workload} ${r.check}`).join('; ')}`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
  if (bad.length > 0) process.exitCode = 1;
}

/**
 * W5 over `rounds` rounds, engine and torch alternating (as W1-W4 do); each
 * side keeps the run with the lowest median step.
 */
function w5Rounds(rounds: number, withTorch: boolean): { engine: W5; torch: W5 | null } {
  let engine: W5 | null = null;
  let torch: W5 | null = null;
  for (let r = 0; r < rounds; r++) {
    const e = engineW5();
    if (!engine || e.ms < engine.ms) engine = e;
    const t = withTorch ? torchW5(PYTHON, ROOT) : null;
    if (t && (!torch || t.ms < torch.ms)) torch = t;
  }
  return { engine: engine!, torch };
}

/** W5's lines: a training step on each side, the whole run and the test accuracy it reached. */
function w5Rows(e: W5, t: W5 | null): string[] {
  const side = (name: string, w: W5): string =>
    `${name}: ${fmt(w.ms, 3)} ms/step, ${w.iterations} iterations in ${fmt(w.totalMs / 1000, 2)} s, last loss ${fmt(w.lastLoss, 4)}, test accuracy ${fmt(100 * w.testAccuracy, 1)}%`;
  return [
    `W5 (digits CNN, batch 32, SGD momentum; a step = zero_grad, forward, backward, step)${t ? `: ratio ${fmt(e.ms / t.ms)}x` : ''}`,
    `  ${side('engine', e)}`,
    ...(t ? [`  ${side('torch-1t', t)}`] : []),
  ];
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
