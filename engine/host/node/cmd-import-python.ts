/**
 * `npm run -s cli -- import-python MODEL.py [--out GRAPH.json] [--python PATH] [--no-loss]`:
 * traces a PyTorch model with torch.fx (build/torch/import_fx.py) and prints (or
 * writes) a graph document of its ops, parameters embedded as values.
 * Exit status: 0 written, 2 the model cannot be imported (message on stderr) or usage.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Command } from './command';
import { findPython, TORCH_DIR } from './torch-backend';

const USAGE = 'import-python MODEL.py [--out GRAPH.json] [--python PATH] [--no-loss]';

function fail(message: string): number {
  process.stderr.write(`${message}\nusage: npm run -s cli -- ${USAGE}\n`);
  return 2;
}

function run(args: string[]): number {
  let python: string | null = null;
  const pass: string[] = [];
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--python') python = args[++i] ?? '';
    else if (a === '--out') {
      const v = args[++i];
      if (!v) return fail('--out needs a file name');
      pass.push('--out', v);
    } else if (a === '--no-loss') pass.push(a);
    else if (a.startsWith('--')) return fail(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length !== 1)
    return fail(files.length === 0 ? 'no model file given' : 'import-python takes one model file');
  const py = findPython(python);
  if (!py.ok) {
    process.stderr.write(`import-python: ${py.message}\n`);
    return 2;
  }
  const r = spawnSync(py.python, [resolve(TORCH_DIR, 'import_fx.py'), files[0]!, ...pass], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.error) {
    process.stderr.write(`import-python: cannot run ${py.python}: ${r.error.message}\n`);
    return 2;
  }
  return r.status ?? 2;
}

/** The `import-python` command. */
export const importPythonCommand: Command = { name: 'import-python', usage: USAGE, run };
