/**
 * The desktop engine's watchdog (engine/host/electron/relay.ts): the window's
 * port is served through a supervised engine in a worker thread, so a cancel
 * the engine does not acknowledge restarts it (issue 16 item 10, desktop half;
 * issue 18 item 9), and a port that closes (a page reload) stops its engine
 * thread instead of leaving a session behind.
 *
 * Nothing depends on the machine's speed: runs are long by construction and
 * an engine "inside one long kernel" is made so by holding its inbox
 * (`stall`), as in test/protocol/supervisor.test.ts.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { spawnNodeEngine, type NodeEngine } from '../../engine/host/node/spawn';
import type { SpawnedEngine } from '../../engine/host/port';
import { createSupervisedClient } from '../../engine/host/supervisor';
import { serveThroughClient, type PortMain } from '../../engine/host/electron/relay';
import type { EngineMessage } from '../../engine/protocol/messages';
import { longRunDoc, squareDoc } from '../protocol/helpers';

/** The window's end of the channel, as the utility process sees it (Electron's MessagePortMain). */
class FakePortMain extends EventEmitter implements PortMain {
  readonly received: EngineMessage[] = [];
  private waiters: { test: (m: EngineMessage) => boolean; resolve: (m: EngineMessage) => void }[] = [];
  started = false;
  postMessage(message: unknown): void {
    const m = structuredClone(message) as EngineMessage;
    this.received.push(m);
    for (const w of [...this.waiters]) {
      if (w.test(m)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  }
  start(): void {
    this.started = true;
  }
  /** The page sends a message. */
  send(data: unknown): void {
    this.emit('message', { data });
  }
  /** Resolves with the first message (already received or still to come) that passes `test`. */
  next(test: (m: EngineMessage) => boolean, from = 0): Promise<EngineMessage> {
    const seen = this.received.slice(from).find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
  reply(id: number): Promise<EngineMessage> {
    return this.next((m) => m.type === 'response' && m.id === id);
  }
  event(name: string, from = 0): Promise<EngineMessage> {
    return this.next((m) => m.type === 'event' && m.event === name, from);
  }
}

interface Stallable extends SpawnedEngine {
  readonly engine: NodeEngine;
  stall(): void;
  exited: Promise<number>;
}

function stallable(engine: NodeEngine): Stallable {
  let stalled = false;
  return {
    engine,
    exited: new Promise((resolve) => engine.worker.once('exit', resolve)),
    stall: () => (stalled = true),
    postMessage: (message, transfer) => {
      if (!stalled) engine.postMessage(message, transfer);
    },
    onMessage: (handler) => engine.onMessage(handler),
    terminate: () => engine.terminate(),
    onExit: (handler) => engine.onExit(handler),
  };
}

function served(cancelGraceMs = 50) {
  const engines: Stallable[] = [];
  const client = createSupervisedClient(
    () => {
      const e = stallable(spawnNodeEngine());
      engines.push(e);
      return e;
    },
    { cancelGraceMs },
  );
  const port = new FakePortMain();
  serveThroughClient(port, client);
  return { port, engines, client };
}

describe('the desktop engine relay', () => {
  it('answers each request under the page id, and passes the engine events on', async () => {
    const { port, client } = served();
    try {
      expect(port.started).toBe(true);
      await port.event('ready');
      port.send({ type: 'load', id: 7, document: squareDoc() });
      expect(await port.reply(7)).toMatchObject({ type: 'response', request: 'load', ok: true, result: { ok: true } });
      port.send({ type: 'run', id: 8 });
      const run = await port.reply(8);
      expect(run).toMatchObject({ ok: true, request: 'run', result: { iterations_run: 1, error: null } });
      port.send({ type: 'getTensor', id: 9, name: 'x', which: 'grad' });
      const grad = (await port.reply(9)) as { result: { data: Float32Array } };
      // x = [1, -2, 3], s = sum(x * x): ds/dx = 2x
      expect(Array.from(grad.result.data)).toEqual([2, -4, 6]);
    } finally {
      client.dispose();
    }
  });

  it('answers a malformed request with a protocol error, under its id', async () => {
    const { port, client } = served();
    try {
      port.send({ type: 'stepForward', id: 3, extra: true });
      expect(await port.reply(3)).toMatchObject({
        ok: false,
        request: 'stepForward',
        error: { type: 'ProtocolError' },
      });
      port.send('not a request');
      expect(await port.reply(null as unknown as number)).toMatchObject({
        ok: false,
        request: null,
        error: { type: 'ProtocolError' },
      });
    } finally {
      client.dispose();
    }
  });

  it('restarts an engine that does not answer cancel within the grace; the document is loaded again', async () => {
    const { port, engines, client } = served(50);
    try {
      port.send({ type: 'load', id: 1, document: longRunDoc() });
      expect(await port.reply(1)).toMatchObject({ ok: true, result: { ok: true } });
      const progressFrom = port.received.length;
      port.send({ type: 'run', id: 2 });
      await port.event('progress', progressFrom);
      engines[0]!.stall(); // inside one long kernel: it reads nothing any more
      const readyFrom = port.received.length;
      port.send({ type: 'cancel', id: 3 });
      expect(await port.event('restarted')).toMatchObject({
        reason: expect.stringContaining('did not answer within 50 ms'),
      });
      expect(await port.reply(2)).toMatchObject({ ok: false, request: 'run', error: { type: 'Cancelled' } });
      expect(await port.reply(3)).toMatchObject({
        ok: true,
        request: 'cancel',
        result: { cancelled: true, restarted: true },
      });
      expect(await engines[0]!.exited).toBeTypeOf('number'); // the hung thread is gone
      await port.event('ready', readyFrom);
      // The new engine has the document: a step works without a new load.
      port.send({ type: 'stepForward', id: 4 });
      expect(await port.reply(4)).toMatchObject({ ok: true, result: { node: 'm', error: null } });
      expect(engines).toHaveLength(2);
    } finally {
      client.dispose();
    }
  });

  it('stops the engine thread when the port closes (a reload leaves nothing behind)', async () => {
    const { port, engines } = served();
    await port.event('ready');
    port.send({ type: 'load', id: 1, document: squareDoc() });
    await port.reply(1);
    const before = port.received.length;
    port.emit('close');
    expect(await engines[0]!.exited).toBeTypeOf('number');
    port.send({ type: 'stepForward', id: 2 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(port.received.length).toBe(before); // nothing is sent on a closed port
    expect(engines).toHaveLength(1); // and nothing was restarted
  });
});
