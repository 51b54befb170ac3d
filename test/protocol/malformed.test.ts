/** Malformed and out-of-order messages get clear error replies; the engine keeps working. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, longRunDoc, rawExchange, squareDoc, type Connected } from './helpers';

let c: Connected;
beforeAll(async () => {
  c = await connect();
});
afterAll(() => c.close());

const protocolError = (id: number | null, message: string) => ({
  type: 'response',
  id,
  ok: false,
  error: { type: 'ProtocolError', message: expect.stringContaining(message), node: null, phase: null, iteration: null },
});

describe('malformed messages', () => {
  it.each([
    ['not an object', 'hello', null, 'a request must be an object'],
    ['null', null, null, 'a request must be an object'],
    ['an array', [{ type: 'run', id: 1 }], null, 'a request must be an object'],
    ['an unknown type', { type: 'explode', id: 11 }, 11, 'unknown request "explode"'],
    ['no type', { id: 12 }, 12, 'request.type: expected a string'],
    ['no id', { type: 'run' }, null, 'request.id: expected a non-negative integer'],
    ['a string id', { type: 'reset', id: '13' }, null, 'request.id'],
    ['a document that is not an object', { type: 'load', id: 14, document: 'graph.json' }, 14, 'request.document'],
    [
      'iterations of the wrong type',
      { type: 'run', id: 15, iterations: 2.5 },
      15,
      'request.iterations: expected a positive integer',
    ],
    ['an unknown field', { type: 'stepBackward', id: 16, count: 3 }, 16, 'request.count: unknown field'],
    ['a bad which', { type: 'getTensor', id: 17, name: 'x', which: 'data' }, 17, 'request.which'],
  ])('%s', async (_what, raw, id, message) => {
    const reply = await rawExchange(c.engine, raw, id);
    expect(reply).toMatchObject(protocolError(id, message));
  });

  it('still answers well-formed requests afterwards', async () => {
    expect((await c.client.load(squareDoc())).ok).toBe(true);
    expect(await c.client.stepForward()).toMatchObject({ node: 'm' });
  });
});

describe('out-of-order messages', () => {
  it('step, run, result, getTensor and reset before load', async () => {
    const fresh = await connect();
    try {
      for (const send of [
        () => fresh.client.stepForward(),
        () => fresh.client.stepBackward(),
        () => fresh.client.run(),
        () => fresh.client.result(),
        () => fresh.client.reset(),
        () => fresh.client.getTensor('x', 'value'),
      ]) {
        await expect(send()).rejects.toMatchObject({
          error: { type: 'StateError', message: 'no graph is loaded: send load(document) first' },
        });
      }
    } finally {
      fresh.close();
    }
  });

  it('cancel when idle', async () => {
    await expect(c.client.cancel()).rejects.toMatchObject({
      error: { type: 'StateError', message: 'nothing to cancel: no run is in progress' },
    });
  });

  it('steps past the end', async () => {
    expect((await c.client.load(squareDoc())).ok).toBe(true);
    await c.client.run();
    const past = {
      error: { type: 'StateError', message: 'step past the end: the run is finished; reset to step it again' },
    };
    await expect(c.client.stepForward()).rejects.toMatchObject(past);
    await expect(c.client.stepBackward()).rejects.toMatchObject(past);
  });

  it('steps after an error name it', async () => {
    const d = squareDoc();
    (d.nodes as { params?: Record<string, unknown> }[])[0]!.params!.requires_grad = false;
    expect((await c.client.load(d)).ok).toBe(true);
    const b = await c.client.stepBackward();
    expect(b.forwarded).toEqual(['m', 's']);
    expect(b.error).toMatchObject({ type: 'RuntimeError', node: 's', phase: 'backward', iteration: 0 });
    await expect(c.client.stepBackward()).rejects.toMatchObject({
      error: { type: 'StateError', message: expect.stringContaining('it stopped with RuntimeError at s in backward') },
    });
  });

  it('stepForward while a backward pass is in progress', async () => {
    expect((await c.client.load(squareDoc())).ok).toBe(true);
    await c.client.stepBackward();
    await expect(c.client.stepForward()).rejects.toMatchObject({
      error: {
        type: 'StateError',
        message: expect.stringContaining('the backward pass of iteration 0 is in progress'),
      },
    });
  });

  it('requests during a run are refused as busy, cancel is not', async () => {
    // longRunDoc cannot finish before the two requests below, on any machine.
    expect((await c.client.load(longRunDoc())).ok).toBe(true);
    const run = c.client.run();
    await expect(c.client.stepForward()).rejects.toMatchObject({
      error: { type: 'StateError', message: expect.stringContaining('busy') },
    });
    expect(await c.client.cancel()).toEqual({ cancelled: true, restarted: false });
    await expect(run).rejects.toMatchObject({ error: { type: 'Cancelled' } });
    // The session stands where the run stopped: stepping goes on from there.
    const next = await c.client.stepBackward();
    expect(next.error).toBeNull();
  });
});
