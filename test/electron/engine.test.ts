/** The engine's utilityProcess: ports straight to the window, restarts with a `restarted` event. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MessageChannelMain, utilityProcess, type FakeUtilityProcess } from './electron-mock';
import { EngineHost } from '../../electron/main/engine';

vi.mock('electron', () => import('./electron-mock'));

const dir = mkdtempSync(path.join(tmpdir(), 'engine-host-'));
const entry = path.join(dir, 'engine.cjs');
writeFileSync(entry, '// stand-in');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(options: { entry?: string; maxRestarts?: number } = {}) {
  const target = { postMessage: vi.fn(), isDestroyed: () => false };
  const onGiveUp = vi.fn();
  const host = new EngineHost({
    entry: options.entry ?? entry,
    target: () => target,
    onGiveUp,
    maxRestarts: options.maxRestarts,
    log: () => undefined,
  });
  const child = (i: number) => utilityProcess.fork.mock.results[i]!.value as FakeUtilityProcess;
  return { host, target, onGiveUp, child };
}

beforeEach(() => {
  vi.clearAllMocks();
  MessageChannelMain.created.length = 0;
});

describe('EngineHost', () => {
  it('forks the engine and gives one port to it and the other to the window', () => {
    const { host, target, child } = setup();
    host.connect();
    expect(utilityProcess.fork).toHaveBeenCalledWith(
      entry,
      [],
      expect.objectContaining({ serviceName: expect.any(String) }),
    );
    const channel = MessageChannelMain.created[0]!;
    expect(child(0).postMessage).toHaveBeenCalledWith({ type: 'connect' }, [channel.port1]);
    expect(target.postMessage).toHaveBeenCalledWith('engine-port', null, [channel.port2]);
    // main sends nothing else through the channel
    expect(channel.port1.postMessage).not.toHaveBeenCalled();
    expect(host.running).toBe(true);
  });

  it('opens a new session on the running engine for every further request', () => {
    const { host, target, child } = setup();
    host.connect();
    host.connect();
    expect(utilityProcess.fork).toHaveBeenCalledTimes(1);
    expect(child(0).kill).not.toHaveBeenCalled();
    expect(child(0).postMessage).toHaveBeenCalledTimes(2);
    expect(target.postMessage).toHaveBeenLastCalledWith('engine-port', null, [MessageChannelMain.created[1]!.port2]);
  });

  it('restarts a crashed engine; the new port starts with a restarted event', () => {
    const { host, target, child } = setup();
    host.connect();
    child(0).emit('exit', 9);
    expect(utilityProcess.fork).toHaveBeenCalledTimes(2);
    const channel = MessageChannelMain.created[1]!;
    expect(channel.port1.postMessage).toHaveBeenCalledWith({
      type: 'event',
      event: 'restarted',
      reason: 'the engine process exited (code 9)',
    });
    expect(child(1).postMessage).toHaveBeenCalledWith({ type: 'connect' }, [channel.port1]);
    expect(target.postMessage).toHaveBeenLastCalledWith('engine-port', null, [channel.port2]);
  });

  it('survives a fatal engine error and names it when it restarts', () => {
    const { host, child } = setup();
    host.connect();
    expect(() => child(0).emit('error', 'FatalError', 'v8::internal::Heap::FatalProcessOutOfMemory', '')).not.toThrow();
    child(0).emit('exit', 133);
    expect(utilityProcess.fork).toHaveBeenCalledTimes(2);
    expect(MessageChannelMain.created[1]!.port1.postMessage).toHaveBeenCalledWith({
      type: 'event',
      event: 'restarted',
      reason: 'the engine process failed (FatalError at v8::internal::Heap::FatalProcessOutOfMemory; code 133)',
    });
  });

  it('does not restart an engine it stopped', () => {
    const { host, child } = setup();
    host.connect();
    host.stop();
    expect(child(0).kill).toHaveBeenCalled();
    child(0).emit('exit', 0);
    expect(utilityProcess.fork).toHaveBeenCalledTimes(1);
    expect(host.running).toBe(false);
  });

  it('gives up after repeated crashes and says so', () => {
    const { host, onGiveUp, child } = setup({ maxRestarts: 2 });
    host.connect();
    child(0).emit('exit', 1);
    child(1).emit('exit', 1);
    child(2).emit('exit', 1);
    expect(utilityProcess.fork).toHaveBeenCalledTimes(3);
    expect(onGiveUp).toHaveBeenCalledWith(expect.stringContaining('stopped 3 times'));
  });

  it('reports an engine that was not built instead of forking nothing', () => {
    const { host, onGiveUp } = setup({ entry: path.join(dir, 'missing.cjs') });
    host.connect();
    expect(utilityProcess.fork).not.toHaveBeenCalled();
    expect(onGiveUp).toHaveBeenCalledWith(expect.stringContaining('missing.cjs'));
  });
});
