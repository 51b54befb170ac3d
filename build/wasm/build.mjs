// Builds the WebAssembly SIMD kernels (build/wasm/src) into build/wasm/out/kernels.wasm
// with Debian's clang and lld (wasm-ld): `apt-get install clang lld`. With clang 16 or newer
// (`apt-get install clang-16 lld-16`) it also builds kernels-fma.wasm, the same kernels whose
// matrix products use relaxed SIMD's fused multiply-add (`-DUSE_FMA`); hosts load it where the
// runtime has relaxed SIMD (Node 20 behind a V8 flag the Node host sets, Electron's Node 22 by
// default) and fall back to kernels.wasm otherwise.
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
const outFma = join(outDir, 'kernels-fma.wasm');
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

/** A clang whose relaxed-SIMD opcodes are the final ones (16 or newer), or null. */
function findFmaClang() {
  for (const c of ['clang-19', 'clang-18', 'clang-17', 'clang-16', 'clang']) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    const major = r.status === 0 ? Number(/clang version (\d+)/.exec(r.stdout)?.[1]) : 0;
    if (major >= 16) return c;
  }
  return null;
}

function newer(file) {
  if (!existsSync(file)) return false;
  const t = statSync(file).mtimeMs;
  return readdirSync(src).every((f) => statSync(join(src, f)).mtimeMs <= t) && statSync(fileURLToPath(import.meta.url)).mtimeMs <= t;
}

function upToDate() {
  return newer(out) && (newer(outFma) || findFmaClang() === null);
}

if (args.has('--if-missing') && upToDate()) process.exit(0);
const clang = findClang();
if (!clang) {
  log('wasm: clang not found (apt-get install clang lld); the engine will use its TypeScript kernels');
  process.exit(args.has('--if-missing') ? 0 : 1);
}
mkdirSync(outDir, { recursive: true });
/** Compiles the module into `file` (linked beside it and renamed: a reader never sees half a module). */
function compile(cc, file, extra) {
  const tmp = `${file}.${process.pid}.tmp`;
  const flags = [
    '--target=wasm32', '-O3', '-msimd128', ...extra, '-mbulk-memory', '-matomics', '-mnontrapping-fptoint', '-msign-ext',
    '-nostdlib', '-ffreestanding', '-fno-builtin', '-Wall', '-Wextra', '-Werror',
    '-Wl,--no-entry', '-Wl,--import-memory', '-Wl,--shared-memory', `-Wl,--max-memory=${MAX_MEMORY}`,
    '-Wl,--export=__heap_base', '-Wl,-z,stack-size=65536',
    '-o', tmp, join(src, 'kernels.c'), join(src, 'ops.c'), join(src, 'softmax.c'), join(src, 'elementwise.c'),
  ];
  try {
    execFileSync(cc, flags, { stdio: 'inherit' });
    renameSync(tmp, file);
    return true;
  } catch {
    rmSync(tmp, { force: true });
    return false;
  }
}

if (!compile(clang, out, [])) {
  log('wasm: build failed');
  process.exit(1);
}
const fmaClang = findFmaClang();
if (fmaClang && compile(fmaClang, outFma, ['-mrelaxed-simd', '-DUSE_FMA'])) {
  log(`wasm: built ${outFma} (${statSync(outFma).size} bytes, relaxed SIMD fused multiply-add) with ${fmaClang}`);
} else {
  rmSync(outFma, { force: true });
  log(fmaClang ? 'wasm: the relaxed-SIMD (FMA) build failed; kernels.wasm only' : 'wasm: no clang >= 16 (apt-get install clang-16 lld-16): kernels.wasm only, without fused multiply-add');
}
log(`wasm: built ${out} (${statSync(out).size} bytes) with ${clang}`);
