/**
 * Issue 16 item 5: the NaN-tolerant JSON readers (the engine's parseJsonWithNaN and
 * the tests' parseJsonNaN) are linear in time and memory. The old ones built the
 * text one character at a time (a 200 MB document with one NaN took 4.2 GB of heap
 * and died); here a 30 MB document with one NaN runs through the CLI in a process
 * whose heap is capped at 256 MB (the old reader needed about 1 GB for it).
 */
import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonWithNaN } from '../../engine/graph/index';
import { REPO_ROOT } from '../helpers/fixtures';
import { parseJsonNaN } from '../helpers/json';
import { scratch, type CliRun } from './helpers';

const TRICKY: [string, string, unknown][] = [
  [
    'tokens in strings stay strings',
    '{"a": "NaN", "b": "-Infinity Infinity", "c": NaN}',
    { a: 'NaN', b: '-Infinity Infinity', c: NaN },
  ],
  ['an escaped quote before a token', '{"s": "x\\" NaN", "v": [Infinity]}', { s: 'x" NaN', v: [Infinity] }],
  [
    'backslashes before a closing quote',
    '{"s": "a\\\\", "t": "\\\\\\\\", "v": -Infinity}',
    { s: 'a\\', t: '\\\\', v: -Infinity },
  ],
  ['a string that spells the old sentinel', '{"s": "\\u0000NaN", "v": NaN}', { s: '\u0000NaN', v: NaN }],
  ['a top-level token', 'NaN', NaN],
  [
    'nested arrays and objects',
    '[[NaN, {"k": [-Infinity, "NaN"]}], {"__proto__": Infinity}]',
    [[NaN, { k: [-Infinity, 'NaN'] }], JSON.parse('{"__proto__": 1}')],
  ],
];

describe('both readers on tricky texts', () => {
  for (const [name, text, expected] of TRICKY) {
    it(name, () => {
      const want = name === 'nested arrays and objects' ? fixProto(expected) : expected;
      expect(parseJsonWithNaN(text)).toEqual(want);
      expect(parseJsonNaN(text)).toEqual(want);
    });
  }

  it('the engine keeps a string that spells a sentinel (its sentinel has a random part)', () => {
    const text = '{"s": "\\u0000nonfinite:NaN", "t": "\\u0000nonfinite-abc:NaN", "v": [NaN]}';
    expect(parseJsonWithNaN(text)).toEqual({ s: '\u0000nonfinite:NaN', t: '\u0000nonfinite-abc:NaN', v: [NaN] });
  });

  it('a key named __proto__ stays an own property holding the number', () => {
    const v = parseJsonWithNaN('{"__proto__": NaN, "x": 1}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'x']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')!.value).toBeNaN();
  });

  it('invalid JSON is still refused', () => {
    expect(() => parseJsonWithNaN('{"a": NaN, }')).toThrow(SyntaxError);
    expect(() => parseJsonWithNaN('{"a": "NaN}')).toThrow(SyntaxError);
    expect(() => parseJsonNaN('{"a": NaN, }')).toThrow(SyntaxError);
  });
});

/** `[[...], {"__proto__": Infinity}]` with __proto__ as an own property (a literal would set the prototype). */
function fixProto(v: unknown): unknown {
  const a = v as unknown[];
  const o = JSON.parse('{"__proto__": 0}') as Record<string, unknown>;
  Object.defineProperty(o, '__proto__', { value: Infinity, enumerable: true, writable: true, configurable: true });
  return [a[0], o];
}

describe('a 30 MB document with one NaN, in a 256 MB heap', () => {
  const { dir, file } = scratch();
  const TSX = join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const CLI = join(REPO_ROOT, 'engine', 'host', 'node', 'cli.ts');
  const n = 3_000_000;

  it('runs through the CLI: x as written, s = sum(x) = NaN', async () => {
    const values = Array.from({ length: n }, (_, i) =>
      i === n - 1 ? 'NaN' : ((i % 1000) / 1000 + 0.0000001).toFixed(7),
    );
    const nodes = `[{"id": "x", "op": "Tensor", "params": {"shape": [${n}], "init": {"kind": "values", "data": [${values.join(', ')}]}}}, {"id": "s", "op": "Sum"}]`;
    const text = `{"format": "autograd-studio/graph", "version": 1, "nodes": ${nodes}, "edges": [{"source": "x", "target": "s", "targetHandle": "input"}]}`;
    const f = file('big-nan.graph.json', text);
    expect(statSync(f).size).toBeGreaterThan(30e6);
    const out = join(dir, 'out');
    const r = await new Promise<CliRun>((resolve) => {
      const env = { ...process.env, NODE_OPTIONS: '--max-old-space-size=256' };
      execFile(
        process.execPath,
        [TSX, CLI, 'run', f, '--out-dir', out],
        { cwd: REPO_ROOT, env },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
      );
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const result = join(out, 'big-nan.graph.result.json');
    const head = readAt(result, 0, 120);
    // float32 values as JSON prints a double: Math.fround gives the float32 value.
    const first = values.slice(0, 3).map((v) => String(Math.fround(Number(v))));
    expect(head).toBe(`{"tensors":{"x":{"shape":[${n}],"dtype":"float32","data":[${first.join(',')},`.slice(0, 120));
    const size = statSync(result).size;
    expect(readAt(result, size - 300, 300)).toMatch(
      /,NaN\],"requires_grad":false,"is_leaf":true,"grad_fn":null,"grad":null\},"s":\{"shape":\[\],"dtype":"float32","data":\[NaN\],"requires_grad":false,"is_leaf":true,"grad_fn":null,"grad":null\}\},"backward_steps":\[\],"iterations_run":1,"error":null\}\n$/,
    );
  }, 120_000);
});

/** `length` bytes of a file from `offset`, as text. */
function readAt(path: string, offset: number, length: number): string {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(length);
    const got = readSync(fd, b, 0, length, offset);
    return b.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
