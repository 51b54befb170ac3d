/**
 * The supervisor over real worker threads: a killed engine is restarted (the
 * pending request rejects clearly, the document is loaded again), and cancel
 * stops a run either cooperatively or, when the engine is inside one long
 * computation and reads no messages, by restarting the engine.
 *
 * Nothing here depends on the machine's speed. Runs are long by construction
 * (`longRunDoc`: terabytes of memory traffic) and are interrupted after their
 * first `progress` event, not after a sleep. An engine "inside one long
 * kernel" is made so by construction too: `stallable` holds every message to
 * the engine from `stall()` on, which is exactly what a thread busy in one
 * kernel looks like from outside (it reads nothing), whatever the kernel's
 * length on this CPU. The cooperative test gives the engine a grace far above
 * any scheduling delay, so a loaded machine cannot turn it into a restart.
 * Latencies are printed, not asserted: speed is `npm run bench`'s business.
 */
import { describe, expect, it } from 'vitest';
import { createSupervisedClient, type SupervisedClient, type SupervisorOptions } from '../../engine/host/supervisor';
import { spawnNodeEngine, type NodeEngine } from '../../engine/host/node/spawn';
import type { SpawnedEngine } from '../../engine/host/port';
import type { EngineEvent } from '../../engine/protocol/messages';
import { MAX_ITERATIONS } from '../../engine/graph/document';
import { bigConvDoc, longRunDoc } from './helpers';

/** An engine whose inbox can be frozen, as if its thread were inside one kernel that never returns. */
interface Stallable {
  readonly engine: NodeEngine;
  stall(): void;
}

function stallable(engine: NodeEngine): SpawnedEngine & Stallable {
  let stalled = false;
  return {
    engine,
    stall: () => (stalled = true),
    postMessage: (message, transfer) => {
      if (!stalled) engine.postMessage(message, transfer);
    },
    onMessage: (handler) => engine.onMessage(handler),
    terminate: () => engine.terminate(),
    onExit: (handler) => engine.onExit(handler),
  };
}

interface Supervised {
  readonly sup: SupervisedClient;
  readonly events: EngineEvent[];
  /** The engine the supervisor started last. */
  current(): SpawnedEngine & Stallable;
}

function supervised(options?: SupervisorOptions): Supervised {
  let last!: SpawnedEngine & Stallable;
  const sup = createSupervisedClient(() => (last = stallable(spawnNodeEngine())), options);
  const events: EngineEvent[] = [];
  sup.on((e) => events.push(e));
  return { sup, events, current: () => last };
}

/** Resolves at the next `progress` event: the run is under way and past its first iteration. */
function nextProgress(sup: SupervisedClient): Promise<void> {
  return new Promise((resolve) => {
    const off = sup.on((e) => {
      if (e.event === 'progress') {
        off();
        resolve();
      }
    });
  });
}

/** Starts a run, cancels it once it reports progress (after `beforeCancel`); returns what cancel said and how the run ended. */
async function cancelMidRun(
  sup: SupervisedClient,
  beforeCancel: () => void = () => undefined,
): Promise<{ ms: number; restarted: boolean; error: unknown }> {
  const started = nextProgress(sup);
  const settled = sup.run().then(
    () => null,
    (e: unknown) => e,
  );
  await started;
  beforeCancel();
  const t0 = performance.now();
  const ack = await sup.cancel();
  const error = await settled;
  return { ms: performance.now() - t0, restarted: ack.restarted, error };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('supervised engine', () => {
  it('restarts a killed engine, rejects the pending request clearly, and works again', async () => {
    const { sup, events, current } = supervised();
    try {
      expect((await sup.load(longRunDoc())).ok).toBe(true);
      const started = nextProgress(sup);
      const run = sup.run();
      await started;
      current().engine.worker.terminate(); // from outside, as a crash
      await expect(run).rejects.toMatchObject({
        error: { type: 'EngineRestarted', message: expect.stringContaining('the engine stopped') },
      });
      expect(events.filter((e) => e.event === 'restarted')).toHaveLength(1);
      // The document was loaded again: stepping works without a new load.
      expect(await sup.stepForward()).toMatchObject({ node: 'm', error: null });
      expect(events.filter((e) => e.event === 'ready')).toHaveLength(2);
    } finally {
      sup.dispose();
    }
  });

  it('cancels a run of many iterations between two units, without a restart', async () => {
    const { sup } = supervised({ cancelGraceMs: 60_000 });
    try {
      expect((await sup.load(longRunDoc())).ok).toBe(true);
      const ms: number[] = [];
      for (let i = 0; i < 3; i++) {
        await sup.reset();
        const r = await cancelMidRun(sup);
        expect(r.restarted).toBe(false);
        expect(r.error).toMatchObject({
          error: { type: 'Cancelled', message: expect.stringContaining('run cancelled') },
        });
        ms.push(r.ms);
      }
      console.log(
        `cancel latency, cooperative (ms): ${ms.map((x) => x.toFixed(1)).join(' ')}; median ${median(ms).toFixed(1)}`,
      );
      // The session stands where it stopped and can continue.
      expect((await sup.stepBackward()).error).toBeNull();
    } finally {
      sup.dispose();
    }
  });

  it('restarts an engine that does not answer cancel within the grace (inside one long conv)', async () => {
    const grace = 50;
    const { sup, events, current } = supervised({ cancelGraceMs: grace });
    try {
      expect((await sup.load(bigConvDoc(MAX_ITERATIONS))).ok).toBe(true);
      const ms: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await cancelMidRun(sup, () => current().stall());
        expect(r.restarted).toBe(true);
        expect(r.error).toMatchObject({ error: { type: 'Cancelled', message: expect.stringContaining('restarted') } });
        // The supervisor waited out the whole grace before giving up on the engine.
        expect(r.ms).toBeGreaterThanOrEqual(grace - 1);
        ms.push(r.ms);
        await sup.whenReady();
      }
      console.log(
        `cancel latency, engine restarted (ms): ${ms.map((x) => x.toFixed(1)).join(' ')}; median ${median(ms).toFixed(1)}`,
      );
      expect(events.filter((e) => e.event === 'restarted')).toHaveLength(3);
      // Each restart loaded the document again into a fresh engine.
      expect(events.filter((e) => e.event === 'ready')).toHaveLength(4);
      expect(await sup.stepForward()).toMatchObject({ node: 'conv', error: null });
    } finally {
      sup.dispose();
    }
  });
});
