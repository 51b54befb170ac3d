/**
 * The sandboxed preload. It never exposes ipcRenderer: it builds `window.api`
 * (ElectronApi, see ./api.ts) from a few named functions, hands the engine's
 * MessagePort to the page, and turns a .json file dropped on the window into
 * an open request. Bundled to dist/electron/preload.cjs.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { IpcRendererEvent } from 'electron';
import {
  Channel,
  ENGINE_PORT_MESSAGE,
  isMenuCommand,
  type ElectronApi,
  type MenuCommand,
  type OpenedFile,
} from './api';

/** What the isolated world lends the page's world (functions cross contextBridge; MessagePorts cannot). */
export interface Bridge {
  openFile(): Promise<OpenedFile | null>;
  saveFile(text: string, path?: string): Promise<string | null>;
  setTitle(title: string): void;
  onMenu(cb: (command: MenuCommand) => void): () => void;
  requestEnginePort(): void;
}

// Menu commands that arrive before the page subscribes (a file handed over at
// startup sends `open` while the page is still loading) wait for the first subscriber.
const menuListeners = new Set<(command: MenuCommand) => void>();
const earlyCommands: MenuCommand[] = [];
ipcRenderer.on(Channel.menu, (_event: IpcRendererEvent, command: unknown) => {
  if (!isMenuCommand(command) || editsTextField(command)) return;
  deliver(command);
});

function deliver(command: MenuCommand): void {
  if (menuListeners.size === 0) earlyCommands.push(command);
  for (const cb of menuListeners) cb(command);
}

/** The graph's edit commands, and what each does natively in a focused text field (null: nothing). */
const NATIVE_EDIT: Partial<Record<MenuCommand, string | null>> = {
  undo: 'undo',
  redo: 'redo',
  copy: 'copy',
  paste: 'paste',
  selectAll: 'selectAll',
  delete: 'forwardDelete',
  duplicate: null,
};

/** The page's rule for its shortcuts (renderer/app/shortcuts.ts): an element the user types in. */
export function isTextField(target: unknown): boolean {
  const el = target as { isContentEditable?: boolean; tagName?: unknown } | null;
  return !!el && (el.isContentEditable === true || ['INPUT', 'TEXTAREA', 'SELECT'].includes(String(el.tagName)));
}

/**
 * An edit command from the menu while a text field has focus belongs to the
 * field (see electron/main/menu.ts): done natively there; true when so.
 */
function editsTextField(command: MenuCommand): boolean {
  if (!Object.hasOwn(NATIVE_EDIT, command) || typeof document === 'undefined' || !isTextField(document.activeElement))
    return false;
  const native = NATIVE_EDIT[command];
  if (native) document.execCommand(native);
  return true;
}

// macOS: Edit > Copy and Paste are Electron's roles. Outside a text field (and without a text
// selection to copy) they reach the page as copy and paste events: the graph's commands.
for (const type of ['copy', 'paste'] as const) {
  window.addEventListener(
    type,
    (event) => {
      if (!event.isTrusted || isTextField(event.target)) return;
      if (type === 'copy' && (window.getSelection?.()?.toString() ?? '') !== '') return;
      event.preventDefault();
      deliver(type);
    },
    true,
  );
}

export const bridge: Bridge = {
  openFile: () => ipcRenderer.invoke(Channel.openFile),
  saveFile: (text, path) =>
    path === undefined ? ipcRenderer.invoke(Channel.saveFile, text) : ipcRenderer.invoke(Channel.saveFile, text, path),
  setTitle: (title) => ipcRenderer.send(Channel.setTitle, title),
  onMenu(cb) {
    menuListeners.add(cb);
    for (const command of earlyCommands.splice(0)) cb(command);
    return () => void menuListeners.delete(cb);
  },
  requestEnginePort: () => ipcRenderer.send(Channel.connectEngine),
};

/**
 * Runs in the page's world (contextBridge.executeInMainWorld serialises it, so
 * it must not use anything from this module's scope). Defines a frozen,
 * read-only `window.api` whose `getEnginePort` takes the port from the window
 * message the preload posts.
 */
export function installApi(lent: Bridge, portMessage: string, target: Window = window): void {
  let spare: MessagePort | null = null;
  const waiting: ((port: MessagePort) => void)[] = [];
  target.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== target || event.data !== portMessage || !event.ports[0]) return;
    const port = event.ports[0];
    const resolve = waiting.shift();
    if (resolve) resolve(port);
    else {
      spare = port; // a restarted engine, for the next getEnginePort
      target.dispatchEvent(new Event('engine-port-available'));
    }
  });
  const api: ElectronApi = {
    openFile: () => lent.openFile(),
    saveFile: (text, path) => lent.saveFile(text, path),
    setTitle: (title) => lent.setTitle(title),
    onMenu: (cb) => lent.onMenu(cb),
    getEnginePort: () =>
      new Promise<MessagePort>((resolve) => {
        if (spare) {
          resolve(spare);
          spare = null;
          return;
        }
        waiting.push(resolve);
        lent.requestEnginePort();
      }),
  };
  Object.defineProperty(target, 'api', {
    value: Object.freeze(api),
    enumerable: true,
    writable: false,
    configurable: false,
  });
}

contextBridge.executeInMainWorld({ func: installApi, args: [bridge, ENGINE_PORT_MESSAGE] });

// The port arrives over IPC; contextBridge cannot carry it, a window message can.
ipcRenderer.on(Channel.enginePort, (event) => {
  const [port] = event.ports;
  if (port) window.postMessage(ENGINE_PORT_MESSAGE, '*', [port]);
});

// A .json file dropped anywhere on the window: main checks it and asks the page to open it.
// Only a drop the user made (isTrusted): a script of the page can dispatch a drop event, but
// not a trusted one, and the path of a File it built is empty.
window.addEventListener(
  'dragover',
  (event) => {
    if (event.dataTransfer?.types.includes('Files')) event.preventDefault();
  },
  true,
);
window.addEventListener(
  'drop',
  (event) => {
    if (!event.isTrusted) return;
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length === 0) return;
    event.preventDefault();
    event.stopPropagation();
    const file = files.find((f) => f.name.toLowerCase().endsWith('.json'));
    const path = file ? webUtils.getPathForFile(file) : '';
    if (path) ipcRenderer.send(Channel.openDropped, path);
  },
  true,
);
