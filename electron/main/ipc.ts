/**
 * IPC from the page: every message must come from the app window's top frame
 * at the app:// origin, and carry exactly the arguments its channel takes.
 * Anything else is refused before a handler runs (an `invoke` rejects, a
 * `send` is dropped) and logged.
 */
import path from 'node:path';
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent } from 'electron';
import { Channel, type OpenedFile } from '../preload/api';
import { isGraphFileName, MAX_DOCUMENT_BYTES } from './documents';
import { isAppUrl } from './window';

export const MAX_TITLE_LENGTH = 200;

export class IpcRejection extends Error {
  override name = 'IpcRejection';
}

/** The parts of an IPC event the checks read. */
export interface SenderInfo {
  readonly sender: { readonly id: number };
  readonly senderFrame: { readonly url: string; readonly parent: unknown } | null;
}

/** From the expected webContents, its top frame, showing a page of the app's origin. */
export function isTrustedSender(event: SenderInfo, expectedWebContentsId: number | null): boolean {
  if (expectedWebContentsId === null || event.sender.id !== expectedWebContentsId) return false;
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

function expectArity(args: readonly unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    throw new IpcRejection(`expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`);
  }
}

function expectText(value: unknown, what: string, maxBytes: number): string {
  if (typeof value !== 'string') throw new IpcRejection(`${what}: expected a string`);
  if (Buffer.byteLength(value, 'utf8') > maxBytes) throw new IpcRejection(`${what}: larger than ${maxBytes} bytes`);
  return value;
}

function expectAbsolutePath(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096)
    throw new IpcRejection(`${what}: expected a path`);
  if (value.includes('\0') || !path.isAbsolute(value)) throw new IpcRejection(`${what}: expected an absolute path`);
  return value;
}

export interface SaveRequest {
  readonly text: string;
  readonly path: string | null;
}

/** Payload checks, one per channel: each returns the typed payload or throws IpcRejection. */
export const validate = {
  none(args: readonly unknown[]): void {
    expectArity(args, 0);
  },
  save(args: readonly unknown[]): SaveRequest {
    expectArity(args, 1, 2);
    const text = expectText(args[0], 'text', MAX_DOCUMENT_BYTES);
    const file = args[1] === undefined || args[1] === null ? null : expectAbsolutePath(args[1], 'path');
    return { text, path: file };
  },
  title(args: readonly unknown[]): string {
    expectArity(args, 1);
    return expectText(args[0], 'title', MAX_TITLE_LENGTH * 4).slice(0, MAX_TITLE_LENGTH);
  },
  droppedPath(args: readonly unknown[]): string {
    expectArity(args, 1);
    const file = expectAbsolutePath(args[0], 'path');
    if (!isGraphFileName(file)) throw new IpcRejection('path: expected a .json file');
    return file;
  },
};

/** What main does for the page. */
export interface IpcHandlers {
  openFile(): Promise<OpenedFile | null>;
  saveFile(request: SaveRequest): Promise<string | null>;
  setTitle(title: string): void;
  openDropped(file: string): void;
  connectEngine(): void;
}

export type Logger = (message: string) => void;

/**
 * Registers every channel. `expectedSender` returns the id of the app
 * window's webContents (null while there is none).
 */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle' | 'on'>,
  handlers: IpcHandlers,
  expectedSender: () => number | null,
  log: Logger = (m) => console.warn(m),
): void {
  const check = (channel: string, event: SenderInfo): void => {
    if (!isTrustedSender(event, expectedSender())) {
      throw new IpcRejection(
        `${channel}: refused a message from an unexpected sender (${event.senderFrame?.url ?? 'no frame'})`,
      );
    }
  };

  const invoke = <T>(channel: string, run: (args: readonly unknown[]) => Promise<T>): void => {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      try {
        check(channel, event);
        return await run(args);
      } catch (error) {
        if (error instanceof IpcRejection) log(`ipc ${channel}: ${error.message}`);
        throw error;
      }
    });
  };

  const on = (channel: string, run: (args: readonly unknown[]) => void): void => {
    ipcMain.on(channel, (event: IpcMainEvent, ...args: unknown[]) => {
      try {
        check(channel, event);
        run(args);
      } catch (error) {
        if (!(error instanceof IpcRejection)) throw error;
        log(`ipc ${channel}: ${error.message}`);
      }
    });
  };

  invoke(Channel.openFile, async (args) => (validate.none(args), handlers.openFile()));
  invoke(Channel.saveFile, async (args) => handlers.saveFile(validate.save(args)));
  on(Channel.setTitle, (args) => handlers.setTitle(validate.title(args)));
  on(Channel.openDropped, (args) => handlers.openDropped(validate.droppedPath(args)));
  on(Channel.connectEngine, (args) => (validate.none(args), handlers.connectEngine()));
}
