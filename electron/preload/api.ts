/**
 * `window.api`: the interface the renderer defines in renderer/platform/api.ts
 * (`ElectronApi`), restated here because electron/ may not import the renderer;
 * test/electron/api-contract.test.ts checks that the two stay identical. Also
 * the IPC channel names. No imports: the sandboxed preload bundles this file.
 */

/** A file the user opened: its path and text. */
export interface OpenedFile {
  readonly path: string;
  readonly text: string;
}

/** Menu commands the main process sends to the window. */
export type MenuCommand =
  | 'new'
  | 'open'
  | 'save'
  | 'saveAs'
  | 'exportJson'
  | 'exportPng'
  | 'exportSvg'
  | 'undo'
  | 'redo'
  | 'copy'
  | 'paste'
  | 'duplicate'
  | 'delete'
  | 'selectAll'
  | 'run'
  | 'stepForward'
  | 'stepBackward'
  | 'reset'
  | 'examples'
  | 'autogradView';

/** Every menu command (a record, so the compiler notices a missing one). */
const MENU_COMMAND_SET: Record<MenuCommand, true> = {
  new: true,
  open: true,
  save: true,
  saveAs: true,
  exportJson: true,
  exportPng: true,
  exportSvg: true,
  undo: true,
  redo: true,
  copy: true,
  paste: true,
  duplicate: true,
  delete: true,
  selectAll: true,
  run: true,
  stepForward: true,
  stepBackward: true,
  reset: true,
  examples: true,
  autogradView: true,
};
export const MENU_COMMANDS = Object.keys(MENU_COMMAND_SET) as MenuCommand[];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MENU_COMMAND_SET, value);
}

/** `window.api` in Electron. */
export interface ElectronApi {
  /**
   * Shows the open dialog; null when cancelled (or when the file is not a
   * graph document: main then says which field is wrong). After main sends
   * `open` for a file from Open Recent, a drop on the window or the OS, this
   * returns that file without a dialog.
   */
  openFile(): Promise<OpenedFile | null>;
  /** Writes `text` to `path`, or asks where with a save dialog; resolves with the path written, or null when cancelled. */
  saveFile(text: string, path?: string): Promise<string | null>;
  /** Sets the window title. */
  setTitle(title: string): void;
  /** Subscribes to menu commands; returns the unsubscribe function. */
  onMenu(cb: (command: MenuCommand) => void): () => void;
  /**
   * A MessagePort connected to the engine utility process; each call opens a
   * fresh engine session. If the engine process dies, main starts another and the next call
   * returns its port at once; that port's first message is the protocol's
   * `{ type: 'event', event: 'restarted', reason }`.
   */
  getEnginePort(): Promise<MessagePort>;
}

/** `event.data` of the window message the preload uses to hand over the engine's MessagePort. */
export const ENGINE_PORT_MESSAGE = 'engine-port';

/** IPC channels: page -> main (`invoke` for those that answer, `send` for the rest), then main -> page. */
export const Channel = {
  openFile: 'document:open',
  saveFile: 'document:save',
  setTitle: 'window:set-title',
  openDropped: 'document:open-dropped',
  connectEngine: 'engine:connect',
  menu: 'menu:command',
  enginePort: 'engine-port',
} as const;
