// Bundles the Electron main process, the preload and the engine's
// utilityProcess entry with esbuild into dist/electron/:
//   main.js      (ESM, Node platform; `electron` stays external)
//   preload.cjs  (CommonJS: a sandboxed preload can require only `electron`)
//   engine.cjs   (engine/host/electron/entry.ts: the utilityProcess, a relay with a watchdog)
//   engine-thread.cjs (engine/host/node/worker.ts: the engine itself, in a worker thread of that process)
//   kernels.wasm, kernels-fma.wasm (the engine's WebAssembly kernels, when build/wasm/out has them)
// Usage: node build/scripts/build-electron.mjs [--dev] [--outdir DIR]
//   --dev adds source maps (release builds ship none).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { copyFile, cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function buildElectron({ dev = false, outdir = path.join(root, 'dist', 'electron') } = {}) {
  await rm(outdir, { recursive: true, force: true });
  const common = {
    bundle: true,
    external: ['electron'],
    target: 'es2022',
    sourcemap: dev ? 'linked' : false,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: root,
  };
  const builds = [
    build({
      ...common,
      entryPoints: ['electron/main/main.ts'],
      outfile: path.join(outdir, 'main.js'),
      platform: 'node',
      format: 'esm',
    }),
    build({
      ...common,
      entryPoints: ['electron/preload/preload.ts'],
      outfile: path.join(outdir, 'preload.cjs'),
      // 'browser': a sandboxed preload has no Node built-ins; importing one fails the build here.
      platform: 'browser',
      format: 'cjs',
    }),
  ];
  // The engine bundles are CommonJS: import.meta is empty there, and the code that reads it
  // (searching for worker.ts or kernels.wasm from source) is not used once the files are beside the bundle.
  const engine = { ...common, platform: 'node', format: 'cjs', logOverride: { 'empty-import-meta': 'silent' } };
  const engineEntry = path.join(root, 'engine', 'host', 'electron', 'entry.ts');
  const hasEngine = existsSync(engineEntry);
  if (hasEngine) {
    builds.push(
      build({ ...engine, entryPoints: ['engine/host/electron/entry.ts'], outfile: path.join(outdir, 'engine.cjs') }),
      build({
        ...engine,
        entryPoints: ['engine/host/node/worker.ts'],
        outfile: path.join(outdir, 'engine-thread.cjs'),
      }),
    );
  } else {
    console.warn(
      'build-electron: engine/host/electron/entry.ts does not exist yet; the desktop app will start without an engine.',
    );
  }
  await Promise.all(builds);
  // The engine's WebAssembly kernels (built by `node build/wasm/build.mjs`), read by engine.cjs.
  const wasm = path.join(root, 'build', 'wasm', 'out', 'kernels.wasm');
  const fma = path.join(root, 'build', 'wasm', 'out', 'kernels-fma.wasm');
  if (hasEngine && existsSync(wasm)) await copyFile(wasm, path.join(outdir, 'kernels.wasm'));
  if (hasEngine && existsSync(wasm) && existsSync(fma)) await copyFile(fma, path.join(outdir, 'kernels-fma.wasm'));
  else if (hasEngine)
    console.warn(
      'build-electron: build/wasm/out/kernels.wasm is not built; the desktop engine will use its TypeScript kernels.',
    );
  // The bundled datasets (data/datasets/), read by engine-thread.cjs from datasets/ beside it.
  // Their data and licences only: the READMEs stay in the repository.
  if (hasEngine) {
    const filter = (src) => !src.endsWith('.md');
    await cp(path.join(root, 'data', 'datasets'), path.join(outdir, 'datasets'), { recursive: true, filter });
  }
  return { outdir, engine: hasEngine };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  const outdir = at >= 0 ? path.resolve(args[at + 1]) : undefined;
  const { outdir: written } = await buildElectron({ dev: args.includes('--dev'), outdir });
  console.log(`build-electron: wrote ${path.relative(process.cwd(), written) || '.'}`);
}
