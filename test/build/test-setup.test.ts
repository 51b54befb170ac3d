/**
 * build/scripts/test-setup.mjs, the first step of `npm test`: where it cannot install
 * (here: no apt-get on PATH), it stops before anything runs, naming exactly the missing
 * packages and the command that installs them.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures';

const SCRIPT = join(REPO_ROOT, 'build', 'scripts', 'test-setup.mjs');
const emptyBin = mkdtempSync(join(tmpdir(), 'empty-bin-'));
afterAll(() => rmSync(emptyBin, { recursive: true, force: true }));

function setup(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stderr: r.stderr };
}

describe('test-setup', () => {
  it('passes silently on this machine, where everything is installed', () => {
    expect(setup(['--check'], {})).toEqual({ status: 0, stderr: '' });
  });

  it('without apt-get, names the missing packages and the install command, and installs nothing', () => {
    // No compilers and no apt-get on PATH, Chromium elsewhere than expected; Python is found by absolute path.
    const r = setup([], { PATH: emptyBin, CHROMIUM_PATH: join(emptyBin, 'chromium') });
    expect(r.status).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'test-setup: missing system packages: chromium, clang, lld, clang-16, lld-16.',
      'test-setup: install them with:  sudo apt-get install -y chromium clang lld clang-16 lld-16',
      'test-setup: (not installed automatically: this is not a Debian/Ubuntu system with apt-get)',
    ]);
  });
});
