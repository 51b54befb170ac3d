/**
 * `npm run -s cli -- step GRAPH.json`, as a child process: JSON lines per step,
 * then the result exactly as `run` prints it; exit codes as for `run`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers';

const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const CLI = join(ROOT, 'engine', 'host', 'node', 'cli.ts');
const SHARED = resolve(ROOT, 'test/fixtures/reference');
const tmp = mkdtempSync(join(tmpdir(), 'autograd-step-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [TSX, CLI, ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('cli step', () => {
  it.each([
    ['retain_grad', 0],
    ['small_cnn', 0],
    ['adversarial_loop_error', 1],
    ['conv_channel_mismatch', 1],
  ])('%s: one line per step, then the run result (exit %i)', async (name, code) => {
    const file = join(SHARED, `${name}.graph.json`);
    const [step, run] = await Promise.all([cli('step', file), cli('run', file)]);
    expect(step.code).toBe(code);
    expect(run.code).toBe(code);
    const lines = step.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(run.stdout.trimEnd());
    expect(step.stderr).toBe(run.stderr);
    const steps = lines
      .slice(0, -1)
      .map((l) => JSON.parse(l) as { phase: string; node: string; grad_fn: string | null });
    for (const s of steps) {
      expect(Object.keys(s)).toEqual(['phase', 'node', 'grad_fn']);
      expect(['forward', 'backward']).toContain(s.phase);
    }
    const result = JSON.parse(run.stdout.replace(/\bNaN\b|-?Infinity/g, '0')) as {
      backward_steps: { grad_fn: string; node: string }[];
    };
    const backward = steps.filter((s) => s.phase === 'backward');
    // The last backward pass printed is the result's backward_steps.
    const tail = backward.slice(backward.length - result.backward_steps.length);
    expect(tail.map((s) => ({ grad_fn: s.grad_fn, node: s.node }))).toEqual(result.backward_steps);
    if (name === 'conv_channel_mismatch') expect(steps).toEqual([]);
  });

  it('prints forward nodes in order before their backward pass', async () => {
    const { stdout } = await cli('step', join(SHARED, 'retain_grad.graph.json'));
    const lines = stdout
      .trimEnd()
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l));
    expect(lines.slice(0, 3)).toEqual([
      { phase: 'forward', node: 'y', grad_fn: 'ExpBackward0' },
      { phase: 'forward', node: 'z', grad_fn: 'MulBackward0' },
      { phase: 'forward', node: 's', grad_fn: 'SumBackward0' },
    ]);
    expect(lines.at(-1)).toEqual({ phase: 'backward', node: 'x', grad_fn: 'AccumulateGrad' });
  });

  it('exit 2 with the JSON path for an invalid document', async () => {
    const file = join(tmp, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        format: 'autograd-studio/graph',
        version: 1,
        nodes: [{ id: 'p', op: 'MaxPool2d', params: { kernel_size: 'big' } }],
        edges: [],
      }),
    );
    const r = await cli('step', file);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}: nodes[0].params.kernel_size:`);
  });

  it('exit 2 for bad usage and unreadable files', async () => {
    expect((await cli('step')).code).toBe(2);
    expect((await cli('step', 'a.json', 'b.json')).code).toBe(2);
    const missing = await cli('step', join(tmp, 'missing.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
    const notJson = join(tmp, 'x.json');
    writeFileSync(notJson, '{nope');
    const r = await cli('step', notJson);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${notJson}: $: not valid JSON`);
  });
});
