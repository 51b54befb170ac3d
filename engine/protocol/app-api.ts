/**
 * `window.api`: what the Electron preload gives the page, declared once for both
 * sides of the process boundary (electron/preload implements it with
 * contextBridge; the renderer uses it through its Electron host). Types and one
 * import-free table only, so the sandboxed preload can bundle it.
 */

/** A file the user opened: its path and text. */
export interface OpenedFile {
  readonly path: string;
  readonly text: string;
}

/** Every menu command main sends to the window (a record, so the compiler notices a missing one). */
const MENU_COMMAND_SET = {
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
} as const;

/** Menu commands the main process sends to the window. */
export type MenuCommand = keyof typeof MENU_COMMAND_SET;

export const MENU_COMMANDS = Object.keys(MENU_COMMAND_SET) as MenuCommand[];

export function isMenuCommand(value: unknown): value is MenuCommand {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(MENU_COMMAND_SET, value);
}

/** `window.api` in Electron; `Port` is the DOM's MessagePort (this layer has no DOM types). */
export interface ElectronApiOf<Port> {
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
  getEnginePort(): Promise<Port>;
}
