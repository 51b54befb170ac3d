/**
 * Web Worker host side of the fast kernels: fetches the WebAssembly module the
 * web build ships (kernels-fma.wasm where the browser has relaxed SIMD, else
 * kernels.wasm), installs it and starts helper threads as nested workers, one
 * per further core `navigator.hardwareConcurrency` reports (at most 8 threads).
 * Shared WebAssembly memory needs a cross-origin isolated page (the servers
 * send COOP/COEP headers); without it, or without the files, the engine keeps
 * its TypeScript kernels.
 */
import { defaultKernelThreads, installWasmKernels, kernelBackend, type WorkerSpawner } from '../../kernels/fast/index';
import { wasmApi } from '../../kernels/wasm/api';

/**
 * Starts a helper thread in a nested worker from a blob URL; the helper's
 * loop runs inside its first message handler and never returns.
 */
export const webSpawner: WorkerSpawner = (source, init) => {
  const code = `onmessage = function (e) { onmessage = null; (${source})(e.data); };`;
  const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const w = new Worker(url);
  // A helper that fails never takes work (the caller withdraws its offers).
  w.onerror = (e) => e.preventDefault();
  w.postMessage(init);
  URL.revokeObjectURL(url);
};

/** The modules, best first, as Vite emits them from build/wasm/out (absent files stay unresolved: 404). */
const MODULES = [
  { url: new URL('../../../build/wasm/out/kernels-fma.wasm', import.meta.url), fma: true },
  { url: new URL('../../../build/wasm/out/kernels.wasm', import.meta.url), fma: false },
];

/** Installs the first module that loads and compiles here; returns the backend name (`ts` if none). */
export async function installWebFastKernels(): Promise<string> {
  const api = wasmApi();
  if (!api || !(self as unknown as { crossOriginIsolated?: boolean }).crossOriginIsolated) return kernelBackend();
  const threads = defaultKernelThreads(navigator.hardwareConcurrency);
  for (const m of MODULES) {
    try {
      const res = await fetch(m.url);
      if (!res.ok) continue;
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (api.validate(bytes) && installWasmKernels(bytes, { spawn: webSpawner, threads, fma: m.fma })) break;
    } catch {
      // not built or not reachable: try the next one, else stay on TypeScript
    }
  }
  return kernelBackend();
}
