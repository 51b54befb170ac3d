/**
 * Every host entry speaks the same protocol: the worker_threads entry, the Web
 * Worker entry and the Electron utilityProcess entry (the last two with their
 * globals simulated in a worker thread) load each shared parity graph, step it
 * to the end and give the same steps and result as `run`.
 */
import { basename, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../engine/host/client';
import { spawnNodeEngine } from '../../engine/host/node/spawn';
import { runDocument, stringifyResult } from '../../engine/graph/index';
import { resultFromWire } from '../../engine/protocol/codec';
import type { StepPhase } from '../../engine/protocol/messages';
import { ROOT, readDoc } from './helpers';
import { startSimulatedHost } from './simulated-hosts';

const SHARED = resolve(ROOT, '../shared/parity');
const graphs = readdirSync(SHARED).filter((f) => f.endsWith('.graph.json')).sort().map((f) => resolve(SHARED, f));

describe.each(['node', 'web', 'electron'] as const)('%s host', (kind) => {
  let client: EngineClient;
  let close: () => void;
  beforeAll(async () => {
    if (kind === 'node') {
      const engine = spawnNodeEngine();
      client = new EngineClient(engine);
      close = () => engine.terminate();
    } else {
      const host = startSimulatedHost(kind);
      client = new EngineClient(host.port);
      close = host.close;
    }
    await client.ready;
  });
  afterAll(() => {
    client.close();
    close();
  });

  it('transfers tensor data as typed arrays', async () => {
    expect((await client.load(readDoc(graphs[0]!))).ok).toBe(true);
    await client.run();
    const wire = await client.result();
    for (const t of Object.values(wire.tensors)) expect(t.data instanceof Float32Array || t.data instanceof Float64Array).toBe(true);
  });

  it.each(graphs.map((f) => [basename(f, '.graph.json'), f]))('%s: steps to the end', async (_name, file) => {
    const document = readDoc(file);
    const expected = runDocument(document);
    if (!expected.ok) throw new Error('parity graphs are valid');
    expect((await client.load(document)).ok).toBe(true);
    let phase: StepPhase = 'forward';
    let pass: { grad_fn: string | null; node: string | null }[] = [];
    while (phase !== 'done') {
      if (phase === 'backward') {
        const b = await client.stepBackward();
        if (b.index === 0) pass = [];
        if (b.grad_fn) pass.push({ grad_fn: b.grad_fn, node: b.node });
        phase = b.phase;
      } else phase = (await client.stepForward()).phase;
    }
    expect(pass).toEqual(expected.result.backward_steps);
    expect(stringifyResult(resultFromWire(await client.result()))).toBe(stringifyResult(expected.result));
  });
});
