/**
 * The torch backend: runs graph documents on real PyTorch in a Python process
 * (build/torch/runner.py) and returns the same result format as the engine,
 * backward steps included (recorded with hooks on PyTorch's grad_fn nodes).
 *
 *   npm run -s cli -- run GRAPH.json --backend torch [--python PATH] [--device cpu|cuda]
 *                                    [--timeout SECONDS] [--memory-limit MB]
 *
 * The Python executable is `--python PATH`, else $AUTOGRAD_STUDIO_PYTHON, else the
 * first of `python3`, `/usr/bin/python3`, `python` that can import torch.
 *
 * Documents are untrusted: each is validated by the engine's own loader (format,
 * size budget, iteration cap) before Python starts, and the Python process runs
 * under a time limit and an address-space limit. Running out of either ends the
 * command with one line on stderr and exit status 3.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_GRAPH_ELEMENTS } from '../../core/limits';
import { load } from '../../graph/index';
import { parseJsonWithNaN, writeJson } from '../../graph/result';
import { readDocument, withIterations } from './read-document';
import { toFile, toStdout } from './sink';

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

/** Exit status when the Python process ran out of time or memory, or was killed by a signal. */
export const STOPPED = 3;

/** Most bytes of a result printed on stdout (a string of JavaScript holds at most 2^29 - 24). */
const MAX_STDOUT = 2 ** 29 - 1024;

/** Default of --timeout: seconds the whole Python run may take. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

/**
 * Default of --memory-limit, in MB of address space beyond what Python holds once torch is
 * imported: 8 bytes for each element of the engine's graph budget of 2^27 float32 elements
 * (values, gradients, saved tensors, temporaries), at most half of this machine's memory.
 */
export function defaultMemoryLimitMb(total = totalmem()): number {
  const fromBudget = (MAX_GRAPH_ELEMENTS * 4 * 8) / 2 ** 20;
  return Math.max(256, Math.min(fromBudget, Math.floor(total / 2 / 2 ** 20)));
}

/** Options of a torch-backend run (the `run` command's, plus --python and --device). */
export interface TorchRunOptions {
  readonly files: readonly string[];
  readonly outDir: string | null;
  readonly iterations: number | null;
  readonly python: string | null;
  readonly device: 'cpu' | 'cuda';
  /** Seconds the Python process may run (all files together); 0: no limit. */
  readonly timeoutSeconds?: number;
  /** Address space in MB Python may use beyond its own after importing torch; 0: no limit. */
  readonly memoryLimitMb?: number;
}

/** A document the engine's loader accepted, from `file`. */
export interface AcceptedDocument {
  readonly file: string;
  readonly doc: Record<string, unknown>;
}

/**
 * The documents the engine's loader accepts (with --iterations applied): valid, inside
 * the size budget and the iteration cap. The faults of the others go to stderr as the
 * engine's `run` writes them.
 */
export function acceptedDocuments(files: readonly string[], iterations: number | null): AcceptedDocument[] {
  const ok: AcceptedDocument[] = [];
  for (const file of files) {
    const json = readDocument(file);
    if (json === null) continue;
    const doc = withIterations(json, iterations);
    const l = load(doc);
    if (l.ok) ok.push({ file, doc });
    else for (const i of l.issues) process.stderr.write(`${file}: ${i.path}: ${i.message}\n`);
  }
  return ok;
}

const pick = (o: unknown, keys: readonly string[]): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.hasOwn(o as object, k)) out[k] = (o as Record<string, unknown>)[k];
  return out;
};

/**
 * What the runner reads of an accepted document: the fields the format defines, without
 * `meta`, node positions and labels, or unknown keys, which the engine ignores but which
 * may hold anything (nesting deeper than Python's JSON reader goes, for one).
 */
export function runnerDocument(doc: Record<string, unknown>): Record<string, unknown> {
  const out = pick(doc, ['format', 'version', 'nodes', 'edges', 'run']);
  out.nodes = (doc.nodes as unknown[]).map((n) => pick(n, ['id', 'op', 'params', 'retain_grad']));
  if (Array.isArray(doc.edges))
    out.edges = doc.edges.map((e) => pick(e, ['source', 'sourceHandle', 'target', 'targetHandle']));
  return out;
}

/** One line saying why the Python process stopped early, or null if it exited by itself. */
function stoppedEarly(r: SpawnSyncReturns<string>, opts: TorchRunOptions, python: string): string | null {
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ETIMEDOUT') {
    return `the PyTorch run took longer than ${opts.timeoutSeconds} s and was stopped (--timeout SECONDS; 0: no limit)`;
  }
  if (code === 'ENOBUFS') return 'the result is larger than 512 MB; write it to a file with --out-dir DIR';
  if (r.error) return `cannot run ${python}: ${r.error.message}`;
  if (r.signal) {
    const oom = r.signal === 'SIGKILL' ? ' (the system may have run out of memory)' : '';
    return `the Python process was killed by ${r.signal}${oom}`;
  }
  return null;
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
  // Validated first: an invalid or oversized document never reaches Python.
  const accepted = acceptedDocuments(opts.files, opts.iterations);
  if (accepted.length === 0) return 2;
  const py = findPython(opts.python);
  if (!py.ok) {
    process.stderr.write(`torch backend: ${py.message}\n`);
    return 2;
  }
  const timeoutSeconds = opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const memoryLimitMb = opts.memoryLimitMb ?? defaultMemoryLimitMb();
  // The runner reads copies of what the engine accepted (same base names, for --out-dir).
  const dir = mkdtempSync(join(tmpdir(), 'autograd-torch-'));
  let r: SpawnSyncReturns<string>;
  const copies = accepted.map(({ file, doc }, k) => {
    const copy = join(dir, String(k), basename(file));
    mkdirSync(dirname(copy));
    toFile(copy, (write) => writeJson(runnerDocument(doc), write));
    return copy;
  });
  try {
    const args = [runner, ...copies, '--device', opts.device];
    if (opts.outDir !== null) args.push('--out-dir', opts.outDir);
    if (memoryLimitMb > 0) args.push('--memory-limit', String(memoryLimitMb));
    r = spawnSync(py.python, args, {
      encoding: 'utf8',
      maxBuffer: MAX_STDOUT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: timeoutSeconds > 0 ? timeoutSeconds * 1000 : undefined,
      killSignal: 'SIGKILL',
      // glibc gives each thread a malloc arena that reserves 64 MB of address space: a few
      // keep the address-space limit about memory actually used, however many cores there are.
      env: { MALLOC_ARENA_MAX: '4', ...process.env },
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  let stderr = r.stderr ?? '';
  accepted.forEach(({ file }, k) => (stderr = stderr.split(copies[k]!).join(file)));
  process.stderr.write(stderr);
  const stopped = stoppedEarly(r, { ...opts, timeoutSeconds }, py.python);
  if (stopped !== null) {
    process.stderr.write(`torch backend: ${stopped}\n`);
    return STOPPED;
  }
  const status = r.status ?? STOPPED;
  if (opts.outDir === null && (status === 0 || status === 1) && r.stdout.trim() !== '') {
    // Re-serialised, so both backends print the same compact JSON.
    let result: unknown;
    try {
      result = parseJsonWithNaN(r.stdout);
    } catch (e) {
      process.stderr.write(`torch backend: cannot read the result: ${(e as Error).message}\n`);
      return STOPPED;
    }
    toStdout((write) => {
      writeJson(result, write);
      write('\n');
    });
  }
  return Math.max(status, accepted.length < opts.files.length ? 2 : 0);
}

/** Options only the torch backend takes (each with a value). */
const TORCH_OPTIONS = ['--python', '--device', '--timeout', '--memory-limit'];

/** True if the `run` arguments choose a backend or give its options. */
export function backendRequested(args: readonly string[]): boolean {
  return args.some((a) => a === '--backend' || TORCH_OPTIONS.includes(a));
}

/** Why two inputs would write the same DIR/<name>.result.json (as the engine's run refuses), or null. */
function sharedOutput(files: readonly string[], outDir: string): string | null {
  const byOutput = new Map<string, string>();
  for (const f of files) {
    const out = join(outDir, `${basename(f).replace(/\.json$/, '')}.result.json`);
    const other = byOutput.get(out);
    if (other !== undefined) return `${other} and ${f} would both write ${out}: give inputs with different file names`;
    byOutput.set(out, f);
  }
  return null;
}

/** A non-negative integer option value, or null. */
function count(v: string | null): number | null {
  if (v === null) return null;
  const n = Number(v);
  return v.trim() !== '' && Number.isInteger(n) && n >= 0 ? n : null;
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
  let timeout: string | null = null;
  let memory: string | null = null;
  const rest: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const value = () => args[++i] ?? '';
    if (a === '--backend') backend = value();
    else if (a === '--python') python = value();
    else if (a === '--device') device = value();
    else if (a === '--timeout') timeout = value();
    else if (a === '--memory-limit') memory = value();
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
    if (python !== null || device !== 'cpu' || timeout !== null || memory !== null)
      return usage('--python, --device, --timeout and --memory-limit apply to --backend torch');
    return engineRun(rest);
  }
  if (rest.some((a) => a.startsWith('--') && a !== '--out-dir' && a !== '--iterations')) {
    return usage(`unknown option ${rest.find((a) => a.startsWith('--') && a !== '--out-dir' && a !== '--iterations')}`);
  }
  if (files.length === 0) return usage('no graph file given');
  if (files.length > 1 && outDir === null) return usage('several files need --out-dir DIR');
  if (outDir === '') return usage('--out-dir needs a directory');
  const collision = outDir === null ? null : sharedOutput(files, outDir);
  if (collision !== null) return usage(collision);
  if (iterations !== null && !(Number.isInteger(iterations) && iterations > 0))
    return usage('--iterations takes a positive integer');
  const timeoutSeconds = count(timeout) ?? DEFAULT_TIMEOUT_SECONDS;
  if (timeout !== null && count(timeout) === null) return usage('--timeout takes a number of seconds (0: no limit)');
  const memoryLimitMb = memory === null ? defaultMemoryLimitMb() : count(memory);
  if (memoryLimitMb === null) return usage('--memory-limit takes a number of megabytes (0: no limit)');
  return runTorch({ files, outDir, iterations, python, device, timeoutSeconds, memoryLimitMb });
}
