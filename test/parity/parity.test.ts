/**
 * Parity with real PyTorch 1.13: every fixture document is run with `runDocument`
 * and its result compared with PyTorch's (`NAME.expected.json`) by
 * test/helpers/compare.ts, which is stricter than shared/parity/check.py (see there).
 */
import { describe, expect, it } from 'vitest';
import { runDocument } from '../../engine/graph/index';
import { compareResult, type ResultLike } from '../helpers/compare';
import { LOCAL_PARITY_DIR, SHARED_PARITY_DIR, listCases, readJson, type ParityCase } from '../helpers/fixtures';

function check(c: ParityCase): void {
  const doc = readJson(c.graphPath);
  const expected = readJson(c.expectedPath) as ResultLike;
  const run = runDocument(doc);
  if (!run.ok) {
    const issues = run.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
    expect.fail(`${c.name}: the engine refuses the document PyTorch ran:\n${issues}`);
    return;
  }
  const faults = compareResult(expected, run.result as ResultLike);
  if (faults.length > 0) {
    expect.fail(`${c.name} differs from PyTorch (${faults.length} faults):\n  ${faults.join('\n  ')}`);
  }
}

for (const [label, dir] of [
  ['shared/parity', SHARED_PARITY_DIR],
  ['test/fixtures/parity', LOCAL_PARITY_DIR],
] as const) {
  describe(`parity: ${label}`, () => {
    // A missing or empty fixture directory is a failure, never a silent skip.
    let cases: ParityCase[] = [];
    let problem: string | null = null;
    try {
      cases = listCases(dir);
    } catch (e) {
      problem = (e as Error).message;
    }
    it(`${label} exists and has a result for every graph`, () => {
      expect(problem).toBeNull();
      expect(cases.length).toBeGreaterThan(0);
    });
    for (const c of cases) it(c.name, () => check(c));
  });
}
