/**
 * build/scripts/cli.mjs, the CLI's fast start (`npm run -s cli`): the same output and exit codes
 * as the CLI run from its TypeScript sources, and, where it starts the engine in a second node
 * with a smaller V8 worker pool (Note [The CLI's V8 worker pool]), that child is the one running
 * the graph, it gets the flag, and a SIGTERM or SIGINT to the launcher ends both.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workloadDocument } from '../../build/bench/workloads';
import { REFERENCE_PARITY_DIR, REPO_ROOT } from '../helpers/fixtures';
import { runNode } from '../helpers/node-run';

const LAUNCHER = join(REPO_ROOT, 'build', 'scripts', 'cli.mjs');
const BUNDLE = join(REPO_ROOT, 'node_modules', '.cache', 'autograd-studio', 'cli.mjs');
const TSX = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CLI = join(REPO_ROOT, 'engine', 'host', 'node', 'cli.ts');
const tmp = mkdtempSync(join(tmpdir(), 'autograd-launcher-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('cli.mjs prints what the CLI prints', () => {
  it.each([
    ['small_cnn', 0],
    ['adversarial_loop_error', 1],
  ])(
    '%s (exit %i)',
    async (name, code) => {
      const file = join(REFERENCE_PARITY_DIR, `${name}.graph.json`);
      const fast = await runNode([LAUNCHER, 'run', file]);
      // The bundle it starts, run here in one node: the same kernels, so the same bytes.
      const bundle = await runNode([BUNDLE, 'run', file]);
      // The CLI from its sources (TypeScript kernels): the same exit code, messages and result keys.
      const slow = await runNode([TSX, CLI, 'run', file]);
      expect(fast.code).toBe(code);
      expect(fast.stdout).toBe(bundle.stdout);
      expect(fast.stderr).toBe(bundle.stderr);
      expect(slow.code).toBe(code);
      expect(fast.stderr).toBe(slow.stderr);
      const a = JSON.parse(fast.stdout) as { tensors: Record<string, unknown>; error: unknown };
      const b = JSON.parse(slow.stdout) as { tensors: Record<string, unknown>; error: unknown };
      expect(Object.keys(a.tensors).sort()).toEqual(Object.keys(b.tensors).sort());
      expect(a.error).toEqual(b.error);
    },
    120_000,
  );

  it('an invalid document: exit 2, the path on stderr', async () => {
    const file = join(tmp, 'bad.graph.json');
    writeFileSync(file, JSON.stringify({ format: 'autograd-studio/graph', version: 1, nodes: 'x' }));
    const r = await runNode([LAUNCHER, 'run', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(file);
  }, 60_000);
});

/** Pids of the processes whose parent is `ppid` (Linux /proc). */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // The command name may hold spaces and parentheses: the fields start after the last ')'.
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A process's arguments; none once it is gone. */
function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

async function until<T>(what: string, f: () => T | null, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== null) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe.runIf(process.platform === 'linux')('the engine process (Linux: read from /proc)', () => {
  const pool = Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2)));
  // W2 for 100,000 iterations (minutes): the graph is still running when the signal comes.
  const long = join(tmp, 'long.graph.json');
  writeFileSync(long, JSON.stringify(workloadDocument('W2', 100_000)));

  it.each(['SIGTERM', 'SIGINT'] as const)(
    `runs with --v8-pool-size=${pool} where that is not Node's 4, and %s to the launcher ends it`,
    async (signal) => {
      const launcher = spawn(process.execPath, [LAUNCHER, 'run', long], { cwd: REPO_ROOT, stdio: 'ignore' });
      const closed = new Promise<NodeJS.Signals | null>((r) => launcher.on('close', (_c, s) => r(s)));
      const pid = launcher.pid!;
      let engine = pid;
      if (pool !== 4) {
        // Between fork and exec a child's cmdline is still the launcher's (node cli.mjs run FILE):
        // wait for the one that runs the bundle, then check how it was started.
        const runsBundle = (c: number) => cmdline(c).some((a) => a.endsWith(join('autograd-studio', 'cli.mjs')));
        engine = await until('the engine child', () => childrenOf(pid).find(runsBundle) ?? null);
        const args = cmdline(engine);
        expect(args).toContain(`--v8-pool-size=${pool}`);
        expect(args.slice(-2)).toEqual(['run', long]);
      }
      // The engine is at work (iterating), not starting up: its CPU time grows.
      const cpu = () => {
        const s = readFileSync(`/proc/${engine}/stat`, 'utf8');
        const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
        return Number(f[11]) + Number(f[12]);
      };
      try {
        await until('the engine to use CPU', () => (cpu() > 50 ? true : null));
        launcher.kill(signal);
        expect(await closed).toBe(signal);
        await until('the engine to end', () => (existsSync(`/proc/${engine}`) ? null : true), 10_000);
      } finally {
        for (const p of [engine, pid]) {
          try {
            process.kill(p, 'SIGKILL'); // only when the test failed: no minutes-long run left behind
          } catch {
            // already gone
          }
        }
      }
    },
    120_000,
  );
});
