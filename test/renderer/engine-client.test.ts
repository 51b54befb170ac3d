import { describe, expect, it } from 'vitest';
import { EngineClient, EngineRequestError } from '../../renderer/engine-client/client';
import { FakeEnginePort, tick } from './fake-engine';

const load = { ok: true, issues: [], ports: {}, order: [], update: [], problems: [], elements: 0, budget: 1 };

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

  it('rejects a request whose answer is malformed, and reports it', async () => {
    const port = new FakeEnginePort();
    port.auto = false;
    const c = new EngineClient(port);
    const seen: string[] = [];
    c.onProtocolError = (m) => seen.push(m);
    const p = c.request({ type: 'reset' });
    port.emit({ type: 'response', id: 1, request: 'reset', ok: 'yes' });
    await expect(p).rejects.toMatchObject({ error: { type: 'ProtocolError' } });
    expect(seen.length).toBe(1);
  });

  it('delivers events to subscribers until they unsubscribe', async () => {
    const port = new FakeEnginePort();
    const c = new EngineClient(port);
    const got: number[] = [];
    const off = c.on('progress', (e) => got.push(e.iteration));
    port.emit({ type: 'event', event: 'progress', iteration: 1, of: 3, loss: 0.5, elapsed_ms: 1 });
    port.emit({ type: 'event', event: 'progress', iteration: 2, of: 3, loss: null, elapsed_ms: 2 });
    off();
    port.emit({ type: 'event', event: 'progress', iteration: 3, of: 3, loss: 0.1, elapsed_ms: 3 });
    expect(got).toEqual([1, 2]);
  });

  it('fails pending requests when the engine restarts or the client is disposed', async () => {
    const port = new FakeEnginePort();
    port.auto = false;
    const c = new EngineClient(port);
    const a = c.request({ type: 'run' });
    port.emit({ type: 'event', event: 'restarted', reason: 'out of memory' });
    await expect(a).rejects.toMatchObject({ error: { type: 'EngineRestarted' } });
    const b = c.request({ type: 'run' });
    c.dispose();
    await expect(b).rejects.toMatchObject({ error: { type: 'EngineClosed' } });
    await expect(c.request({ type: 'reset' })).rejects.toBeInstanceOf(EngineRequestError);
    await tick();
  });

  it('ignores responses to unknown ids', async () => {
    const port = new FakeEnginePort({ reset: () => ({ phase: 'forward' }) });
    const c = new EngineClient(port);
    port.emit({ type: 'response', id: 99, request: 'reset', ok: true, result: { phase: 'forward' } });
    await expect(c.request({ type: 'reset' })).resolves.toEqual({ phase: 'forward' });
  });
});
