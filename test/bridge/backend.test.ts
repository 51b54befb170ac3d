/**
 * The torch backend: `cli run ... --backend torch` runs every parity fixture on PyTorch
 * (build/torch/runner.py in a Python process) and must give PyTorch's expected result;
 * a missing Python or torch gives a message that says what to install.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareResult, type ResultLike } from '../helpers/compare';
import { LOCAL_PARITY_DIR, REFERENCE_PARITY_DIR, listCases, readJson } from '../helpers/fixtures';
import { parseJsonNaN } from '../helpers/json';
import { PYTHON, TORCH_VERSION, cli } from './python';

const tmp = mkdtempSync(join(tmpdir(), 'autograd-torch-backend-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const WITH_PYTHON = { ...process.env, AUTOGRAD_STUDIO_PYTHON: PYTHON };
const LOOP = join(REFERENCE_PARITY_DIR, 'adversarial_loop_detached.graph.json');

describe(`run --backend torch (PyTorch ${TORCH_VERSION})`, () => {
  for (const dir of [REFERENCE_PARITY_DIR, LOCAL_PARITY_DIR]) {
    const cases = listCases(dir);
    it(`reproduces all ${cases.length} fixtures of ${dir}`, async () => {
      const out = join(tmp, dir === REFERENCE_PARITY_DIR ? 'reference' : 'local');
      const r = await cli([
        'run',
        ...cases.map((c) => c.graphPath),
        '--out-dir',
        out,
        '--backend',
        'torch',
        '--python',
        PYTHON,
      ]);
      expect(r.code, r.stderr).toBe(cases.some((c) => (readJson(c.expectedPath) as ResultLike).error) ? 1 : 0);
      const faults: string[] = [];
      for (const c of cases) {
        const got = parseJsonNaN(readFileSync(join(out, `${c.name}.graph.result.json`), 'utf8')) as ResultLike;
        faults.push(...compareResult(readJson(c.expectedPath) as ResultLike, got).map((f) => `${c.name}: ${f}`));
      }
      expect(faults).toEqual([]);
    }, 300_000);
  }

  it('prints one result on stdout, with exit status 1 for a graph error', async () => {
    const path = join(REFERENCE_PARITY_DIR, 'adversarial_loop_error.graph.json');
    const r = await cli(['run', path, '--backend', 'torch'], WITH_PYTHON);
    expect(r.code).toBe(1);
    const expected = readJson(path.replace('.graph.json', '.expected.json')) as ResultLike;
    expect(compareResult(expected, parseJsonNaN(r.stdout) as ResultLike)).toEqual([]);
  }, 60_000);

  it('--iterations overrides run.iterations as for the engine', async () => {
    const [torch, engine] = await Promise.all([
      cli(['run', LOOP, '--iterations', '1', '--backend', 'torch'], WITH_PYTHON),
      cli(['run', LOOP, '--iterations', '1']),
    ]);
    const t = parseJsonNaN(torch.stdout) as ResultLike;
    expect(t.iterations_run).toBe(1);
    expect(compareResult(t, parseJsonNaN(engine.stdout) as ResultLike)).toEqual([]);
  }, 60_000);

  it('--backend engine runs the engine', async () => {
    const r = await cli(['run', LOOP, '--backend', 'engine']);
    expect(r.code).toBe(0);
    expect((parseJsonNaN(r.stdout) as ResultLike).iterations_run).toBe(3);
  }, 60_000);
});

describe('torch backend errors', () => {
  it('names what to install when the Python does not exist', async () => {
    const r = await cli(['run', LOOP, '--backend', 'torch', '--python', '/nonexistent/python3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/nonexistent/python3 was not found');
    expect(r.stderr).toContain('apt-get install python3-torch');
    expect(r.stderr).toContain('pip install torch');
  }, 60_000);

  it('names what to install when the Python has no torch', async () => {
    // `node` is an executable that fails `-c "import torch"`, like a Python without torch.
    const r = await cli(['run', LOOP, '--backend', 'torch'], {
      ...process.env,
      AUTOGRAD_STUDIO_PYTHON: process.execPath,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot import torch');
    expect(r.stderr).toContain('AUTOGRAD_STUDIO_PYTHON');
    expect(r.stderr).toContain('apt-get install python3-torch');
  }, 60_000);

  it('rejects unknown backends and devices', async () => {
    const a = await cli(['run', LOOP, '--backend', 'tensorflow']);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('--backend takes engine or torch');
    const b = await cli(['run', LOOP, '--backend', 'torch', '--device', 'tpu']);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('--device takes cpu or cuda');
  }, 60_000);
});
