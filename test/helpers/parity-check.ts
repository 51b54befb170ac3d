/**
 * One parity case: the fixture document run with `runDocument` and its result
 * compared with PyTorch's (`NAME.expected.json`) by test/helpers/compare.ts.
 */
import { expect } from 'vitest';
import { runDocument } from '../../engine/graph/index';
import { compareResult, type ResultLike } from './compare';
import { LOCAL_PARITY_DIR, REFERENCE_PARITY_DIR, listCases, readJson, type ParityCase } from './fixtures';

/** Fails the current test with every difference from PyTorch's result. */
export function checkParityCase(c: ParityCase): void {
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

/** The fixture directories: label and path. */
export const PARITY_DIRS = [
  ['test/fixtures/reference', REFERENCE_PARITY_DIR],
  ['test/fixtures/parity', LOCAL_PARITY_DIR],
] as const;

/** The cases of `dir`, or the reason there are none (a failure, never a silent skip). */
export function casesOf(dir: string): { cases: ParityCase[]; problem: string | null } {
  try {
    return { cases: listCases(dir), problem: null };
  } catch (e) {
    return { cases: [], problem: (e as Error).message };
  }
}
