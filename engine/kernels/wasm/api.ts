/**
 * The few WebAssembly and worker types the fast kernels use. The engine is
 * compiled without DOM or Node typings, so they are declared here and the
 * runtime objects are reached through `globalThis`.
 */

/** A compiled module (opaque). */
export type WasmModule = object;

/** `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

/** `WebAssembly.Instance`. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** The part of the global `WebAssembly` object the engine uses. */
export interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => WasmInstance;
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

/** The global `WebAssembly` object, or null where there is none. */
export function wasmApi(): WasmApi | null {
  const w = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return w ?? null;
}

/** True when shared memory and `Atomics.wait` exist (cross-origin isolated pages, Node). */
export function sharedMemoryAvailable(): boolean {
  return typeof SharedArrayBuffer === 'function' && typeof Atomics === 'object';
}

/** Bytes of one WebAssembly page. */
export const PAGE = 65536;
