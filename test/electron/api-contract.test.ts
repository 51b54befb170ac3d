/**
 * `window.api` is declared once (engine/protocol/app-api.ts); the preload's and
 * the renderer's names for it must stay that one type. These checks fail the
 * typecheck (`npm run typecheck`, test/tsconfig.json) if either side grows its
 * own copy again; the runtime part checks the menu command list.
 */
import { describe, expectTypeOf, it, expect } from 'vitest';
import type {
  ElectronApi as RendererApi,
  MenuCommand as RendererMenuCommand,
  OpenedFile as RendererOpenedFile,
} from '../../renderer/platform/api';
import {
  MENU_COMMANDS,
  isMenuCommand,
  type ElectronApi,
  type MenuCommand,
  type OpenedFile,
} from '../../electron/preload/api';

describe('the window.api contract', () => {
  it('is the interface the renderer defines', () => {
    expectTypeOf<ElectronApi>().toEqualTypeOf<RendererApi>();
    expectTypeOf<OpenedFile>().toEqualTypeOf<RendererOpenedFile>();
    expectTypeOf<MenuCommand>().toEqualTypeOf<RendererMenuCommand>();
  });

  it('lists every menu command once', () => {
    expectTypeOf(MENU_COMMANDS).toEqualTypeOf<MenuCommand[]>();
    expect(new Set(MENU_COMMANDS).size).toBe(MENU_COMMANDS.length);
    expect(MENU_COMMANDS).toContain('open');
    expect(MENU_COMMANDS.every(isMenuCommand)).toBe(true);
    expect(isMenuCommand('toString')).toBe(false);
    expect(isMenuCommand('__proto__')).toBe(false);
  });
});
