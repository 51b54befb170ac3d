/**
 * Editing shortcuts on the desktop (issue 18, item 3): on macOS the Edit menu's
 * undo, redo, cut, copy, paste and select all are Electron's roles, so a
 * focused text field gets the native edit (macOS sends every key the page
 * leaves alone to the menu, and `registerAccelerator: false` does nothing
 * there); and the graph gets an edit command only when no text field has
 * focus, the page's own rule for its keys.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ipcRenderer } from './electron-mock';
import { menuTemplate } from '../../electron/main/menu';
import type * as PreloadModule from '../../electron/preload/preload';
import type { MenuCommand } from '../../electron/preload/api';

vi.mock('electron', () => import('./electron-mock'));

function editMenu(isMac: boolean, command = vi.fn()): MenuItemConstructorOptions[] {
  const template = menuTemplate(
    { appName: 'Autograd Studio', isMac, isDev: false, recent: [] },
    { openRecent: vi.fn(), clearRecent: vi.fn(), command },
  );
  const edit = template.find((m) => m.label === '&Edit')!;
  return (edit.submenu as MenuItemConstructorOptions[]).filter((i) => i.type !== 'separator');
}

describe('the Edit menu', () => {
  it('on macOS: undo, redo, cut, copy, paste and select all are roles, with no click of their own', () => {
    const items = editMenu(true);
    const roles = items.filter((i) => i.role).map((i) => i.role);
    expect(roles).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
    for (const i of items.filter((x) => x.role)) expect(i.click).toBeUndefined();
    // The graph's own commands stay items of the page.
    expect(items.filter((i) => !i.role).map((i) => [i.label, i.accelerator])).toEqual([
      ['Duplicate', 'Cmd+D'],
      ['Delete', 'Delete'],
    ]);
  });

  it('on Windows and Linux: the page handles the keys (not registered), a click sends the graph command', () => {
    const command = vi.fn();
    const items = editMenu(false, command);
    const pageItems = items.filter((i) => !i.role);
    expect(pageItems.map((i) => i.accelerator)).toEqual([
      'Ctrl+Z',
      'Ctrl+Shift+Z',
      'Ctrl+C',
      'Ctrl+V',
      'Ctrl+D',
      'Delete',
      'Ctrl+A',
    ]);
    for (const i of pageItems) expect(i.registerAccelerator).toBe(false);
    pageItems[2]!.click!({} as never, undefined, {} as never);
    expect(command).toHaveBeenCalledWith('copy');
  });
});

/** The page's DOM as the preload sees it: the focused element and copy/paste events. */
const listeners = new Map<string, ((event: unknown) => void)[]>();
const fakeWindow = {
  addEventListener: (type: string, l: (event: unknown) => void) =>
    listeners.set(type, [...(listeners.get(type) ?? []), l]),
  postMessage: vi.fn(),
  getSelection: vi.fn((): { toString(): string } => ({ toString: () => '' })),
};
const fakeDocument = { activeElement: null as unknown, execCommand: vi.fn(() => true) };
const input = { tagName: 'INPUT', isContentEditable: false };
const canvas = { tagName: 'DIV', isContentEditable: false };
const received: MenuCommand[] = [];
let preload: typeof PreloadModule;

function domEvent(type: string, target: unknown, isTrusted = true) {
  const event = { type, target, isTrusted, preventDefault: vi.fn() };
  for (const l of listeners.get(type) ?? []) l(event);
  return event;
}

beforeAll(async () => {
  vi.stubGlobal('window', fakeWindow);
  vi.stubGlobal('document', fakeDocument);
  preload = await import('../../electron/preload/preload');
  preload.bridge.onMenu((c) => received.push(c));
});

beforeEach(() => {
  received.length = 0;
  fakeDocument.execCommand.mockClear();
  fakeWindow.getSelection.mockReturnValue({ toString: () => '' });
});

describe('edit commands while a text field has focus', () => {
  it('are done natively in the field and never reach the graph', () => {
    fakeDocument.activeElement = input;
    for (const c of ['undo', 'redo', 'copy', 'paste', 'selectAll', 'delete', 'duplicate'] as const)
      ipcRenderer.emit('menu:command', {}, c);
    expect(received).toEqual([]);
    expect(fakeDocument.execCommand.mock.calls.map((c) => (c as unknown[])[0])).toEqual([
      'undo',
      'redo',
      'copy',
      'paste',
      'selectAll',
      'forwardDelete',
    ]);
  });

  it('other commands still reach the page', () => {
    fakeDocument.activeElement = input;
    ipcRenderer.emit('menu:command', {}, 'save');
    ipcRenderer.emit('menu:command', {}, 'run');
    expect(received).toEqual(['save', 'run']);
  });

  it('counts contenteditable elements and selects as text fields, as the page does', () => {
    expect(preload.isTextField({ tagName: 'DIV', isContentEditable: true })).toBe(true);
    expect(preload.isTextField({ tagName: 'TEXTAREA' })).toBe(true);
    expect(preload.isTextField({ tagName: 'SELECT' })).toBe(true);
    expect(preload.isTextField(canvas)).toBe(false);
    expect(preload.isTextField(null)).toBe(false);
  });
});

describe('edit commands on the canvas', () => {
  it('reach the graph', () => {
    fakeDocument.activeElement = canvas;
    ipcRenderer.emit('menu:command', {}, 'copy');
    ipcRenderer.emit('menu:command', {}, 'delete');
    expect(received).toEqual(['copy', 'delete']);
    expect(fakeDocument.execCommand).not.toHaveBeenCalled();
  });

  it("macOS's Copy and Paste roles reach the graph as the page's copy and paste events", () => {
    const copy = domEvent('copy', canvas);
    const paste = domEvent('paste', canvas);
    expect(received).toEqual(['copy', 'paste']);
    expect(copy.preventDefault).toHaveBeenCalled();
    expect(paste.preventDefault).toHaveBeenCalled();
  });

  it('leave copy and paste events of a text field, a text selection or a script alone', () => {
    expect(domEvent('copy', input).preventDefault).not.toHaveBeenCalled();
    expect(domEvent('paste', input).preventDefault).not.toHaveBeenCalled();
    expect(domEvent('paste', canvas, false).preventDefault).not.toHaveBeenCalled();
    fakeWindow.getSelection.mockReturnValue({ toString: () => 'selected words' });
    expect(domEvent('copy', canvas).preventDefault).not.toHaveBeenCalled();
    expect(received).toEqual([]);
  });
});
