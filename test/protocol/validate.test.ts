import { describe, expect, it } from 'vitest';
import { checkEngineMessage, checkRequest } from '../../engine/protocol/validate';
import { resultFromWire, transferablesOf } from '../../engine/protocol/codec';
import type { EngineMessage } from '../../engine/protocol/messages';

describe('checkRequest', () => {
  it('accepts every well-formed request', () => {
    const good = [
      { type: 'load', id: 0, document: { format: 'x' } },
      { type: 'run', id: 1 },
      { type: 'run', id: 2, iterations: 3 },
      { type: 'stepForward', id: 3 },
      { type: 'stepBackward', id: 4 },
      { type: 'reset', id: 5 },
      { type: 'cancel', id: 6 },
      { type: 'getTensor', id: 7, name: 'conv1.weight', which: 'grad' },
      { type: 'result', id: 8 },
    ];
    for (const g of good) expect(checkRequest(g), JSON.stringify(g)).toEqual({ ok: true, value: g });
  });

  it.each([
    [null, null, 'a request must be an object'],
    [[1, 2], null, 'a request must be an object'],
    ['load', null, 'a request must be an object'],
    [{ id: 1 }, 1, 'request.type: expected a string'],
    [{ type: 'explode', id: 1 }, 1, 'request.type: unknown request "explode"'],
    [{ type: 'run' }, null, 'request.id: expected a non-negative integer, got nothing'],
    [{ type: 'run', id: -1 }, null, 'request.id: expected a non-negative integer'],
    [{ type: 'run', id: 1.5 }, null, 'request.id'],
    [{ type: 'run', id: '7' }, null, 'request.id'],
    [{ type: 'load', id: 2 }, 2, 'request.document: required field of load is missing'],
    [
      { type: 'load', id: 2, document: [] },
      2,
      'request.document: expected a graph document (a JSON object), got an array',
    ],
    [{ type: 'run', id: 3, iterations: 0 }, 3, 'request.iterations: expected a positive integer'],
    [{ type: 'run', id: 3, iterations: '5' }, 3, 'request.iterations: expected a positive integer, got "5"'],
    [{ type: 'getTensor', id: 4, name: 'x', which: 'both' }, 4, 'request.which: expected "value" or "grad"'],
    [{ type: 'getTensor', id: 4, which: 'grad' }, 4, 'request.name: required field'],
    [{ type: 'stepForward', id: 5, steps: 2 }, 5, 'request.steps: unknown field of stepForward'],
  ])('rejects %j', (raw, id, message) => {
    const c = checkRequest(raw);
    expect(c.ok).toBe(false);
    if (c.ok) return;
    expect(c.id).toBe(id);
    expect(c.message).toContain(message);
  });
});

describe('checkEngineMessage', () => {
  it('accepts events and responses', () => {
    const msgs = [
      { type: 'event', event: 'ready', protocol: 1 },
      { type: 'event', event: 'ready', protocol: 1, kernels: 'wasm-simd x2' },
      { type: 'event', event: 'restarted', reason: 'crash' },
      { type: 'event', event: 'progress', iteration: 1, of: 3, loss: null, elapsed_ms: 5 },
      { type: 'event', event: 'warning', message: 'w', node: 'x' },
      { type: 'response', id: 1, request: 'reset', ok: true, result: { phase: 'forward' } },
      {
        type: 'response',
        id: null,
        request: null,
        ok: false,
        error: { type: 'ProtocolError', message: 'm', node: null, phase: null, iteration: null },
      },
      {
        type: 'response',
        id: 2,
        request: 'getTensor',
        ok: true,
        result: { name: 'x', which: 'value', shape: [2], dtype: 'float32', data: new Float32Array(2) },
      },
    ];
    for (const m of msgs) expect(checkEngineMessage(m).ok, JSON.stringify(m)).toBe(true);
  });

  it.each([
    [42, 'an engine message must be an object'],
    [{ type: 'event', event: 'boom' }, 'unknown event "boom"'],
    [{ type: 'event', event: 'ready', protocol: 1, kernels: 2 }, 'event.kernels: expected a string'],
    [{ type: 'event', event: 'progress', iteration: 1, of: 2, loss: 'x', elapsed_ms: 1 }, 'event.loss'],
    [{ type: 'response', id: 1, request: 'reset', ok: true }, 'response.result: expected an object'],
    [{ type: 'response', id: 1, request: 'reset', ok: 'yes', result: {} }, 'response.ok'],
    [{ type: 'response', id: 1, request: 'reset', ok: false, error: { message: 'm' } }, 'response.error'],
    [
      {
        type: 'response',
        id: 1,
        request: 'getTensor',
        ok: true,
        result: { name: 'x', which: 'value', shape: [2], dtype: 'float32', data: [1, 2] },
      },
      'data: expected a Float32Array',
    ],
    [{ type: 'response', id: 1, request: 'load', ok: true, result: { ok: true } }, 'response.result.issues'],
  ])('rejects %j', (raw, message) => {
    const c = checkEngineMessage(raw);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.message).toContain(message);
  });
});

describe('codec', () => {
  it('lists each whole buffer once and rebuilds the result JSON', () => {
    const data = new Float32Array([1, NaN]);
    const grad = new Float32Array([0.5, 2]);
    const result = {
      tensors: {
        x: {
          shape: [2],
          dtype: 'float32' as const,
          data,
          requires_grad: true,
          is_leaf: true,
          grad_fn: null,
          grad: { shape: [2], data: grad },
        },
        y: {
          shape: [1],
          dtype: 'int64' as const,
          data: new Float64Array([3]),
          requires_grad: false,
          is_leaf: true,
          grad_fn: null,
          grad: null,
        },
        view: {
          shape: [1],
          dtype: 'float32' as const,
          data: data.subarray(1),
          requires_grad: false,
          is_leaf: true,
          grad_fn: null,
          grad: null,
        },
      },
      backward_steps: [{ grad_fn: 'AccumulateGrad', node: 'x' }],
      iterations_run: 1,
      error: null,
    };
    const msg: EngineMessage = { type: 'response', id: 1, request: 'result', ok: true, result };
    expect(transferablesOf(msg)).toEqual([data.buffer, grad.buffer, result.tensors.y.data.buffer]);
    const json = resultFromWire(result);
    expect(json.tensors.x!.data).toEqual([1, NaN]);
    expect(json.tensors.x!.grad).toEqual({ shape: [2], data: [0.5, 2] });
    expect(json.tensors.y!.data).toEqual([3]);
    expect(Array.isArray(json.tensors.x!.data)).toBe(true);
  });
});
