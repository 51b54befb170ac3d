/** Builders of hostile and oversized documents, and a CLI runner, shared by the attack suite (test/security). */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { doc, edge, node, tensor, type Obj } from '../helpers/docs';
import { REPO_ROOT } from '../helpers/fixtures';

const TSX = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CLI = join(REPO_ROOT, 'engine', 'host', 'node', 'cli.ts');

/** x -> n0 -> n1 -> ... -> n{length-1} -> s (Sum, the backward root); with `cycle`, n0's input is the chain's end. */
export function chain(length: number, cycle = false): Obj {
  const nodes: Obj[] = [tensor('x', [2], { requires_grad: true, init: { kind: 'arange' } })];
  const edges: Obj[] = [];
  for (let i = 0; i < length; i++) {
    nodes.push(node(`n${i}`, 'Neg'));
    edges.push(edge(i === 0 ? (cycle ? `n${length - 1}` : 'x') : `n${i - 1}`, `n${i}`, 'input'));
  }
  nodes.push(node('s', 'Sum'));
  edges.push(edge(`n${length - 1}`, 's', 'input'));
  return doc(nodes, edges, { backward: 's' });
}

/** One Tensor x feeding `width` Neg nodes listed in reverse order of their ids (w{width-1} first). */
export function fan(width: number): Obj {
  const nodes: Obj[] = [tensor('x', [1])];
  const edges: Obj[] = [];
  for (let i = width - 1; i >= 0; i--) {
    nodes.push(node(`w${i}`, 'Neg'));
    edges.push(edge('x', `w${i}`, 'input'));
  }
  return doc(nodes, edges);
}

/** What a CLI run gave. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI (`engine/host/node/cli.ts` through tsx, as test/cli does) from the repository root. */
export function cli(...args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSX, CLI, ...args], { cwd: REPO_ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A scratch directory (removed after the file's tests) and a writer of files into it. */
export function scratch(): { dir: string; file(name: string, content: unknown): string } {
  const dir = mkdtempSync(join(tmpdir(), 'autograd-security-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file(name, content) {
      const p = join(dir, name);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
      return p;
    },
  };
}

/** True if a CLI's stderr is clean: no stack trace and no internal error. */
export function cleanStderr(stderr: string): boolean {
  return !/\n\s+at |internal error|TypeError|RangeError/.test(stderr);
}
