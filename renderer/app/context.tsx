/**
 * React access to the studio, the engine session and the host: one context,
 * and `useApp(selector)` to read the store.
 */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { Host } from '../platform/host';
import type { EngineSession } from '../session/engine-session';
import type { AppState, Studio } from '../state/store';

/** Everything components reach for. */
export interface AppServices {
  readonly studio: Studio;
  readonly host: Host;
  /** Null until the engine connected (or when it cannot). */
  readonly session: EngineSession | null;
}

export const AppContext = createContext<AppServices | null>(null);

/** The services. */
export function useServices(): AppServices {
  const s = useContext(AppContext);
  if (!s) throw new Error('useServices outside AppContext');
  return s;
}

/**
 * Reads from the store; re-renders when the selected value changes (compared
 * shallowly, so a selector may build a small object or array).
 */
export function useApp<T>(selector: (s: AppState) => T): T {
  return useStore(useServices().studio.store, useShallow(selector));
}
