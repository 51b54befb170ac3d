/**
 * The release configuration as electron-builder itself reads it
 * (build/electron-builder.yml): its schema, fuses, targets, file association,
 * what goes into the asar; and the CSP the built page carries (built here
 * into a temporary folder).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';
import type { Configuration } from 'electron-builder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
let config: Configuration;

beforeAll(async () => {
  config = await getConfig(ROOT, 'build/electron-builder.yml', null);
});

describe('build/electron-builder.yml', () => {
  it("passes electron-builder's schema", async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('flips the fuses of release builds', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('packs only the built app into an asar, without dependencies to rebuild', () => {
    expect(config.asar).toBe(true);
    // electron-builder normalises `files` into file sets
    const patterns = [config.files]
      .flat()
      .flatMap((set) => (typeof set === 'string' ? [set] : [set?.filter ?? []].flat()));
    expect(patterns).toEqual([
      'package.json',
      'dist/electron/**',
      'dist/web/**',
      '!**/*.map',
      '!**/*.ts',
      '!node_modules/**',
    ]);
    expect(config.npmRebuild).toBe(false);
    expect(config.extraMetadata).toEqual({ main: 'dist/electron/main.js' });
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.main).toBe('dist/electron/main.js');
    // electron-builder refuses electron in dependencies; it is a devDependency pinned exactly
    expect(pkg.dependencies?.electron).toBeUndefined();
    expect(pkg.devDependencies.electron).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('builds AppImage and deb, nsis and dmg, with the app id, icons and categories', () => {
    expect(config.appId).toBe('org.autogradstudio.desktop');
    expect(config.productName).toBe('Autograd Studio');
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.linux?.category).toContain('Education');
    expect(config.win?.target).toBe('nsis');
    expect(config.mac?.target).toBe('dmg');
    expect(config.mac?.category).toBe('public.app-category.education');
    for (const icon of [config.win?.icon, config.mac?.icon, 'build/icons/256x256.png']) {
      expect(existsSync(path.join(ROOT, icon!)), icon!).toBe(true);
    }
  });

  /** The associations electron-builder writes for a platform: the top-level list, then the platform's (platformPackager.fileAssociations). */
  const associations = (platform: 'linux' | 'mac' | 'win') =>
    [config.fileAssociations ?? [], config[platform]?.fileAssociations ?? []].flat();
  const extensions = (platform: 'linux' | 'mac' | 'win') => associations(platform).flatMap((a) => [a.ext].flat());

  it('Linux: *.graph.json is a MIME type of its own (shared-mime-info matches the whole glob)', () => {
    expect(associations('linux')).toEqual([
      expect.objectContaining({ ext: 'graph.json', mimeType: 'application/x-autograd-studio-graph+json' }),
    ]);
  });

  it('macOS: only extensions Launch Services can match (one part), and .json as an Alternate handler, never the default', () => {
    for (const ext of extensions('mac'))
      expect(ext, 'Launch Services matches only the last extension').not.toContain('.');
    expect(associations('mac')).toEqual([expect.objectContaining({ ext: 'json', rank: 'Alternate' })]);
  });

  it("Windows: no association of electron-builder's (it would take .json over); Open With comes from build/installer.nsh", () => {
    expect(associations('win')).toEqual([]);
    expect(config.nsis?.include).toBe('build/installer.nsh');
    const nsh = readFileSync(path.join(ROOT, 'build', 'installer.nsh'), 'utf8');
    const install = /!macro customInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    const uninstall = /!macro customUnInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(install).toContain(
      'WriteRegNone SHELL_CONTEXT "Software\\Classes\\.json\\OpenWithProgids" "${STUDIO_PROGID}"',
    );
    expect(install).toContain(`"Software\\Classes\\\${STUDIO_PROGID}\\shell\\open\\command" "" '"$appExe" "%1"'`);
    // .json's own default value (the double-click handler) is never written
    expect(nsh).not.toMatch(/WriteReg\w+ SHELL_CONTEXT "Software\\Classes\\\.json" /);
    expect(uninstall).toContain(
      'DeleteRegValue SHELL_CONTEXT "Software\\Classes\\.json\\OpenWithProgids" "${STUDIO_PROGID}"',
    );
    expect(uninstall).toContain('DeleteRegKey SHELL_CONTEXT "Software\\Classes\\${STUDIO_PROGID}"');
  });

  it('the deb depends on what Electron loads, libgbm1 and libasound2 included', () => {
    const depends = config.deb?.depends ?? [];
    for (const lib of ['libgbm1', 'libasound2', 'libnss3', 'libgtk-3-0', 'xdg-utils']) {
      expect(
        depends.some((d) => d.split(' | ').includes(lib)),
        lib,
      ).toBe(true);
    }
  });
});

describe('the icons', () => {
  it.each([256, 512, 1024])('build/icons/%i is a PNG of that size', (size) => {
    const png = readFileSync(path.join(ROOT, 'build', 'icons', `${size}x${size}.png`));
    expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(size);
    expect(png.readUInt32BE(20)).toBe(size);
  });
});

/** The CSP of a page, from its meta tag. */
function metaCsp(html: string): string | null {
  const tag = /<meta[^>]+http-equiv=["']Content-Security-Policy["'][^>]*>/i.exec(html)?.[0];
  return tag ? (/content=(["'])(.*?)\1/i.exec(tag)?.[2] ?? null) : null;
}

describe('the CSP of the built page', () => {
  // The renderer adds the meta tag when it builds (build/vite.web.config.ts): build into a temporary folder and read it.
  const out = mkdtempSync(path.join(tmpdir(), 'studio-web-'));
  let html = '';
  beforeAll(() => {
    const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
    const args = [
      vite,
      'build',
      '--config',
      'build/vite.web.config.ts',
      '--outDir',
      out,
      '--emptyOutDir',
      '--sourcemap',
      'false',
      '--logLevel',
      'error',
    ];
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`the web build failed:\n${result.stderr}`);
    html = readFileSync(path.join(out, 'index.html'), 'utf8');
  }, 150_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('allows scripts only from the app, without eval', () => {
    const csp = metaCsp(html);
    expect(csp, 'the built index.html has no CSP meta tag').not.toBeNull();
    const directive = (name: string) =>
      new RegExp(`(?:^|;)\\s*${name}\\s+([^;]*)`).exec(csp!)?.[1]?.trim().split(/\s+/);
    expect(directive('default-src')).toEqual(["'self'"]);
    expect(directive('script-src') ?? directive('default-src')).toEqual(["'self'"]);
    expect(csp).not.toContain('unsafe-eval');
  });

  it('allows styles only from the app, no inline style', () => {
    const csp = metaCsp(html)!;
    expect(/(?:^|;)\s*style-src\s+([^;]*)/.exec(csp)?.[1]?.trim()).toBe("'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('loads no inline script', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  });
});
