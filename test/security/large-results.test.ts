/**
 * Issue 16 item 4: results and exported scripts are written as streams. The CLI used to
 * build the result JSON as one string, so one randn tensor of 2^25 elements (inside the
 * budget) died with "internal error: RangeError: Invalid string length". The streamed
 * text is byte for byte what stringifyResult (JSON.stringify) gives, checked on every
 * fixture; the streamed script is checked in test/bridge/export-stream.test.ts.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GraphSession, load, resultJson, runDocument, stringifyResult } from '../../engine/graph/index';
import { initData } from '../../engine/graph/init';
import { resultValues, writeJson } from '../../engine/graph/result';
import { allFixtureDocuments, LOCAL_PARITY_DIR, readJson, REFERENCE_PARITY_DIR, REPO_ROOT } from '../helpers/fixtures';
import { doc, edge, node, tensor } from '../helpers/docs';
import { parseJsonNaN } from '../helpers/json';
import { PYTHON, run } from '../bridge/python';
import { cli, scratch } from './helpers';

/** What writeJson writes, joined, and the longest chunk it handed on. */
function streamed(value: unknown): { text: string; longest: number } {
  const chunks: string[] = [];
  writeJson(value, (c) => chunks.push(c));
  return { text: chunks.join(''), longest: Math.max(0, ...chunks.map((c) => c.length)) };
}

describe('writeJson writes what stringifyResult writes', () => {
  it('on the result of every fixture document (values as typed arrays there, number arrays here)', () => {
    const docs = allFixtureDocuments();
    expect(docs.length).toBeGreaterThan(100);
    for (const { name, doc: d } of docs) {
      const l = load(d);
      if (!l.ok) throw new Error(`${name} is invalid`);
      const s = new GraphSession(l.graph);
      s.run();
      expect(streamed(resultValues(s)).text, name).toBe(stringifyResult(resultJson(s)));
    }
  });

  it('on values JSON.stringify treats specially', () => {
    const sparse: unknown[] = [1];
    sparse[3] = 2;
    const samples: unknown[] = [
      { data: [1, NaN, Infinity, -Infinity, -0, 0.1, 1e21, 5e-324, -1.5e-7], s: 'é "q" \\ \n \u2028 \ud800' },
      { skip: undefined, f: () => 1, keep: null, arr: [undefined, () => 1, sparse] },
      JSON.parse('{"__proto__": [1], "10": 1, "2": 2, "b": {"constructor": 3}}'),
      'top',
      -0,
      [],
      {},
    ];
    for (const v of samples) expect(streamed(v).text).toBe(stringifyResult(v));
  });

  it('typed arrays as the number arrays they hold', () => {
    const f32 = new Float32Array([1.5, NaN, -0, 3.4028234663852886e38, 0.1]);
    const f64 = new Float64Array([Infinity, -Infinity, 1 / 3]);
    expect(streamed({ a: f32, b: [f64] }).text).toBe(stringifyResult({ a: Array.from(f32), b: [Array.from(f64)] }));
  });

  it('hands on chunks of about 64 KiB, never the whole text', () => {
    const { text, longest } = streamed({ data: new Float32Array(1 << 20).fill(0.1) });
    expect(text.length).toBeGreaterThan(10_000_000);
    expect(longest).toBeLessThan(200_000);
  });
});

describe.concurrent('the CLI writes the same bytes as before', () => {
  for (const path of [
    join(REFERENCE_PARITY_DIR, 'small_cnn.graph.json'),
    join(LOCAL_PARITY_DIR, 'log_negative_nan.graph.json'),
  ]) {
    it(path.split('/').pop()!, async () => {
      const r = await cli('run', path);
      expect(r.code, r.stderr).toBe(0);
      const expected = runDocument(readJson(path));
      expect(expected.ok).toBe(true);
      if (expected.ok) expect(r.stdout).toBe(`${stringifyResult(expected.result)}\n`);
    });
  }
});

describe('a 2^25-element randn result', () => {
  const { file: write } = scratch();
  it('runs through the CLI and is printed whole', async () => {
    const n = 2 ** 25;
    const d = JSON.stringify(doc([tensor('x', [n], { init: { kind: 'randn', seed: 7 } })]));
    const TSX = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const CLI = join(REPO_ROOT, 'engine', 'host', 'node', 'cli.ts');
    const file = write('randn.graph.json', d);
    const got = await new Promise<{
      code: number | null;
      bytes: number;
      commas: number;
      head: string;
      tail: string;
      stderr: string;
    }>((resolve) => {
      const child = spawn(process.execPath, [TSX, CLI, 'run', file], { cwd: REPO_ROOT });
      let bytes = 0;
      let commas = 0;
      let head = '';
      let tail = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => {
        bytes += b.length;
        for (let i = b.indexOf(44); i >= 0; i = b.indexOf(44, i + 1)) commas++;
        if (head.length < 400) head += b.subarray(0, 400).toString('latin1');
        tail = (tail + b.subarray(Math.max(0, b.length - 400)).toString('latin1')).slice(-400);
      });
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      child.on('close', (code) => resolve({ code, bytes, commas, head, tail, stderr }));
    });
    expect(got.stderr).toBe('');
    expect(got.code).toBe(0);
    expect(got.bytes).toBeGreaterThan(2 ** 29); // longer than any string V8 can hold
    // n - 1 commas between the values, 6 more in the tensor, 3 at the top level.
    expect(got.commas).toBe(n - 1 + 9);
    const first = Array.from(initData({ kind: 'randn', seed: 7 }, [4], 'float32'), String);
    expect(got.head.startsWith(`{"tensors":{"x":{"shape":[${n}],"dtype":"float32","data":[${first.join(',')},`)).toBe(
      true,
    );
    expect(
      got.tail.endsWith(
        '],"requires_grad":false,"is_leaf":true,"grad_fn":null,"grad":null}},"backward_steps":[],"iterations_run":1,"error":null}\n',
      ),
    ).toBe(true);
  }, 300_000);
});

describe('a reader that falls behind', () => {
  const { file: write } = scratch();
  it("still gets every byte: the CLI waits for the full pipe (Note [Waiting for a pipe's reader])", async () => {
    const d = doc([tensor('x', [2 ** 18], { init: { kind: 'randn', seed: 11 } })]);
    const file = write('slow-reader.graph.json', d);
    const TSX = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    const CLI = join(REPO_ROOT, 'engine', 'host', 'node', 'cli.ts');
    const got = await new Promise<{ code: number | null; text: string; pauses: number }>((resolve) => {
      const child = spawn(process.execPath, [TSX, CLI, 'run', file], { cwd: REPO_ROOT });
      const chunks: Buffer[] = [];
      let pauses = 0;
      child.stdout.on('data', (b: Buffer) => {
        chunks.push(b);
        // Stop reading for 150 ms three times: the pipe fills and the CLI's writes fail with EAGAIN.
        if (pauses < 3 && chunks.length % 8 === 1) {
          pauses++;
          child.stdout.pause();
          setTimeout(() => child.stdout.resume(), 150);
        }
      });
      child.on('close', (code) => resolve({ code, text: Buffer.concat(chunks).toString('utf8'), pauses }));
    });
    expect(got.code).toBe(0);
    expect(got.pauses).toBe(3);
    const want = runDocument(d);
    if (!want.ok) throw new Error('the document is invalid');
    expect(got.text).toBe(`${stringifyResult(want.result)}\n`);
  }, 120_000);
});

describe.concurrent('export-python writes scripts through a stream', () => {
  const { file } = scratch();

  it("--seeded engine spells out more than 2^22 values, every one rounding back to the engine's", async () => {
    // It used to build the script as one string (2^22 values took 94 s and 2.2 GB; 2^25
    // died with V8's fatal heap error), then refused beyond 2^22 values.
    const shape = [4096, 1100];
    const n = shape[0]! * shape[1]!;
    expect(n).toBeGreaterThan(2 ** 22);
    const d = doc(
      [tensor('x', shape, { init: { kind: 'randn', seed: 7 } }), node('s', 'Sum')],
      [edge('x', 's', 'input')],
    );
    const out = join(file('big-export.graph.json', d), '..', 'big-export.py');
    const r = await cli('export-python', file('big-export.graph.json', d), '--seeded', 'engine', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const script = readFileSync(out, 'latin1');
    const open = script.indexOf('x = torch.tensor([\n');
    const close = script.indexOf('\n    ])\n', open);
    expect(open).toBeGreaterThan(0);
    // One row of 1100 values per block: "[", the values packed to 99 columns, "],".
    const literal = script.slice(open + 'x = torch.tensor(['.length, close);
    expect(literal.split('\n        [\n').length).toBe(shape[0]! + 1);
    const want = initData({ kind: 'randn', seed: 7 }, shape, 'float32');
    const number = /-?\d[\d.e+-]*/g;
    let i = 0;
    let wrong = 0;
    for (let m = number.exec(literal); m !== null; m = number.exec(literal)) {
      if (Math.fround(Number(m[0])) !== want[i++]) wrong++;
    }
    expect(i).toBe(n);
    expect(wrong).toBe(0);
    expect(script.split('\n').every((l) => l.length <= 99)).toBe(true);
  }, 300_000);

  it("a streamed export of 2^18 spelled-out values parses and runs in Python to the engine's values", async () => {
    const shape = [512, 512];
    const d = doc(
      [tensor('x', shape, { init: { kind: 'randn', seed: 3 } }), node('s', 'Sum')],
      [edge('x', 's', 'input')],
    );
    const graph = file('mid-export.graph.json', d);
    const out = join(graph, '..', 'mid-export.py');
    const r = await cli('export-python', graph, '--seeded', 'engine', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const py = await run(PYTHON, [out]);
    expect(py.code, py.stderr).toBe(0);
    const got = parseJsonNaN(py.stdout) as { tensors: Record<string, { data: number[] }> };
    const want = runDocument(d);
    if (!want.ok) throw new Error('the document is invalid');
    expect(Float32Array.from(got.tensors.x!.data)).toEqual(Float32Array.from(want.result.tensors.x!.data as number[]));
  }, 300_000);

  it('--seeded torch writes a 2^25-element randn tensor as a torch.randn call', async () => {
    const d = doc([tensor('x', [2 ** 25], { init: { kind: 'randn', seed: 7 } })]);
    const f = file('randn-export-torch.graph.json', d);
    const r = await cli('export-python', f, '--seeded', 'torch');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('torch.randn(33554432, generator=torch.Generator().manual_seed(7))');
  });
});
