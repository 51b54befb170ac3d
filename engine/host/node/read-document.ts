import { readFileSync } from 'node:fs';
import { parseJsonBytes } from '../../graph/json-nan';

/**
 * Reads and parses a graph document file for the CLI commands. On failure it
 * writes a message naming the file and the JSON path (`$`) to stderr and returns null.
 */
export function readDocument(file: string): Record<string, unknown> | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    process.stderr.write(`${file}: cannot read: ${(e as Error).message}\n`);
    return null;
  }
  try {
    // The bytes are read as they are: the whole text as one string would be another copy of the file.
    const json = parseJsonBytes(bytes, (start, end) => bytes.toString('utf8', start, end));
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as Record<string, unknown>;
    process.stderr.write(`${file}: $: expected a JSON object\n`);
  } catch (e) {
    process.stderr.write(`${file}: $: not valid JSON: ${(e as Error).message}\n`);
  }
  return null;
}

/**
 * The document with `run.iterations` set to `iterations` (null: unchanged): the
 * one rule of `run --iterations` and `step --iterations`. A document without a
 * `run` section gets one; a `run` that is not an object is left as it is, for
 * validation to refuse at `run`.
 */
export function withIterations(doc: Record<string, unknown>, iterations: number | null): Record<string, unknown> {
  if (iterations === null) return doc;
  const run = doc.run;
  if (run === undefined) return { ...doc, run: { iterations } };
  if (typeof run !== 'object' || run === null || Array.isArray(run)) return doc;
  return { ...doc, run: { ...run, iterations } };
}

/** A file system error as one line: its message without Node's stack (`ENOENT: no such file or directory, open 'x'`). */
export function fsMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
