/**
 * The preload's side of `window.api`: the interface itself is declared once, in
 * engine/protocol/app-api.ts (shared with the renderer); this file adds the IPC
 * channel names. Only type imports and the import-free app-api module: the
 * sandboxed preload bundles this file.
 */
import type { ElectronApiOf } from '../../engine/protocol/app-api';

export { MENU_COMMANDS, isMenuCommand } from '../../engine/protocol/app-api';
export type { MenuCommand, OpenedFile } from '../../engine/protocol/app-api';

/** `window.api` in Electron. */
export type ElectronApi = ElectronApiOf<MessagePort>;

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
