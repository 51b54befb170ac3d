/**
 * Every host entry speaks the same protocol: the worker_threads entry (with the
 * TypeScript kernels, and with the WebAssembly kernels lending every result
 * and poisoning released memory), the Web Worker entry and the Electron
 * utilityProcess entry (the last two with their globals simulated in a worker
 * thread; the Electron one installs the WebAssembly kernels when they are
 * built) load each reference parity graph, step it to the end and give the same
 * steps and result as `run` on the TypeScript kernels (byte for byte), or,
 * on the WebAssembly kernels (float32 accumulation), PyTorch's result.
 */
import { basename, resolve } from 'node:path';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../engine/protocol/client';
import { spawnNodeEngine } from '../../engine/host/node/spawn';
import { runDocument, stringifyResult } from '../../engine/graph/index';
import { resultFromWire } from '../../engine/protocol/codec';
import type { StepPhase } from '../../engine/protocol/messages';
import { ROOT, readDoc } from './helpers';
import { compareResult, type ResultLike } from '../helpers/compare';
import { readJson } from '../helpers/fixtures';
import { startSimulatedHost } from './simulated-hosts';

const SHARED = resolve(ROOT, 'test/fixtures/reference');
const graphs = readdirSync(SHARED)
  .filter((f) => f.endsWith('.graph.json'))
  .sort()
  .map((f) => resolve(SHARED, f));

const KINDS = ['node', 'node+wasm', 'web', 'electron'] as const;

describe.each(KINDS)('%s host', (kind) => {
  let client: EngineClient;
  let close: () => void;
  beforeAll(async () => {
    if (kind === 'node' || kind === 'node+wasm') {
      const fast = kind === 'node+wasm';
      const before = process.env.AUTOGRAD_STUDIO_LEND_MIN;
      if (fast) process.env.AUTOGRAD_STUDIO_LEND_MIN = '1';
      const engine = spawnNodeEngine({ fastKernels: fast });
      if (before === undefined) delete process.env.AUTOGRAD_STUDIO_LEND_MIN;
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

  it('names its kernels in the ready event', () => {
    const fast = kind === 'node+wasm' || kind === 'electron';
    if (fast) expect(client.kernels).toMatch(/^wasm-simd(\+fma)? x2$/);
    else expect(client.kernels).toBe('ts');
  });

  it('transfers tensor data as typed arrays', async () => {
    expect((await client.load(readDoc(graphs[0]!))).ok).toBe(true);
    await client.run();
    const wire = await client.result();
    for (const t of Object.values(wire.tensors))
      expect(t.data instanceof Float32Array || t.data instanceof Float64Array).toBe(true);
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
    const got = resultFromWire(await client.result());
    if (client.kernels === 'ts') expect(stringifyResult(got)).toBe(stringifyResult(expected.result));
    else {
      const torch = readJson(file.replace(/\.graph\.json$/, '.expected.json')) as ResultLike;
      expect(compareResult(torch, JSON.parse(stringifyResult(got)) as ResultLike)).toEqual([]);
    }
  });
});
