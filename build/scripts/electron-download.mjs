// Electron's download for `npm start`, resumable: a downloader for @electron/get
// (its `downloader` option) that keeps the bytes received so far in
// `<partDir>/<name>.part` and, on the next run, asks only for the rest (an HTTP
// Range request). A server that ignores the range sends everything again and
// the part starts over. @electron/get checks the finished file against
// Electron's checksums, so a bad part costs one more download, never a bad
// binary.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * @param {string} partDir where unfinished downloads are kept between runs
 * @param {(progress: { transferred: number, total: number | null, resumedFrom: number }) => void} [onProgress]
 */
export function resumingDownloader(partDir, onProgress = () => {}) {
  return {
    async download(url, targetFilePath) {
      await mkdir(partDir, { recursive: true });
      const key = createHash('sha256').update(url).digest('hex').slice(0, 12);
      const part = path.join(partDir, `${key}-${path.basename(targetFilePath)}.part`);
      const have = existsSync(part) ? statSync(part).size : 0;
      const response = await fetch(url, { headers: have > 0 ? { Range: `bytes=${have}-` } : {} });
      if (response.status === 416) {
        // The part is as long as the file (or longer): start over.
        await rm(part, { force: true });
        return this.download(url, targetFilePath);
      }
      if (!response.ok || !response.body)
        throw new Error(`Response code ${response.status} (${response.statusText}) for ${url}`);
      const resumed = response.status === 206 ? have : 0;
      const length = Number(response.headers.get('content-length'));
      const total = Number.isFinite(length) && length > 0 ? resumed + length : null;
      let transferred = resumed;
      onProgress({ transferred, total, resumedFrom: resumed });
      await pipeline(
        Readable.fromWeb(response.body),
        async function* (source) {
          for await (const chunk of source) {
            transferred += chunk.length;
            onProgress({ transferred, total, resumedFrom: resumed });
            yield chunk;
          }
        },
        createWriteStream(part, { flags: resumed > 0 ? 'a' : 'w' }),
      );
      await mkdir(path.dirname(targetFilePath), { recursive: true });
      await rename(part, targetFilePath).catch(async () => {
        // another volume: copy, then drop the part
        const { copyFile } = await import('node:fs/promises');
        await copyFile(part, targetFilePath);
        await rm(part, { force: true });
      });
    },
  };
}
