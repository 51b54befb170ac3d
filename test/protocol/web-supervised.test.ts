/**
 * The web build's supervised engine (engine/host/web/supervised.ts) over the
 * real Web Worker entry, run in a worker thread with `self` simulated. An
 * engine "inside one long kernel" (or one long `load`) is made so by
 * construction, whatever this CPU's speed: `stall()` holds every message to
 * the worker from then on, which is what a worker busy in one computation
 * looks like from the page (it reads nothing). No timing is asserted.
 * A cancel acknowledged between two units is not tested here: the entry yields
 * through a MessageChannel, whose messages Node delivers in long batches ahead
 * of the parent port's (Chromium interleaves them); test/e2e/cancel.e2e.test.ts
 * cancels in Chromium, and test/protocol/supervisor.test.ts on the Node entry.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWebEngine, WEB_CANCEL_GRACE_MS, workerEngine, type WorkerLike } from '../../engine/host/web/supervised';
import type { SupervisedClient } from '../../engine/host/supervisor';
import type { EngineEvent, GraphDocumentJson } from '../../engine/protocol/messages';
import { longRunDoc } from './helpers';
import { simulatedEntryThread } from './simulated-hosts';

/** The web entry in a worker thread, as the page's Worker, with an inbox that can be frozen. */
interface TestWorker extends WorkerLike {
  stall(): void;
  readonly received: string[];
}

function testWorker(): TestWorker {
  const thread = simulatedEntryThread('web');
  let stalled = false;
  const received: string[] = [];
  const worker = {
    received,
    stall: () => void (stalled = true),
    postMessage(message: unknown, transfer: ArrayBuffer[]) {
      received.push((message as { type: string }).type);
      if (!stalled) thread.postMessage(message, transfer);
    },
    addEventListener(type: 'message' | 'error', listener: (event: never) => void) {
      if (type === 'message')
        thread.on('message', (data: unknown) => (listener as (e: { data: unknown }) => void)({ data }));
      else thread.on('error', (e: Error) => (listener as (e: { message: string }) => void)({ message: e.message }));
    },
    terminate: () => void thread.terminate(),
  };
  return worker as TestWorker;
}

interface Web {
  readonly engine: SupervisedClient;
  readonly workers: TestWorker[];
  readonly events: EngineEvent[];
}

let open: SupervisedClient[] = [];
afterEach(() => {
  for (const e of open) e.dispose();
  open = [];
});

function web(options?: Parameters<typeof createWebEngine>[1]): Web {
  const workers: TestWorker[] = [];
  const engine = createWebEngine(() => {
    const w = testWorker();
    workers.push(w);
    return w;
  }, options);
  open.push(engine);
  const events: EngineEvent[] = [];
  engine.on((e) => events.push(e));
  return { engine, workers, events };
}

/** Resolves at the next `progress` event: the run is under way. */
function nextProgress(engine: SupervisedClient): Promise<void> {
  return new Promise((resolve) => {
    const off = engine.on((e) => {
      if (e.event === 'progress') {
        off();
        resolve();
      }
    });
  });
}

describe('the web engine under the supervisor', () => {
  it('waits a grace of a quarter second for a cancel before restarting', () => {
    expect(WEB_CANCEL_GRACE_MS).toBe(250);
  });

  it('restarts a worker that does not acknowledge a cancel, and loads the document again', async () => {
    const { engine, workers, events } = web();
    expect((await engine.load(longRunDoc())).ok).toBe(true);
    const started = nextProgress(engine);
    const run = engine.run().then(
      () => null,
      (e: unknown) => e,
    );
    await started;
    workers[0]!.stall(); // busy inside one kernel: reads nothing, not even cancel
    expect(await engine.cancel()).toEqual({ cancelled: true, restarted: true });
    expect(await run).toMatchObject({ error: { type: 'Cancelled', message: expect.stringContaining('restarted') } });
    expect(events.filter((e) => e.event === 'restarted')).toEqual([
      {
        type: 'event',
        event: 'restarted',
        reason: expect.stringContaining(`did not answer within ${WEB_CANCEL_GRACE_MS} ms`),
      },
    ]);
    expect(workers).toHaveLength(2);
    await engine.whenReady();
    expect(workers[1]!.received).toEqual(['load']); // the document again, before anything else
    expect(await engine.stepForward()).toMatchObject({ node: 'm', error: null });
    expect(workers[1]!.received).toEqual(['load', 'stepForward']);
  });

  it('cancels a load the worker is still busy with, by a restart with the document loaded before', async () => {
    const { engine, workers } = web();
    expect((await engine.load(longRunDoc())).ok).toBe(true);
    workers[0]!.stall(); // the next load takes "forever" (a slow validation)
    const other = JSON.parse(JSON.stringify(longRunDoc()).replaceAll('"m"', '"product"')) as GraphDocumentJson;
    const load = engine.load(other).then(
      () => null,
      (e: unknown) => e,
    );
    expect(await engine.cancel()).toEqual({ cancelled: true, restarted: true });
    expect(await load).toMatchObject({ error: { type: 'Cancelled' } });
    await engine.whenReady();
    // the new worker has the last document that loaded, not the cancelled one
    expect(await engine.stepForward()).toMatchObject({ node: 'm' });
  });
});

describe('workerEngine', () => {
  /** A Worker double: listeners by type, and whether it was terminated. */
  function fakeWorker() {
    const listeners = new Map<string, ((e: unknown) => void)[]>();
    const worker = {
      terminated: false,
      postMessage: vi.fn(),
      addEventListener: (type: string, l: (e: unknown) => void) =>
        void listeners.set(type, [...(listeners.get(type) ?? []), l]),
      terminate() {
        this.terminated = true;
      },
      fire: (type: string, event: unknown) => listeners.get(type)?.forEach((l) => l(event)),
    };
    return worker;
  }

  it('reports a worker that fails before it says anything as stopped', () => {
    const w = fakeWorker();
    const engine = workerEngine(w as unknown as WorkerLike);
    const exit = vi.fn();
    engine.onExit(exit);
    w.fire('error', { message: 'Failed to fetch a worker script' });
    expect(exit).toHaveBeenCalledWith('the engine worker failed to start: Failed to fetch a worker script');
    expect(w.terminated).toBe(true);
  });

  it('does not stop a worker that is running for an error it reported', () => {
    const w = fakeWorker();
    const engine = workerEngine(w as unknown as WorkerLike);
    const exit = vi.fn();
    const messages = vi.fn();
    engine.onExit(exit);
    engine.onMessage(messages);
    w.fire('message', { data: { type: 'event', event: 'ready', protocol: 1 } });
    w.fire('error', { message: 'Uncaught RangeError' });
    expect(exit).not.toHaveBeenCalled();
    expect(w.terminated).toBe(false);
    expect(messages).toHaveBeenCalledWith({ type: 'event', event: 'ready', protocol: 1 });
  });

  it('terminates the worker when the supervisor stops it, and reports nothing', () => {
    const w = fakeWorker();
    const engine = workerEngine(w as unknown as WorkerLike);
    const exit = vi.fn();
    engine.onExit(exit);
    engine.terminate();
    w.fire('error', { message: 'late' });
    expect(w.terminated).toBe(true);
    expect(exit).not.toHaveBeenCalled();
  });
});
