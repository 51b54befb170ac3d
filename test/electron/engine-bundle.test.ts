/**
 * The built desktop engine (dist/electron/engine.cjs and what it ships beside
 * it), run under Node with Electron's utility-process port imitated: the
 * `--require` shim below sets `process.parentPort`, hands the engine one end of
 * a channel as Electron's MessagePortMain would, and relays the other end to
 * this test over IPC. It checks what only the bundle can show: the engine finds
 * its worker thread and its WebAssembly kernels beside itself (joined with the
 * platform's separator), and it starts whatever goes wrong with them (issue 18,
 * items 7 and 9).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EngineMessage } from '../../engine/protocol/messages';
import { squareDoc } from '../protocol/helpers';

const ROOT = path.resolve(__dirname, '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'studio-engine-bundle-'));
const built = path.join(work, 'electron');
const shim = path.join(work, 'parent-port-shim.cjs');

const SHIM = `
const { MessageChannel } = require('node:worker_threads');
const { EventEmitter } = require('node:events');
const parentPort = new EventEmitter();
process.parentPort = parentPort;
const { port1, port2 } = new MessageChannel();
// Electron's MessagePortMain: 'message' events carry { data }, start() begins delivery.
const portMain = new EventEmitter();
port2.on('message', (data) => portMain.emit('message', { data }));
port2.on('close', () => portMain.emit('close'));
portMain.postMessage = (message) => port2.postMessage(message);
portMain.start = () => undefined;
port1.on('message', (message) => process.send(message));
process.on('message', (message) => port1.postMessage(message));
setImmediate(() => parentPort.emit('message', { data: { type: 'connect' }, ports: [portMain] }));
`;

const children: ChildProcess[] = [];

beforeAll(() => {
  const result = spawnSync(
    process.execPath,
    [path.join(ROOT, 'build', 'scripts', 'build-electron.mjs'), '--outdir', built],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`build-electron failed:\n${result.stderr}`);
  writeFileSync(shim, SHIM);
}, 120_000);
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the bundle folder, changed by `alter`. */
function variant(name: string, alter: (dir: string) => void): string {
  const dir = path.join(work, name);
  cpSync(built, dir, { recursive: true });
  alter(dir);
  return dir;
}

/** Starts `dir/engine.cjs` as a utility process would; returns a way to talk to it. */
function startEngine(dir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['AUTOGRAD_STUDIO_KERNELS', 'AUTOGRAD_STUDIO_WASM', 'AUTOGRAD_STUDIO_THREADS']) delete env[key];
  const child = spawn(process.execPath, ['--require', shim, path.join(dir, 'engine.cjs')], {
    cwd: work, // not the repository: nothing may be found by searching upward from here
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const received: EngineMessage[] = [];
  child.on('message', (m) => received.push(m as EngineMessage));
  const next = (test: (m: EngineMessage) => boolean): Promise<EngineMessage> =>
    new Promise((resolve, reject) => {
      const seen = received.find(test);
      if (seen) return resolve(seen);
      const onMessage = (m: unknown) => {
        if (test(m as EngineMessage)) {
          child.off('message', onMessage);
          resolve(m as EngineMessage);
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the engine exited (${code}):\n${stderr}`)));
    });
  return {
    stderr: () => stderr,
    ready: () =>
      next((m) => m.type === 'event' && m.event === 'ready') as Promise<EngineMessage & { kernels?: string }>,
    request: (id: number, body: Record<string, unknown>) => {
      child.send({ ...body, id });
      return next((m) => m.type === 'response' && m.id === id);
    },
  };
}

async function loadsAndRuns(engine: ReturnType<typeof startEngine>): Promise<void> {
  expect(await engine.request(1, { type: 'load', document: squareDoc() })).toMatchObject({
    ok: true,
    result: { ok: true },
  });
  expect(await engine.request(2, { type: 'run' })).toMatchObject({
    ok: true,
    result: { iterations_run: 1, error: null },
  });
  const grad = (await engine.request(3, { type: 'getTensor', name: 'x', which: 'grad' })) as {
    result: { data: Float32Array };
  };
  expect(Array.from(grad.result.data)).toEqual([2, -4, 6]);
}

describe('the bundled desktop engine', () => {
  it('ships its worker thread and kernels beside engine.cjs', () => {
    for (const file of ['engine.cjs', 'engine-thread.cjs', 'kernels.wasm'])
      expect(existsSync(path.join(built, file)), file).toBe(true);
  });

  it('runs in a worker thread on the WebAssembly kernels found beside it', async () => {
    const engine = startEngine(built);
    expect((await engine.ready()).kernels).toMatch(/^wasm-simd/);
    await loadsAndRuns(engine);
  });

  it('starts on the TypeScript kernels when the kernel module cannot be read', async () => {
    const dir = variant('unreadable-kernels', (d) => {
      for (const file of ['kernels.wasm', 'kernels-fma.wasm']) {
        rmSync(path.join(d, file), { force: true });
        mkdirSync(path.join(d, file)); // reading it throws EISDIR
      }
    });
    const engine = startEngine(dir);
    expect((await engine.ready()).kernels).toBe('ts');
    await loadsAndRuns(engine);
    expect(engine.stderr()).toContain('the WebAssembly kernels could not start');
  });

  it('runs in its own thread, without a watchdog, when the engine thread fails as it starts', async () => {
    const dir = variant('failing-thread', (d) =>
      writeFileSync(path.join(d, 'engine-thread.cjs'), 'throw new Error("this thread cannot start");'),
    );
    const engine = startEngine(dir);
    expect((await engine.ready()).kernels).toMatch(/^wasm-simd/);
    await loadsAndRuns(engine);
    expect(engine.stderr()).toContain(
      'no worker thread (this thread cannot start); the engine runs without a watchdog',
    );
  });

  it('runs in its own thread, without a watchdog, when the worker bundle is missing', async () => {
    const dir = variant('no-thread', (d) => rmSync(path.join(d, 'engine-thread.cjs')));
    const engine = startEngine(dir);
    expect((await engine.ready()).kernels).toMatch(/^wasm-simd/);
    await loadsAndRuns(engine);
    expect(engine.stderr()).toContain('the engine runs without a watchdog');
  });
});
