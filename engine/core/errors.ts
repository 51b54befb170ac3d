/**
 * Errors the engine raises, typed like the Python exceptions PyTorch raises, so the
 * canvas and the CLI can show PyTorch's own text (`RuntimeError: ...`), and the
 * engine's own bugs (`InternalError`), which are never reported as PyTorch's.
 */
export type TorchErrorType = 'RuntimeError' | 'ValueError' | 'TypeError' | 'IndexError' | 'NotImplementedError';

/** An error with PyTorch's exception type and message. */
export class TorchError extends Error {
  /** The Python exception class PyTorch would raise. */
  readonly type: TorchErrorType;

  constructor(type: TorchErrorType, message: string) {
    super(message);
    this.type = type;
    this.name = type;
  }
}

/** Shorthand for `new TorchError('RuntimeError', message)`. */
export function runtimeError(message: string): TorchError {
  return new TorchError('RuntimeError', message);
}

/** Throws a RuntimeError with `message` unless `cond` holds (PyTorch's TORCH_CHECK). */
export function check(cond: boolean, message: string | (() => string)): asserts cond {
  if (!cond) throw runtimeError(typeof message === 'string' ? message : message());
}

/**
 * A bug in the engine, never something PyTorch would raise: a failed internal
 * invariant. On the wire its type is `InternalError`, whatever the graph.
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}

/** Shorthand for `new InternalError(message)`. */
export function internalError(message: string): InternalError {
  return new InternalError(message);
}

/** What a thrown value is reported as: its exception type and message. */
export interface ClassifiedError {
  readonly type: string;
  readonly message: string;
}

/**
 * The messages of a failed allocation: V8's and JavaScriptCore's array buffers,
 * SpiderMonkey's thrown string, and WebAssembly memory that cannot grow.
 */
const ALLOCATION_FAILED =
  /Array buffer allocation failed|^out of memory$|Out of memory|could not allocate memory|Maximum memory size exceeded|Unable to grow instance memory/;

/**
 * True for a real allocation failure (the only thing reported as out of memory).
 * A stack overflow is a RangeError too, and an engine bug.
 */
export function isAllocationFailure(e: unknown): boolean {
  if (e instanceof Error) return e instanceof RangeError && ALLOCATION_FAILED.test(e.message);
  return typeof e === 'string' && ALLOCATION_FAILED.test(e);
}

/**
 * The type and message an error is reported with. A {@link TorchError} keeps
 * PyTorch's type and exact message; an allocation failure is a `RuntimeError`
 * starting with `out of memory:` (PyTorch's CPU allocator raises a RuntimeError);
 * everything else (a TypeError, a stack overflow, a failed invariant) is a bug
 * in the engine and an `InternalError` naming the JavaScript error.
 */
export function classifyError(e: unknown): ClassifiedError {
  if (e instanceof TorchError) return { type: e.type, message: e.message };
  const text = e instanceof Error ? e.message : String(e);
  if (isAllocationFailure(e)) return { type: 'RuntimeError', message: `out of memory: ${text}` };
  if (e instanceof InternalError) return { type: 'InternalError', message: text };
  return { type: 'InternalError', message: e instanceof Error ? `${e.name}: ${text}` : `thrown ${typeof e}: ${text}` };
}
