/**
 * build/scripts/test.mjs, what `npm test` runs, and build/scripts/check-cycles.mjs, its cycle
 * step. Note [Tests never see a terminal]: a step gets no stdin and piped output, whatever the
 * terminal; a step that outlives its limit is stopped with its children and fails the run by name.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { findCycles, SOURCES } from '../../build/scripts/check-cycles.mjs';
import { runSteps, STEPS, type Step } from '../../build/scripts/test.mjs';
import { REPO_ROOT } from '../helpers/fixtures';

const work = mkdtempSync(join(tmpdir(), 'test-runner-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sink() {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

async function run(steps: Step[]) {
  const out = sink();
  const err = sink();
  const code = await runSteps(steps, { out: out.stream, err: err.stream, cwd: work });
  return { code, out: out.text(), err: err.text() };
}

/** True once `pid` has exited: gone, or a zombie its new parent has not reaped yet (Linux). */
function exited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

const node = (name: string, source: string, limit = 60_000): Step => ({
  name,
  command: [process.execPath, '-e', source],
  limit,
});

describe('npm test (build/scripts/test.mjs)', () => {
  it('runs the steps in order, passes their output through, and reports each', async () => {
    const r = await run([node('first', 'console.log("one")'), node('second', 'console.error("two")')]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /step 1\/2 first[\s\S]*one\n[\s\S]*first passed[\s\S]*step 2\/2 second[\s\S]*all 2 steps passed/,
    );
    expect(r.err).toBe('two\n');
  });

  it('a step sees no terminal: stdin is closed and stdout is not a TTY', async () => {
    const probe = `let n = 0; process.stdin.on('data', (d) => (n += d.length)); process.stdin.on('end', () => console.log(JSON.stringify({ stdin: n, tty: Boolean(process.stdout.isTTY) })));`;
    const r = await run([node('probe', probe)]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('{"stdin":0,"tty":false}');
  });

  it('stops at the first failing step and names it', async () => {
    const r = await run([node('bad', 'process.exit(3)'), node('never', 'console.log("NEVER-RAN")')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('test: step bad failed');
    expect(r.out).not.toContain('NEVER-RAN');
  });

  it('a step that never ends is stopped at its limit, with the processes it started', async () => {
    // The step starts a grandchild that writes its pid, then both wait forever. (5 s: time enough
    // for the grandchild to start on a loaded machine; the test waits for the limit, nothing else.)
    const pidFile = join(work, 'grandchild.pid');
    const grandchild = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000);`;
    const hang = `require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'ignore' }); setInterval(() => {}, 1000);`;
    const r = await run([node('hang', hang, 5000), node('never', 'console.log("NEVER-RAN")')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('test: step hang did not finish within 5 s; stopped it and its children');
    expect(r.out).not.toContain('NEVER-RAN');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await expect.poll(() => exited(pid), { timeout: 10_000 }).toBe(true); // the grandchild too
  });

  it('lists every check of the project, the end-to-end tests last', () => {
    expect(STEPS.map((s) => s.name)).toEqual([
      'setup',
      'kernels',
      'typecheck',
      'eslint',
      'cycles',
      'format',
      'unit',
      'e2e',
    ]);
  });
});

describe('lint:cycles (build/scripts/check-cycles.mjs)', () => {
  it('finds a cycle through a type-only import and none in a chain', async () => {
    const dir = join(work, 'cycles');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'a.ts'), "import type { B } from './b';\nexport type A = { b?: B };\n");
    writeFileSync(join(dir, 'b.ts'), "import type { A } from './a';\nexport type B = { a?: A };\n");
    writeFileSync(join(dir, 'c.ts'), "import type { A } from './a';\nexport type C = A;\n");
    // A second cycle of three, x -> z -> y -> x: reported from its smallest path, whichever file
    // dpdm's concurrent reads reach first.
    writeFileSync(join(dir, 'x.ts'), "import type { Z } from './z';\nexport type X = { z?: Z };\n");
    writeFileSync(join(dir, 'y.ts'), "import type { X } from './x';\nexport type Y = { x?: X };\n");
    writeFileSync(join(dir, 'z.ts'), "import type { Y } from './y';\nexport type Z = { y?: Y };\n");
    for (let run = 0; run < 5; run++) {
      const { files, cycles } = await findCycles(['*.ts'], dir);
      expect(files).toBe(6);
      expect(cycles).toEqual([
        ['a.ts', 'b.ts'],
        ['x.ts', 'z.ts', 'y.ts'],
      ]);
    }
    for (const name of ['x.ts', 'y.ts', 'z.ts']) rmSync(join(dir, name));
    writeFileSync(join(dir, 'b.ts'), 'export type B = number;\n');
    expect((await findCycles(['*.ts'], dir)).cycles).toEqual([]);
  });

  it('the project has none', async () => {
    const { files, cycles } = await findCycles(SOURCES, REPO_ROOT);
    expect(files).toBeGreaterThan(200);
    expect(cycles).toEqual([]);
  });
});
