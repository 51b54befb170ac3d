/**
 * `npm run -s cli -- export-python GRAPH.json [--out FILE.py] [--seeded torch|engine]`:
 * prints (or writes) the graph as a standalone PyTorch script (engine/bridge).
 * Exit status: 0 written, 2 invalid document or usage (JSON paths on stderr), or a script
 * that would spell out more than MAX_LITERAL_VALUES values.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { exportPython, ExportError } from '../../bridge/index';
import { convParamShapes, linearParamShapes } from '../../graph/ops';
import { parseJsonWithNaN } from '../../graph/result';
import { validateDocument } from '../../graph/validate';
import type { Command } from './command';

const USAGE = 'export-python GRAPH.json [--out FILE.py] [--seeded torch|engine]';

function fail(message: string): number {
  process.stderr.write(`${message}\nusage: npm run -s cli -- ${USAGE}\n`);
  return 2;
}

/**
 * Most tensor values a script may spell out as literals. The script is built as
 * one string (engine/bridge), so far larger literals would exhaust the heap; at
 * this size the script is about 50 MB.
 */
export const MAX_LITERAL_VALUES = 2 ** 22;

/** How many values the script would spell out: `values` inits, and with `--seeded engine` the seeded tensors and parameters. */
function literalValues(doc: unknown, seeded: 'torch' | 'engine'): number {
  const v = validateDocument(doc);
  if (!v.ok) return 0; // exportPython reports the issues
  const size = (shape: readonly number[] | null) => (shape ? shape.reduce((a, b) => a * b, 1) : 0);
  let total = 0;
  for (const n of v.doc.nodes) {
    const init = (n.params.init ?? {}) as { kind?: string; weight?: { kind: string }; bias?: { kind: string } };
    if (n.op === 'Tensor') {
      const random = init.kind === 'rand' || init.kind === 'randn' || init.kind === 'randint';
      if (init.kind === 'values' || (random && seeded === 'engine')) total += size(n.params.shape as number[]);
    } else if (n.op === 'Conv2d' || n.op === 'Linear') {
      const shapes = n.op === 'Conv2d' ? convParamShapes(n.params) : linearParamShapes(n.params);
      for (const which of ['weight', 'bias'] as const) {
        const spelled = init[which] ? init[which].kind === 'values' : seeded === 'engine';
        if (spelled) total += size(shapes[which]);
      }
    }
  }
  return total;
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
  const literals = literalValues(doc, seeded);
  if (literals > MAX_LITERAL_VALUES) {
    const hint = seeded === 'engine' ? ' (--seeded torch writes seeded tensors as torch.rand* calls)' : '';
    process.stderr.write(
      `${file}: the script would spell out ${literals} tensor values, more than export-python writes (${MAX_LITERAL_VALUES})${hint}\n`,
    );
    return 2;
  }
  let script: string;
  try {
    script = exportPython(doc, { seeded });
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    for (const i of e.issues) process.stderr.write(`${file}: ${i.path}: ${i.message}\n`);
    return 2;
  }
  if (out === null) process.stdout.write(script);
  else {
    try {
      writeFileSync(out, script);
    } catch (e) {
      process.stderr.write(`${out}: cannot write: ${(e as Error).message}\n`);
      return 2;
    }
  }
  return 0;
}

/** The `export-python` command. */
export const exportPythonCommand: Command = { name: 'export-python', usage: USAGE, run };
