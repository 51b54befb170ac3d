// `npm test`: every check the project has, one step after another, each in a child process that
// sees no terminal and has a time limit.
//
// Note [Tests never see a terminal]
// Tools change their behaviour when stdin or stdout is a terminal: spinners and live summaries
// that redraw (dpdm's spinner redraws forever on a pseudo-terminal of zero columns, as CI
// machines give), dev servers that read keys from stdin, prompts that wait for an answer. A CI
// run that had a terminal printed dpdm's last line and then nothing until its 90-minute limit.
// So each step runs with stdin closed and its output piped through this process: the suite
// behaves the same in a terminal, in CI and in a log file. A step that outlives its limit is
// stopped with its whole process group, and the run fails naming the step, instead of hanging.
//
//   node build/scripts/test.mjs            all steps
//   node build/scripts/test.mjs lint unit  only the named steps, in the order below
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const MIN = 60_000;

/** The steps of `npm test`, in order; `limit` in milliseconds (generous: a hang, not slowness). */
export const STEPS = [
  { name: 'setup', command: ['node', 'build/scripts/test-setup.mjs'], limit: 30 * MIN },
  { name: 'kernels', command: ['node', 'build/wasm/build.mjs', '--if-stale'], limit: 10 * MIN },
  { name: 'typecheck', command: ['node', 'build/typecheck.mjs'], limit: 15 * MIN },
  { name: 'eslint', command: ['npx', 'eslint', '.'], limit: 15 * MIN },
  { name: 'cycles', command: ['node', 'build/scripts/check-cycles.mjs'], limit: 10 * MIN },
  { name: 'format', command: ['npm', 'run', '-s', 'lint:format'], limit: 10 * MIN },
  { name: 'unit', command: ['npx', 'vitest', 'run'], limit: 45 * MIN },
  { name: 'e2e', command: ['npx', 'vitest', 'run', '--config', 'build/vitest.e2e.config.ts'], limit: 45 * MIN },
];

const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`;
/** The step running now, so that an interrupted run stops it too. */
let running = null;

/** Runs one step; resolves to { ok, timedOut, ms }. Output goes to `out` / `err`. */
export function runStep(step, { cwd = ROOT, out = process.stdout, err = process.stderr, env = process.env } = {}) {
  const started = Date.now();
  return new Promise((done) => {
    const [cmd, ...args] = step.command;
    // detached: the step leads a process group of its own, so a time-out stops its children too.
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
      shell: process.platform === 'win32',
    });
    running = child;
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(err, { end: false });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, step.limit);
    const finish = (ok) => {
      clearTimeout(timer);
      running = null;
      done({ ok: ok && !timedOut, timedOut, ms: Date.now() - started });
    };
    child.on('error', (e) => {
      err.write(`test: could not start ${cmd}: ${e.message}\n`);
      finish(false);
    });
    child.on('close', (code) => finish(code === 0));
  });
}

function killGroup(pid) {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

/** Runs `steps` in order and stops at the first failure; resolves to the exit code. */
export async function runSteps(steps, options = {}) {
  const out = options.out ?? process.stdout;
  const started = Date.now();
  for (const [i, step] of steps.entries()) {
    out.write(`\ntest: step ${i + 1}/${steps.length} ${step.name}: ${step.command.join(' ')}\n`);
    const r = await runStep(step, options);
    if (r.timedOut) {
      out.write(`test: step ${step.name} did not finish within ${seconds(step.limit)}; stopped it and its children\n`);
      return 1;
    }
    if (!r.ok) {
      out.write(`test: step ${step.name} failed after ${seconds(r.ms)}\n`);
      return 1;
    }
    out.write(`test: step ${step.name} passed in ${seconds(r.ms)}\n`);
  }
  out.write(`\ntest: all ${steps.length} steps passed in ${seconds(Date.now() - started)}\n`);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !STEPS.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(`test: unknown step(s) ${unknown.join(', ')}; the steps are ${STEPS.map((s) => s.name).join(', ')}`);
    process.exit(2);
  }
  const steps = wanted.length === 0 ? STEPS : STEPS.filter((s) => wanted.includes(s.name));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (running) killGroup(running.pid);
      process.exit(130);
    });
  }
  process.exitCode = await runSteps(steps);
}
