/**
 * The supervisor over real worker threads: a killed engine is restarted (the
 * pending request rejects clearly, the document is loaded again), and cancel
 * stops a run either cooperatively or, inside one long conv, by restarting the
 * engine. Cancel latency is measured and printed; the bound asserted is loose
 * (timing on a shared machine), the numbers are the point.
 */
import { describe, expect, it } from 'vitest';
import { createSupervisedClient, type SupervisedClient } from '../../engine/host/supervisor';
import { spawnNodeEngine, type NodeEngine } from '../../engine/host/node/spawn';
import type { EngineEvent } from '../../engine/protocol/messages';
import { bigConvDoc, squareDoc } from './helpers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function supervised(): { sup: SupervisedClient; events: EngineEvent[] } {
  const sup = createSupervisedClient(() => spawnNodeEngine());
  const events: EngineEvent[] = [];
  sup.on((e) => events.push(e));
  return { sup, events };
}

/** Cancels the run `run` after `after` ms; returns the time from cancel() to the run settling. */
async function cancelLatency(sup: SupervisedClient, run: Promise<unknown>, after: number): Promise<{ ms: number; restarted: boolean; error: unknown }> {
  const settled = run.then(() => null, (e: unknown) => e);
  await sleep(after);
  const t0 = performance.now();
  const ack = await sup.cancel();
  const error = await settled;
  return { ms: performance.now() - t0, restarted: ack.restarted, error };
}

describe('supervised engine', () => {
  it('restarts a killed engine, rejects the pending request clearly, and works again', async () => {
    const { sup, events } = supervised();
    try {
      expect((await sup.load(squareDoc(100_000))).ok).toBe(true);
      const run = sup.run();
      await sleep(100);
      (sup.current as NodeEngine).worker.terminate(); // from outside, as a crash
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

  it('cancels a run of many small iterations between two units', async () => {
    const { sup } = supervised();
    try {
      expect((await sup.load(squareDoc(100_000))).ok).toBe(true);
      const ms: number[] = [];
      for (let i = 0; i < 7; i++) {
        await sup.reset();
        const r = await cancelLatency(sup, sup.run(), 60);
        expect(r.restarted).toBe(false);
        expect(r.error).toMatchObject({ error: { type: 'Cancelled', message: expect.stringContaining('run cancelled') } });
        ms.push(r.ms);
      }
      console.log(`cancel latency, cooperative (ms): ${ms.map((x) => x.toFixed(1)).join(' ')}; median ${median(ms).toFixed(1)}`);
      expect(median(ms)).toBeLessThan(500);
      // The session stands where it stopped and can continue.
      expect((await sup.stepBackward()).error).toBeNull();
    } finally {
      sup.dispose();
    }
  });

  it('cancels in the middle of a long conv by restarting the engine', async () => {
    const { sup, events } = supervised();
    try {
      expect((await sup.load(bigConvDoc(1000))).ok).toBe(true);
      const ms: number[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await cancelLatency(sup, sup.run(), 100);
        expect(r.restarted).toBe(true);
        expect(r.error).toMatchObject({ error: { type: 'Cancelled', message: expect.stringContaining('restarted') } });
        ms.push(r.ms);
        await sup.whenReady();
      }
      console.log(`cancel latency, engine restarted mid-conv (ms): ${ms.map((x) => x.toFixed(1)).join(' ')}; median ${median(ms).toFixed(1)}`);
      expect(median(ms)).toBeLessThan(500);
      expect(events.filter((e) => e.event === 'restarted')).toHaveLength(3);
      expect(await sup.stepForward()).toMatchObject({ node: 'conv', error: null });
    } finally {
      sup.dispose();
    }
  });
});
