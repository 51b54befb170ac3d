/**
 * Errors the engine raises, typed like the Python exceptions PyTorch raises, so the
 * canvas and the CLI can show PyTorch's own text (`RuntimeError: ...`).
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
