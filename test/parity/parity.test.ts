/**
 * Parity with real PyTorch 1.13: every fixture document is run with `runDocument`
 * and its result compared with PyTorch's (`NAME.expected.json`) by
 * test/helpers/compare.ts, which is stricter than test/fixtures/check.py (see there).
 * This file runs the TypeScript kernels; parity-fast.test.ts the WebAssembly ones.
 */
import { describe, expect, it } from 'vitest';
import { PARITY_DIRS, casesOf, checkParityCase } from '../helpers/parity-check';

for (const [label, dir] of PARITY_DIRS) {
  describe(`parity: ${label}`, () => {
    const { cases, problem } = casesOf(dir);
    it(`${label} exists and has a result for every graph`, () => {
      expect(problem).toBeNull();
      expect(cases.length).toBeGreaterThan(0);
    });
    for (const c of cases) it(c.name, () => checkParityCase(c));
  });
}
