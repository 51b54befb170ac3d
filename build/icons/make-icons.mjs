// Draws the app icon (a small computation graph: two inputs feeding one
// output, on a rounded dark square) and writes it as PNG at the sizes the
// packagers use: 256x256 and 512x512 (Linux, Windows), 1024x1024 (macOS icns).
// No dependencies: signed-distance shapes, anti-aliased, written with zlib.
// Usage: node build/icons/make-icons.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** RGBA pixels (Uint8Array, width*height*4) -> PNG bytes. */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));

// Shapes in a unit square (0..1); each is a signed distance function.
const roundedRect = (cx, cy, hw, hh, r) => (x, y) => {
  const qx = Math.abs(x - cx) - hw + r;
  const qy = Math.abs(y - cy) - hh + r;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const segment = (ax, ay, bx, by, w) => (x, y) => {
  const px = x - ax,
    py = y - ay,
    dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy) - w / 2;
};

const inA = [0.3, 0.32],
  inB = [0.3, 0.68],
  out = [0.7, 0.5];
const layers = [
  { shape: roundedRect(0.5, 0.5, 0.44, 0.44, 0.1), color: hex('#1f232c') },
  { shape: segment(...inA, ...out, 0.05), color: hex('#7f93b0') },
  { shape: segment(...inB, ...out, 0.05), color: hex('#7f93b0') },
  { shape: circle(...inA, 0.1), color: hex('#4f9dde') },
  { shape: circle(...inB, 0.1), color: hex('#4f9dde') },
  { shape: circle(...out, 0.13), color: hex('#ee4c2c') },
  { shape: circle(...out, 0.055), color: hex('#ffd9cf') },
];

export function drawIcon(size) {
  const px = new Uint8Array(size * size * 4);
  const aa = 1 / size; // one pixel of soft edge
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const x = (i + 0.5) / size,
        y = (j + 0.5) / size;
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (const { shape, color } of layers) {
        const cover = Math.max(0, Math.min(1, 0.5 - shape(x, y) / aa));
        if (cover === 0) continue;
        // "over" compositing, premultiplied
        r = color[0] * cover + r * (1 - cover);
        g = color[1] * cover + g * (1 - cover);
        b = color[2] * cover + b * (1 - cover);
        a = cover + a * (1 - cover);
      }
      const o = (j * size + i) * 4;
      px[o] = a ? Math.round(r / a) : 0;
      px[o + 1] = a ? Math.round(g / a) : 0;
      px[o + 2] = a ? Math.round(b / a) : 0;
      px[o + 3] = Math.round(a * 255);
    }
  }
  return px;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const size of [256, 512, 1024]) {
    const file = path.join(here, `${size}x${size}.png`);
    writeFileSync(file, encodePng(size, size, drawIcon(size)));
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  }
}
