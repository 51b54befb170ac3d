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
    const patterns = [config.files].flat().flatMap((set) => (typeof set === 'string' ? [set] : [set?.filter ?? []].flat()));
    expect(patterns).toEqual(['package.json', 'dist/electron/**', 'dist/web/**', '!**/*.map', '!**/*.ts', '!node_modules/**']);
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

  it('associates *.graph.json with the app', () => {
    expect(config.fileAssociations).toEqual([
      expect.objectContaining({ ext: 'graph.json', role: 'Editor', mimeType: 'application/x-autograd-studio-graph+json' }),
    ]);
    // electron-builder writes NSIS associations only for per-machine installs
    expect(config.nsis?.perMachine).toBe(true);
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
    const args = [vite, 'build', '--config', 'build/vite.web.config.ts', '--outDir', out, '--emptyOutDir', '--sourcemap', 'false', '--logLevel', 'error'];
    const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`the web build failed:\n${result.stderr}`);
    html = readFileSync(path.join(out, 'index.html'), 'utf8');
  }, 150_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('allows scripts only from the app, without eval', () => {
    const csp = metaCsp(html);
    expect(csp, 'the built index.html has no CSP meta tag').not.toBeNull();
    const directive = (name: string) => new RegExp(`(?:^|;)\\s*${name}\\s+([^;]*)`).exec(csp!)?.[1]?.trim().split(/\s+/);
    expect(directive('default-src')).toEqual(["'self'"]);
    expect(directive('script-src') ?? directive('default-src')).toEqual(["'self'"]);
    expect(csp).not.toContain('unsafe-eval');
  });

  it('loads no inline script', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  });
});
