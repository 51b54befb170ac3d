/**
 * The headless CLI (graph format spec, "CLI"):
 *   run GRAPH.json                      print the result JSON
 *   run A.json B.json ... --out-dir DIR write DIR/<name>.result.json
 * Exit status: 0 finished, 1 the graph raised an error, 2 invalid document or usage.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { load, GraphSession } from '../../graph/index';
import { resultValues, writeJson } from '../../graph/result';
import { COMMANDS, type Command } from './commands';
import { readDocument } from './read-document';
import { toFile, toStdout } from './sink';
import { backendRequested, runWithBackend } from './torch-backend';

const USAGE = `usage:
  npm run -s cli -- run GRAPH.json [--out-dir DIR] [--iterations N]
  npm run -s cli -- run ... --backend torch [--python PATH] [--device cpu|cuda]   (on PyTorch)
  npm run -s cli -- run A.json B.json ... --out-dir DIR
${COMMANDS.map((c) => `  npm run -s cli -- ${c.usage}`).join('\n')}`;

/** Where a result goes: given the value, it writes it (see writeJson). */
type ResultSink = (result: unknown) => void;

/** Runs one document and hands its result (if it has one) to `sink`; returns the exit code. */
export function runFile(file: string, iterations: number | null, sink: ResultSink): number {
  const json = readDocument(file);
  if (json === null) return 2;
  if (iterations !== null && typeof json === 'object' && json && 'run' in json) {
    (json as { run: Record<string, unknown> }).run.iterations = iterations;
  }
  const l = load(json);
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

function cmdRun(args: string[]): number {
  if (backendRequested(args)) return runWithBackend(args, cmdRun, usage);
  let outDir: string | null = null;
  let iterations: number | null = null;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--out-dir') outDir = args[++i] ?? null;
    else if (a === '--iterations') iterations = Number(args[++i]);
    else if (a.startsWith('--')) return usage(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) return usage('no graph file given');
  if (files.length > 1 && outDir === null) return usage('several files need --out-dir DIR');
  if (iterations !== null && !(Number.isInteger(iterations) && iterations > 0)) return usage('--iterations takes a positive integer');
  let worst = 0;
  if (outDir !== null) mkdirSync(outDir, { recursive: true });
  for (const f of files) {
    const dir = outDir;
    const sink: ResultSink = dir === null
      ? (result) => toStdout(resultText(result))
      : (result) => toFile(join(dir, `${basename(f).replace(/\.json$/, '')}.result.json`), resultText(result));
    worst = Math.max(worst, runFile(f, iterations, sink));
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
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
