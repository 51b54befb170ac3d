/**
 * The headless CLI (docs/graph-format.md, "CLI"), run as a child process:
 * `node node_modules/tsx/dist/cli.mjs engine/host/node/cli.ts run ...`.
 * Exit status 0 when the run finished, 1 when the graph raised an error (the result is
 * still printed or written), 2 for an invalid document (stderr names the file and the
 * JSON path), bad usage, or a file that is not JSON.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDocument } from '../../engine/graph/index';
import { compareResult, type ResultLike } from '../helpers/compare';
import { doc, edge, node, tensor } from '../helpers/docs';
import { LOCAL_PARITY_DIR, REPO_ROOT, REFERENCE_PARITY_DIR, readJson } from '../helpers/fixtures';
import { parseJsonNaN } from '../helpers/json';
import { runNode, type Run } from '../helpers/node-run';

const TSX = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CLI = join(REPO_ROOT, 'engine', 'host', 'node', 'cli.ts');
const tmp = mkdtempSync(join(tmpdir(), 'autograd-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the CLI with `args` from the repository root. */
function cli(...args: string[]): Promise<Run> {
  return runNode([TSX, CLI, ...args]);
}

/** Writes a file into the scratch directory and returns its path. */
function file(name: string, content: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
}

/** What runDocument gives for a fixture document. */
function expectedRun(path: string) {
  const r = runDocument(readJson(path));
  if (!r.ok) throw new Error(`${path} is invalid`);
  return r.result;
}

const FINISHED = join(REFERENCE_PARITY_DIR, 'small_cnn.graph.json');
const WITH_NAN = join(LOCAL_PARITY_DIR, 'log_negative_nan.graph.json');
const GRAPH_ERROR = join(REFERENCE_PARITY_DIR, 'backward_non_scalar.graph.json');
const LOOP = join(LOCAL_PARITY_DIR, 'loop_manual_sgd.graph.json');

/** A document whose Conv2d has kernel_size 0 (invalid). */
const BAD_KERNEL = doc(
  [tensor('x', [1, 1, 4, 4]), node('conv', 'Conv2d', { in_channels: 1, out_channels: 1, kernel_size: 0 })],
  [edge('x', 'conv', 'input')],
);

describe.concurrent('cli run', () => {
  it('one file: stdout is the result JSON, equal to runDocument and to PyTorch', async () => {
    const r = await cli('run', FINISHED);
    expect(r.code, r.stderr).toBe(0);
    const got = parseJsonNaN(r.stdout);
    expect(got).toEqual(expectedRun(FINISHED));
    expect(
      compareResult(readJson(FINISHED.replace('.graph.json', '.expected.json')) as ResultLike, got as ResultLike),
    ).toEqual([]);
  });

  it('one file with NaN and -Infinity values: written as bare tokens, read back equal', async () => {
    const r = await cli('run', WITH_NAN);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\bNaN\b/);
    expect(parseJsonNaN(r.stdout)).toEqual(expectedRun(WITH_NAN));
  });

  it('a graph error: exit 1, and the result with its error is still printed', async () => {
    const r = await cli('run', GRAPH_ERROR);
    expect(r.code).toBe(1);
    const got = parseJsonNaN(r.stdout) as ResultLike;
    expect(got).toEqual(expectedRun(GRAPH_ERROR));
    expect(got.error?.message).toBe('grad can be implicitly created only for scalar outputs');
  });

  it('several files with --out-dir: DIR/<name>.result.json each, exit 0', async () => {
    const out = join(tmp, 'out-ok');
    const plain = file('plain.json', readFileSync(FINISHED, 'utf8'));
    const r = await cli('run', FINISHED, WITH_NAN, plain, '--out-dir', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(out).sort()).toEqual([
      'log_negative_nan.graph.result.json',
      'plain.result.json',
      'small_cnn.graph.result.json',
    ]);
    expect(parseJsonNaN(readFileSync(join(out, 'small_cnn.graph.result.json'), 'utf8'))).toEqual(expectedRun(FINISHED));
    expect(parseJsonNaN(readFileSync(join(out, 'log_negative_nan.graph.result.json'), 'utf8'))).toEqual(
      expectedRun(WITH_NAN),
    );
    expect(parseJsonNaN(readFileSync(join(out, 'plain.result.json'), 'utf8'))).toEqual(expectedRun(FINISHED));
  });

  it('several files, one with a graph error: exit 1, every result written', async () => {
    const out = join(tmp, 'out-err');
    const r = await cli('run', '--out-dir', out, GRAPH_ERROR, FINISHED);
    expect(r.code).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['backward_non_scalar.graph.result.json', 'small_cnn.graph.result.json']);
    expect(parseJsonNaN(readFileSync(join(out, 'backward_non_scalar.graph.result.json'), 'utf8'))).toEqual(
      expectedRun(GRAPH_ERROR),
    );
  });

  it('an invalid document: exit 2, stderr names the file and the JSON path', async () => {
    const bad = file('bad-kernel.json', BAD_KERNEL);
    const r = await cli('run', bad);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${bad}: nodes[1].params.kernel_size: expected a positive integer or a pair`);
  });

  it('an invalid document among valid ones: exit 2; the valid results are still written', async () => {
    const out = join(tmp, 'out-invalid');
    const bad = file('bad-kernel-2.json', BAD_KERNEL);
    const r = await cli('run', FINISHED, bad, '--out-dir', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: nodes[1].params.kernel_size:`);
    expect(readdirSync(out)).toEqual(['small_cnn.graph.result.json']);
  });

  it('every issue of a document is listed with its path', async () => {
    const d = { ...BAD_KERNEL, version: 2 };
    const bad = file('bad-version.json', d);
    const r = await cli('run', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: version: version 2 is newer than this engine understands (1)`);
  });

  it('a file that is not JSON: exit 2, stderr names the file', async () => {
    const bad = file('broken.json', '{"format": "autograd-studio/graph", "nodes": [');
    const r = await cli('run', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: $: not valid JSON`);
  });

  it('a missing file: exit 2', async () => {
    const r = await cli('run', join(tmp, 'does-not-exist.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('does-not-exist.json: cannot read');
  });

  it('a document with NaN tokens in its values runs (Python json writes them)', async () => {
    const text = JSON.stringify(
      doc([tensor('x', [2], { init: { kind: 'values', data: [7, 1] } }), node('e', 'Exp')], [edge('x', 'e', 'input')]),
    );
    const nanDoc = file('nan-values.json', text.replace('[7,1]', '[NaN,1]'));
    const r = await cli('run', nanDoc);
    expect(r.code, r.stderr).toBe(0);
    const got = parseJsonNaN(r.stdout) as ResultLike;
    expect(got.tensors!.e!.data![0]).toBeNaN();
    expect(got.tensors!.e!.data![1]).toBeCloseTo(Math.E, 6);
  });

  it('--iterations overrides run.iterations', async () => {
    const r = await cli('run', LOOP, '--iterations', '1');
    expect(r.code, r.stderr).toBe(0);
    expect((parseJsonNaN(r.stdout) as ResultLike).iterations_run).toBe(1);
  });
});

describe.concurrent('cli usage errors exit 2 with the usage text', () => {
  const cases: [string, string[], string][] = [
    ['no command', [], 'no command given'],
    ['an unknown command', ['frobnicate'], 'unknown command frobnicate'],
    ['run without files', ['run'], 'no graph file given'],
    ['an unknown option', ['run', FINISHED, '--bogus'], 'unknown option --bogus'],
    ['several files without --out-dir', ['run', FINISHED, WITH_NAN], 'several files need --out-dir DIR'],
    ['--iterations 0', ['run', FINISHED, '--iterations', '0'], '--iterations takes a positive integer'],
    ['--iterations abc', ['run', FINISHED, '--iterations', 'abc'], '--iterations takes a positive integer'],
    ['--iterations without a value', ['run', FINISHED, '--iterations'], '--iterations takes a positive integer'],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('usage:');
    });
  }
});
