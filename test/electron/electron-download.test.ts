/**
 * Electron's download resumes where the last run stopped (issue 18, item 5:
 * it started from zero on every run): build/scripts/electron-download.mjs
 * against a local server that breaks the first transfer off, as a slow or
 * flaky link does.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumingDownloader, type DownloadProgress } from '../../build/scripts/electron-download.mjs';

const ZIP = randomBytes(1 << 20); // the "zip": 1 MiB
const CUT = 300 * 1024; // the first transfer breaks off after this many bytes
const work = mkdtempSync(path.join(tmpdir(), 'studio-electron-download-'));
const requests: { range: string | undefined }[] = [];
let server: http.Server;
let base = '';
let honourRange = true;
let cutNext = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const range = req.headers.range;
    requests.push({ range });
    if (req.url === '/missing.zip') return void res.writeHead(404).end();
    const from = honourRange && range ? Number(/^bytes=(\d+)-$/.exec(range)?.[1]) : 0;
    if (from >= ZIP.length) return void res.writeHead(416).end();
    const body = ZIP.subarray(from);
    res.writeHead(from > 0 ? 206 : 200, {
      'Content-Length': String(body.length),
      ...(from > 0 ? { 'Content-Range': `bytes ${from}-${ZIP.length - 1}/${ZIP.length}` } : {}),
    });
    if (cutNext) {
      cutNext = false;
      res.write(body.subarray(0, CUT), () => res.destroy()); // the link drops
    } else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
  rmSync(work, { recursive: true, force: true });
});

describe('resumingDownloader', () => {
  it('keeps what a broken transfer received and asks only for the rest on the next run', async () => {
    const parts = path.join(work, 'parts-1');
    const target = path.join(work, 'out-1', 'electron-v45.5.0-linux-x64.zip');
    requests.length = 0;
    cutNext = true;
    await expect(resumingDownloader(parts).download(`${base}/v45.5.0/electron.zip`, target)).rejects.toThrow();
    expect(existsSync(target)).toBe(false);
    const [part] = readdirSync(parts);
    const kept = statSync(path.join(parts, part!)).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(CUT);

    const progress: DownloadProgress[] = [];
    await resumingDownloader(parts, (p) => progress.push(p)).download(`${base}/v45.5.0/electron.zip`, target);
    expect(requests.map((r) => r.range)).toEqual([undefined, `bytes=${kept}-`]);
    expect(readFileSync(target).equals(ZIP)).toBe(true);
    expect(readdirSync(parts)).toEqual([]); // the part became the file
    expect(progress[0]).toEqual({ transferred: kept, total: ZIP.length, resumedFrom: kept });
    expect(progress.at(-1)).toEqual({ transferred: ZIP.length, total: ZIP.length, resumedFrom: kept });
  });

  it('starts over when the server ignores the range', async () => {
    const parts = path.join(work, 'parts-2');
    const target = path.join(work, 'out-2', 'electron.zip');
    requests.length = 0;
    cutNext = true;
    await expect(resumingDownloader(parts).download(`${base}/electron.zip`, target)).rejects.toThrow();
    honourRange = false;
    try {
      await resumingDownloader(parts).download(`${base}/electron.zip`, target);
    } finally {
      honourRange = true;
    }
    expect(requests[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(readFileSync(target).equals(ZIP)).toBe(true);
  });

  it('names the status and the URL of a refused download', async () => {
    const url = `${base}/missing.zip`;
    await expect(
      resumingDownloader(path.join(work, 'parts-3')).download(url, path.join(work, 'x.zip')),
    ).rejects.toThrow(`Response code 404 (Not Found) for ${url}`);
  });
});
