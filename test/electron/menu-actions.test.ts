/**
 * One action table (engine/protocol/actions.ts) feeds the desktop menu and the
 * web shortcuts: every menu item that sends a command shows that command's
 * first chord, and the page answers every chord of the table. Before, Step
 * forward was F10 in the menu and Ctrl+. on the web, and Reset had no key on the web.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { menuTemplate } from '../../electron/main/menu';
import { ACTIONS, accelerator } from '../../engine/protocol/actions';
import type { MenuCommand } from '../../engine/protocol/app-api';
import { SHORTCUTS } from '../../renderer/app/shortcuts';

/** Every menu item that sends a command, with the command it sends. */
function commandItems(isMac: boolean): { item: MenuItemConstructorOptions; command: MenuCommand }[] {
  const sent: MenuCommand[] = [];
  const template = menuTemplate(
    { appName: 'Autograd Studio', isMac, isDev: false, recent: [] },
    { openRecent: vi.fn(), clearRecent: vi.fn(), command: (c) => sent.push(c) },
  );
  const out: { item: MenuItemConstructorOptions; command: MenuCommand }[] = [];
  const walk = (items: MenuItemConstructorOptions[]): void => {
    for (const item of items) {
      if (Array.isArray(item.submenu)) walk(item.submenu);
      else if (item.click && !item.role) {
        sent.length = 0;
        item.click({} as never, undefined, {} as never);
        if (sent.length === 1) out.push({ item, command: sent[0]! });
      }
    }
  };
  walk(template);
  return out;
}

describe('one action table for the menu and the web', () => {
  it.each([false, true])('every command item of the menu shows its action table chord (macOS: %s)', (isMac) => {
    const items = commandItems(isMac);
    expect(items.length).toBe(isMac ? 15 : 20); // File 8, Edit 2 (macOS: the rest are roles) or 7, Graph 5
    for (const { item, command } of items) {
      const first = ACTIONS[command].keys[0];
      const shown = item.accelerator === undefined ? undefined : String(item.accelerator);
      if (first === undefined) expect(shown, command).toBeUndefined();
      else
        expect([accelerator(first), accelerator(first, 'Ctrl'), accelerator(first, 'Cmd')], command).toContain(shown);
    }
  });

  it('the page answers every chord of the table, and nothing else', () => {
    const table = Object.entries(ACTIONS).flatMap(([command, a]) => a.keys.map((k) => `${k} ${command}`));
    expect(SHORTCUTS.map(([k, , command]) => `${k} ${command}`).sort()).toEqual(table.sort());
  });

  it('step forward, step backward and reset have the same key in both', () => {
    const byCommand = new Map(commandItems(false).map(({ item, command }) => [command, String(item.accelerator)]));
    expect(byCommand.get('stepForward')).toBe('CmdOrCtrl+.');
    expect(byCommand.get('stepBackward')).toBe('CmdOrCtrl+,');
    expect(byCommand.get('reset')).toBe('CmdOrCtrl+Shift+R');
    const web = new Map(SHORTCUTS.map(([k, , command]) => [command, k]));
    expect(web.get('stepForward')).toBe('mod+.');
    expect(web.get('stepBackward')).toBe('mod+,');
    expect(web.get('reset')).toBe('mod+shift+r');
  });
});
