/**
 * Test helpers of the PyTorch bridge: the Python with PyTorch 1.13 (/usr/bin/python3,
 * Debian's python3-torch; a missing one fails every bridge test file), and child processes.
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures';

/** The Python the bridge tests use. */
export const PYTHON = '/usr/bin/python3';

function probeTorch(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const probed = probeTorch();
if (probed === null) {
  // `npm test` installs it first (build/scripts/test-setup.mjs); a bridge test never skips.
  throw new Error(
    `${PYTHON} cannot import torch: install it with \`apt-get install -y python3-torch python3-pyflakes\``,
  );
}
/** PyTorch's version under {@link PYTHON}. */
export const TORCH_VERSION: string = probed;

/** The outcome of a child process. */
export interface Proc {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command (no shell) and resolves with its exit status and output. */
export function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Proc> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { cwd: REPO_ROOT, maxBuffer: 256 << 20, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the project's CLI (`npm run -s cli -- ...`) through tsx. */
export function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Proc> {
  const tsx = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  return run(process.execPath, [tsx, join(REPO_ROOT, 'engine', 'host', 'node', 'cli.ts'), ...args], env);
}

/** Maps `fn` over `items` with at most `limit` running at once. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
