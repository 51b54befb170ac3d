/**
 * The browser implementation of {@link Host}: a hidden file input to open,
 * a download link to save and export, localStorage for autosave, and the
 * engine in a supervised Web Worker.
 */
import { supervisedWorkerEngine } from '../engine-client/supervised';
import type { Host, HostFile } from './host';
import { localStore } from './storage';

/** Offers a blob for download under `name`. */
export function downloadBlob(data: Blob, name: string): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Reads a File chosen in an `<input type=file>`. */
export async function readFile(file: File): Promise<HostFile> {
  return { name: file.name, path: null, text: await file.text() };
}

/** Creates the browser host. `pickFile` is the app's visible file input (data-testid=open-file). */
export function createBrowserHost(pickFile: () => HTMLInputElement | null): Host {
  return {
    kind: 'browser',
    openFile: () =>
      new Promise<HostFile | null>((resolve) => {
        const input = pickFile();
        if (!input) return resolve(null);
        const onChange = async (): Promise<void> => {
          input.removeEventListener('change', onChange);
          const f = input.files?.[0];
          resolve(f ? await readFile(f) : null);
        };
        input.addEventListener('change', onChange);
        input.click();
      }),
    saveDocument: async (text, name) => {
      downloadBlob(new Blob([text], { type: 'application/json' }), name);
      return { name, path: null };
    },
    download: async (data, name) => downloadBlob(data, name),
    setTitle: (t) => {
      document.title = t;
    },
    onMenu: () => () => undefined,
    connectEngine: async () => supervisedWorkerEngine(),
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
