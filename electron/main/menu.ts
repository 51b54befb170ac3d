/**
 * The application menu as a template (pure, so tests read it). Commands go to
 * the page, which owns the document, its undo history and its unsaved-changes
 * checks; main keeps only Open Recent.
 *
 * Editing shortcuts follow one rule on every platform, the web's: a focused
 * text field gets the native edit, anything else the graph command.
 * - Windows and Linux: the edit items are shown but their keys not registered
 *   (`registerAccelerator: false`): the page handles those keys itself.
 * - macOS ignores `registerAccelerator` and sends every key the page leaves
 *   alone to the menu, so there Undo, Redo, Cut, Copy, Paste and Select All are
 *   Electron's roles: native in a focused text field; on the canvas the page
 *   takes the keys first (its keydown handler), and a menu Copy or Paste
 *   reaches the graph through the page's copy and paste events (the preload).
 * - A graph edit command that arrives while a text field has focus (Cmd+D or
 *   Delete on macOS, a menu click anywhere) is done natively in the field by
 *   the preload, never given to the graph.
 * File and graph shortcuts are registered here. Every accelerator comes from
 * the one action table (see Note [One action table] in engine/protocol/actions.ts).
 */
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { ACTIONS, acceleratorOf } from '../../engine/protocol/actions';
import type { MenuCommand } from '../preload/api';

export interface MenuActions {
  readonly openRecent: (file: string) => void;
  readonly clearRecent: () => void;
  /** Sends a command to the page. */
  readonly command: (command: MenuCommand) => void;
}

export interface MenuOptions {
  readonly appName: string;
  readonly isMac: boolean;
  /** Reload and developer tools appear only in development. */
  readonly isDev: boolean;
  readonly recent: readonly string[];
}

export function menuTemplate(options: MenuOptions, actions: MenuActions): MenuItemConstructorOptions[] {
  const { isMac, isDev, recent } = options;
  const item = (label: string, command: MenuCommand, mod?: string): MenuItemConstructorOptions => ({
    label,
    accelerator: acceleratorOf(command, mod),
    click: () => actions.command(command),
  });
  /** Shown with its shortcut, which the page handles. */
  const pageKey = (label: string, command: MenuCommand, mod: string): MenuItemConstructorOptions => ({
    ...item(label, command, mod),
    registerAccelerator: false,
  });
  const label = (command: MenuCommand): string => ACTIONS[command].label;

  const recentItems: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ label: 'No Recent Files', enabled: false }]
      : recent.map((file) => ({ label: path.basename(file), sublabel: file, click: () => actions.openRecent(file) }));

  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      item('&New', 'new'),
      item('&Open…', 'open'),
      {
        label: 'Open &Recent',
        submenu: [
          ...recentItems,
          { type: 'separator' },
          { label: 'Clear Recent', enabled: recent.length > 0, click: () => actions.clearRecent() },
        ],
      },
      item('E&xamples…', 'examples'),
      { type: 'separator' },
      item('&Save', 'save'),
      item('Save &As…', 'saveAs'),
      {
        label: '&Export',
        submenu: [
          item('Graph as &JSON…', 'exportJson'),
          item('Canvas as &PNG…', 'exportPng'),
          item('Canvas as &SVG…', 'exportSvg'),
        ],
      },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit', label: 'E&xit' },
    ],
  };

  const edit: MenuItemConstructorOptions = {
    label: '&Edit',
    submenu: isMac
      ? [
          { role: 'undo' },
          { role: 'redo' },
          { type: 'separator' },
          { role: 'cut' },
          { role: 'copy' },
          { role: 'paste' },
          pageKey('Duplicate', 'duplicate', 'Cmd'),
          pageKey('Delete', 'delete', 'Cmd'),
          { role: 'selectAll' },
        ]
      : [
          pageKey('&Undo', 'undo', 'Ctrl'),
          pageKey('&Redo', 'redo', 'Ctrl'),
          { type: 'separator' },
          { role: 'cut' },
          pageKey('&Copy', 'copy', 'Ctrl'),
          pageKey('&Paste', 'paste', 'Ctrl'),
          pageKey('D&uplicate', 'duplicate', 'Ctrl'),
          pageKey('&Delete', 'delete', 'Ctrl'),
          pageKey('Select &All', 'selectAll', 'Ctrl'),
        ],
  };

  const graph: MenuItemConstructorOptions = {
    label: '&Graph',
    submenu: [
      item(label('run'), 'run'),
      item(label('stepForward'), 'stepForward'),
      item(label('stepBackward'), 'stepBackward'),
      item(label('reset'), 'reset'),
      { type: 'separator' },
      item(label('autogradView'), 'autogradView'),
    ],
  };

  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      ...(isDev
        ? ([{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])
        : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };

  const appMenu: MenuItemConstructorOptions[] = isMac
    ? [
        {
          label: options.appName,
          submenu: [
            { role: 'about' },
            { type: 'separator' },
            { role: 'services' },
            { type: 'separator' },
            { role: 'hide' },
            { role: 'hideOthers' },
            { role: 'unhide' },
            { type: 'separator' },
            { role: 'quit' },
          ],
        },
      ]
    : [];

  return [...appMenu, file, edit, graph, view, { role: 'windowMenu' }, { role: 'help', submenu: [{ role: 'about' }] }];
}
