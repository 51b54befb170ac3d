/** The main process wired together (Electron mocked): startup order, the window, IPC, files from the OS, closing. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { app, BrowserWindow, dialog, FakeWebContents, ipcMain, Menu, protocol, session } from './electron-mock';

vi.mock('electron', () => import('./electron-mock'));

const data = mkdtempSync(path.join(tmpdir(), 'studio-main-'));
const graphFile = path.join(data, 'tiny.graph.json');
const GRAPH = JSON.stringify({ format: 'autograd-studio/graph', version: 1, nodes: [], edges: [] });
writeFileSync(graphFile, GRAPH);
writeFileSync(path.join(data, 'recent.json'), JSON.stringify([graphFile]));
let win: BrowserWindow;
const argv = process.argv;

const invoke = (channel: string, ...args: unknown[]) => {
  const handler = ipcMain.handle.mock.calls.find(([c]) => c === channel)![1] as (...a: unknown[]) => Promise<unknown>;
  return handler(
    { sender: { id: win.webContents.id }, senderFrame: { url: 'app://studio/index.html', parent: null } },
    ...args,
  );
};
const send = (channel: string, ...args: unknown[]) => {
  const listener = ipcMain.on.mock.calls.find(([c]) => c === channel)![1] as (...a: unknown[]) => void;
  listener(
    { sender: { id: win.webContents.id }, senderFrame: { url: 'app://studio/index.html', parent: null } },
    ...args,
  );
};

beforeAll(async () => {
  app.userData = data;
  process.argv = ['/usr/bin/electron', '.'];
  await import('../../electron/main/main');
});

afterAll(() => {
  process.argv = argv;
  rmSync(data, { recursive: true, force: true });
});

describe('electron main', () => {
  it('registers the app:// scheme before ready, and serves it only after', () => {
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledTimes(1);
    expect(protocol.handle).not.toHaveBeenCalled();
    expect(app.requestSingleInstanceLock).toHaveBeenCalled();
    expect(BrowserWindow.instances).toHaveLength(0);
  });

  it('on ready: locks down the session, serves app://, and loads the window from it', async () => {
    app.becomeReady();
    await vi.waitFor(() => expect(BrowserWindow.instances).toHaveLength(1));
    win = BrowserWindow.instances[0]!;
    expect(session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(win.loadURL).toHaveBeenCalledWith('app://studio/index.html');
    expect(win.loadFile).not.toHaveBeenCalled();
    expect((win.options.webPreferences as Record<string, unknown>).preload).toMatch(/preload\.cjs$/);
    win.webContents.emit('did-finish-load');
  });

  it('builds the menu with the recent files from the data folder', () => {
    const template = JSON.stringify(Menu.setApplicationMenu.mock.calls.at(-1)![0]);
    expect(template).toContain('tiny.graph.json');
  });

  it('guards every webContents that is created', () => {
    const contents = new FakeWebContents();
    app.emit('web-contents-created', {}, contents);
    expect(contents.windowOpenHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('hands a file from the OS to the page, whose openFile then gets it', async () => {
    const event = { preventDefault: vi.fn() };
    app.emit('open-file', event, graphFile);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(win.webContents.send).toHaveBeenCalledWith('menu:command', 'open');
    await expect(invoke('document:open')).resolves.toEqual({ path: graphFile, text: GRAPH });
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });

  it("opens a second instance's file (Open With, a double-click) in the running window", async () => {
    win.isMinimized.mockReturnValueOnce(true);
    win.webContents.send.mockClear();
    app.emit('second-instance', {}, ['/usr/bin/electron', '.', '--some-switch', 'tiny.graph.json'], data);
    expect(win.restore).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
    expect(win.webContents.send).toHaveBeenCalledWith('menu:command', 'open');
    await expect(invoke('document:open')).resolves.toEqual({ path: graphFile, text: GRAPH });
    expect(BrowserWindow.instances).toHaveLength(1);
  });

  it('saves to the opened file without a dialog', async () => {
    await expect(invoke('document:save', GRAPH.replace('[]', '[ ]'), graphFile)).resolves.toBe(graphFile);
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(readFileSync(graphFile, 'utf8')).toContain('[ ]');
  });

  it('opens a dropped file, but saves to it only through the Save dialog', async () => {
    const dropped = path.join(data, 'dropped.graph.json');
    writeFileSync(dropped, GRAPH);
    send('document:open-dropped', dropped);
    expect(win.webContents.send).toHaveBeenLastCalledWith('menu:command', 'open');
    await expect(invoke('document:open')).resolves.toEqual({ path: dropped, text: GRAPH });
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
    await expect(invoke('document:save', '{"overwritten":true}', dropped)).resolves.toBeNull();
    expect(dialog.showSaveDialog).toHaveBeenCalledTimes(1);
    expect(readFileSync(dropped, 'utf8')).toBe(GRAPH);
    // nor to the file open before the drop
    await expect(invoke('document:save', '{"overwritten":true}', graphFile)).resolves.toBeNull();
    expect(readFileSync(graphFile, 'utf8')).not.toContain('overwritten');
    dialog.showSaveDialog.mockClear();
    // back to the file from the OS, for the tests below
    app.emit('open-file', { preventDefault: vi.fn() }, graphFile);
    await expect(invoke('document:open')).resolves.toEqual({ path: graphFile, text: expect.any(String) });
  });

  it('sets the title the page asks for', () => {
    send('window:set-title', '● tiny.graph.json — Autograd Studio');
    expect(win.setTitle).toHaveBeenCalledWith('● tiny.graph.json — Autograd Studio');
  });

  it('says so when the engine was not built', () => {
    send('engine:connect');
    expect(dialog.showMessageBox).toHaveBeenCalledWith(
      win,
      expect.objectContaining({ message: 'The engine is not running' }),
    );
  });

  it('asks before closing with unsaved changes', () => {
    dialog.showMessageBoxSync.mockReturnValueOnce(2); // Cancel
    const stay = { preventDefault: vi.fn() };
    win.webContents.emit('will-prevent-unload', stay);
    expect(stay.preventDefault).not.toHaveBeenCalled();
    dialog.showMessageBoxSync.mockReturnValueOnce(1); // Don't Save
    const leave = { preventDefault: vi.fn() };
    win.webContents.emit('will-prevent-unload', leave);
    expect(leave.preventDefault).toHaveBeenCalled();
  });

  it('Save in that question closes once the save has been written', async () => {
    dialog.showMessageBoxSync.mockReturnValueOnce(0); // Save
    const event = { preventDefault: vi.fn() };
    win.webContents.emit('will-prevent-unload', event);
    expect(event.preventDefault).not.toHaveBeenCalled();
    expect(win.webContents.send).toHaveBeenLastCalledWith('menu:command', 'save');
    expect(win.destroy).not.toHaveBeenCalled();
    await invoke('document:save', GRAPH, graphFile);
    expect(win.destroy).toHaveBeenCalled();
  });

  it('remembers the window bounds on close', async () => {
    win.emit('close', { preventDefault: vi.fn() });
    await vi.waitFor(() =>
      expect(JSON.parse(readFileSync(path.join(data, 'window-state.json'), 'utf8'))).toEqual({
        x: 10,
        y: 20,
        width: 1000,
        height: 700,
        maximized: false,
      }),
    );
  });
});
