/**
 * Electron main: brokers only. It owns the window, menus, dialogs and files,
 * and starts the engine; documents stay in the page and tensors between the
 * page and the engine. Bundled to dist/electron/main.js by
 * build/scripts/build-electron.mjs.
 */
import { app, dialog, ipcMain, Menu, screen, session as electronSession } from 'electron';
import type { BrowserWindow, FileFilter, MessageBoxOptions } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Channel } from '../preload/api';
import { graphFileFromArgv, sanitizeWindowState, type DocumentKind, type WindowState } from './documents';
import { EngineHost } from './engine';
import { registerIpc } from './ipc';
import { menuTemplate } from './menu';
import { handleAppProtocol, registerAppScheme } from './protocol';
import { DocumentSession, type SaveChoice, type SessionDialogs, type SessionWindow } from './session';
import { folderStore, writeFileAtomic } from './storage';
import { APP_NAME, createMainWindow, guardWebContents, lockDownSession } from './window';

const here = path.dirname(fileURLToPath(import.meta.url)); // <app>/dist/electron
const paths = {
  preload: path.join(here, 'preload.cjs'),
  engine: path.join(here, 'engine.cjs'),
  web: path.join(here, '..', 'web'),
};
const WINDOW_STATE_FILE = 'window-state.json';
const ALL_FILES: FileFilter = { name: 'All files', extensions: ['*'] };
const FILTERS: Record<DocumentKind, FileFilter[]> = {
  graph: [{ name: 'Graph documents', extensions: ['graph.json', 'json'] }, ALL_FILES],
  svg: [{ name: 'SVG images', extensions: ['svg'] }, ALL_FILES],
  json: [{ name: 'JSON', extensions: ['json'] }, ALL_FILES],
  text: [ALL_FILES],
};

registerAppScheme();
app.setName(APP_NAME);

if (!app.requestSingleInstanceLock()) app.quit();
else run();

function run(): void {
  let win: BrowserWindow | null = null;
  let pageLoaded = false;
  let startupDone = false;
  const queuedFiles: string[] = [];
  const store = folderStore(app.getPath('userData'));
  const current = (): BrowserWindow | null => (win && !win.isDestroyed() ? win : null);

  const dialogs: SessionDialogs = {
    async chooseFileToOpen() {
      const options = { title: 'Open graph', properties: ['openFile' as const], filters: FILTERS.graph };
      const w = current();
      const result = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return result.canceled ? null : (result.filePaths[0] ?? null);
    },
    async chooseFileToSave(suggested, kind) {
      const defaultPath = path.isAbsolute(suggested) ? suggested : path.join(app.getPath('documents'), suggested);
      const options = { title: kind === 'graph' ? 'Save graph' : 'Export', defaultPath, filters: FILTERS[kind] };
      const w = current();
      const result = w ? await dialog.showSaveDialog(w, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
    askSaveChangesSync() {
      const options: MessageBoxOptions = {
        type: 'warning',
        message: 'Save the changes to this graph before closing?',
        detail: 'Your changes will be lost if you do not save them.',
        buttons: ['Save', "Don't Save", 'Cancel'],
        defaultId: 0,
        cancelId: 2,
        noLink: true,
      };
      const w = current();
      const response = w ? dialog.showMessageBoxSync(w, options) : dialog.showMessageBoxSync(options);
      return (['save', 'discard', 'cancel'] as SaveChoice[])[response] ?? 'cancel';
    },
    showError(title, detail) {
      const options: MessageBoxOptions = { type: 'error', message: title, detail };
      const w = current();
      void (w ? dialog.showMessageBox(w, options) : dialog.showMessageBox(options));
    },
  };

  const sessionWindow: SessionWindow = {
    command: (command) => current()?.webContents.send(Channel.menu, command),
    close() {
      const w = current();
      if (!w) return;
      rememberBounds(w);
      w.destroy();
    },
  };

  const documents = new DocumentSession({
    dialogs,
    files: { read: (file) => readFile(file, 'utf8'), write: writeFileAtomic },
    store,
    window: () => (current() ? sessionWindow : null),
    onRecentChanged(recent) {
      buildMenu(recent);
      if (recent[0]) app.addRecentDocument(recent[0]);
      else app.clearRecentDocuments();
    },
  });

  const engine = new EngineHost({
    entry: paths.engine,
    target: () => current()?.webContents ?? null,
    onGiveUp: (reason) => dialogs.showError('The engine is not running', reason),
  });

  function rememberBounds(w: BrowserWindow): void {
    store
      .write(WINDOW_STATE_FILE, boundsOf(w))
      .catch((error: unknown) => console.warn(`could not save the window state: ${String(error)}`));
  }

  function buildMenu(recent: readonly string[]): void {
    const template = menuTemplate(
      { appName: APP_NAME, isMac: process.platform === 'darwin', isDev: !app.isPackaged, recent },
      {
        openRecent: (file) => openWhenReady(file),
        clearRecent: () => documents.clearRecent(),
        command: (command) => {
          if (current()) sessionWindow.command(command);
          else void createWindow().then(() => sessionWindow.command(command));
        },
      },
    );
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  /** Files from the OS or Open Recent wait until the page can take them (a drop comes from the loaded page). */
  function openWhenReady(file: string): void {
    queuedFiles.push(file);
    if (current() && pageLoaded && startupDone) handOverQueued();
    else if (app.isReady() && startupDone && !current()) void createWindow().then(handOverQueued);
  }

  function handOverQueued(): void {
    const file = queuedFiles.splice(0).pop(); // the page opens one document: the latest
    if (file) documents.handOver(file);
  }

  /** Opens the window; resolves once its page has loaded. */
  async function createWindow(): Promise<void> {
    const saved = await store.read(WINDOW_STATE_FILE);
    const state = sanitizeWindowState(
      saved,
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const created = createMainWindow(paths.preload, state);
    win = created;
    pageLoaded = false;
    created.on('close', () => rememberBounds(created));
    created.on('closed', () => {
      if (win === created) win = null;
      engine.stop();
    });
    // The page's beforeunload guard reports unsaved changes: ask here.
    created.webContents.on('will-prevent-unload', (event) => {
      if (documents.confirmUnload()) event.preventDefault();
    });
    // The page crashed: reload it (it offers back what it autosaved).
    created.webContents.on('render-process-gone', (_event, details) => {
      if (details.reason !== 'clean-exit') created.webContents.reload();
    });
    await new Promise<void>((resolve) => created.webContents.once('did-finish-load', () => resolve()));
    pageLoaded = true;
  }

  // macOS delivers double-clicked files as events, possibly before ready.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    openWhenReady(file);
  });

  app.on('second-instance', (_event, argv, workingDirectory) => {
    const w = current();
    if (w) {
      if (w.isMinimized()) w.restore();
      w.focus();
    }
    const file = graphFileFromArgv(argv, app.isPackaged, workingDirectory);
    if (file) openWhenReady(file);
    else if (!w && startupDone) void createWindow();
  });

  app.on('web-contents-created', (_event, contents) => guardWebContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (!current() && startupDone) void createWindow();
  });
  app.on('will-quit', () => engine.stop()); // not before-quit: closing may still be cancelled

  void app.whenReady().then(async () => {
    lockDownSession(electronSession.defaultSession);
    handleAppProtocol(paths.web);
    registerIpc(
      ipcMain,
      {
        openFile: () => documents.openFile(),
        saveFile: (request) => documents.saveFile(request),
        setTitle: (title) => current()?.setTitle(title),
        openDropped: (file) => documents.openDropped(file),
        connectEngine: () => engine.connect(),
      },
      () => current()?.webContents.id ?? null,
    );
    await documents.init();
    const file = graphFileFromArgv(process.argv, app.isPackaged, process.cwd());
    if (file) queuedFiles.push(file);
    await createWindow();
    startupDone = true;
    handOverQueued();
  });
}

function boundsOf(w: BrowserWindow): WindowState {
  const b = w.getNormalBounds();
  return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: w.isMaximized() };
}
