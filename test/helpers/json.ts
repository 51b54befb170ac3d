/**
 * JSON with Python's bare `NaN`, `Infinity` and `-Infinity` tokens (as Python's json
 * module and the CLI write them). The test suite reads fixtures and CLI output with
 * this parser, independent of the engine's own `parseJsonWithNaN` (which has its own
 * tests), so a fault there cannot hide parity results. Linear in the text: one
 * regular-expression pass (strings are matched whole and kept), one JSON.parse.
 */
const SENTINEL = '\\u0000nonfinite:';
const STRING_OR_TOKEN = /"[^"\\]*(?:\\.[^"\\]*)*"|-Infinity|Infinity|NaN/g;

export function parseJsonNaN(text: string): unknown {
  const out = text.replace(STRING_OR_TOKEN, (m) => (m.charCodeAt(0) === 34 ? m : `"${SENTINEL}${m}"`));
  const values: Record<string, number> = { NaN, Infinity, '-Infinity': -Infinity };
  const prefix = '\u0000nonfinite:';
  return JSON.parse(out, (_k, v: unknown) =>
    typeof v === 'string' && v.startsWith(prefix) ? values[v.slice(prefix.length)] : v,
  );
}
