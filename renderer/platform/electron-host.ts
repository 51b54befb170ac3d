/**
 * The Electron implementation of {@link Host}: everything goes through the
 * preload's `window.api`; the engine runs in a utility process reached over a
 * MessagePort.
 */
import { EngineClient } from '../../engine/protocol/client';
import type { ElectronApi } from './api';
import { downloadBlob } from './browser-host';
import type { Host } from './host';
import { localStore } from './storage';

/** Window event the preload dispatches when a restarted engine's port is waiting. */
export const ENGINE_REPLACED_EVENT = 'engine-port-available';

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** Creates the Electron host over `window.api`. */
export function createElectronHost(api: ElectronApi): Host {
  return {
    kind: 'electron',
    openFile: async () => {
      const f = await api.openFile();
      return f ? { name: baseName(f.path), path: f.path, text: f.text } : null;
    },
    saveDocument: async (text, _name, path) => {
      const written = await api.saveFile(text, path ?? undefined);
      return written ? { name: baseName(written), path: written } : null;
    },
    download: async (data, name) => {
      if (data.type.startsWith('application/json') || data.type.startsWith('image/svg')) {
        await api.saveFile(await data.text());
      } else {
        downloadBlob(data, name);
      }
    },
    setTitle: (t) => api.setTitle(t),
    onMenu: (cb) => api.onMenu(cb),
    connectEngine: async () => new EngineClient(await api.getEnginePort()),
    onEngineReplaced: (cb) => {
      window.addEventListener(ENGINE_REPLACED_EVENT, cb);
      return () => window.removeEventListener(ENGINE_REPLACED_EVENT, cb);
    },
    storage: localStore(),
    guardUnload: (isDirty) => {
      const h = (e: BeforeUnloadEvent): void => {
        if (isDirty()) e.preventDefault();
      };
      window.addEventListener('beforeunload', h);
      return () => window.removeEventListener('beforeunload', h);
    },
  };
}

/** The host for this window: Electron when the preload is present, else the browser. */
export function hasElectronApi(): boolean {
  return typeof window !== 'undefined' && typeof window.api === 'object' && window.api !== null;
}
