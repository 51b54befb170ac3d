/**
 * The headless CLI (graph format spec, "CLI"):
 *   run GRAPH.json                      print the result JSON
 *   run A.json B.json ... --out-dir DIR write DIR/<name>.result.json (two inputs with the same
 *                                       file name in different folders are refused)
 * Exit status: 0 finished, 1 the graph raised an error, 2 invalid document or usage.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { load, GraphSession } from '../../graph/index';
import { resultValues, writeJson } from '../../graph/result';
import { COMMANDS, type Command } from './commands';
import { fsMessage, readDocument, withIterations } from './read-document';
import { toFile, toStdout } from './sink';
import { backendRequested, runWithBackend } from './torch-backend';
import { installNodeDatasets } from './datasets';

installNodeDatasets(); // Dataset nodes read data/datasets/ from the checkout

const USAGE = `usage:
  npm run -s cli -- run GRAPH.json [--out-dir DIR] [--iterations N]
  npm run -s cli -- run ... --backend torch [--python PATH] [--device cpu|cuda]   (on PyTorch)
  npm run -s cli -- run A.json B.json ... --out-dir DIR   (writes DIR/<name>.result.json: inputs need different file names)
${COMMANDS.map((c) => `  npm run -s cli -- ${c.usage}`).join('\n')}`;

/** Where a result goes: given the value, it writes it (see writeJson). */
type ResultSink = (result: unknown) => void;

/** Runs one document and hands its result (if it has one) to `sink`; returns the exit code. */
export function runFile(file: string, iterations: number | null, sink: ResultSink): number {
  const json = readDocument(file);
  if (json === null) return 2;
  const l = load(withIterations(json, iterations));
  if (!l.ok) {
    for (const i of l.issues) process.stderr.write(`${file}: ${i.path}: ${i.message}\n`);
    return 2;
  }
  const s = new GraphSession(l.graph);
  s.run();
  for (const w of s.warnings) process.stderr.write(`${file}: warning at ${w.node}: ${w.message}\n`);
  sink(resultValues(s));
  return s.error ? 1 : 0;
}

/** The result JSON and a newline, written in chunks (the same bytes as stringifyResult). */
const resultText = (result: unknown) => (write: (chunk: string) => void) => {
  writeJson(result, write);
  write('\n');
};

/** DIR/<name>.result.json of each input; null (with the message written) when two inputs would share one. */
function outputNames(files: readonly string[], outDir: string): Map<string, string> | null {
  const byOutput = new Map<string, string>();
  for (const f of files) {
    const out = join(outDir, `${basename(f).replace(/\.json$/, '')}.result.json`);
    const other = byOutput.get(out);
    if (other !== undefined) {
      usage(`${other} and ${f} would both write ${out}: give inputs with different file names`);
      return null;
    }
    byOutput.set(out, f);
  }
  return new Map([...byOutput].map(([out, f]) => [f, out]));
}

function cmdRun(args: string[]): number {
  if (backendRequested(args)) return runWithBackend(args, cmdRun, usage);
  let outDir: string | null = null;
  let iterations: number | null = null;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--out-dir') {
      outDir = args[++i] ?? null;
      if (outDir === null || outDir === '') return usage('--out-dir needs a directory');
    } else if (a === '--iterations') iterations = Number(args[++i]);
    else if (a.startsWith('--')) return usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) return usage('no graph file given');
  if (files.length > 1 && outDir === null) return usage('several files need --out-dir DIR');
  if (iterations !== null && !(Number.isInteger(iterations) && iterations > 0))
    return usage('--iterations takes a positive integer');
  const outputs = outDir === null ? null : outputNames(files, outDir);
  if (outDir !== null) {
    if (outputs === null) return 2;
    try {
      mkdirSync(outDir, { recursive: true });
    } catch (e) {
      process.stderr.write(`--out-dir ${outDir}: cannot create the directory: ${fsMessage(e)}\n`);
      return 2;
    }
  }
  let worst = 0;
  for (const f of files) {
    const out = outputs?.get(f) ?? null;
    const sink: ResultSink =
      out === null ? (result) => toStdout(resultText(result)) : (result) => toFile(out, resultText(result));
    try {
      worst = Math.max(worst, runFile(f, iterations, sink));
    } catch (e) {
      if (out === null || typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
      process.stderr.write(`${out}: cannot write: ${fsMessage(e)}\n`);
      worst = 2;
    }
  }
  return worst;
}

function usage(message: string): number {
  process.stderr.write(`${message}\n${USAGE}\n`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'run') return cmdRun(rest);
  const c: Command | undefined = COMMANDS.find((x) => x.name === cmd);
  if (c) return c.run(rest);
  return usage(cmd ? `unknown command ${cmd}` : 'no command given');
}

// A reader that stops early (`| head`) is not an error of ours.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  // exitCode, not exit(): stdout may still be draining into a pipe.
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // One line; the stack only when asked for (AUTOGRAD_STUDIO_DEBUG=1).
    const detail =
      e instanceof Error ? (process.env.AUTOGRAD_STUDIO_DEBUG ? (e.stack ?? e.message) : e.message) : String(e);
    process.stderr.write(`internal error: ${detail}\n`);
    process.exit(2);
  },
);
