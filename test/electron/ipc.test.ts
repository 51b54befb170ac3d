/** IPC: messages from an unexpected sender, or with a malformed payload, never reach a handler. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ipcMain } from './electron-mock';
import { Channel } from '../../electron/preload/api';
import {
  IpcRejection,
  isTrustedSender,
  registerIpc,
  validate,
  type IpcHandlers,
  type SenderInfo,
} from '../../electron/main/ipc';
import { MAX_DOCUMENT_BYTES } from '../../electron/main/documents';

vi.mock('electron', () => import('./electron-mock'));

const WINDOW_ID = 7;
const trusted: SenderInfo = {
  sender: { id: WINDOW_ID },
  senderFrame: { url: 'app://studio/index.html', parent: null },
};

function setup() {
  vi.clearAllMocks();
  const handlers = {
    openFile: vi.fn(async () => ({ path: '/docs/a.graph.json', text: '{}' })),
    saveFile: vi.fn(async () => '/docs/a.graph.json'),
    setTitle: vi.fn(),
    openDropped: vi.fn(),
    connectEngine: vi.fn(),
  } satisfies IpcHandlers;
  const log = vi.fn();
  registerIpc(ipcMain as never, handlers, () => WINDOW_ID, log);
  const invokers = new Map(
    ipcMain.handle.mock.calls.map(([channel, fn]) => [channel as string, fn as (...a: unknown[]) => Promise<unknown>]),
  );
  const listeners = new Map(
    ipcMain.on.mock.calls.map(([channel, fn]) => [channel as string, fn as (...a: unknown[]) => void]),
  );
  return {
    handlers,
    log,
    invoke: (event: SenderInfo, channel: string, ...args: unknown[]) => invokers.get(channel)!(event, ...args),
    send: (event: SenderInfo, channel: string, ...args: unknown[]) => listeners.get(channel)!(event, ...args),
  };
}

let t: ReturnType<typeof setup>;
beforeEach(() => {
  t = setup();
});

describe('registration', () => {
  it('covers every page -> main channel', () => {
    expect(ipcMain.handle.mock.calls.map((c) => c[0]).sort()).toEqual([Channel.openFile, Channel.saveFile].sort());
    expect(ipcMain.on.mock.calls.map((c) => c[0]).sort()).toEqual(
      [Channel.connectEngine, Channel.openDropped, Channel.setTitle].sort(),
    );
  });

  it('passes valid messages from the app window through', async () => {
    await expect(t.invoke(trusted, Channel.openFile)).resolves.toEqual({ path: '/docs/a.graph.json', text: '{}' });
    await t.invoke(trusted, Channel.saveFile, '{"a":1}', '/docs/a.graph.json');
    expect(t.handlers.saveFile).toHaveBeenCalledWith({ text: '{"a":1}', path: '/docs/a.graph.json' });
    await t.invoke(trusted, Channel.saveFile, 'x');
    expect(t.handlers.saveFile).toHaveBeenLastCalledWith({ text: 'x', path: null });
    t.send(trusted, Channel.setTitle, 'small_cnn — Autograd Studio');
    expect(t.handlers.setTitle).toHaveBeenCalledWith('small_cnn — Autograd Studio');
    t.send(trusted, Channel.openDropped, '/home/u/x.graph.json');
    expect(t.handlers.openDropped).toHaveBeenCalledWith('/home/u/x.graph.json');
    t.send(trusted, Channel.connectEngine);
    expect(t.handlers.connectEngine).toHaveBeenCalledTimes(1);
    expect(t.log).not.toHaveBeenCalled();
  });
});

describe('unexpected senders', () => {
  const strangers: [string, SenderInfo][] = [
    ['another origin', { sender: { id: WINDOW_ID }, senderFrame: { url: 'https://evil.example/', parent: null } }],
    [
      'a file:// page',
      { sender: { id: WINDOW_ID }, senderFrame: { url: 'file:///app/dist/web/index.html', parent: null } },
    ],
    ['another app:// host', { sender: { id: WINDOW_ID }, senderFrame: { url: 'app://evil/index.html', parent: null } }],
    ['a subframe', { sender: { id: WINDOW_ID }, senderFrame: { url: 'app://studio/index.html', parent: {} } }],
    [
      'another webContents',
      { sender: { id: WINDOW_ID + 1 }, senderFrame: { url: 'app://studio/index.html', parent: null } },
    ],
    ['no frame (navigated away)', { sender: { id: WINDOW_ID }, senderFrame: null }],
  ];

  it.each(strangers)('rejects invoke from %s', async (_name, event) => {
    await expect(t.invoke(event, Channel.openFile)).rejects.toBeInstanceOf(IpcRejection);
    await expect(t.invoke(event, Channel.saveFile, 'x', '/docs/a.graph.json')).rejects.toBeInstanceOf(IpcRejection);
    expect(t.handlers.openFile).not.toHaveBeenCalled();
    expect(t.handlers.saveFile).not.toHaveBeenCalled();
    expect(t.log).toHaveBeenCalled();
  });

  it.each(strangers)('drops send from %s', (_name, event) => {
    t.send(event, Channel.setTitle, 'x');
    t.send(event, Channel.openDropped, '/x.graph.json');
    t.send(event, Channel.connectEngine);
    expect(t.handlers.setTitle).not.toHaveBeenCalled();
    expect(t.handlers.openDropped).not.toHaveBeenCalled();
    expect(t.handlers.connectEngine).not.toHaveBeenCalled();
    expect(t.log).toHaveBeenCalledTimes(3);
  });

  it('rejects everything while there is no window', () => {
    expect(isTrustedSender(trusted, null)).toBe(false);
    expect(isTrustedSender(trusted, WINDOW_ID)).toBe(true);
  });
});

describe('malformed payloads', () => {
  it.each([
    ['text that is not a string', [42]],
    ['no arguments', []],
    ['too many arguments', ['x', '/a.graph.json', 'extra']],
    ['a relative path', ['x', 'docs/a.graph.json']],
    ['a path with NUL', ['x', '/a\0.graph.json']],
    ['a path that is not a string', ['x', { path: '/a.json' }]],
    ['a document over the size limit', ['x'.repeat(MAX_DOCUMENT_BYTES + 1)]],
  ])('saveFile rejects %s', async (_name, args) => {
    await expect(t.invoke(trusted, Channel.saveFile, ...args)).rejects.toBeInstanceOf(IpcRejection);
    expect(t.handlers.saveFile).not.toHaveBeenCalled();
  });

  it('openFile takes no arguments', async () => {
    await expect(t.invoke(trusted, Channel.openFile, '/etc/passwd')).rejects.toBeInstanceOf(IpcRejection);
    expect(t.handlers.openFile).not.toHaveBeenCalled();
  });

  it.each([
    [Channel.setTitle, [123]],
    [Channel.setTitle, []],
    [Channel.setTitle, ['a', 'b']],
    [Channel.openDropped, ['/etc/passwd']],
    [Channel.openDropped, ['relative.graph.json']],
    [Channel.openDropped, [null]],
    [Channel.connectEngine, ['now']],
  ])('%s drops %j', (channel, args) => {
    t.send(trusted, channel, ...args);
    expect(t.handlers.setTitle).not.toHaveBeenCalled();
    expect(t.handlers.openDropped).not.toHaveBeenCalled();
    expect(t.handlers.connectEngine).not.toHaveBeenCalled();
    expect(t.log).toHaveBeenCalledTimes(1);
  });

  it('truncates long titles', () => {
    expect(validate.title(['x'.repeat(500)])).toHaveLength(200);
  });

  it('handler errors that are not rejections still propagate to the page', async () => {
    t.handlers.saveFile.mockRejectedValueOnce(new Error('EACCES'));
    await expect(t.invoke(trusted, Channel.saveFile, 'x')).rejects.toThrow('EACCES');
    expect(t.log).not.toHaveBeenCalled();
  });
});
