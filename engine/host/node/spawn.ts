/**
 * Starts an engine host in a worker thread and adapts it to a
 * {@link SpawnedEngine}. From built JavaScript it loads `worker.js` next to this
 * module. Otherwise (tsx, vitest, or the CLI's bundle, build/scripts/cli.mjs, with no
 * worker.js beside it) it runs `engine/host/node/worker.ts` through a small
 * bootstrap that registers tsx's loader first, since a worker does not inherit
 * the parent's loader hooks on Node 20.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { kernelBackend } from '../../kernels/fast/index';
import type { SpawnedEngine } from '../port';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

/** Options of a worker-thread engine. */
export interface SpawnOptions {
  /** V8 heap limits of the engine thread (typed-array data lives outside the heap). */
  readonly resourceLimits?: ResourceLimits;
  /**
   * Install the WebAssembly kernels in the engine thread. Default: when this
   * thread has them (the CLI's bundle), so `step` computes exactly as `run` does.
   */
  readonly fastKernels?: boolean;
  /** The worker script, when it is not worker.js / worker.ts beside this module (the desktop's engine-thread.cjs). */
  readonly entry?: string;
  /** The kernel module, when the worker cannot find it itself (a bundle ships it beside itself). */
  readonly kernelsFile?: string;
}

/** A worker-thread engine; `worker` is the thread itself (tests kill it to simulate a crash). */
export type NodeEngine = SpawnedEngine & { readonly worker: Worker };

/** The worker entry: built `worker.js` beside this module, else the TypeScript source (searched upward). */
function workerEntry(): { url: URL; typescript: boolean } {
  if (import.meta.url.endsWith('.ts')) return { url: new URL('./worker.ts', import.meta.url), typescript: true };
  const built = new URL('./worker.js', import.meta.url);
  if (existsSync(built)) return { url: built, typescript: false };
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const p = join(dir, 'engine', 'host', 'node', 'worker.ts');
    if (existsSync(p)) return { url: pathToFileURL(p), typescript: true };
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new Error(`no engine worker: neither ${fileURLToPath(built)} nor engine/host/node/worker.ts above it`);
}

/** Starts a worker-thread engine. */
export function spawnNodeEngine(options: SpawnOptions = {}): NodeEngine {
  const entry = options.entry
    ? { url: pathToFileURL(options.entry), typescript: options.entry.endsWith('.ts') }
    : workerEntry();
  const fastKernels = options.fastKernels ?? kernelBackend() !== 'ts';
  const kernelsFile = options.kernelsFile;
  const worker = entry.typescript
    ? new Worker(BOOTSTRAP, {
        eval: true,
        workerData: {
          entry: entry.url.href,
          fastKernels,
          kernelsFile,
          tsxApi: pathToFileURL(createRequire(entry.url).resolve('tsx/esm/api')).href,
        },
        resourceLimits: options.resourceLimits,
      })
    : new Worker(entry.url, { workerData: { fastKernels, kernelsFile }, resourceLimits: options.resourceLimits });
  let lastError: string | null = null;
  let terminated = false;
  worker.on('error', (e: Error) => (lastError = e.message));
  return {
    worker,
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    onMessage(handler) {
      worker.on('message', handler);
      return () => worker.off('message', handler);
    },
    terminate() {
      terminated = true;
      void worker.terminate();
    },
    onExit(handler) {
      worker.once('exit', (code: number) => {
        if (!terminated) handler(lastError ?? `worker exited with code ${code}`);
      });
    },
  };
}

/**
 * Options for an engine started from a bundle (the desktop's engine.cjs, whose
 * folder is `dir`): the worker bundle and kernel module shipped beside it, each
 * when present (run from source, the defaults find them).
 */
export function besideBundle(dir: string): SpawnOptions {
  const thread = join(dir, 'engine-thread.cjs');
  const kernels = join(dir, 'kernels.wasm');
  return {
    fastKernels: true,
    entry: existsSync(thread) ? thread : undefined,
    kernelsFile: existsSync(kernels) ? kernels : undefined,
  };
}
