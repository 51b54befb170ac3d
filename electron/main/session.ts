/**
 * Documents as main sees them. The page owns the document, its dirty flag,
 * its title and its autosave (Host.storage: localStorage, which Electron keeps
 * in the app's data folder); main owns the files: Open and Save dialogs, the
 * graph document gate, recent files, files handed over by the OS or a drop,
 * and the unsaved-changes question when the window closes. Dialogs, disk and
 * the window come in as small interfaces, so every flow is tested without
 * Electron.
 */
import path from 'node:path';
import type { MenuCommand, OpenedFile } from '../preload/api';
import {
  checkGraphDocument,
  documentKind,
  ensureExtension,
  MAX_DOCUMENT_BYTES,
  parseRecent,
  pushRecent,
  removeRecent,
  suggestedFileName,
  type DocumentKind,
} from './documents';
import type { SaveRequest } from './ipc';
import type { StateStore } from './storage';

export const RECENT_FILE = 'recent.json';
/** How long a file handed over by the OS, a drop or Open Recent waits for the page's openFile. */
export const HANDOVER_TTL_MS = 60_000;

export type SaveChoice = 'save' | 'discard' | 'cancel';

/** Native dialogs. */
export interface SessionDialogs {
  chooseFileToOpen(): Promise<string | null>;
  /** `suggested` is a file name or a full path. */
  chooseFileToSave(suggested: string, kind: DocumentKind): Promise<string | null>;
  /** Must answer synchronously: it runs inside the window's will-prevent-unload event. */
  askSaveChangesSync(): SaveChoice;
  showError(title: string, detail: string): void;
}

/** The document files themselves. */
export interface SessionFiles {
  read(file: string): Promise<string>;
  write(file: string, text: string): Promise<void>;
}

/** The app window, as far as documents are concerned. */
export interface SessionWindow {
  command(command: MenuCommand): void;
  /** Closes without asking again: the page has just saved (its beforeunload guard may not know yet). */
  close(): void;
}

export interface SessionDeps {
  readonly dialogs: SessionDialogs;
  readonly files: SessionFiles;
  readonly store: StateStore;
  readonly window: () => SessionWindow | null;
  readonly onRecentChanged?: (recent: readonly string[]) => void;
  readonly now?: () => number;
}

export class DocumentSession {
  /**
   * The open document's own files: the one it was opened from (through the
   * Open dialog, the OS or Open Recent, never a drop) and those it was saved to
   * through the Save dialog. The only files a save may write without a dialog;
   * opening another document forgets them.
   */
  private approved = new Set<string>();
  private recentFiles: string[] = [];
  /** A file waiting for the page's openFile (see `handOver`); `dropped` when only the page named it. */
  private handover: { file: string; at: number; dropped: boolean } | null = null;
  /** The user chose Save when closing: close once that save succeeds. */
  private closeAfterSave = false;

  constructor(private readonly deps: SessionDeps) {}

  get recent(): readonly string[] {
    return this.recentFiles;
  }

  async init(): Promise<void> {
    this.recentFiles = parseRecent(await this.deps.store.read(RECENT_FILE));
    this.deps.onRecentChanged?.(this.recentFiles);
  }

  /**
   * Open Recent, a drop, a double-click in the file manager, a second
   * instance: asks the page to open (it checks its unsaved changes first), and
   * the page's openFile then gets this file instead of a dialog.
   */
  handOver(file: string): void {
    this.handover = { file, at: this.now(), dropped: false };
    this.deps.window()?.command('open');
  }

  /**
   * A file dropped on the window. Main has only the page's word for it (the
   * preload resolves a trusted drop's File to its path, but a compromised
   * renderer could name any path): it is opened like a handed-over file, after
   * the same graph document gate, but it never becomes a file that Save writes
   * without the Save dialog (which suggests it).
   */
  openDropped(file: string): void {
    this.handover = { file, at: this.now(), dropped: true };
    this.deps.window()?.command('open');
  }

  /** The page's Open (window.api.openFile). */
  async openFile(): Promise<OpenedFile | null> {
    const handed = this.handover;
    this.handover = null;
    if (handed && this.now() - handed.at <= HANDOVER_TTL_MS) return this.load(handed.file, !handed.dropped);
    const file = await this.deps.dialogs.chooseFileToOpen();
    return file === null ? null : this.load(file, true);
  }

  /**
   * Reads and checks `file`; on any fault shows which and returns null, so the
   * page changes nothing. Once open it is the document's file, one Save writes
   * without asking when `approve`.
   */
  private async load(file: string, approve: boolean): Promise<OpenedFile | null> {
    const title = `Could not open ${path.basename(file)}`;
    let text: string;
    try {
      text = await this.deps.files.read(file);
    } catch (error) {
      this.deps.dialogs.showError(title, errorText(error));
      if (this.recentFiles.includes(file)) this.setRecent(removeRecent(this.recentFiles, file));
      return null;
    }
    if (Buffer.byteLength(text, 'utf8') > MAX_DOCUMENT_BYTES) {
      this.deps.dialogs.showError(title, `The file is larger than ${MAX_DOCUMENT_BYTES / 1024 / 1024} MiB.`);
      return null;
    }
    const check = checkGraphDocument(text);
    if (!check.ok) {
      this.deps.dialogs.showError(
        `${path.basename(file)} is not a valid graph document`,
        `${check.field}: ${check.message}\n\nThe open document was not changed.`,
      );
      return null;
    }
    this.approved = new Set(approve ? [file] : []);
    this.setRecent(pushRecent(this.recentFiles, file));
    return { path: file, text };
  }

  /**
   * The page's Save, Save As and exports (window.api.saveFile). Writes to the
   * open document's own file without asking (see `approved`); anything else
   * goes through the Save dialog.
   */
  async saveFile(request: SaveRequest): Promise<string | null> {
    const kind = documentKind(request.text);
    let target = request.path !== null && this.approved.has(request.path) ? request.path : null;
    if (target === null) {
      const chosen = await this.deps.dialogs.chooseFileToSave(
        request.path ?? suggestedFileName(request.text, kind),
        kind,
      );
      if (chosen === null) {
        this.closeAfterSave = false;
        return null;
      }
      target = ensureExtension(chosen, kind);
    }
    try {
      await this.deps.files.write(target, request.text);
    } catch (error) {
      this.closeAfterSave = false;
      this.deps.dialogs.showError(`Could not save ${path.basename(target)}`, errorText(error));
      throw error;
    }
    if (kind === 'graph') {
      this.approved.add(target);
      this.setRecent(pushRecent(this.recentFiles, target));
    }
    if (this.closeAfterSave) {
      this.closeAfterSave = false;
      this.deps.window()?.close();
    }
    return target;
  }

  /**
   * For the window's will-prevent-unload (the page's beforeunload guard says
   * there are unsaved changes): true to close anyway. "Save" asks the page to
   * save and closes once that save succeeds.
   */
  confirmUnload(): boolean {
    const choice = this.deps.dialogs.askSaveChangesSync();
    if (choice === 'discard') return true;
    if (choice === 'save') {
      this.closeAfterSave = true;
      this.deps.window()?.command('save');
    }
    return false;
  }

  clearRecent(): void {
    this.setRecent([]);
  }

  private setRecent(list: string[]): void {
    this.recentFiles = list;
    this.deps.store
      .write(RECENT_FILE, list)
      .catch((error: unknown) => console.warn(`could not save recent files: ${String(error)}`));
    this.deps.onRecentChanged?.(list);
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
