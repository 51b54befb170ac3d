/**
 * A minimal PNG writer (8-bit greyscale or RGB, no alpha, filter 0) for the
 * bundled images. Node only: `build/scripts/gen-images.ts` uses it.
 */
import { crc32, deflateSync } from 'node:zlib';
import type { Pixels } from '../../renderer/images/to-tensor';

function chunk(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])) >>> 0, 0);
  return Buffer.concat([head, body, crc]);
}

/** PNG bytes of `p`: colour type 0 (grey) when `grey`, else 2 (RGB); alpha is dropped. */
export function encodePng(p: Pixels, grey: boolean): Buffer {
  const ch = grey ? 1 : 3;
  const rows = Buffer.alloc((p.width * ch + 1) * p.height);
  for (let y = 0; y < p.height; y++)
    for (let x = 0; x < p.width; x++)
      for (let c = 0; c < ch; c++) rows[y * (p.width * ch + 1) + 1 + x * ch + c] = p.rgba[(y * p.width + x) * 4 + c]!;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(p.width, 0);
  ihdr.writeUInt32BE(p.height, 4);
  ihdr.set([8, grey ? 0 : 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
