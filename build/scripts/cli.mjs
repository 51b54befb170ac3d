// Fast start for the CLI: runs a prebuilt esbuild bundle of the CLI (with the
// WebAssembly kernels installed) instead of transpiling TypeScript at every start.
//
//   node build/scripts/cli.mjs run GRAPH.json ...   (same arguments as `npm run cli`)
//
// The bundle lives in node_modules/.cache/autograd-studio/ and is rebuilt when any
// engine/ or build/scripts/ source is newer than it. The WebAssembly kernels are the
// committed build/wasm/out modules (rebuilt first only if their C sources changed and
// clang is there: build/wasm/build.mjs --if-stale, which never fails).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cacheDir = join(root, 'node_modules', '.cache', 'autograd-studio');
const bundle = join(cacheDir, 'cli.mjs');
const entry = join(root, 'build', 'scripts', 'cli-fast.ts');

/** Newest mtime (ms) of the .ts files under `dir`. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function stale() {
  if (!existsSync(bundle)) return true;
  const built = statSync(bundle).mtimeMs;
  return (
    Math.max(newest(join(root, 'engine')), statSync(entry).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs) >
    built
  );
}

if (process.env.AUTOGRAD_STUDIO_KERNELS !== 'ts') {
  spawnSync(process.execPath, [join(root, 'build', 'wasm', 'build.mjs'), '--if-stale', '--quiet'], {
    stdio: 'inherit',
  });
}
if (stale()) {
  const { buildSync } = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  // Build beside the bundle and rename, so a concurrent start never reads half a file.
  const tmp = `${bundle}.${process.pid}.tmp.mjs`;
  buildSync({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  renameSync(tmp, bundle);
}
await import(pathToFileURL(bundle).href);
