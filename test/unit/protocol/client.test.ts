/**
 * The one client of the engine protocol (engine/protocol/client.ts) over fake
 * ports. The app, the CLI's `step`, the supervisor and test/protocol/ use it;
 * where the two clients it replaces differed, the tests below say which
 * behaviour it keeps.
 */
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { EngineClient } from '../../../engine/protocol/client';
import { EngineRequestError } from '../../../engine/protocol/codec';
import type { EngineEvent } from '../../../engine/protocol/messages';
import type { EnginePort, MessagePortLike } from '../../../engine/protocol/port';
import { FakeEnginePort, tick } from '../../renderer/fake-engine';

const load = { ok: true, issues: [], ports: {}, order: [], update: [], problems: [], elements: 0, budget: 1 };
const progress = (iteration: number) =>
  ({ type: 'event', event: 'progress', iteration, of: 3, loss: null, elapsed_ms: 1 }) as const;

describe('EngineClient', () => {
  it('pairs responses with requests by id, even out of order', async () => {
    const port = new FakeEnginePort({ load: () => load, reset: () => ({ phase: 'forward' }) });
    port.auto = false;
    const c = new EngineClient(port);
    const a = c.request({ type: 'load', document: {} });
    const b = c.request({ type: 'reset' });
    expect(c.inFlight).toBe(2);
    expect(port.received.map((r) => r.id)).toEqual([1, 2]);
    port.flush(true);
    await expect(a).resolves.toEqual(load);
    await expect(b).resolves.toEqual({ phase: 'forward' });
    expect(c.inFlight).toBe(0);
  });

  it('rejects with the engine error (PyTorch type and message)', async () => {
    const error = {
      type: 'RuntimeError',
      message: 'element 0 of tensors does not require grad and does not have a grad_fn',
      node: 's',
      phase: 'backward',
      iteration: 0,
    };
    const port = new FakeEnginePort({
      run: () => {
        throw { error };
      },
    });
    const c = new EngineClient(port);
    const e = await c.request({ type: 'run' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EngineRequestError);
    expect((e as EngineRequestError).error).toEqual(error);
    expect((e as Error).message).toBe(error.message);
  });

  it('rejects a request whose answer is malformed, naming the request; onInvalid hears only what belongs to none', async () => {
    // The renderer's client reported a malformed reply twice (rejection and callback); the
    // engine's reported it once, with the rejection. The rejection carries it, so once wins.
    const port = new FakeEnginePort();
    port.auto = false;
    const seen: string[] = [];
    const c = new EngineClient(port, { onInvalid: (m) => seen.push(m) });
    const p = c.request({ type: 'reset' });
    port.emit({ type: 'response', id: 1, request: 'reset', ok: 'yes' });
    await expect(p).rejects.toMatchObject({
      error: { type: 'ProtocolError', message: 'malformed reply to reset: response.ok: expected true or false' },
    });
    expect(seen).toEqual([]);
    port.emit({ type: 'event', event: 'progress', iteration: 'one' });
    expect(seen).toEqual(['event.iteration: expected a number, got "one"']);
  });

  it('reports a reply for no pending request, and goes on working', async () => {
    // The renderer's client dropped such a reply silently; it is a fault of the engine, so it is reported.
    const port = new FakeEnginePort({ reset: () => ({ phase: 'forward' }) });
    const seen: string[] = [];
    const c = new EngineClient(port, { onInvalid: (m) => seen.push(m) });
    port.emit({ type: 'response', id: 99, request: 'reset', ok: true, result: { phase: 'forward' } });
    expect(seen).toEqual(['a reply for no pending request (id 99)']);
    await expect(c.request({ type: 'reset' })).resolves.toEqual({ phase: 'forward' });
  });

  it('rejects a reply that claims to answer another request (the renderer used to accept it)', async () => {
    const port = new FakeEnginePort();
    port.auto = false;
    const c = new EngineClient(port);
    const p = c.request({ type: 'reset' });
    port.emit({ type: 'response', id: 1, request: 'cancel', ok: true, result: { cancelled: false, restarted: false } });
    await expect(p).rejects.toMatchObject({
      error: { type: 'ProtocolError', message: 'reply to reset claims to answer cancel' },
    });
  });

  it('delivers every event to on(listener), one kind to on(name, cb), until they unsubscribe', () => {
    const port = new FakeEnginePort();
    const c = new EngineClient(port);
    const all: EngineEvent[] = [];
    const got: number[] = [];
    const offAll = c.on((e) => all.push(e));
    const off = c.on('progress', (e) => got.push(e.iteration));
    port.emit(progress(1));
    port.emit({ type: 'event', event: 'warning', message: 'w', node: null });
    port.emit(progress(2));
    off();
    port.emit(progress(3));
    offAll();
    port.emit(progress(4));
    expect(got).toEqual([1, 2]);
    expect(all.map((e) => e.event)).toEqual(['progress', 'warning', 'progress', 'progress']);
  });

  it('fails pending requests when the engine restarts or the client is disposed', async () => {
    // The engine's client left this to the supervisor; on the desktop the relay's supervisor
    // sends `restarted` after it answered the lost requests, so failing what is left is safe.
    const port = new FakeEnginePort();
    port.auto = false;
    const c = new EngineClient(port);
    const a = c.request({ type: 'run' });
    port.emit({ type: 'event', event: 'restarted', reason: 'out of memory' });
    await expect(a).rejects.toMatchObject({
      error: { type: 'EngineRestarted', message: 'the engine restarted: out of memory' },
    });
    const b = c.request({ type: 'run' });
    c.dispose();
    await expect(b).rejects.toMatchObject({ error: { type: 'EngineClosed' } });
    await expect(c.request({ type: 'reset' })).rejects.toBeInstanceOf(EngineRequestError);
    await expect(c.ready).rejects.toMatchObject({ error: { type: 'EngineClosed' } });
    await tick();
  });

  it('rejects a request the port cannot send with a ProtocolError (the renderer said PostMessageError)', async () => {
    const port: EnginePort = {
      postMessage: () => {
        throw new Error('DataCloneError: a function could not be cloned');
      },
      onMessage: () => () => undefined,
    };
    const c = new EngineClient(port);
    await expect(c.request({ type: 'run' })).rejects.toMatchObject({
      error: { type: 'ProtocolError', message: 'could not send run: DataCloneError: a function could not be cloned' },
    });
    expect(c.inFlight).toBe(0);
  });

  it('resolves ready with the protocol version and keeps the kernels; another version closes it', async () => {
    const port = new FakeEnginePort();
    const c = new EngineClient(port);
    port.emit({ type: 'event', event: 'ready', protocol: 1, kernels: 'wasm-simd x2' });
    await expect(c.ready).resolves.toBe(1);
    expect(c.kernels).toBe('wasm-simd x2');
    const other = new FakeEnginePort();
    const d = new EngineClient(other);
    other.emit({ type: 'event', event: 'ready', protocol: 2 });
    await expect(d.ready).rejects.toMatchObject({
      error: { type: 'ProtocolError', message: 'the engine speaks protocol 2, this client 1' },
    });
    await expect(d.request({ type: 'reset' })).rejects.toMatchObject({ error: { type: 'ProtocolError' } });
  });

  it('talks over a real MessagePort (addEventListener, start), typed arrays included', async () => {
    const { port1, port2 } = new MessageChannel();
    port2.on('message', (req: { id: number; name: string }) => {
      const data = new Float32Array([1.5, -2]);
      const result = { name: req.name, which: 'grad', dtype: 'float32', shape: [2], data };
      port2.postMessage({ type: 'response', id: req.id, request: 'getTensor', ok: true, result }, [data.buffer]);
    });
    // Node's MessagePort is an EventTarget like the DOM's; its types say so less precisely.
    const c = new EngineClient(port1 as unknown as MessagePortLike);
    const t = await c.getTensor('x', 'grad');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect([...t.data]).toEqual([1.5, -2]);
    c.dispose();
    port1.close();
  });
});
