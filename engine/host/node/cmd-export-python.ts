/**
 * `npm run -s cli -- export-python GRAPH.json [--out FILE.py] [--seeded torch|engine]`:
 * prints (or writes) the graph as a standalone PyTorch script (engine/bridge).
 * The script is written in chunks (engine/host/node/sink.ts), never built as one string,
 * so a document inside the engine's budget exports whatever it spells out.
 * Exit status: 0 written, 2 invalid document or usage (JSON paths on stderr).
 */
import { readFileSync } from 'node:fs';
import { exportPythonChunks, ExportError, type Write } from '../../bridge/index';
import { parseJsonWithNaN } from '../../graph/result';
import type { Command } from './command';
import { toFile, toStdout } from './sink';

const USAGE = 'export-python GRAPH.json [--out FILE.py] [--seeded torch|engine]';

function fail(message: string): number {
  process.stderr.write(`${message}\nusage: npm run -s cli -- ${USAGE}\n`);
  return 2;
}

function run(args: string[]): number {
  let out: string | null = null;
  let seeded: 'torch' | 'engine' = 'torch';
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--out') out = args[++i] ?? null;
    else if (a === '--seeded') {
      const v = args[++i];
      if (v !== 'torch' && v !== 'engine') return fail('--seeded takes torch or engine');
      seeded = v;
    } else if (a.startsWith('--')) return fail(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length !== 1)
    return fail(files.length === 0 ? 'no graph file given' : 'export-python takes one graph file');
  if (out === null && args.includes('--out')) return fail('--out needs a file name');
  const file = files[0]!;
  let doc: unknown;
  try {
    doc = parseJsonWithNaN(readFileSync(file, 'utf8'));
  } catch (e) {
    process.stderr.write(
      `${file}: ${(e as NodeJS.ErrnoException).code ? 'cannot read' : '$: not valid JSON'}: ${(e as Error).message}\n`,
    );
    return 2;
  }
  let script: (write: Write) => void;
  try {
    script = exportPythonChunks(doc, { seeded });
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    for (const i of e.issues) process.stderr.write(`${file}: ${i.path}: ${i.message}\n`);
    return 2;
  }
  if (out === null) toStdout(script);
  else {
    try {
      toFile(out, script);
    } catch (e) {
      process.stderr.write(`${out}: cannot write: ${(e as Error).message}\n`);
      return 2;
    }
  }
  return 0;
}

/** The `export-python` command. */
export const exportPythonCommand: Command = { name: 'export-python', usage: USAGE, run };
