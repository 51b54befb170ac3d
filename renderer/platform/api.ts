/**
 * The typed API the Electron preload exposes as `window.api`, declared once in
 * engine/protocol/app-api.ts for both sides; the renderer uses it only through
 * the Electron {@link Host}.
 */
import type { ElectronApiOf } from '../../engine/protocol/app-api';

export type { MenuCommand, OpenedFile } from '../../engine/protocol/app-api';

/** `window.api` in Electron. */
export type ElectronApi = ElectronApiOf<MessagePort>;

declare global {
  interface Window {
    /** Present only in Electron (set by the preload). */
    api?: ElectronApi;
  }
}
