/**
 * The typed API the Electron preload exposes as `window.api`. The electron
 * side implements exactly this interface with `contextBridge`; the renderer
 * uses it only through the Electron {@link Host}.
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

/** `window.api` in Electron. */
export interface ElectronApi {
  /** Shows the open dialog; null when cancelled. */
  openFile(): Promise<OpenedFile | null>;
  /** Writes `text` to `path`, or asks where with a save dialog; resolves with the path written, or null when cancelled. */
  saveFile(text: string, path?: string): Promise<string | null>;
  /** Sets the window title. */
  setTitle(title: string): void;
  /** Subscribes to menu commands; returns the unsubscribe function. */
  onMenu(cb: (command: MenuCommand) => void): () => void;
  /** A MessagePort connected to the engine utility process. */
  getEnginePort(): Promise<MessagePort>;
}

declare global {
  interface Window {
    /** Present only in Electron (set by the preload). */
    api?: ElectronApi;
  }
}
