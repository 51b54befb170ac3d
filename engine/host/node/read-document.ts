import { readFileSync } from 'node:fs';
import { parseJsonWithNaN } from '../../graph/index';

/**
 * Reads and parses a graph document file for the CLI commands. On failure it
 * writes a message naming the file and the JSON path (`$`) to stderr and returns null.
 */
export function readDocument(file: string): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`${file}: cannot read: ${(e as Error).message}\n`);
    return null;
  }
  try {
    const json = parseJsonWithNaN(text);
    if (typeof json === 'object' && json !== null && !Array.isArray(json)) return json as Record<string, unknown>;
    process.stderr.write(`${file}: $: expected a JSON object\n`);
  } catch (e) {
    process.stderr.write(`${file}: $: not valid JSON: ${(e as Error).message}\n`);
  }
  return null;
}
