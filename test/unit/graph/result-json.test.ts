/**
 * Result JSON with non-finite numbers: written as Python's bare NaN / Infinity /
 * -Infinity tokens (as the PyTorch runner and check.py read them) and read back.
 */
import { describe, expect, it } from 'vitest';
import { parseJsonWithNaN, runDocument, stringifyResult } from '../../../engine/graph/index';
import { parseJsonBytes } from '../../../engine/graph/json-nan';
import { parseJsonNaN } from '../../helpers/json';
import { doc, edge, node, tensor } from '../../helpers/docs';

const SAMPLE = {
  data: [1, NaN, Infinity, -Infinity, -0.5],
  name: 'NaN Infinity "quoted" \\ backslash',
  nested: [{ v: NaN }],
};

describe('stringifyResult', () => {
  it('writes bare tokens outside strings and leaves strings alone', () => {
    const text = stringifyResult(SAMPLE);
    expect(text).toBe(
      '{"data":[1,NaN,Infinity,-Infinity,-0.5],"name":"NaN Infinity \\"quoted\\" \\\\ backslash","nested":[{"v":NaN}]}',
    );
    expect(parseJsonNaN(text)).toEqual(SAMPLE);
  });

  it('indents when asked', () => {
    expect(stringifyResult({ a: [NaN] }, 1)).toBe('{\n "a": [\n  NaN\n ]\n}');
  });
});

describe('parseJsonWithNaN', () => {
  it('reads plain JSON', () => {
    expect(parseJsonWithNaN('{"a": [1, 2.5, "NaN"]}')).toEqual({ a: [1, 2.5, 'NaN'] });
  });

  it('reads the NaN / Infinity / -Infinity tokens that stringifyResult writes (round trip)', () => {
    expect(parseJsonWithNaN(stringifyResult(SAMPLE))).toEqual(SAMPLE);
  });

  it('reads Python json.dumps output with non-finite values', () => {
    // json.dumps({"x": [float("nan"), float("inf"), -float("inf")], "s": "NaN"}) in Python:
    expect(parseJsonWithNaN('{"x": [NaN, Infinity, -Infinity], "s": "NaN"}')).toEqual({
      x: [NaN, Infinity, -Infinity],
      s: 'NaN',
    });
  });

  it('reads UTF-8 bytes (the CLI reads a file so) as it reads the text', () => {
    const text = stringifyResult({ ...SAMPLE, name: 'é 😀 \u2028', nested: [{ v: NaN, ['__proto__']: [-0] }] });
    const bytes = Buffer.from(text, 'utf8');
    expect(parseJsonBytes(bytes, (s, e) => bytes.toString('utf8', s, e))).toEqual(parseJsonWithNaN(text));
  });

  it('still rejects invalid JSON', () => {
    expect(() => parseJsonWithNaN('{"a": NaNa}')).toThrow();
    expect(() => parseJsonWithNaN('{"a": [1, }')).toThrow();
  });

  it('round-trips a real result with NaN and -Infinity values (Log of negatives and zero)', () => {
    const d = doc(
      [tensor('x', [3], { init: { kind: 'values', data: [-1, 0, 1] } }), node('l', 'Log')],
      [edge('x', 'l', 'input')],
    );
    const r = runDocument(d);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.result.tensors.l!.data).toEqual([NaN, -Infinity, 0]);
    expect(parseJsonWithNaN(stringifyResult(r.result))).toEqual(r.result);
  });
});
