/**
 * The seeded init kinds and the default parameter init, reimplemented here from
 * their description in docs/graph-format.md ("Init"), must give exactly the
 * values the engine reports: the page is enough to reproduce them elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { runDocument } from '../../engine/graph/index';
import { doc, edge, node, tensor, type Obj } from '../helpers/docs';

/** mulberry32 as the page describes it: state (floor(seed) XOR 0x9E3779B9), step 0x6D2B79F5. */
function generator(seed: number): () => number {
  let state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** 32-bit FNV-1a over UTF-16 code units. */
function fnv1a(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The data the engine reports for tensor `name` of a document. */
function reported(d: Obj, name: string): number[] {
  const r = runDocument(d);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  expect(r.result.error).toBeNull();
  return r.result.tensors[name]!.data;
}

const f32 = (xs: number[]): number[] => xs.map(Math.fround);

describe('docs/graph-format.md, "Init": the seeded generator', () => {
  it('rand: one draw per element', () => {
    const next = generator(42);
    const want = f32(Array.from({ length: 7 }, next));
    expect(reported(doc([tensor('t', [7], { init: { kind: 'rand', seed: 42 } })]), 't')).toEqual(want);
  });

  it('randn: two draws per element, sqrt(-2 ln(1 - u1)) cos(2 pi u2)', () => {
    const next = generator(-5);
    const want = f32(
      Array.from({ length: 6 }, () => {
        const u1 = next();
        const u2 = next();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
      }),
    );
    expect(reported(doc([tensor('t', [2, 3], { init: { kind: 'randn', seed: -5 } })]), 't')).toEqual(want);
  });

  it('randint: low + floor(draw * (high - low)), int64', () => {
    const next = generator(3);
    const want = Array.from({ length: 9 }, () => -4 + Math.floor(next() * (6 - -4)));
    const t = tensor('t', [9], { dtype: 'int64', init: { kind: 'randint', low: -4, high: 6, seed: 3 } });
    expect(reported(doc([t]), 't')).toEqual(want);
  });

  it('default parameters: seeded by the FNV-1a hash of <id>.weight / <id>.bias, U(-b, b) with b = 1/sqrt(fan_in)', () => {
    const d = doc(
      [tensor('x', [1, 2, 3, 3]), node('conv', 'Conv2d', { in_channels: 2, out_channels: 3, kernel_size: [2, 1] })],
      [edge('x', 'conv', 'input')],
    );
    const b = 1 / Math.sqrt(2 * 2 * 1);
    const draw = (name: string, n: number) => {
      const next = generator(fnv1a(name));
      return f32(Array.from({ length: n }, () => -b + 2 * b * next()));
    };
    expect(reported(d, 'conv.weight')).toEqual(draw('conv.weight', 3 * 2 * 2 * 1));
    expect(reported(d, 'conv.bias')).toEqual(draw('conv.bias', 3));
  });

  it('int64 full and arange truncate toward zero', () => {
    const d = doc([
      tensor('f', [2], { dtype: 'int64', init: { kind: 'full', value: -1.7 } }),
      tensor('a', [4], { dtype: 'int64', init: { kind: 'arange', start: 1.5, step: -1.25 } }),
    ]);
    expect(reported(d, 'f')).toEqual([-1, -1]);
    // 1.5, 0.25, -1, -2.25
    expect(reported(d, 'a')).toEqual([1, 0, -1, -2]);
  });
});
