// The engine's WebAssembly SIMD kernels (build/wasm/src/*.c), committed as built modules in
// build/wasm/out/ so that every clone runs them without a native toolchain:
//
//   kernels.wasm      Debian's clang 14 + lld (`apt-get install clang lld`)
//   kernels-fma.wasm  the same kernels whose matrix products use relaxed SIMD's fused multiply-add
//                     (-DUSE_FMA), Debian's clang 16 + lld 16 (`apt-get install clang-16 lld-16`);
//                     hosts load it where the runtime has relaxed SIMD and fall back to kernels.wasm
//   manifest.json     the hash of the recipe (sources + flags) the modules were built from, each
//                     module's SHA-256 and the compiler that built it
//
// Note [Committed kernels]: the modules are build output, yet committed: installing, starting,
// building and packaging never need clang, and never fail because it is missing or cannot target
// wasm32 (Apple's clang). Freshness is decided by content (the recipe hash in the manifest), never
// by file times, which a fresh checkout sets arbitrarily. The build is reproducible: the same
// compilers give the same bytes in any folder, so `--check` (run by the test suite) rebuilds into a
// temporary folder and fails when the bytes differ from the committed ones.
//
//   node build/wasm/build.mjs              rebuild both modules and the manifest (contributors, after
//                                          changing the C sources; fails without the compilers)
//   node build/wasm/build.mjs --if-stale   rebuild only when the recipe changed; never fails: without
//                                          a working compiler it keeps the committed modules and says why
//   node build/wasm/build.mjs --check      rebuild in a temporary folder and compare with the committed
//                                          modules and manifest; exit 1 on any difference
// --quiet drops progress lines (never the line that says why nothing was rebuilt).
// build/scripts/cli.mjs imports `ifStale` instead, so that starting the CLI costs no second node.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const outDir = join(here, 'out');
const manifestPath = join(outDir, 'manifest.json');
const main = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const args = new Set(main ? process.argv.slice(2) : []);
let quiet = args.has('--quiet');
const log = (m) => quiet || process.stderr.write(`${m}\n`);
const say = (m) => process.stderr.write(`${m}\n`);

/** Maximum linear memory: 2 GiB (shared memory must declare one). */
const MAX_MEMORY = 2 ** 31;
const UNITS = ['kernels.c', 'ops.c', 'softmax.c', 'elementwise.c'];
const COMMON_FLAGS = [
  '--target=wasm32',
  '-O3',
  '-msimd128',
  '-mbulk-memory',
  '-matomics',
  '-mnontrapping-fptoint',
  '-msign-ext',
  '-nostdlib',
  '-ffreestanding',
  '-fno-builtin',
  '-Wall',
  '-Wextra',
  '-Werror',
  '-Wl,--no-entry',
  '-Wl,--import-memory',
  '-Wl,--shared-memory',
  `-Wl,--max-memory=${MAX_MEMORY}`,
  '-Wl,--export=__heap_base',
  '-Wl,-z,stack-size=65536',
];
/** The two modules: file, the compilers that may build it (first found wins), the clang major it must be, extra flags. */
const MODULES = [
  { file: 'kernels.wasm', compilers: ['clang-14', 'clang'], major: 14, flags: [] },
  { file: 'kernels-fma.wasm', compilers: ['clang-16', 'clang'], major: 16, flags: ['-mrelaxed-simd', '-DUSE_FMA'] },
];
const APT = 'apt-get install clang lld clang-16 lld-16';

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The hash of everything that determines the modules' bytes: every source file and the flags. */
function recipeHash() {
  const h = createHash('sha256');
  for (const f of readdirSync(src).sort())
    h.update(`${f}\0`)
      .update(readFileSync(join(src, f)))
      .update('\0');
  h.update(JSON.stringify({ COMMON_FLAGS, UNITS, modules: MODULES.map((m) => [m.file, m.major, m.flags]) }));
  return h.digest('hex');
}

function readManifest() {
  try {
    return JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch {
    return null;
  }
}

/** `{ cc, version }` of the first compiler of `m` that is the clang major `m` needs, or a reason. */
function findCompiler(m) {
  const seen = [];
  for (const cc of m.compilers) {
    const r = spawnSync(cc, ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) continue;
    const version = r.stdout.split('\n')[0].trim();
    if (Number(/clang version (\d+)/.exec(version)?.[1]) === m.major) return { cc, version };
    seen.push(`${cc} is "${version}"`);
  }
  return {
    reason: `${m.file} needs clang ${m.major} with lld (${seen.length ? seen.join(', ') : 'none found'}; ${APT})`,
  };
}

/** Compiles module `m` into `dir`; returns null or the reason it failed. */
function compile(m, cc, dir) {
  const file = join(dir, m.file);
  const tmp = `${file}.${process.pid}.tmp`;
  const flags = [...COMMON_FLAGS, ...m.flags, '-o', tmp, ...UNITS.map((u) => join(src, u))];
  const r = spawnSync(cc, flags, { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    const first = `${r.stderr ?? ''}${r.error?.message ?? ''}`.split('\n').find((l) => l.trim()) ?? `exit ${r.status}`;
    return `${cc} could not build ${m.file}: ${first.trim()}`;
  }
  renameSync(tmp, file); // a reader never sees half a module
  return null;
}

/** Builds every module into `dir`; returns the manifest, or the reason it could not. */
function buildAll(dir) {
  const modules = {};
  for (const m of MODULES) {
    const found = findCompiler(m);
    if (found.reason) return { reason: found.reason };
    const failed = compile(m, found.cc, dir);
    if (failed) return { reason: failed };
    modules[m.file] = { sha256: sha256(readFileSync(join(dir, m.file))), compiler: found.version };
    log(`wasm: built ${m.file} with ${found.cc} (${found.version})`);
  }
  return { manifest: { recipe: recipeHash(), modules } };
}

/** The committed modules exist and match the manifest's hashes. */
function committedIntact(manifest) {
  return (
    manifest !== null &&
    MODULES.every((m) => {
      const p = join(outDir, m.file);
      return existsSync(p) && manifest.modules?.[m.file]?.sha256 === sha256(readFileSync(p));
    })
  );
}

function rebuild() {
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'kernels-'));
  try {
    const r = buildAll(staging);
    if (r.reason) return r.reason;
    for (const m of MODULES) {
      copyFileSync(join(staging, m.file), join(outDir, `${m.file}.tmp`));
      renameSync(join(outDir, `${m.file}.tmp`), join(outDir, m.file));
    }
    writeFileSync(manifestPath, `${JSON.stringify(r.manifest, null, 2)}\n`);
    return null;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function check() {
  const manifest = readManifest();
  const problems = [];
  if (!manifest) problems.push(`${manifestPath} is missing or not JSON`);
  else {
    if (manifest.recipe !== recipeHash())
      problems.push('the C sources or flags changed since the committed modules were built');
    if (!committedIntact(manifest)) problems.push('a committed module does not match the SHA-256 in manifest.json');
  }
  const staging = mkdtempSync(join(tmpdir(), 'kernels-check-'));
  try {
    const r = buildAll(staging);
    if (r.reason) problems.push(`cannot rebuild to compare: ${r.reason}`);
    else {
      for (const m of MODULES) {
        const built = readFileSync(join(staging, m.file));
        const p = join(outDir, m.file);
        if (!existsSync(p) || !built.equals(readFileSync(p))) {
          problems.push(
            `${m.file}: rebuilding from the sources gives other bytes (sha256 ${sha256(built)}) than the committed module`,
          );
        }
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (problems.length) {
    say(`wasm: check failed:\n  ${problems.join('\n  ')}\n  rebuild and commit: node build/wasm/build.mjs`);
    process.exit(1);
  }
  log('wasm: the committed kernels are exactly what the sources build');
}

/** `--if-stale`; `opts.quiet` as `--quiet`. */
export function ifStale(opts = {}) {
  if (opts.quiet) quiet = true;
  const manifest = readManifest();
  const fresh = manifest?.recipe === recipeHash();
  if (fresh && committedIntact(manifest)) return;
  const why = fresh
    ? 'the committed modules do not match their manifest'
    : 'the C sources changed since the committed modules were built';
  const failed = rebuild();
  if (failed) say(`wasm: ${why}, but no rebuild: ${failed}; using the committed modules`);
}

if (main) {
  if (args.has('--check')) check();
  else if (args.has('--if-stale')) ifStale();
  else {
    const failed = rebuild();
    if (failed) {
      say(`wasm: ${failed}`);
      process.exit(1);
    }
  }
}
