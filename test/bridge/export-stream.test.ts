/**
 * The exporter writes its script in chunks (issue 16 item 4): the script's text is
 * small and its spelled-out values are formatted straight into chunks of about 64 KiB.
 * The bytes are those the one-string exporter wrote: export-bytes.sha256.json holds
 * the SHA-256 of its script for every fixture, with both seedings (recorded before the
 * change; fixtures added since get theirs from `exportPython`, the one-string exporter, when
 * they are added). float32Repr's fast path gives the spelling of the toPrecision loop it replaced.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPython, exportPythonChunks, float32Repr } from '../../engine/bridge/index';
import { initData } from '../../engine/graph/init';
import { doc, tensor } from '../helpers/docs';
import { LOCAL_PARITY_DIR, REFERENCE_PARITY_DIR, REPO_ROOT, listCases, readJson } from '../helpers/fixtures';
import { mulberry32 } from '../helpers/mulberry';

const BYTES = join(REPO_ROOT, 'test', 'bridge', 'export-bytes.sha256.json');

function chunksOf(d: unknown, seeded: 'torch' | 'engine'): string[] {
  const chunks: string[] = [];
  exportPythonChunks(d, { seeded })((c) => chunks.push(c));
  return chunks;
}

describe('the streamed script', () => {
  it('has the bytes the one-string exporter wrote, for every fixture and both seedings', () => {
    const want = JSON.parse(readFileSync(BYTES, 'utf8')) as Record<string, string>;
    const got: Record<string, string> = {};
    for (const [tag, dir] of [
      ['reference', REFERENCE_PARITY_DIR],
      ['parity', LOCAL_PARITY_DIR],
    ] as const) {
      for (const c of listCases(dir)) {
        const d = readJson(c.graphPath);
        for (const seeded of ['torch', 'engine'] as const) {
          const text = chunksOf(d, seeded).join('');
          expect(exportPython(d, { seeded }), c.name).toBe(text);
          got[`${tag}/${c.name}/${seeded}`] = createHash('sha256').update(text).digest('hex');
        }
      }
    }
    expect(Object.keys(got).length).toBeGreaterThan(300);
    expect(got).toEqual(want);
  });

  it('comes in chunks of about 64 KiB, the literal never whole', () => {
    const d = doc([tensor('x', [1 << 18], { init: { kind: 'randn', seed: 1 } })]);
    const chunks = chunksOf(d, 'engine');
    const total = chunks.reduce((n, c) => n + c.length, 0);
    expect(total).toBeGreaterThan(3_000_000);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70_000);
    expect(chunks.join('')).toContain(
      `    ${Array.from(initData({ kind: 'randn', seed: 1 }, [3], 'float32'), float32Repr).join(', ')},`,
    );
  });
});

/** The spelling float32Repr had before its fast path: toPrecision(p) for p = 1..9 until it rounds back. */
function reference(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return 'float("nan")';
  if (!Number.isFinite(f)) return f > 0 ? 'float("inf")' : '-float("inf")';
  if (Object.is(f, -0)) return '-0.0';
  const text = (s: string) => (/^-?\d+$/.test(s) ? `${s}.0` : s);
  for (let p = 1; p <= 9; p++) {
    const t = Number(f.toPrecision(p));
    if (Math.fround(t) === f) return text(String(t));
  }
  return text(String(f));
}

describe('float32Repr', () => {
  const bits = new Uint32Array(1);
  const float = new Float32Array(bits.buffer);
  const mismatches = (values: Iterable<number>) => {
    const bad: string[] = [];
    for (const v of values) if (float32Repr(v) !== reference(v)) bad.push(`${v}: ${float32Repr(v)} != ${reference(v)}`);
    return bad.slice(0, 5);
  };

  it('spells random float32 bit patterns (every exponent, subnormals) as before', () => {
    const rand = mulberry32(16);
    const values = Array.from({ length: 300_000 }, () => {
      bits[0] = Math.floor(rand() * 2 ** 32);
      return float[0]!;
    });
    expect(mismatches(values)).toEqual([]);
  });

  it('spells randn draws, integers, halves and the neighbours of decimal round numbers as before', () => {
    const values: number[] = [...initData({ kind: 'randn', seed: 5 }, [100_000], 'float32')];
    for (let i = -3000; i <= 3000; i++) values.push(i, i / 2, i / 8, i / 1000);
    for (let e = -45; e <= 38; e++) {
      for (const m of [1, 2, 5, 25, 125, 999, 1001, 12345, 99999999, 123456789]) {
        bits[0] = 0;
        float[0] = m * 10 ** e;
        const at = bits[0];
        for (const step of [-2, -1, 0, 1, 2]) {
          bits[0] = at + step;
          values.push(float[0]!, -float[0]!);
        }
      }
    }
    expect(mismatches(values)).toEqual([]);
  });
});
