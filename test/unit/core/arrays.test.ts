/**
 * Note [One elements kind per array site] (engine/core/arrays.ts): the helpers give what
 * `map` and a filled array give, and an array built by an optimised caller has the same V8 map
 * as one built before the caller was optimised (checked in a child node with V8's natives syntax).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mapped, nulls } from '../../../engine/core/arrays';

describe('arrays built with push', () => {
  it('mapped gives what map gives, with the index', () => {
    const a = [3, 1, 4, 1, 5];
    expect(mapped(a, (x, i) => x * 10 + i)).toEqual(a.map((x, i) => x * 10 + i));
    expect(mapped([], (x: number) => x)).toEqual([]);
    expect(mapped([null, { k: 1 }], (x) => x)).toEqual([null, { k: 1 }]);
  });

  it('nulls gives n nulls', () => {
    expect(nulls(3)).toEqual([null, null, null]);
    expect(nulls(0)).toEqual([]);
  });

  it('keep one V8 map whether their caller runs interpreted or optimised', () => {
    const dir = mkdtempSync(join(tmpdir(), 'arrays-kind-'));
    try {
      const file = join(dir, 'probe.mts');
      const url = pathToFileURL(resolve(__dirname, '../../../engine/core/arrays.ts')).href;
      // Natives syntax is parsed by V8 at run time (new Function), so the TypeScript loader never sees it.
      writeFileSync(
        file,
        `import { mapped, nulls } from ${JSON.stringify(url)};
const native = (body: string) => new Function('a', 'b', body) as (a: unknown, b?: unknown) => unknown;
const prepare = native('%PrepareFunctionForOptimization(a)');
const optimizeNext = native('%OptimizeFunctionOnNextCall(a)');
const optimized = native('return (%GetOptimizationStatus(a) & 16) !== 0'); // V8's kOptimized bit
const sameMap = native('return %HaveSameMap(a, b)');
const callers = {
  mappedObjects: (a: number[]) => mapped(a, (x) => ({ x })),
  mappedNulls: (a: number[]) => mapped(a, () => null),
  mappedBooleans: (a: number[]) => mapped(a, (x) => x > 1),
  nulls: (a: number[]) => nulls(a.length),
};
const out: Record<string, [boolean, boolean]> = {};
for (const [name, f] of Object.entries(callers)) {
  const before = f([1, 2, 3]);
  prepare(f);
  f([1, 2, 3]);
  f([4, 5]);
  optimizeNext(f);
  const after = f([1, 2, 3]);
  out[name] = [optimized(f) as boolean, sameMap(before, after) as boolean];
}
process.stdout.write(JSON.stringify(out));
`,
      );
      const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', file], {
        encoding: 'utf8',
        cwd: resolve(__dirname, '../../..'),
      });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({
        mappedObjects: [true, true],
        mappedNulls: [true, true],
        mappedBooleans: [true, true],
        nulls: [true, true],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
