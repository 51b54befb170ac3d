/** Runs `node` as a child process, for the tests of the CLI and its launcher. */
import { execFile } from 'node:child_process';
import { REPO_ROOT } from './fixtures';

/** A finished child: its exit code (-1 when killed by a signal) and its output. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs this node with `args` from the repository root (up to 64 MiB of output). */
export function runNode(args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: REPO_ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}
