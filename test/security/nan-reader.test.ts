/**
 * Issue 16 item 5: the NaN-tolerant JSON readers (the engine's parseJsonWithNaN and
 * the tests' parseJsonNaN) are linear in time and memory. The old ones built the
 * text one character at a time (a 200 MB document with one NaN took 4.2 GB of heap
 * and died); here a 30 MB document with one NaN runs through the CLI in a process
 * whose heap is capped at 256 MB (the old reader needed about 1 GB for it). The
 * engine's reader is now a parser of its own (engine/graph/json-nan.ts, reading the
 * file's bytes), checked against JSON.parse on generated texts below.
 */
import { execFile } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseJsonWithNaN } from '../../engine/graph/index';
import { parseJsonBytes } from '../../engine/graph/json-nan';
import { REPO_ROOT } from '../helpers/fixtures';
import { parseJsonNaN } from '../helpers/json';
import { Rng } from '../helpers/random';
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

/**
 * The reader is a JSON parser of its own (parseJsonSource, reading a file's bytes as
 * they are), so it is checked against JSON.parse on generated texts: every value
 * (key order, -0, `__proto__` keys, escapes, surrogates, numbers) and every refusal.
 */
describe('the reader against JSON.parse', () => {
  const rng = new Rng('json-nan-reader');
  const bytes = (text: string) => {
    const b = Buffer.from(text, 'utf8');
    return parseJsonBytes(b, (s, e) => b.toString('utf8', s, e));
  };

  it('gives what JSON.parse gives on 3,000 generated documents, from a string and from bytes', () => {
    for (let k = 0; k < 3000; k++) {
      const [text] = documentPair(rng, false);
      const want = canon(JSON.parse(text));
      expect(canon(parseJsonWithNaN(text)), text).toBe(want);
      expect(canon(bytes(text)), text).toBe(want);
    }
  });

  it('reads NaN, Infinity and -Infinity in every position', () => {
    for (let k = 0; k < 1000; k++) {
      const [text, sentinels] = documentPair(rng, true);
      const want = canon(restore(JSON.parse(sentinels)));
      expect(canon(parseJsonWithNaN(text)), text).toBe(want);
      expect(canon(bytes(text)), text).toBe(want);
    }
    for (const t of ['NaN', 'Infinity', '-Infinity', ' [NaN] ', '{"a":-Infinity}', '[[NaN],{"":Infinity},-Infinity]']) {
      expect(canon(parseJsonWithNaN(t)), t).toBe(
        canon(restore(JSON.parse(t.replace(/-?Infinity|NaN/g, '"\\u0000NF:$&"')))),
      );
    }
  });

  it('numbers are the doubles JSON.parse gives (the fast path and Number())', () => {
    const fixed = [
      '-0',
      '0',
      '-0.0',
      '1e308',
      '1.7976931348623157e308',
      '1e309',
      '-1e309',
      '5e-324',
      '2e-324',
      '1e-400',
    ];
    fixed.push('0.1', '0.30000000000000004', '9007199254740993', '123456789012345678901234567890', '1E+2', '1e-2');
    fixed.push('999999999999999', '9999999999999999', '0.000000000000001', '4.35', '1.005', '-123.456e-7');
    for (let k = 0; k < 20000; k++) fixed.push(numberText(rng));
    for (const t of fixed) {
      const want = JSON.parse(t) as number;
      expect(Object.is(parseJsonWithNaN(t), want), t).toBe(true);
      expect(Object.is(bytes(t), want), t).toBe(true);
    }
  });

  it('bytes that are not UTF-8 read as readFileSync(file, "utf8") then JSON.parse read them', () => {
    for (const raw of [[0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xff, 0x41], [0xf0, 0x9f, 0x98], [0xc3, 0xa9]]) {
      const b = Buffer.concat([
        Buffer.from('{"s": "a'),
        Buffer.from(raw),
        Buffer.from('", "t": ["'),
        Buffer.from(raw),
        Buffer.from('"]}'),
      ]);
      expect(canon(parseJsonBytes(b, (s, e) => b.toString('utf8', s, e)))).toBe(canon(JSON.parse(b.toString('utf8'))));
    }
    const bom = Buffer.from('\ufeff{}', 'utf8');
    expect(() => JSON.parse(bom.toString('utf8'))).toThrow(SyntaxError);
    expect(() => parseJsonBytes(bom, (s, e) => bom.toString('utf8', s, e))).toThrow(SyntaxError);
  });

  it('refuses what JSON.parse refuses, naming the position', () => {
    const bad = [
      '',
      ' ',
      '[1,]',
      '{"a":1,}',
      '{,}',
      '[,1]',
      '[1 2]',
      '{"a" 1}',
      '{"a":}',
      '{a:1}',
      "{'a':1}",
      '01',
      '-01',
    ];
    bad.push('1.', '.5', '-', '+1', '1e', '1e+', '0x10', '"abc', '"\\x"', '"\\u12"', '"\\u12G4"', '"a\tb"', '"a\nb"');
    bad.push('[', ']', '{', '}', '[1', '{"a":1', 'tru', 'nul', 'True', 'undefined', '[1]]', '{} {}', '"a" "b"');
    bad.push('NaNx', 'NaN1', 'Nan', 'nan', 'Infinit', 'Infinityy', '-Infinit', '+Infinity', '--1', '- 1', '-NaN');
    bad.push('[NaN,]', '{"a":NaN,}', '{"a": "NaN}', '[Infinity Infinity]', '\u00a0[]', '[1]\u0000', '/*c*/1');
    for (const t of bad) {
      expect(() => parseJsonWithNaN(t), JSON.stringify(t)).toThrow(SyntaxError);
      expect(() => bytes(t), JSON.stringify(t)).toThrow(SyntaxError);
    }
    expect(() => parseJsonWithNaN('{"a": [1,\n  2,]}')).toThrow(
      "Unexpected token ']' in JSON at position 14 (line 2 column 5)",
    );
    expect(() => parseJsonWithNaN('[1, 2')).toThrow('Unexpected end of JSON input');
  });

  it('refuses what JSON.parse refuses among 5,000 texts one edit away from a document', () => {
    const junk = ['', ',', ':', '[', ']', '{', '}', '"', '\\', '0', '-', '.', 'e', ' ', 'x', 'u', '\u0001'];
    for (let k = 0; k < 5000; k++) {
      const [text] = documentPair(rng, false);
      const at = rng.int(0, text.length);
      const edited = text.slice(0, at) + rng.pick(junk) + text.slice(at + rng.int(0, 1));
      if (/NaN|Infinity/.test(edited)) continue;
      let want: string;
      try {
        want = canon(JSON.parse(edited));
      } catch {
        expect(() => parseJsonWithNaN(edited), edited).toThrow(SyntaxError);
        expect(() => bytes(edited), edited).toThrow(SyntaxError);
        continue;
      }
      expect(canon(parseJsonWithNaN(edited)), edited).toBe(want);
    }
  });

  it('reads any depth without recursion, as JSON.parse does', () => {
    const n = 200_000;
    const deep = `${'[{"a":'.repeat(n)}NaN${'}]'.repeat(n)}`;
    let v = parseJsonWithNaN(deep);
    for (let i = 0; i < n; i++) v = (v as { a: unknown }[])[0]!.a;
    expect(v).toBeNaN();
    expect(() => parseJsonWithNaN('['.repeat(n))).toThrow('Unexpected end of JSON input');
  });
});

/** A value as text that shows what toEqual does not: key order, -0, prototypes, own `__proto__` keys. */
function canon(v: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === 'string' && x.startsWith('\u0001')) out.push(x.slice(1));
    else if (typeof x === 'number') out.push(Object.is(x, -0) ? '-0' : String(x));
    else if (typeof x !== 'object' || x === null) out.push(JSON.stringify(x));
    else if (Array.isArray(x)) {
      if (Object.getPrototypeOf(x) !== Array.prototype) out.push('!proto');
      stack.push('\u0001]');
      for (let i = x.length - 1; i >= 0; i--) stack.push(x[i], i > 0 ? '\u0001,' : '\u0001');
      stack.push('\u0001[');
    } else {
      if (Object.getPrototypeOf(x) !== Object.prototype) out.push('!proto');
      const keys = Object.keys(x);
      stack.push('\u0001}');
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push(
          Object.getOwnPropertyDescriptor(x, keys[i]!)!.value,
          `\u0001${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`,
        );
      }
      stack.push('\u0001{');
    }
  }
  return out.join('');
}

/** `x` with the strings "\u0000NF:NaN", "\u0000NF:Infinity", "\u0000NF:-Infinity" as the numbers. */
function restore(x: unknown): unknown {
  if (typeof x === 'string' && x.startsWith('\u0000NF:')) return Number(x.slice(4));
  if (typeof x !== 'object' || x === null) return x;
  if (Array.isArray(x)) return x.map(restore);
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    Object.defineProperty(o, k, { value: restore(o[k]), enumerable: true, writable: true, configurable: true });
  }
  return o;
}

const SPACE = ['', '', '', ' ', '\n', '\t', '\r\n  '];
const KEYS = ['__proto__', 'constructor', 'toString', 'a', 'b', '1', '0', '', 'NaN', 'data', 'hasOwnProperty'];
const CHARS = ['a', 'Z', ' ', 'é', '€', '😀', '\u007f', '\u2028', 'NaN', 'Infinity', '/', "'"];
const ESCAPE_TEXTS = ['\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t', '\\u0000', '\\u00E9', '\\u00e9'];
ESCAPE_TEXTS.push('\\ud83d\\ude00', '\\uD83D\\uDE00', '\\ud800', '\\udfff', '\\ude00\\ud83d', '\\u2028', '\\uFFFF');

/**
 * A generated document as two texts: the reader's, with bare NaN / Infinity
 * tokens when `nonFinite`, and JSON.parse's, with sentinel strings in their place.
 */
function documentPair(rng: Rng, nonFinite: boolean): [string, string] {
  const a: string[] = [];
  const b: string[] = [];
  const both = (s: string) => {
    a.push(s);
    b.push(s);
  };
  const value = (depth: number): void => {
    both(rng.pick(SPACE));
    const r = rng.next();
    if (nonFinite && r < 0.15) {
      const w = rng.pick(['NaN', 'Infinity', '-Infinity']);
      a.push(w);
      b.push(`"\\u0000NF:${w}"`);
    } else if (r < 0.4) both(numberText(rng));
    else if (r < 0.55) both(stringText(rng));
    else if (r < 0.62) both(rng.pick(['true', 'false', 'null']));
    else if (r < 0.81 && depth < 6) {
      both('[');
      const n = rng.int(0, 5);
      for (let i = 0; i < n; i++) {
        if (i > 0) both(',');
        value(depth + 1);
      }
      both(`${rng.pick(SPACE)}]`);
    } else if (depth < 6) {
      both('{');
      const n = rng.int(0, 5);
      for (let i = 0; i < n; i++) {
        both(`${i > 0 ? ',' : ''}${rng.pick(SPACE)}`);
        both(rng.chance(0.6) ? JSON.stringify(rng.pick(KEYS)) : stringText(rng));
        both(`${rng.pick(SPACE)}:`);
        value(depth + 1);
      }
      both(`${rng.pick(SPACE)}}`);
    } else both(numberText(rng));
    both(rng.pick(SPACE));
  };
  value(0);
  return [a.join(''), b.join('')];
}

/** A JSON string's text: plain characters, raw non-ASCII, and every escape (surrogates too). */
function stringText(rng: Rng): string {
  const parts: string[] = ['"'];
  const n = rng.int(0, 6);
  for (let i = 0; i < n; i++) parts.push(rng.chance(0.4) ? rng.pick(ESCAPE_TEXTS) : rng.pick(CHARS));
  parts.push('"');
  return parts.join('');
}

/** A JSON number's text: -?(0|[1-9]digits)(.digits)?([eE][+-]?digits)?, up to 25 digits. */
function numberText(rng: Rng): string {
  const digits = (n: number) => Array.from({ length: n }, () => rng.int(0, 9)).join('');
  let t = rng.chance(0.3) ? '-' : '';
  t += rng.chance(0.2) ? '0' : `${rng.int(1, 9)}${digits(rng.int(0, rng.chance(0.8) ? 8 : 24))}`;
  if (rng.chance(0.5)) t += `.${digits(rng.int(1, rng.chance(0.8) ? 8 : 24))}`;
  if (rng.chance(0.2)) t += `${rng.pick(['e', 'E'])}${rng.pick(['', '+', '-'])}${rng.int(0, 330)}`;
  return t;
}
