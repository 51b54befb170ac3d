/**
 * How a thrown value is reported: PyTorch's errors keep their type and exact
 * message, a real allocation failure is PyTorch's out-of-memory RuntimeError,
 * and everything else is a bug of the engine (InternalError). The errors here
 * are real ones, thrown by the JavaScript runtime, not built by hand.
 */
import { describe, expect, it } from 'vitest';
import {
  classifyError,
  internalError,
  isAllocationFailure,
  runtimeError,
  TorchError,
} from '../../../engine/core/errors';
import { toErrorJson } from '../../../engine/host/session-host';

/** Calls `fn` and returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

const recurse = (n: number): number => recurse(n + 1) + 1;
const typeError = () => thrown(() => (undefined as unknown as { shape: number[] }).shape.length);
const stackOverflow = () => thrown(() => recurse(0));
// 2^52 bytes is below V8's largest ArrayBuffer, so the allocation itself fails.
const arrayBufferFailure = () => thrown(() => new ArrayBuffer(2 ** 52));
const wasmGrowFailure = () => thrown(() => new WebAssembly.Memory({ initial: 1, maximum: 2 }).grow(4));

describe('classifyError', () => {
  it('keeps the type and exact message of a PyTorch error', () => {
    const msg = "shape '[7]' is invalid for input of size 6";
    expect(classifyError(runtimeError(msg))).toEqual({ type: 'RuntimeError', message: msg });
    expect(classifyError(new TorchError('IndexError', 'Target 5 is out of bounds.'))).toEqual({
      type: 'IndexError',
      message: 'Target 5 is out of bounds.',
    });
  });

  it('reports a TypeError as an InternalError naming it', () => {
    const c = classifyError(typeError());
    expect(c.type).toBe('InternalError');
    expect(c.message).toMatch(/^TypeError: Cannot read properties of undefined/);
  });

  it('reports a stack overflow as an InternalError, not as out of memory', () => {
    const e = stackOverflow();
    expect(e).toBeInstanceOf(RangeError);
    expect(isAllocationFailure(e)).toBe(false);
    expect(classifyError(e)).toEqual({
      type: 'InternalError',
      message: 'RangeError: Maximum call stack size exceeded',
    });
  });

  it('reports a failed invariant and a bad typed-array length as InternalErrors', () => {
    expect(classifyError(internalError('grad accumulator of a non-leaf'))).toEqual({
      type: 'InternalError',
      message: 'grad accumulator of a non-leaf',
    });
    const c = classifyError(thrown(() => new Float32Array(-1)));
    expect(c.type).toBe('InternalError');
    expect(c.message).toMatch(/^RangeError: Invalid typed array length/);
  });

  it('reports a failed allocation as an out-of-memory RuntimeError', () => {
    expect(classifyError(arrayBufferFailure())).toEqual({
      type: 'RuntimeError',
      message: 'out of memory: Array buffer allocation failed',
    });
    const grow = classifyError(wasmGrowFailure());
    expect(grow.type).toBe('RuntimeError');
    expect(grow.message).toMatch(/^out of memory: WebAssembly\.Memory\.grow\(\)/);
    expect(classifyError('out of memory')).toEqual({ type: 'RuntimeError', message: 'out of memory: out of memory' });
  });

  it('does not take a TypeError that mentions memory for an allocation failure', () => {
    expect(classifyError(new TypeError('Array buffer allocation failed')).type).toBe('InternalError');
  });
});

describe('toErrorJson (the engine host)', () => {
  it('puts the same classification on the wire', () => {
    expect(toErrorJson(typeError())).toMatchObject({ type: 'InternalError', node: null, phase: null });
    expect(toErrorJson(stackOverflow()).type).toBe('InternalError');
    expect(toErrorJson(arrayBufferFailure())).toMatchObject({
      type: 'RuntimeError',
      message: 'out of memory: Array buffer allocation failed',
    });
    expect(toErrorJson(runtimeError('boom'))).toMatchObject({ type: 'RuntimeError', message: 'boom' });
  });
});
