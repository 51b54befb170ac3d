/**
 * The committed WebAssembly kernels (build/wasm/out, see Note [Committed kernels] in
 * build/wasm/build.mjs): they are exactly what the C sources build, a tampered module is
 * caught, and a machine that cannot rebuild (no clang, or Apple's clang without a wasm32
 * target) keeps the committed modules, says why in one line, and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures';

const scratch = mkdtempSync(join(tmpdir(), 'wasm-build-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of build/wasm (sources, script, committed modules) in a fresh folder. */
function copyOfBuild(name: string): string {
  const dir = join(scratch, name, 'wasm');
  cpSync(join(REPO_ROOT, 'build', 'wasm'), dir, { recursive: true });
  return dir;
}

/** Runs build.mjs in `dir` with `args`; `path` replaces PATH (node itself is run by absolute path). */
function build(dir: string, args: string[], path?: string) {
  const env = path === undefined ? process.env : { ...process.env, PATH: path };
  const r = spawnSync(process.execPath, [join(dir, 'build.mjs'), ...args], { encoding: 'utf8', env });
  return { status: r.status, stderr: r.stderr };
}

const modules = (dir: string) =>
  ['kernels.wasm', 'kernels-fma.wasm', 'manifest.json'].map((f) => readFileSync(join(dir, 'out', f)));

describe('committed WebAssembly kernels', () => {
  it('are byte for byte what the C sources build (reproducible build)', () => {
    const r = build(join(REPO_ROOT, 'build', 'wasm'), ['--check']);
    expect(r.stderr).toContain('the committed kernels are exactly what the sources build');
    expect(r.status).toBe(0);
  });

  it('the check fails on a module that is not what the sources build', () => {
    const dir = copyOfBuild('tampered');
    const file = join(dir, 'out', 'kernels.wasm');
    const bytes = readFileSync(file);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(file, bytes);
    const r = build(dir, ['--check']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('kernels.wasm: rebuilding from the sources gives other bytes');
    expect(r.stderr).toContain('does not match the SHA-256 in manifest.json');
  });

  it('the check fails when a C source changed and the modules were not rebuilt', () => {
    const dir = copyOfBuild('edited');
    const file = join(dir, 'src', 'softmax.c');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n/* edited */\n`);
    const r = build(dir, ['--check']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the C sources or flags changed since the committed modules were built');
  });

  it('--if-stale does nothing when the sources are unchanged, whatever the file times', () => {
    const dir = copyOfBuild('fresh-clone');
    const before = modules(dir);
    // A fresh checkout may leave every source newer than the modules: content decides, not mtime.
    const later = new Date(Date.now() + 3_600_000);
    for (const f of ['kernels.c', 'ops.c']) spawnSync('touch', ['-d', later.toISOString(), join(dir, 'src', f)]);
    const r = build(dir, ['--if-stale'], join(scratch, 'no-such-bin'));
    expect(r).toEqual({ status: 0, stderr: '' });
    expect(modules(dir)).toEqual(before);
  });

  it('--if-stale without clang keeps the committed modules and says why in one line', () => {
    const dir = copyOfBuild('no-clang');
    const file = join(dir, 'src', 'ops.c');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n/* edited */\n`);
    const before = modules(dir);
    const r = build(dir, ['--if-stale', '--quiet'], join(scratch, 'no-such-bin'));
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^wasm: the C sources changed .*, but no rebuild: kernels.wasm needs clang 14 .*; using the committed modules$/,
      ),
    ]);
    expect(modules(dir)).toEqual(before);
  });

  /** A folder holding one stand-in compiler `name` that reports `version`, then fails to compile with `error`. */
  function standIn(name: string, version: string, error: string): string {
    const bin = join(scratch, `bin-${name}-${version.length}`);
    mkdirSync(bin, { recursive: true });
    const fake = join(bin, name);
    writeFileSync(
      fake,
      `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "${version}"; exit 0; fi\necho "${error}" >&2; exit 1\n`,
    );
    chmodSync(fake, 0o755);
    return bin;
  }

  it.each([
    [
      "Apple's clang (no wasm32 target)",
      standIn('clang', 'Apple clang version 15.0.0 (clang-1500.3.9.4)', 'no wasm32'),
      'clang is "Apple clang version 15.0.0',
    ],
    [
      'clang 14 without lld',
      standIn(
        'clang-14',
        'Debian clang version 14.0.6',
        'clang: error: unable to execute command: Executable wasm-ld does not exist',
      ),
      'clang-14 could not build kernels.wasm: clang: error: unable to execute command: Executable wasm-ld does not exist',
    ],
  ])('--if-stale with %s keeps the committed modules, says why in one line, exits 0', (_name, bin, why) => {
    const dir = copyOfBuild(`stand-in-${bin.length}-${why.length}`);
    const file = join(dir, 'src', 'ops.c');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n/* edited */\n`);
    const before = modules(dir);
    const r = build(dir, ['--if-stale', '--quiet'], bin);
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(why);
    expect(r.stderr).toContain('using the committed modules');
    expect(modules(dir)).toEqual(before);
  });

  it('--if-stale rebuilds changed sources where the compilers are present', () => {
    const dir = copyOfBuild('rebuild');
    const file = join(dir, 'src', 'ops.c');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n/* only a comment: same bytes, new recipe */\n`);
    const [wasm, fma, manifest] = modules(dir);
    const r = build(dir, ['--if-stale', '--quiet']);
    expect(r).toEqual({ status: 0, stderr: '' });
    const [wasm2, fma2, manifest2] = modules(dir);
    expect(wasm2).toEqual(wasm);
    expect(fma2).toEqual(fma);
    expect(JSON.parse(manifest2!.toString()).recipe).not.toBe(JSON.parse(manifest!.toString()).recipe);
  });
});
