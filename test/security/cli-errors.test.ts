/**
 * Issue 16 item 8: every usage and file-system error of the CLI is one clean line
 * (no stack) with exit status 2; inputs whose results would overwrite each other
 * are refused; `run` and `step` follow one rule for `--iterations`.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { doc, edge, node, tensor } from '../helpers/docs';
import { cleanStderr, cli, scratch } from './helpers';

const { dir, file } = scratch();
// x = [0, 1] requires grad, s = x.sum(), backward; the grad accumulates once per iteration.
const nodes = [tensor('x', [2], { requires_grad: true, init: { kind: 'arange' } }), node('s', 'Sum')];
const edges = [edge('x', 's', 'input')];

/** Exit 2 and exactly `line` (one line) on stderr, nothing on stdout. */
function expectClean(r: { code: number; stdout: string; stderr: string }, line: string | RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(cleanStderr(r.stderr)).toBe(true);
  const first = r.stderr.split('\n')[0]!;
  if (typeof line === 'string') expect(first).toBe(line);
  else expect(first).toMatch(line);
}

describe.concurrent('--iterations with a run section that is not an object', () => {
  for (const [name, run] of [
    ['null', null],
    ['a string', 'abc'],
    ['an array', [1]],
  ] as const) {
    for (const command of ['run', 'step']) {
      it(`${command}: run is ${name}`, async () => {
        const f = file(`run-${command}-${name.replace(' ', '-')}.json`, { ...doc(nodes, edges), run });
        const r = await cli(command, f, '--iterations', '3');
        expectClean(r, `${f}: run: expected an object`);
      });
    }
  }
});

describe.concurrent('one rule for --iterations in run and step', () => {
  it('a document without run: both run 3 iterations and print the same result', async () => {
    const f = file('no-run.json', doc(nodes, edges));
    const [run, step] = await Promise.all([cli('run', f, '--iterations', '3'), cli('step', f, '--iterations', '3')]);
    expect(run.code, run.stderr).toBe(0);
    expect(step.code, step.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as { iterations_run: number };
    expect(result.iterations_run).toBe(3);
    expect(step.stdout.trim().split('\n').pop()).toBe(run.stdout.trim());
  });

  it('a document with run: --iterations replaces run.iterations in both', async () => {
    const f = file('with-run.json', doc(nodes, edges, { backward: 's', iterations: 5 }));
    const [run, step] = await Promise.all([cli('run', f, '--iterations', '2'), cli('step', f, '--iterations', '2')]);
    const result = JSON.parse(run.stdout) as { iterations_run: number; tensors: { x: { grad: { data: number[] } } } };
    expect(result.iterations_run).toBe(2);
    expect(result.tensors.x.grad.data).toEqual([2, 2]); // accumulated over 2 backward passes
    expect(step.stdout.trim().split('\n').pop()).toBe(run.stdout.trim());
  });
});

describe.concurrent('file-system errors', () => {
  const good = file('good.json', doc(nodes, edges));

  it('--out-dir naming an existing file', async () => {
    const notDir = file('a-file', 'x');
    const r = await cli('run', good, '--out-dir', notDir);
    expectClean(r, new RegExp(`^--out-dir ${notDir}: cannot create the directory: EEXIST`));
  });

  it('--out-dir below an existing file', async () => {
    const notDir = file('another-file', 'x');
    const r = await cli('run', good, '--out-dir', join(notDir, 'sub'));
    expectClean(r, new RegExp(`^--out-dir ${notDir}/sub: cannot create the directory: ENOTDIR`));
  });

  it('a result that cannot be written (a directory stands at its name)', async () => {
    const out = join(dir, 'blocked');
    mkdirSync(join(out, 'good.result.json'), { recursive: true });
    const r = await cli('run', good, '--out-dir', out);
    expectClean(r, new RegExp(`^${out}/good.result.json: cannot write: EISDIR`));
  });

  it('an input that is a directory', async () => {
    const r = await cli('run', dir);
    expectClean(r, new RegExp(`^${dir}: cannot read: EISDIR`));
  });

  it('export-python --out into a missing directory', async () => {
    const target = join(dir, 'missing', 'x.py');
    const r = await cli('export-python', good, '--out', target);
    expectClean(r, new RegExp(`^${target}: cannot write: ENOENT`));
  });

  it('--out-dir without a directory', async () => {
    const r = await cli('run', good, '--out-dir');
    expectClean(r, '--out-dir needs a directory');
  });
});

describe.concurrent('inputs whose results would overwrite each other', () => {
  it('the same file name in two folders is refused before anything runs', async () => {
    const a = file('a/graph.json', doc(nodes, edges));
    const b = file('b/graph.json', doc(nodes, edges));
    const out = join(dir, 'out-collide');
    const r = await cli('run', a, b, '--out-dir', out);
    expectClean(r, `${a} and ${b} would both write ${out}/graph.result.json: give inputs with different file names`);
    expect(() => readdirSync(out)).toThrow(); // nothing created
  });

  it('the same file twice', async () => {
    const a = file('twice.json', doc(nodes, edges));
    const out = join(dir, 'out-twice');
    const r = await cli('run', a, a, '--out-dir', out);
    expectClean(r, `${a} and ${a} would both write ${out}/twice.result.json: give inputs with different file names`);
  });

  it('different file names in two folders are fine', async () => {
    const a = file('c/one.json', doc(nodes, edges));
    const b = file('d/two.json', doc(nodes, edges));
    const out = join(dir, 'out-fine');
    const r = await cli('run', a, b, '--out-dir', out);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['one.result.json', 'two.result.json']);
  });
});
