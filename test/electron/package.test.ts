/**
 * Packaging, for real: electron-builder packs the app with the project's
 * config (`--linux dir`) against a stand-in Electron folder (Electron's zip
 * cannot be downloaded here), and the test reads what came out: the asar
 * holds only what runs, within its size budget, and the fuses were flipped
 * in the executable. Takes about twenty seconds.
 *
 * The stand-in is what electron-builder needs from an unpacked Electron on
 * Linux: an `electron` executable (here a shell script carrying Electron's
 * fuse wire, sentinel and all, so @electron/fuses can flip it), `version`,
 * the licence files and a locale. No `resources/default_app.asar`: the
 * packager hashes every asar in resources/.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { extractFile, listPackage } from '@electron/asar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
/** The budget stated in build/electron-builder.yml (the datasets are 2 x 3.1 MB of it). */
const ASAR_BUDGET_BYTES = 12 * 1024 * 1024;
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults, in fuse order: RunAsNode, CookieEncryption, NodeOptions, Inspect, AsarIntegrity, OnlyAsar, V8Snapshot, FileProtocol. */
const STOCK_FUSES = '10110001';

const work = mkdtempSync(path.join(tmpdir(), 'studio-package-'));
const project = path.join(work, 'project');
const electronDist = path.join(work, 'electron');
const output = path.join(work, 'out');
const unpacked = path.join(output, 'linux-unpacked');
const asarPath = path.join(unpacked, 'resources', 'app.asar');
let entries: string[] = [];
let log = '';

function write(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** The project as `npm run dist` sees it, plus files that must stay out of the asar. */
function stageProject(): void {
  cpSync(path.join(ROOT, 'package.json'), path.join(project, 'package.json'));
  cpSync(path.join(ROOT, 'build', 'electron-builder.yml'), path.join(project, 'build', 'electron-builder.yml'));
  for (const icon of readdirSync(path.join(ROOT, 'build', 'icons')).filter((f) => f.endsWith('.png'))) {
    cpSync(path.join(ROOT, 'build', 'icons', icon), path.join(project, 'build', 'icons', icon));
  }
  const built = spawnSync(
    process.execPath,
    [path.join(ROOT, 'build', 'scripts', 'build-electron.mjs'), '--outdir', path.join(project, 'dist', 'electron')],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (built.status !== 0) throw new Error(`build-electron failed:\n${built.stderr}`);
  // the web app, built as `npm run build:web` builds it (source maps included: they must stay out of the asar)
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const web = spawnSync(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      'build/vite.web.config.ts',
      '--outDir',
      path.join(project, 'dist', 'web'),
      '--logLevel',
      'error',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  if (web.status !== 0) throw new Error(`the web build failed:\n${web.stderr}`);
  // decoys
  write(path.join(project, 'dist', 'electron', 'main.js.map'), '{}');
  write(path.join(project, 'test', 'electron', 'a.test.ts'), 'export {};');
  write(path.join(project, 'electron', 'main', 'main.ts'), 'export {};');
  write(path.join(project, 'node_modules', 'vitest', 'package.json'), '{"name":"vitest","version":"4.0.0"}');
  write(path.join(project, 'node_modules', 'vitest', 'index.js'), 'module.exports = {};');
  write(path.join(project, 'README.md'), '# readme');
}

function stageElectron(): void {
  const wire = Buffer.concat([
    Buffer.from(`#!/bin/sh\necho "stand-in Electron"\n# ${SENTINEL}`),
    Buffer.from([1, STOCK_FUSES.length]),
    Buffer.from(`${STOCK_FUSES}\n`),
  ]);
  write(path.join(electronDist, 'electron'), '');
  writeFileSync(path.join(electronDist, 'electron'), wire);
  chmodSync(path.join(electronDist, 'electron'), 0o755);
  write(path.join(electronDist, 'version'), electronVersion());
  write(path.join(electronDist, 'LICENSE'), 'MIT');
  write(path.join(electronDist, 'LICENSES.chromium.html'), '<html></html>');
  write(path.join(electronDist, 'locales', 'en-US.pak'), '');
  mkdirSync(path.join(electronDist, 'resources'), { recursive: true });
}

function electronVersion(): string {
  return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).devDependencies.electron;
}

function fuseWire(binary: string): string {
  const bytes = readFileSync(binary);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  const length = bytes[at + 1]!;
  return bytes.subarray(at + 2, at + 2 + length).toString('latin1');
}

beforeAll(() => {
  stageProject();
  stageElectron();
  const result = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
      '--linux',
      'dir',
      '--projectDir',
      project,
      '--config',
      'build/electron-builder.yml',
      '--publish',
      'never',
      `-c.electronDist=${electronDist}`,
      `-c.electronVersion=${electronVersion()}`,
      `-c.directories.output=${output}`,
    ],
    {
      cwd: project,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, ELECTRON_BUILDER_CACHE: path.join(work, 'cache') },
    },
  );
  log = `${result.stdout}\n${result.stderr}`;
  if (result.status !== 0) throw new Error(`electron-builder failed (${result.status ?? result.signal}):\n${log}`);
  entries = listPackage(asarPath, { isPack: false });
}, 200_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('electron-builder --linux dir', () => {
  it('produces the app under its executable name, from the stand-in Electron', () => {
    expect(existsSync(path.join(unpacked, 'autograd-studio')), log).toBe(true);
    expect(existsSync(asarPath)).toBe(true);
    expect(existsSync(path.join(unpacked, 'resources', 'default_app.asar'))).toBe(false);
  });

  it('puts only package.json and the built app in the asar', () => {
    const outside = entries.filter(
      (e) => !(e === '/package.json' || e === '/dist' || /^\/dist\/(electron|web)(\/|$)/.test(e)),
    );
    expect(outside).toEqual([]);
    expect(entries).toEqual(
      expect.arrayContaining([
        '/package.json',
        '/dist/electron/main.js',
        '/dist/electron/preload.cjs',
        '/dist/web/index.html',
      ]),
    );
    if (existsSync(path.join(ROOT, 'engine', 'host', 'electron', 'entry.ts')))
      expect(entries).toContain('/dist/electron/engine.cjs');
  });

  it('leaves out tests, sources, source maps and dependencies', () => {
    expect(
      entries.filter(
        (e) =>
          /\/(test|node_modules|electron\/main|coverage)\//.test(e) ||
          e.endsWith('.map') ||
          e.endsWith('.ts') ||
          e.endsWith('.md'),
      ),
    ).toEqual([]);
  });

  it('stays within the size budget', () => {
    const size = statSync(asarPath).size;
    expect(size).toBeLessThan(ASAR_BUDGET_BYTES);
  });

  it('starts the bundled main process', () => {
    const pkg = JSON.parse(extractFile(asarPath, 'package.json').toString('utf8'));
    expect(pkg.main).toBe('dist/electron/main.js');
    const main = extractFile(asarPath, 'dist/electron/main.js').toString('utf8');
    expect(main).toContain('loadURL(APP_ENTRY_URL)');
    expect(main).not.toContain('loadFile(');
    expect(main).not.toMatch(/from ["'](?!electron|node:)[^."'/][^"']*["']/); // bundled: no bare imports but electron and node:
  });

  it('flips the fuses in the executable', () => {
    expect(fuseWire(path.join(electronDist, 'electron'))).toBe(STOCK_FUSES);
    const fuses = fuseWire(path.join(unpacked, 'autograd-studio'));
    // RunAsNode off, cookie encryption on, NODE_OPTIONS off, --inspect off, asar integrity on, only from asar, v8 snapshot default, file:// privileges off
    expect(fuses).toBe('01001100');
  });
});
