/**
 * V8's deoptimisations in a fresh process running one workload, with the iteration each
 * happened in: what makes a `cli run` recompile the engine while it warms up (Note [One elements
 * kind per array site], engine/core/arrays.ts).
 *   npx tsx build/bench/deopts.ts W1 5000        (W1-W5; one line per deoptimisation)
 *   npx tsx build/bench/deopts.ts renderer/examples/mlp_sigmoid_vs_relu.graph.json 2000   (any graph document)
 * Each line: iteration ('-' before the first one ends), function, V8's reason, the module and the
 * code where it happened. The workload runs as an esbuild bundle (as the CLI does) with the
 * CLI's V8 flags; the engine's own lines are listed, Node's start-up is left out.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

/** The child: runs the workload, marking each iteration's end between V8's trace lines. */
export async function runWorkload(name: string, iterations: number): Promise<void> {
  const { load, GraphSession } = await import('../../engine/graph/index');
  const { installNodeFastKernels } = await import('../../engine/host/node/fast-kernels');
  const { installNodeDatasets } = await import('../../engine/host/node/datasets');
  const { workloadDocument } = await import('./workloads');
  const { digitsCnn } = await import('../scripts/gen-training-examples');
  installNodeFastKernels();
  installNodeDatasets();
  const doc = name.endsWith('.json')
    ? withIterations(JSON.parse(readFileSync(name, 'utf8')) as Record<string, unknown>, iterations)
    : name === 'W5'
      ? digitsCnn(iterations)
      : workloadDocument(name as 'W1', iterations);
  const l = load(doc);
  if (!l.ok) throw new Error('invalid workload');
  new GraphSession(l.graph).run({ onIteration: (it) => writeSync(1, `@iteration ${it}\n`) });
}

/** `doc` set to run `iterations` iterations. */
function withIterations(doc: Record<string, unknown>, iterations: number): Record<string, unknown> {
  return { ...doc, run: { ...(doc.run as Record<string, unknown> | undefined), iterations } };
}

/** The module (esbuild's `// path` comment above it) and the code of a bundle line. */
function where(bundle: string[], line: number): string {
  let module = '?';
  for (let i = line - 1; i >= 0; i--) {
    const m = /^\/\/ (\S+\.ts)$/.exec(bundle[i]!);
    if (m) {
      module = m[1]!;
      break;
    }
  }
  return `${module}: ${(bundle[line - 1] ?? '').trim().slice(0, 90)}`;
}

/** `iteration function "reason" module: code` for each deoptimisation in the engine's code. */
function summarise(trace: string, bundleFile: string): string[] {
  const bundle = readFileSync(bundleFile, 'utf8').split('\n');
  const out: string[] = [];
  let iteration = '-';
  let pending: string | null = null;
  for (const line of trace.split('\n')) {
    const it = /^@iteration (\d+)/.exec(line);
    if (it) iteration = it[1]!;
    const b = /\[bailout \(kind: [^,]+, reason: ([^)]*)\).*?<JSFunction ([^ >]*)/.exec(line);
    if (b) pending = `${iteration} ${b[2] || '(anonymous)'} "${b[1]}"`;
    const at = /;;; deoptimize at <([^>]*)>/.exec(line);
    if (at && pending) {
      const pos = /deopts\.mjs:(\d+):\d+$/.exec(at[1]!);
      if (pos) out.push(`${pending} ${where(bundle, Number(pos[1]))}`);
      pending = null;
    }
  }
  return out;
}

async function main([name = 'W1', iterations = '5000']: string[]): Promise<void> {
  const { buildSync } = await import('esbuild');
  const dir = mkdtempSync(join(ROOT, 'node_modules', '.cache', 'deopts-')); // inside the repository: the kernels are found from there
  try {
    const bundle = join(dir, 'deopts.mjs');
    buildSync({
      stdin: {
        contents: `import { runWorkload } from ${JSON.stringify(import.meta.filename)};\nawait runWorkload(${JSON.stringify(name.endsWith('.json') ? resolve(name) : name)}, ${Number(iterations)});`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'warning',
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    });
    // Imported, not run as the main script: scripts' "run when main" guards stay off in the bundle.
    const traceFile = join(dir, 'trace.txt');
    const fd = openSync(traceFile, 'w');
    const r = spawnSync(
      process.execPath,
      [
        '--v8-pool-size=1',
        '--trace-deopt-verbose',
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(bundle).href)})`,
      ],
      { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' },
    );
    closeSync(fd);
    if (r.status !== 0) throw new Error(`the workload failed: ${r.stderr}`);
    const lines = summarise(readFileSync(traceFile, 'utf8'), bundle);
    process.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'no deoptimisations in the engine\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === import.meta.filename) await main(process.argv.slice(2));
