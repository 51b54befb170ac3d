/**
 * Shared by the protocol tests: parity graph lists, a worker-thread engine with
 * a client, and raw message exchange for malformed-message tests.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineClient } from '../../engine/protocol/client';
import { spawnNodeEngine, type NodeEngine } from '../../engine/host/node/spawn';
import { parseJsonWithNaN } from '../../engine/graph/result';
import type { EngineEvent, EngineMessage, GraphDocumentJson } from '../../engine/protocol/messages';
import { MAX_ITERATIONS } from '../../engine/graph/document';

/** The repository root. */
export const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));

/** Parity graph files: `test/fixtures/reference` and `test/fixtures/parity`. */
export function parityGraphs(): string[] {
  const dirs = [resolve(ROOT, 'test/fixtures/reference'), resolve(ROOT, 'test/fixtures/parity')];
  const files: string[] = [];
  for (const d of dirs) {
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) if (f.endsWith('.graph.json')) files.push(join(d, f));
  }
  return files;
}

/** Reads a graph document (NaN tokens allowed). */
export function readDoc(file: string): GraphDocumentJson {
  return parseJsonWithNaN(readFileSync(file, 'utf8')) as GraphDocumentJson;
}

/** A worker-thread engine with a client and every event it sent. */
export interface Connected {
  readonly engine: NodeEngine;
  readonly client: EngineClient;
  readonly events: EngineEvent[];
  close(): void;
}

/** Starts an engine in a worker thread and waits for `ready`. */
export async function connect(): Promise<Connected> {
  const engine = spawnNodeEngine();
  const client = new EngineClient(engine);
  const events: EngineEvent[] = [];
  client.on((e) => events.push(e));
  await client.ready;
  return {
    engine,
    client,
    events,
    close() {
      client.close();
      engine.terminate();
    },
  };
}

/** Posts a raw message and resolves with the first response whose id is `id`. */
export function rawExchange(engine: NodeEngine, message: unknown, id: number | null): Promise<EngineMessage> {
  return new Promise((resolvePromise) => {
    const off = engine.onMessage((data) => {
      const m = data as EngineMessage;
      if (m.type === 'response' && m.id === id) {
        off();
        resolvePromise(m);
      }
    });
    engine.postMessage(message);
  });
}

/** A document from nodes, edges and run. */
export function doc(nodes: unknown[], edges: unknown[], run: Record<string, unknown> = {}): GraphDocumentJson {
  return { format: 'autograd-studio/graph', version: 1, nodes, edges, run };
}

/** A small graph: x (requires grad) -> Mul(x, x) -> Sum -> backward. */
export function squareDoc(iterations = 1): GraphDocumentJson {
  return doc(
    [
      {
        id: 'x',
        op: 'Tensor',
        params: { shape: [3], requires_grad: true, init: { kind: 'values', data: [1, -2, 3] } },
      },
      { id: 'm', op: 'Mul' },
      { id: 's', op: 'Sum' },
    ],
    [
      { source: 'x', target: 'm', targetHandle: 'a' },
      { source: 'x', target: 'm', targetHandle: 'b' },
      { source: 'm', target: 's' },
    ],
    { backward: 's', iterations },
  );
}

/**
 * A run that cannot finish while a test waits on it, on any machine: the most
 * iterations a document may ask for, each squaring and summing 2^20 floats (at
 * least 8 MB of memory traffic an iteration, so terabytes for the whole run).
 * Tests cancel or kill it after its first `progress` event, never after a
 * fixed sleep, so nothing depends on how fast the machine is.
 */
export function longRunDoc(): GraphDocumentJson {
  const n = 1 << 20;
  return doc(
    [
      { id: 'x', op: 'Tensor', params: { shape: [n], requires_grad: true, init: { kind: 'ones' } } },
      { id: 'm', op: 'Mul' },
      { id: 's', op: 'Sum' },
    ],
    [
      { source: 'x', target: 'm', targetHandle: 'a' },
      { source: 'x', target: 'm', targetHandle: 'b' },
      { source: 'm', target: 's' },
    ],
    { backward: 's', iterations: MAX_ITERATIONS },
  );
}

/** A conv graph whose one conv takes long (W3-sized at batch 8; setup is quick), for cancel and kill tests. */
export function bigConvDoc(iterations: number, batch = 8): GraphDocumentJson {
  return doc(
    [
      { id: 'x', op: 'Tensor', params: { shape: [batch, 16, 64, 64], init: { kind: 'ones' } } },
      {
        id: 'conv',
        op: 'Conv2d',
        params: { in_channels: 16, out_channels: 32, kernel_size: 3, padding: 1, padding_mode: 'reflect' },
      },
      { id: 'mean', op: 'Mean' },
    ],
    [
      { source: 'x', target: 'conv', targetHandle: 'input' },
      { source: 'conv', target: 'mean' },
    ],
    { backward: 'mean', iterations },
  );
}
