// Fast start for the CLI: runs a prebuilt esbuild bundle of the CLI (with the
// WebAssembly kernels installed) instead of transpiling TypeScript at every start.
//
//   node build/scripts/cli.mjs run GRAPH.json ...   (same arguments as `npm run cli`)
//
// The bundle lives in node_modules/.cache/autograd-studio/ and is rebuilt when any
// engine/ or build/scripts/ source is newer than it. The WebAssembly kernels are the
// committed build/wasm/out modules (rebuilt first only if their C sources changed and
// clang is there: build/wasm/build.mjs's ifStale, which never fails).
//
// Note [The CLI's V8 worker pool]: Node starts V8 with 4 background threads (TurboFan
// compiles, parallel scavenges, concurrent marking). On a 2-core machine those 4 and the
// engine's main thread share 2 cores while a fresh process warms up, so the main thread runs
// its first thousands of iterations at a fraction of a core: `cli run` of W1 with 5,000
// iterations against 1 cost 0.082 ms per iteration with the default pool and 0.064 with one
// background thread (best of 6 alternating pairs; garbage collection 142 -> 62 ms per run).
// The pool size is fixed when node starts, so the launcher starts the bundle in a second node
// with --v8-pool-size = half the cores (1 to 4; at 8 cores and more Node's default 4 is kept
// and the bundle runs in this process). Starting a node costs ~90 ms here, which checking the
// kernels in this process (instead of a node running build/wasm/build.mjs) gives back. The
// child gets this process's stdin, stdout and stderr; SIGINT, SIGTERM and SIGHUP are passed on,
// and its exit code or signal is this process's. SIGKILL cannot be passed on: the child then
// finishes its run alone, as `node` does when `npm run cli` (npm's own child) is killed so.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
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
  const { ifStale } = await import(pathToFileURL(join(root, 'build', 'wasm', 'build.mjs')).href);
  ifStale({ quiet: true });
}
if (stale()) {
  const { buildSync } = await import('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  // The source map goes beside the bundle (cli.mjs.map, used with --enable-source-maps): inline it
  // was 3/4 of the file, and reading and compiling the bigger file cost ~40 ms at every start.
  const { outputFiles } = buildSync({
    entryPoints: [entry],
    outfile: bundle,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  // Write beside each file and rename, so a concurrent start never reads half a file; the map first.
  for (const f of [...outputFiles].sort((a, b) => Number(a.path === bundle) - Number(b.path === bundle))) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
}

/** V8 background threads for the engine: half the cores, 1 to 4 (Note [The CLI's V8 worker pool]). */
const NODE_DEFAULT_POOL = 4;
const pool = Math.max(1, Math.min(NODE_DEFAULT_POOL, Math.floor(availableParallelism() / 2)));
const poolGiven = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) =>
  a.startsWith('--v8-pool-size'),
);
if (pool === NODE_DEFAULT_POOL || poolGiven) await import(pathToFileURL(bundle).href);
else runChild([`--v8-pool-size=${pool}`, ...process.execArgv, bundle, ...process.argv.slice(2)]);

/** Runs the bundle in a child node and makes its end this process's end. */
function runChild(args) {
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  const pass = (signal) => child.kill(signal);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, pass);
  child.on('error', (e) => {
    process.stderr.write(`cannot start the engine: ${e.message}\n`);
    process.exit(2);
  });
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 2);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.off(s, pass);
    process.kill(process.pid, signal); // end the way the child ended
  });
}
