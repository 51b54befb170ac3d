/**
 * Note [Small arrays from slabs] (engine/core/small-arrays.ts): every array starts as zeros and
 * owns its bytes, also across the end of a slab; only the sizes V8 would give an outside backing
 * store come from a slab.
 */
import { describe, expect, it } from 'vitest';
import { newFloat32, newFloat64, newInt32, SLAB_BYTES, SMALL_MAX_BYTES } from '../../../engine/core/small-arrays';
import { mulberry32, randInt } from '../../helpers/mulberry';

type Made = Float32Array | Float64Array | Int32Array;
const makers = [newFloat32, newFloat64, newInt32] as const;

describe('small arrays', () => {
  it('start as zeros and share no byte, over many slabs', () => {
    const r = mulberry32(23);
    const made: Made[] = [];
    let bytes = 0;
    while (bytes < 6 * SLAB_BYTES) {
      const a = makers[randInt(r, 0, 2)]!(randInt(r, 1, (SMALL_MAX_BYTES >> 2) + 40));
      expect(a.every((v) => v === 0)).toBe(true);
      a.fill(made.length + 1);
      made.push(a);
      bytes += a.byteLength;
    }
    // Each still holds its own mark: a view carved over another's bytes would have overwritten it.
    made.forEach((a, i) => expect(a.every((v) => v === i + 1)).toBe(true));
  });

  it('come from a slab only between 65 bytes and SMALL_MAX_BYTES; doubles 8-byte aligned', () => {
    const own = (a: Made) => a.byteOffset === 0 && a.buffer.byteLength === a.byteLength;
    expect(own(newFloat32(16))).toBe(true); // 64 bytes: V8 keeps it in its heap
    expect(own(newFloat64(SMALL_MAX_BYTES / 8 + 1))).toBe(true);
    expect(own(newInt32(SMALL_MAX_BYTES / 4 + 1))).toBe(true);
    for (const n of [17, 100, SMALL_MAX_BYTES / 4]) expect(newFloat32(n).buffer.byteLength).toBe(SLAB_BYTES);
    newFloat32(17); // leaves the slab's next free byte at an odd multiple of 4
    const d = newFloat64(9);
    expect(d.buffer.byteLength).toBe(SLAB_BYTES);
    expect(d.byteOffset % 8).toBe(0);
  });
});
