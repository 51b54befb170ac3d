/**
 * Autosave to the host's storage (localStorage in the browser) a moment after
 * each change, and the record used to offer a restore after a crash.
 */
import { parseDocument } from '../document/parse';
import { serializeDocument } from '../document/serialize';
import type { GraphDocument } from '../document/types';
import type { Host } from '../platform/host';
import type { Studio } from '../state/store';

/** Storage key of the autosave record. */
export const AUTOSAVE_KEY = 'autograd-studio:autosave';

/** What is stored. */
export interface AutosaveRecord {
  readonly text: string;
  readonly fileName: string | null;
  readonly savedAt: number;
  /** True when the autosaved document had unsaved changes. */
  readonly dirty: boolean;
}

/** Reads the autosave record, if any and readable. */
export function readAutosave(storage: Host['storage']): { record: AutosaveRecord; doc: GraphDocument } | null {
  const raw = storage.get(AUTOSAVE_KEY);
  if (!raw) return null;
  try {
    const record = JSON.parse(raw) as AutosaveRecord;
    return { record, doc: parseDocument(record.text) };
  } catch {
    return null;
  }
}

/** Starts autosaving; returns the stop function. */
export function startAutosave(studio: Studio, storage: Host['storage'], delayMs = 800): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = (): void => {
    timer = null;
    const s = studio.state;
    const rec: AutosaveRecord = {
      text: serializeDocument(s.doc),
      fileName: s.fileName,
      savedAt: Date.now(),
      dirty: studio.dirty,
    };
    storage.set(AUTOSAVE_KEY, JSON.stringify(rec));
  };
  const unsub = studio.store.subscribe((s, prev) => {
    if (s.doc === prev.doc && s.savedRevision === prev.savedRevision) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(write, delayMs);
  });
  return () => {
    if (timer) clearTimeout(timer);
    unsub();
  };
}
