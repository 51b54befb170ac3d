/**
 * Runs the Web Worker entry and the Electron utilityProcess entry in a worker
 * thread with their runtime's globals simulated (`self`; `process.parentPort`
 * handing over a MessagePort), so the same client and tests drive every host.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { fromMessagePort, type EnginePort, type MessagePortLike } from '../../engine/protocol/port';

const WEB = `
const { parentPort } = require('node:worker_threads');
globalThis.self = {
  postMessage: (m, transfer) => parentPort.postMessage(m, transfer),
  set onmessage(fn) { parentPort.on('message', (data) => fn({ data })); },
};
`;

const ELECTRON = `
const { parentPort } = require('node:worker_threads');
const wrap = (p) => ({
  on: (event, fn) => (event === 'message' ? p.on('message', (data) => fn({ data })) : p.on(event, fn)),
  postMessage: (m) => p.postMessage(m),
  start: () => p.start(),
});
process.parentPort = {
  on: (event, fn) => parentPort.on('message', (m) => fn({ data: m.data, ports: m.port ? [wrap(m.port)] : [] })),
};
`;

const LOAD = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((tsx) => { tsx.register(); return import(workerData.entry); });
`;

/** A running simulated host and the port to talk to it. */
export interface SimulatedHost {
  readonly port: EnginePort;
  close(): void;
}

/** The `web` or `electron` entry in a worker thread with its runtime's globals. */
export function simulatedEntryThread(kind: 'web' | 'electron'): Worker {
  const entry = new URL(
    kind === 'web' ? '../../engine/host/web/worker.ts' : '../../engine/host/electron/entry.ts',
    import.meta.url,
  );
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  return new Worker((kind === 'web' ? WEB : ELECTRON) + LOAD, {
    eval: true,
    workerData: { entry: entry.href, tsxApi },
  });
}

/** Starts the `web` or `electron` entry in a worker thread. */
export function startSimulatedHost(kind: 'web' | 'electron'): SimulatedHost {
  const worker = simulatedEntryThread(kind);
  if (kind === 'web') {
    const port: EnginePort = {
      postMessage: (m, transfer) => worker.postMessage(m, transfer),
      onMessage(handler) {
        worker.on('message', handler);
        return () => worker.off('message', handler);
      },
    };
    return { port, close: () => void worker.terminate() };
  }
  // As Electron's main does: one end of a channel to the engine, the other to the "window".
  const { port1, port2 } = new MessageChannel();
  worker.postMessage({ data: { type: 'connect' }, port: port1 }, [port1]);
  const port = fromMessagePort(port2 as unknown as MessagePortLike);
  return {
    port,
    close() {
      port2.close();
      void worker.terminate();
    },
  };
}
