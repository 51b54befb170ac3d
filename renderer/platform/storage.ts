import type { Host } from './host';

/** localStorage, or a memory map where it is not available. */
export function localStore(): Host['storage'] {
  const mem = new Map<string, string>();
  const ls = (): Storage | null => {
    try {
      return typeof localStorage === 'undefined' ? null : localStorage;
    } catch {
      return null;
    }
  };
  return {
    get: (k) => ls()?.getItem(k) ?? mem.get(k) ?? null,
    set: (k, v) => {
      try {
        ls()?.setItem(k, v);
      } catch {
        mem.set(k, v);
      }
    },
    remove: (k) => {
      ls()?.removeItem(k);
      mem.delete(k);
    },
  };
}
