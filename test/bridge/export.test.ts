/**
 * Export to Python (engine/bridge): every parity fixture is exported, the script is run
 * by /usr/bin/python3 (PyTorch 1.13) and its printed result must equal PyTorch's expected
 * result exactly as test/helpers/compare.ts defines it (same tensors, values within
 * float32 tolerance, same backward_steps, same error with PyTorch's own message). The
 * scripts must pass pyflakes, and docs/export-sample-adversarial.py must be up to date.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPython } from '../../engine/bridge/index';
import { compareResult, type ResultLike } from '../helpers/compare';
import {
  LOCAL_PARITY_DIR,
  REPO_ROOT,
  REFERENCE_PARITY_DIR,
  listCases,
  readJson,
  type ParityCase,
} from '../helpers/fixtures';
import { parseJsonNaN } from '../helpers/json';
import { PYTHON, TORCH_VERSION, pool, run, type Proc } from './python';

const cases: (ParityCase & { key: string })[] = [
  ...listCases(REFERENCE_PARITY_DIR).map((c) => ({ ...c, key: `reference__${c.name}` })),
  ...listCases(LOCAL_PARITY_DIR).map((c) => ({ ...c, key: `local__${c.name}` })),
];
const tmp = mkdtempSync(join(tmpdir(), 'autograd-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SAMPLE_SOURCE = join(REFERENCE_PARITY_DIR, 'adversarial_loop_detached.graph.json');
const SAMPLE = join(REPO_ROOT, 'docs', 'export-sample-adversarial.py');
const RUN_SCRIPTS = join(REPO_ROOT, 'test', 'bridge', 'run_scripts.py');

describe('export-python output, without Python', () => {
  it('every fixture exports to a script with the required structure', () => {
    for (const c of cases) {
      const script = exportPython(readJson(c.graphPath));
      const imports = script.split('\n').filter((l) => /^(import|from) /.test(l));
      for (const l of imports)
        expect([
          'import json',
          'import sys',
          'import torch',
          'import torch.nn as nn',
          'import torch.nn.functional as F',
        ]).toContain(l);
      expect(script).toMatch(/^def main\(\):$/m);
      expect(script).toContain('if __name__ == "__main__":');
    }
  });

  it('docs/export-sample-adversarial.py is the current export of the adversarial loop', () => {
    const script = exportPython(readJson(SAMPLE_SOURCE));
    expect(readFileSync(SAMPLE, 'utf8')).toBe(script);
    // Reads like the loop a person writes.
    expect(script).toContain('class Model(nn.Module):');
    expect(script).toContain('self.conv = nn.Conv2d(');
    expect(script).toMatch(/for iteration in range\(3\):\n\s+delta\.requires_grad = True\n/);
    expect(script).toContain('.detach()');
    expect(script).toContain('loss.backward()');
  });
});

describe(`exported scripts run on PyTorch ${TORCH_VERSION}`, () => {
  const results = new Map<string, Proc>();

  beforeAll(async () => {
    const paths = cases.map((c) => {
      const p = join(tmp, `${c.key}.py`);
      writeFileSync(p, exportPython(readJson(c.graphPath)));
      return p;
    });
    // Two Python processes, each running half of the scripts (torch is imported once per
    // process; run_scripts.py runs each script as __main__, as `python3 SCRIPT.py` does).
    const halves = [paths.filter((_, i) => i % 2 === 0), paths.filter((_, i) => i % 2 === 1)];
    const procs = await pool(halves, 2, (ps) => run(PYTHON, [RUN_SCRIPTS, ...ps]));
    for (const proc of procs) {
      if (proc.code !== 0) throw new Error(`run_scripts.py failed:\n${proc.stderr}`);
      for (const line of proc.stdout.split('\n').filter(Boolean)) {
        const r = JSON.parse(line) as Proc & { path: string };
        results.set(r.path, r);
      }
    }
  }, 600_000);

  it.each(cases)('$key matches PyTorch', (c) => {
    const proc = results.get(join(tmp, `${c.key}.py`))!;
    const expected = readJson(c.expectedPath) as ResultLike;
    if (proc.stdout.trim() === '') throw new Error(`no output; stderr:\n${proc.stderr}`);
    const got = parseJsonNaN(proc.stdout) as ResultLike;
    expect(compareResult(expected, got)).toEqual([]);
    expect(proc.code).toBe(expected.error ? 1 : 0);
  });

  it('the docs sample runs standalone (python3 FILE.py) and prints the expected result', async () => {
    const proc = await run(PYTHON, [SAMPLE]);
    const expected = readJson(SAMPLE_SOURCE.replace('.graph.json', '.expected.json')) as ResultLike;
    expect(compareResult(expected, parseJsonNaN(proc.stdout) as ResultLike)).toEqual([]);
    expect(proc.code).toBe(0);
  });

  it('every exported script passes pyflakes', async () => {
    const r = await run(PYTHON, ['-m', 'pyflakes', ...cases.map((c) => join(tmp, `${c.key}.py`))]);
    expect(r.stderr).not.toMatch(/No module named pyflakes/);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});
