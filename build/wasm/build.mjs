// Builds the WebAssembly SIMD kernels (build/wasm/src) into build/wasm/out/kernels.wasm
// with Debian's clang and lld (wasm-ld): `apt-get install clang lld`.
//
//   node build/wasm/build.mjs [--if-missing] [--quiet]
//
// --if-missing: do nothing when the output is newer than every source, and exit 0 with
// a note (not an error) when clang is not installed, so callers can run it blindly;
// the engine then keeps its TypeScript kernels.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const outDir = join(here, 'out');
const out = join(outDir, 'kernels.wasm');
const args = new Set(process.argv.slice(2));
const log = (m) => args.has('--quiet') || process.stderr.write(`${m}\n`);

/** Maximum linear memory: 2 GiB (shared memory must declare one). */
const MAX_MEMORY = 2 ** 31;

function findClang() {
  for (const c of ['clang', 'clang-16', 'clang-15', 'clang-14']) {
    if (spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0) return c;
  }
  return null;
}

function upToDate() {
  if (!existsSync(out)) return false;
  const t = statSync(out).mtimeMs;
  return readdirSync(src).every((f) => statSync(join(src, f)).mtimeMs <= t) && statSync(fileURLToPath(import.meta.url)).mtimeMs <= t;
}

if (args.has('--if-missing') && upToDate()) process.exit(0);
const clang = findClang();
if (!clang) {
  log('wasm: clang not found (apt-get install clang lld); the engine will use its TypeScript kernels');
  process.exit(args.has('--if-missing') ? 0 : 1);
}
mkdirSync(outDir, { recursive: true });
// Link beside the output and rename, so a concurrent reader never sees half a module.
const tmp = `${out}.${process.pid}.tmp`;
const flags = [
  '--target=wasm32', '-O3', '-msimd128', '-mbulk-memory', '-matomics', '-mnontrapping-fptoint', '-msign-ext',
  '-nostdlib', '-ffreestanding', '-fno-builtin', '-Wall', '-Wextra', '-Werror',
  '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--shared-memory', `-Wl,--max-memory=${MAX_MEMORY}`,
  '-Wl,--export=__heap_base', '-Wl,-z,stack-size=65536',
  '-o', tmp, join(src, 'kernels.c'), join(src, 'ops.c'), join(src, 'softmax.c'), join(src, 'elementwise.c'),
];
try {
  execFileSync(clang, flags, { stdio: 'inherit' });
  renameSync(tmp, out);
} catch {
  rmSync(tmp, { force: true });
  log('wasm: build failed');
  process.exit(1);
}
log(`wasm: built ${out} (${statSync(out).size} bytes) with ${clang}`);
