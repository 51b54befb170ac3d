/**
 * `npm run smoke:desktop` (build/scripts/smoke-desktop.ts) needs a real
 * Electron binary; where there is none, as here, it fails cleanly: one line
 * saying so, exit status 1, nothing launched (issue 18).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const empty = mkdtempSync(path.join(tmpdir(), 'studio-no-electron-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

function smoke(args: string[]) {
  // ELECTRON_OVERRIDE_DIST_PATH: an empty folder, so no downloaded binary is found even on a machine that has one.
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'build', 'scripts', 'smoke-desktop.ts'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: empty },
      timeout: 60_000,
    },
  );
}

describe('npm run smoke:desktop without an Electron binary', () => {
  it('says so in one line and exits 1, before building or launching anything', () => {
    const r = smoke([]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      "smoke:desktop: no Electron binary is available (node_modules/electron has not downloaded it: run 'npx install-electron', or pass --app EXECUTABLE of a packaged app)",
    ]);
  });

  it('names a packaged executable that does not exist', () => {
    const app = path.join(empty, 'linux-unpacked', 'autograd-studio');
    const r = smoke(['--app', app, '--no-build']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`smoke:desktop: no Electron binary is available: ${app} does not exist`);
  });

  it('is not part of npm test', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['smoke:desktop']).toBe('tsx build/scripts/smoke-desktop.ts');
    expect(pkg.scripts.test).not.toContain('smoke');
  });
});
