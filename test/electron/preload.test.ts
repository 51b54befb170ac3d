/** The preload: window.api exactly as the renderer defines it, the engine port hand-over, drops. */
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { contextBridge, FakePort, ipcRenderer, webUtils } from './electron-mock';
import type * as PreloadModule from '../../electron/preload/preload';
import type { Bridge } from '../../electron/preload/preload';
import type { ElectronApi } from '../../electron/preload/api';

vi.mock('electron', () => import('./electron-mock'));

type Listener = (event: unknown) => void;

/** Enough of a Window: listeners, postMessage (recorded), and properties. */
class FakeWindow {
  readonly listeners = new Map<string, Listener[]>();
  readonly postMessage = vi.fn();
  api?: ElectronApi;
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  dispatch(type: string, event: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }
  dispatchEvent(event: Event): boolean {
    this.dispatch(event.type, event);
    return true;
  }
}

const preloadWindow = new FakeWindow();
let preload: typeof PreloadModule;

beforeAll(async () => {
  vi.stubGlobal('window', preloadWindow);
  preload = await import('../../electron/preload/preload');
});

beforeEach(() => {
  ipcRenderer.invoke.mockClear();
  ipcRenderer.send.mockClear();
  preloadWindow.postMessage.mockClear();
});

describe('window.api', () => {
  it('is built in the page world by installApi, never by exposing ipcRenderer', () => {
    expect(contextBridge.executeInMainWorld).toHaveBeenCalledWith({
      func: preload.installApi,
      args: [preload.bridge, 'engine-port'],
    });
    expect(contextBridge.exposeInMainWorld).not.toHaveBeenCalled();
    expect(Object.values(preload.bridge).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.values(preload.bridge)).not.toContain(ipcRenderer);
  });

  it('has exactly the functions of ElectronApi, frozen and read-only', () => {
    const page = new FakeWindow();
    preload.installApi(preload.bridge, 'engine-port', page as unknown as Window);
    const api = page.api!;
    expect(Object.keys(api).sort()).toEqual(['getEnginePort', 'onMenu', 'openFile', 'saveFile', 'setTitle']);
    expect(Object.isFrozen(api)).toBe(true);
    expect(() => Object.assign(page, { api: {} })).toThrow();
  });

  it('sends each call on its channel', async () => {
    const page = new FakeWindow();
    preload.installApi(preload.bridge, 'engine-port', page as unknown as Window);
    await page.api!.openFile();
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('document:open');
    await page.api!.saveFile('{}');
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('document:save', '{}');
    await page.api!.saveFile('{}', '/d/a.graph.json');
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('document:save', '{}', '/d/a.graph.json');
    page.api!.setTitle('a — Autograd Studio');
    expect(ipcRenderer.send).toHaveBeenLastCalledWith('window:set-title', 'a — Autograd Studio');
  });
});

describe('menu commands', () => {
  it('queue until the page subscribes, then flow; unknown commands are dropped', () => {
    ipcRenderer.emit('menu:command', {}, 'open');
    ipcRenderer.emit('menu:command', {}, 'format-disk');
    const cb = vi.fn();
    const off = preload.bridge.onMenu(cb);
    expect(cb.mock.calls).toEqual([['open']]);
    ipcRenderer.emit('menu:command', {}, 'save');
    expect(cb).toHaveBeenLastCalledWith('save');
    off();
    ipcRenderer.emit('menu:command', {}, 'run');
    expect(cb).toHaveBeenCalledTimes(2);
  });
});

describe('the engine port', () => {
  it('is forwarded from IPC to the page as a window message', () => {
    const port = new FakePort('p');
    ipcRenderer.emit('engine-port', { ports: [port] });
    expect(preloadWindow.postMessage).toHaveBeenCalledWith('engine-port', '*', [port]);
  });

  it('resolves getEnginePort with the port of the matching window message', async () => {
    const page = new FakeWindow();
    const lent: Bridge = { ...preload.bridge, requestEnginePort: vi.fn() };
    preload.installApi(lent, 'engine-port', page as unknown as Window);
    const pending = page.api!.getEnginePort();
    expect(lent.requestEnginePort).toHaveBeenCalledTimes(1);
    const port = { name: 'engine' };
    page.dispatch('message', { source: {}, data: 'engine-port', ports: [{ name: 'from another window' }] });
    page.dispatch('message', { source: page, data: 'something else', ports: [{ name: 'wrong' }] });
    page.dispatch('message', { source: page, data: 'engine-port', ports: [port] });
    await expect(pending).resolves.toBe(port);
  });

  it("keeps a restarted engine's port for the next call", async () => {
    const page = new FakeWindow();
    const lent: Bridge = { ...preload.bridge, requestEnginePort: vi.fn() };
    preload.installApi(lent, 'engine-port', page as unknown as Window);
    const restarted = { name: 'restarted' };
    const announced = vi.fn();
    page.addEventListener('engine-port-available', announced);
    page.dispatch('message', { source: page, data: 'engine-port', ports: [restarted] });
    expect(announced).toHaveBeenCalledTimes(1); // the page learns that a new engine is waiting
    await expect(page.api!.getEnginePort()).resolves.toBe(restarted);
    expect(lent.requestEnginePort).not.toHaveBeenCalled();
  });
});

describe('dropping a file on the window', () => {
  const dropEvent = (files: { name: string; path: string }[], isTrusted = true) => ({
    isTrusted,
    dataTransfer: { files, types: ['Files'] },
    preventDefault: vi.fn(),
    stopPropagation: vi.fn(),
  });

  it('asks main to open a dropped .json file', () => {
    const event = dropEvent([{ name: 'a.graph.json', path: '/d/a.graph.json' }]);
    preloadWindow.dispatch('drop', event);
    expect(webUtils.getPathForFile).toHaveBeenCalled();
    expect(ipcRenderer.send).toHaveBeenCalledWith('document:open-dropped', '/d/a.graph.json');
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('ignores a drop event a script dispatched (not trusted)', () => {
    const event = dropEvent([{ name: 'a.graph.json', path: '/home/u/other.graph.json' }], false);
    preloadWindow.dispatch('drop', event);
    expect(ipcRenderer.send).not.toHaveBeenCalled();
  });

  it('ignores other files and drags that carry no files', () => {
    preloadWindow.dispatch('drop', dropEvent([{ name: 'photo.png', path: '/d/photo.png' }]));
    const nodeDrag = {
      isTrusted: true,
      dataTransfer: { files: [], types: ['application/reactflow'] },
      preventDefault: vi.fn(),
      stopPropagation: vi.fn(),
    };
    preloadWindow.dispatch('drop', nodeDrag);
    expect(nodeDrag.preventDefault).not.toHaveBeenCalled();
    expect(ipcRenderer.send).not.toHaveBeenCalled();
  });
});
