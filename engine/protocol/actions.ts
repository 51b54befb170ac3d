/**
 * Note [One action table]: every user action with its label and shortcut, once,
 * for both sides of the process boundary: the desktop menu takes its
 * accelerators from here (electron/main/menu.ts) and the page its keyboard
 * shortcuts and the help sheet (renderer/app/shortcuts.ts), so an action has
 * the same shortcut in the desktop app and in the browser. Chords are written
 * `mod+shift+z` (mod: Ctrl, or Cmd on macOS), using only keys a browser lets a
 * page take: Ctrl+N, Ctrl+T and Ctrl+W belong to the browser, hence New is
 * mod+alt+n.
 */
import type { MenuCommand } from './app-api';

/** One action: its label and its chords (the first is the one a menu shows). */
export interface Action {
  readonly label: string;
  readonly keys: readonly string[];
}

export const ACTIONS: Readonly<Record<MenuCommand, Action>> = {
  new: { label: 'New', keys: ['mod+alt+n'] },
  open: { label: 'Open', keys: ['mod+o'] },
  save: { label: 'Save', keys: ['mod+s'] },
  saveAs: { label: 'Save as', keys: ['mod+shift+s'] },
  exportJson: { label: 'Export JSON', keys: ['mod+e'] },
  exportPng: { label: 'Export PNG', keys: [] },
  exportSvg: { label: 'Export SVG', keys: [] },
  undo: { label: 'Undo', keys: ['mod+z'] },
  redo: { label: 'Redo', keys: ['mod+shift+z', 'mod+y'] },
  copy: { label: 'Copy', keys: ['mod+c'] },
  paste: { label: 'Paste', keys: ['mod+v'] },
  duplicate: { label: 'Duplicate', keys: ['mod+d'] },
  delete: { label: 'Delete', keys: ['delete', 'backspace'] },
  selectAll: { label: 'Select all', keys: ['mod+a'] },
  run: { label: 'Run', keys: ['mod+enter'] },
  stepForward: { label: 'Forward step', keys: ['mod+.'] },
  stepBackward: { label: 'Backward step', keys: ['mod+,'] },
  reset: { label: 'Reset', keys: ['mod+shift+r'] },
  examples: { label: 'Examples', keys: [] },
  autogradView: { label: 'Autograd view', keys: ['mod+g'] },
};

const ACCELERATOR_PART: Readonly<Record<string, string>> = {
  shift: 'Shift',
  alt: 'Alt',
  enter: 'Enter',
  delete: 'Delete',
  backspace: 'Backspace',
};

/** A chord as an Electron accelerator: `mod+shift+z` -> `CmdOrCtrl+Shift+Z` (`mod` may be fixed, e.g. `Ctrl`). */
export function accelerator(chord: string, mod = 'CmdOrCtrl'): string {
  return chord
    .split('+')
    .map((p) => (p === 'mod' ? mod : (ACCELERATOR_PART[p] ?? p.toUpperCase())))
    .join('+');
}

/** The accelerator of an action's first chord, or undefined when it has none. */
export function acceleratorOf(command: MenuCommand, mod?: string): string | undefined {
  const first = ACTIONS[command].keys[0];
  return first === undefined ? undefined : accelerator(first, mod);
}
