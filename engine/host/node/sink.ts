/**
 * Where the CLI writes a large text: stdout or a file, chunk by chunk, so a
 * result or a script of any size inside the budget is written without ever
 * being one string (V8 refuses strings over 2^29 characters). Writes are
 * synchronous, also into a pipe (where process.stdout would queue everything
 * in memory when the reader is slower than the engine).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** First and longest wait (ms) for a full pipe's reader. */
const FIRST_WAIT_MS = 0.05,
  LONGEST_WAIT_MS = 2;

/**
 * Writes all of `chunk` to `fd`, waiting while a non-blocking pipe is full.
 *
 * Note [Waiting for a pipe's reader]: Node makes stdout non-blocking when it
 * is a pipe, so a write into a full pipe fails with EAGAIN and there is no
 * way to block until the reader has taken some. A reader that keeps up
 * empties the 64 KB pipe in microseconds: a fixed 2 ms wait after every
 * EAGAIN made `cli run` of a 36 MB result (W3) 0.5-0.7 s slower into a pipe
 * than into /dev/null. So the wait starts at 50 us and doubles (up to 2 ms)
 * only while the reader stays behind.
 */
function writeAll(fd: number, chunk: string): void {
  const bytes = Buffer.from(chunk, 'utf8');
  let wait = FIRST_WAIT_MS;
  for (let done = 0; done < bytes.length; ) {
    try {
      done += writeSync(fd, bytes, done);
      wait = FIRST_WAIT_MS;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, wait);
      wait = Math.min(LONGEST_WAIT_MS, wait * 2);
    }
  }
}

/**
 * Writes chunks to stdout. Call it only when nothing written with
 * process.stdout.write is still queued (the order would not hold). A reader
 * that stops early (`| head`) ends the process quietly, as for process.stdout.
 */
export function toStdout(fill: (write: (chunk: string) => void) => void): void {
  try {
    fill((chunk) => writeAll(1, chunk));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') process.exit(0);
    throw e;
  }
}

/** Writes chunks to a new or truncated file; throws the file system's error (with its code) when it cannot. */
export function toFile(path: string, fill: (write: (chunk: string) => void) => void): void {
  const fd = openSync(path, 'w');
  try {
    fill((chunk) => writeAll(fd, chunk));
  } finally {
    closeSync(fd);
  }
}
