/**
 * Keyboard shortcuts and Electron menu commands, mapped to the same actions.
 * Ignored while typing in a field.
 */
import { useReactFlow } from '@xyflow/react';
import { useEffect } from 'react';
import { ACTIONS, type Action } from '../../engine/protocol/actions';
import type { MenuCommand } from '../platform/api';
import { sizeOfFlow } from '../canvas/flow-model';
import type { SizeOf } from '../document/placement';
import { exportImage } from '../ui/export-image';
import {
  copySelection,
  deleteSelection,
  duplicate,
  exportJson,
  newDocument,
  openFile,
  paste,
  save,
  selectAll,
} from './actions';
import { useServices, type AppServices } from './context';

/** The key of the edge that has keyboard focus, if any (Delete removes it). */
function focusedEdge(): string[] {
  const key = document.activeElement
    ?.closest('[data-testid=edge], [data-testid=feedback-edge]')
    ?.getAttribute('data-id');
  return key ? [key] : [];
}

/** Runs a menu command. */
export function runCommand(
  app: AppServices,
  cmd: MenuCommand,
  view: () => { x: number; y: number; zoom: number },
  sizeOf?: SizeOf,
): void {
  const s = app.session;
  switch (cmd) {
    case 'new':
      return newDocument(app);
    case 'open':
      return void openFile(app);
    case 'save':
      return void save(app, view());
    case 'saveAs':
      return void save(app, view(), true);
    case 'exportJson':
      return void exportJson(app, view());
    case 'exportPng':
      return void exportImage(app, 'png');
    case 'exportSvg':
      return void exportImage(app, 'svg');
    case 'undo':
      return app.studio.undo();
    case 'redo':
      return app.studio.redo();
    case 'copy':
      return copySelection(app);
    case 'paste':
      return paste(app, undefined, 'Paste', sizeOf);
    case 'duplicate':
      return duplicate(app, sizeOf);
    case 'delete':
      return deleteSelection(app, focusedEdge());
    case 'selectAll':
      return selectAll(app);
    case 'run':
      return void s?.run();
    case 'stepForward':
      return void s?.stepForward();
    case 'stepBackward':
      return void s?.stepBackward();
    case 'reset':
      return void s?.reset();
    case 'examples':
      return app.studio.setUi({ examplesOpen: true });
    case 'autogradView':
      return app.studio.setUi({ autogradOpen: true });
  }
}

/** The shortcut table (shown in the help): every chord of the one action table (see Note [One action table]). */
export const SHORTCUTS: readonly [string, string, MenuCommand][] = (
  Object.entries(ACTIONS) as [MenuCommand, Action][]
).flatMap(([command, a]) => a.keys.map((k): [string, string, MenuCommand] => [k, a.label, command]));

/** The key chord of an event, like `mod+shift+z`. */
export function chord(e: KeyboardEvent): string {
  const parts: string[] = [];
  if (e.ctrlKey || e.metaKey) parts.push('mod');
  if (e.shiftKey) parts.push('shift');
  if (e.altKey) parts.push('alt');
  parts.push(e.key.toLowerCase());
  return parts.join('+');
}

const typing = (t: EventTarget | null): boolean =>
  t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));

/** Installs the shortcuts and the menu listener. */
export function useShortcuts(): void {
  const app = useServices();
  const rf = useReactFlow();
  useEffect(() => {
    const view = (): { x: number; y: number; zoom: number } => rf.getViewport();
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        app.studio.setUi({ examplesOpen: false, autogradOpen: false, welcomeOpen: false, helpOpen: false });
        return;
      }
      if (typing(e.target)) return;
      const hit = SHORTCUTS.find(([k]) => k === chord(e));
      if (!hit) return;
      e.preventDefault();
      runCommand(app, hit[2], view, sizeOfFlow(rf));
    };
    window.addEventListener('keydown', onKey);
    const offMenu = app.host.onMenu((cmd) => runCommand(app, cmd, view, sizeOfFlow(rf)));
    return () => {
      window.removeEventListener('keydown', onKey);
      offMenu();
    };
  }, [app, rf]);
}
