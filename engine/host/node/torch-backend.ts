/**
 * The torch backend: runs graph documents on real PyTorch in a Python process
 * (build/torch/runner.py) and returns the same result format as the engine,
 * backward steps included (recorded with hooks on PyTorch's grad_fn nodes).
 *
 *   npm run -s cli -- run GRAPH.json --backend torch [--python PATH] [--device cpu|cuda]
 *
 * The Python executable is `--python PATH`, else $AUTOGRAD_STUDIO_PYTHON, else the
 * first of `python3`, `/usr/bin/python3`, `python` that can import torch.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonWithNaN, stringifyResult } from '../../graph/result';

/** The repository's build/torch directory (this file is engine/host/node/torch-backend.ts). */
export const TORCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'build', 'torch');

/** What to install when PyTorch is missing. */
export const INSTALL_HINT =
  'Install PyTorch for it (Debian/Ubuntu: `apt-get install python3-torch`; elsewhere: ' +
  '`pip install torch`), or point to a Python that has it with --python PATH or ' +
  'AUTOGRAD_STUDIO_PYTHON=PATH.';

/** A Python that imports torch, or why none was found. */
export type PythonLookup = { ok: true; python: string; torch: string } | { ok: false; message: string };

function probe(python: string): { ok: true; torch: string } | { ok: false; why: string } {
  const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { ok: false, why: code === 'ENOENT' ? 'was not found' : `cannot be run (${r.error.message})` };
  }
  if (r.status !== 0) {
    const last = r.stderr.trim().split('\n').pop() ?? '';
    return { ok: false, why: `cannot import torch (${last})` };
  }
  return { ok: true, torch: r.stdout.trim() };
}

/** Finds the Python executable to use (see the module comment). */
export function findPython(explicit?: string | null, env: NodeJS.ProcessEnv = process.env): PythonLookup {
  const chosen = explicit ?? (env.AUTOGRAD_STUDIO_PYTHON || null);
  const candidates = chosen !== null ? [chosen] : ['python3', '/usr/bin/python3', 'python'];
  const tried: string[] = [];
  for (const c of candidates) {
    const p = probe(c);
    if (p.ok) return { ok: true, python: c, torch: p.torch };
    tried.push(`${c} ${p.why}`);
  }
  const what =
    chosen === null
      ? `no Python with PyTorch found (${tried.join('; ')})`
      : `${tried[0]} (given by ${explicit ? '--python' : 'AUTOGRAD_STUDIO_PYTHON'})`;
  return { ok: false, message: `${what}. ${INSTALL_HINT}` };
}

/** Options of a torch-backend run (the `run` command's, plus --python and --device). */
export interface TorchRunOptions {
  readonly files: readonly string[];
  readonly outDir: string | null;
  readonly iterations: number | null;
  readonly python: string | null;
  readonly device: 'cpu' | 'cuda';
}

/**
 * Runs documents on PyTorch. Prints the result JSON (one file) or writes
 * DIR/<name>.result.json; returns the `run` command's exit status.
 */
export function runTorch(opts: TorchRunOptions): number {
  const runner = resolve(TORCH_DIR, 'runner.py');
  if (!existsSync(runner)) {
    process.stderr.write(`torch backend: ${runner} is missing from this installation\n`);
    return 2;
  }
  const py = findPython(opts.python);
  if (!py.ok) {
    process.stderr.write(`torch backend: ${py.message}\n`);
    return 2;
  }
  const args = [runner, ...opts.files, '--device', opts.device];
  if (opts.outDir !== null) args.push('--out-dir', opts.outDir);
  if (opts.iterations !== null) args.push('--iterations', String(opts.iterations));
  const r = spawnSync(py.python, args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.error) {
    process.stderr.write(`torch backend: cannot run ${py.python}: ${r.error.message}\n`);
    return 2;
  }
  if (opts.outDir === null && r.stdout.trim() !== '') {
    // Re-serialised, so both backends print the same compact JSON.
    process.stdout.write(`${stringifyResult(parseJsonWithNaN(r.stdout))}\n`);
  }
  return r.status ?? 2;
}

/** True if the `run` arguments choose a backend or give its options. */
export function backendRequested(args: readonly string[]): boolean {
  return args.some((a) => a === '--backend' || a === '--python' || a === '--device');
}

/**
 * The `run` command with --backend/--python/--device: `--backend engine` hands the
 * other arguments back to `engineRun`; `--backend torch` runs them on PyTorch.
 */
export function runWithBackend(
  args: readonly string[],
  engineRun: (rest: string[]) => number,
  usage: (m: string) => number,
): number {
  let backend = 'engine';
  let python: string | null = null;
  let device = 'cpu';
  let outDir: string | null = null;
  let iterations: number | null = null;
  const rest: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => args[++i] ?? '';
    if (a === '--backend') backend = value();
    else if (a === '--python') python = value();
    else if (a === '--device') device = value();
    else {
      rest.push(a);
      if (a === '--out-dir') rest.push((outDir = value()));
      else if (a === '--iterations') rest.push(String((iterations = Number(value()))));
      else if (!a.startsWith('--')) files.push(a);
    }
  }
  if (backend !== 'engine' && backend !== 'torch')
    return usage(`--backend takes engine or torch, not ${JSON.stringify(backend)}`);
  if (device !== 'cpu' && device !== 'cuda') return usage(`--device takes cpu or cuda, not ${JSON.stringify(device)}`);
  if (backend === 'engine') {
    if (python !== null || device !== 'cpu') return usage('--python and --device apply to --backend torch');
    return engineRun(rest);
  }
  if (rest.some((a) => a.startsWith('--') && a !== '--out-dir' && a !== '--iterations')) {
    return usage(`unknown option ${rest.find((a) => a.startsWith('--') && a !== '--out-dir' && a !== '--iterations')}`);
  }
  if (files.length === 0) return usage('no graph file given');
  if (files.length > 1 && outDir === null) return usage('several files need --out-dir DIR');
  if (iterations !== null && !(Number.isInteger(iterations) && iterations > 0))
    return usage('--iterations takes a positive integer');
  return runTorch({ files, outDir, iterations, python, device });
}
