/**
 * A stand-in for the `electron` module (whose binary is not installed here):
 * just enough of each API for electron/main and electron/preload to run under
 * vitest. Use with `vi.mock('electron', () => import('./electron-mock'))`.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** A webContents: events, the window-open handler, postMessage and send. */
export class FakeWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  readonly setWindowOpenHandler = vi.fn((handler: (details: { url: string }) => { action: string }) => {
    this.windowOpenHandler = handler;
  });
  readonly postMessage = vi.fn();
  readonly send = vi.fn();
  readonly reload = vi.fn();
  readonly getURL = vi.fn(() => 'app://studio/index.html');
  destroyed = false;
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loadURL = vi.fn(async (_url: string) => undefined);
  readonly loadFile = vi.fn(async (_file: string) => undefined);
  readonly show = vi.fn();
  readonly maximize = vi.fn();
  readonly setTitle = vi.fn();
  readonly close = vi.fn(() => void this.emit('close', { preventDefault: vi.fn() }));
  readonly getNormalBounds = vi.fn(() => ({ x: 10, y: 20, width: 1000, height: 700 }));
  readonly isMaximized = vi.fn(() => false);
  readonly isMinimized = vi.fn(() => false);
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  destroyed = false;
  readonly destroy = vi.fn(() => {
    this.destroyed = true;
    this.emit('closed');
  });
  isDestroyed(): boolean {
    return this.destroyed;
  }
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.instances.push(this);
  }
}

/** The app: events, a ready promise the test resolves, a data folder the test sets. */
class FakeApp extends EventEmitter {
  userData = '';
  isPackaged = false;
  private ready = false;
  private resolveReady: () => void = () => undefined;
  private readonly readyPromise = new Promise<void>((resolve) => {
    this.resolveReady = resolve;
  });
  readonly setName = vi.fn();
  readonly quit = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => true);
  readonly addRecentDocument = vi.fn();
  readonly clearRecentDocuments = vi.fn();
  readonly getPath = vi.fn((name: string) => (name === 'userData' ? this.userData : `/home/u/${name}`));
  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  isReady(): boolean {
    return this.ready;
  }
  /** Test helper: fires ready. */
  becomeReady(): void {
    this.ready = true;
    this.resolveReady();
  }
}
export const app = new FakeApp();

export const dialog = {
  showOpenDialog: vi.fn(async () => ({ canceled: true, filePaths: [] as string[] })),
  showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })),
  showMessageBox: vi.fn(async () => ({ response: 0 })),
  showMessageBoxSync: vi.fn(() => 2),
};

export const Menu = {
  buildFromTemplate: vi.fn((template: unknown) => ({ template })),
  setApplicationMenu: vi.fn(),
};

export const screen = { getAllDisplays: vi.fn(() => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }]) };

export const session = {
  defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() },
};

export const shell = { openExternal: vi.fn(async (_url: string) => undefined) };

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handle: vi.fn(),
};

export const ipcMain = {
  handle: vi.fn(),
  on: vi.fn(),
};

/** A utilityProcess child: exit events, postMessage, kill. */
export class FakeUtilityProcess extends EventEmitter {
  readonly postMessage = vi.fn();
  readonly kill = vi.fn(() => true);
}

export const utilityProcess = {
  fork: vi.fn((_entry: string, _args?: string[], _options?: unknown) => new FakeUtilityProcess()),
};

export class FakePort {
  readonly postMessage = vi.fn();
  constructor(readonly name: string) {}
}

export class MessageChannelMain {
  static created: MessageChannelMain[] = [];
  readonly port1 = new FakePort('port1');
  readonly port2 = new FakePort('port2');
  constructor() {
    MessageChannelMain.created.push(this);
  }
}

/** Preload side. */
export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: vi.fn(async (..._args: unknown[]) => null as unknown),
  send: vi.fn(),
});

export const contextBridge = {
  exposeInMainWorld: vi.fn(),
  executeInMainWorld: vi.fn(),
};

export const webUtils = { getPathForFile: vi.fn((file: { path?: string }) => file.path ?? '') };

export default {
  app,
  BrowserWindow,
  dialog,
  Menu,
  screen,
  session,
  shell,
  protocol,
  ipcMain,
  utilityProcess,
  MessageChannelMain,
  ipcRenderer,
  contextBridge,
  webUtils,
};
