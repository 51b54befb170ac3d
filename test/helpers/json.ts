/**
 * JSON with Python's bare `NaN`, `Infinity` and `-Infinity` tokens (as Python's json
 * module and the CLI write them). The test suite reads fixtures and CLI output with
 * this parser, independent of the engine's own `parseJsonWithNaN` (which has its own
 * tests), so a fault there cannot hide parity results.
 */
const SENTINEL = '\\u0000nonfinite:';

export function parseJsonNaN(text: string): unknown {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    const token = ['NaN', '-Infinity', 'Infinity'].find((t) => text.startsWith(t, i));
    if (token) {
      out += `"${SENTINEL}${token}"`;
      i += token.length - 1;
      continue;
    }
    if (c === '"') inString = true;
    out += c;
  }
  const values: Record<string, number> = { NaN, Infinity, '-Infinity': -Infinity };
  const prefix = '\u0000nonfinite:';
  return JSON.parse(out, (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith(prefix) ? values[v.slice(prefix.length)] : v,
  );
}
