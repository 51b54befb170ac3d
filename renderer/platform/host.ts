/**
 * What the app needs from where it runs (browser or Electron): files, title,
 * menus, the engine connection and a small key-value store for autosave.
 */
import type { EngineConnection } from '../../engine/protocol/client';
import type { MenuCommand } from './api';

/** A document file the user opened. */
export interface HostFile {
  readonly name: string;
  /** Full path in Electron; null in the browser. */
  readonly path: string | null;
  readonly text: string;
}

/** The platform. */
export interface Host {
  readonly kind: 'browser' | 'electron';
  /** Lets the user pick a graph document; null when cancelled. */
  openFile(): Promise<HostFile | null>;
  /** Saves document text; returns the path/name written, or null when cancelled. */
  saveDocument(text: string, name: string, path: string | null): Promise<{ name: string; path: string | null } | null>;
  /** Offers a file for download / writes it with a dialog (PNG, SVG, JSON export). */
  download(data: Blob, name: string): Promise<void>;
  setTitle(title: string): void;
  onMenu(cb: (command: MenuCommand) => void): () => void;
  /**
   * The engine connection: in the browser a supervised Web Worker engine (it
   * restarts itself when a Cancel is not acknowledged), in Electron a client
   * over the engine process's port.
   */
  connectEngine(): Promise<EngineConnection>;
  /**
   * Calls `cb` when a new engine connection is waiting (the desktop engine process
   * was restarted); `connectEngine()` then returns it. Absent where engines are not replaced.
   */
  onEngineReplaced?(cb: () => void): () => void;
  /** Autosave storage (localStorage in the browser). */
  readonly storage: {
    get(key: string): string | null;
    set(key: string, value: string): void;
    remove(key: string): void;
  };
  /** Installs the unsaved-changes guard on closing the window. */
  guardUnload(isDirty: () => boolean): () => void;
}
