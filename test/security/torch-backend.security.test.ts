/**
 * The torch backend with hostile documents (issue 16, item 2): `run --backend torch` validates
 * with the engine's loader (size budget, iteration cap) before Python starts, stops Python at
 * --timeout and --memory-limit with one line and exit status 3, and build/torch/runner.py
 * answers every malformed document with one line (never a traceback) while accepting every
 * document the engine accepts.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { load, stringifyResult } from '../../engine/graph/index';
import { defaultMemoryLimitMb, runnerDocument } from '../../engine/host/node/torch-backend';
import { cli, PYTHON, run, TORCH_VERSION } from '../bridge/python';
import { compareResult, type ResultLike } from '../helpers/compare';
import { allFixtureDocuments, REPO_ROOT } from '../helpers/fixtures';
import { parseJsonNaN } from '../helpers/json';
import { deep, MUTATORS, type Doc } from '../helpers/mutate';
import { Rng } from '../helpers/random';

const tmp = mkdtempSync(join(tmpdir(), 'autograd-torch-security-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const RUNNER = join(REPO_ROOT, 'build', 'torch', 'runner.py');
const CHECKS = join(REPO_ROOT, 'test', 'security', 'runner_checks.py');
const NO_PYTHON = '/nonexistent/python3';

const graph = (nodes: unknown[], edges: unknown[] = [], run?: unknown): Doc => ({
  format: 'autograd-studio/graph',
  version: 1,
  nodes,
  edges,
  ...(run === undefined ? {} : { run }),
});

/** x (2^25 elements, requires grad) * x, summed, with backward: inside the engine's budget. */
const BIG = (iterations: number) =>
  graph(
    [
      { id: 'x', op: 'Tensor', params: { shape: [2 ** 25], requires_grad: true, init: { kind: 'randn', seed: 1 } } },
      { id: 'sq', op: 'Mul', params: {} },
      { id: 'total', op: 'Sum', params: {} },
    ],
    [
      { source: 'x', target: 'sq', targetHandle: 'a' },
      { source: 'x', target: 'sq', targetHandle: 'b' },
      { source: 'sq', target: 'total', targetHandle: 'input' },
    ],
    { backward: 'total', iterations },
  );

/** A small graph whose edges have no targetHandle, or null (the engine gives them the op's only port). */
const NO_HANDLE = graph(
  [
    { id: 'x', op: 'Tensor', params: { shape: [2, 3], requires_grad: true, init: { kind: 'arange' } } },
    { id: 'e', op: 'Exp', params: {} },
    { id: 'total', op: 'Sum', params: {} },
  ],
  [
    { source: 'x', target: 'e' },
    { source: 'e', target: 'total', targetHandle: null },
  ],
  { backward: 'total' },
);

let files = 0;
function file(doc: unknown, name = `doc-${files++}`): string {
  const path = join(tmp, `${name}.json`);
  writeFileSync(path, typeof doc === 'string' ? doc : stringifyResult(doc));
  return path;
}

/** The JSON text of a document, or null when JavaScript cannot write it (nested too deeply). */
function written(doc: unknown): string | null {
  try {
    return stringifyResult(doc);
  } catch {
    return null;
  }
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

describe('run --backend torch validates with the engine before starting Python', () => {
  it('refuses a tensor over the budget without Python (the 170-byte document that took 23 GB)', async () => {
    const doc = file(graph([{ id: 'a', op: 'Tensor', params: { shape: [40000, 40000] } }]));
    const r = await cli(['run', doc, '--backend', 'torch', '--python', NO_PYTHON]);
    expect(r.code).toBe(2);
    expect(lines(r.stderr)).toEqual([
      `${doc}: nodes[0].params.shape: shape has 1600000000 elements, more than the engine's budget of 33554432 per tensor`,
    ]);
    expect(r.stdout).toBe('');
  }, 60_000);

  it('caps iterations like the engine, in the document and with --iterations', async () => {
    const doc = file(NO_HANDLE);
    const many = file({ ...NO_HANDLE, run: { backward: 'total', iterations: 1e9 } });
    for (const args of [[many], [doc, '--iterations', '1000000000']]) {
      const r = await cli(['run', ...args, '--backend', 'torch', '--python', NO_PYTHON]);
      expect(r.code).toBe(2);
      expect(lines(r.stderr)).toEqual([`${args[0]}: run.iterations: expected an integer from 1 to 100000`]);
    }
  }, 60_000);

  it('checks --timeout and --memory-limit, which only the torch backend takes', async () => {
    const doc = file(NO_HANDLE);
    const bad = [
      [['--backend', 'torch', '--timeout', 'soon'], '--timeout takes a number of seconds (0: no limit)'],
      [['--backend', 'torch', '--timeout', '-1'], '--timeout takes a number of seconds (0: no limit)'],
      [['--backend', 'torch', '--memory-limit', '1.5'], '--memory-limit takes a number of megabytes (0: no limit)'],
      [['--timeout', '5'], '--python, --device, --timeout and --memory-limit apply to --backend torch'],
    ] as const;
    for (const [args, message] of bad) {
      const r = await cli(['run', doc, ...args, '--python', NO_PYTHON]);
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe(message);
    }
  }, 60_000);

  it('refuses two inputs that would write the same result file, as the engine does', async () => {
    const a = join(tmp, 'one');
    const b = join(tmp, 'two');
    for (const d of [a, b]) mkdirSync(d);
    const [fa, fb] = [join(a, 'g.json'), join(b, 'g.json')];
    for (const f of [fa, fb]) writeFileSync(f, stringifyResult(NO_HANDLE));
    const out = join(tmp, 'same-out');
    const r = await cli(['run', fa, fb, '--out-dir', out, '--backend', 'torch', '--python', NO_PYTHON]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `${fa} and ${fb} would both write ${join(out, 'g.result.json')}: give inputs with different file names`,
    );
  }, 60_000);

  it('sizes the default memory limit from the budget, at most half the machine', () => {
    // 2^27 elements * 4 bytes * 8 = 4096 MB; half of 4 GiB is 2048 MB.
    expect(defaultMemoryLimitMb(64 * 2 ** 30)).toBe(4096);
    expect(defaultMemoryLimitMb(4 * 2 ** 30)).toBe(2048);
  });

  it('a Python killed by a signal is one line and status 3', async () => {
    const fake = join(tmp, 'killed-python');
    // Answers the probe for torch, then dies as the kernel's OOM killer would end it.
    writeFileSync(fake, '#!/bin/sh\ncase "$2" in "import torch"*) echo 1.13.0; exit 0;; esac\nkill -9 $$\n');
    chmodSync(fake, 0o755);
    const r = await cli(['run', file(NO_HANDLE), '--backend', 'torch', '--python', fake]);
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toEqual([
      'torch backend: the Python process was killed by SIGKILL (the system may have run out of memory)',
    ]);
    expect(r.stdout).toBe('');
  }, 60_000);
});

describe.skipIf(TORCH_VERSION === null)(`the torch backend's limits (PyTorch ${TORCH_VERSION})`, () => {
  it('--timeout stops a run of 100000 iterations on 2^25 elements: one line, status 3', async () => {
    const r = await cli(['run', file(BIG(100_000)), '--backend', 'torch', '--python', PYTHON, '--timeout', '1']);
    expect(r.code).toBe(3);
    expect(lines(r.stderr)).toEqual([
      'torch backend: the PyTorch run took longer than 1 s and was stopped (--timeout SECONDS; 0: no limit)',
    ]);
    expect(r.stdout).toBe('');
  }, 60_000);

  it('--memory-limit: running out of memory is one line and status 3, never a traceback', async () => {
    const doc = file(BIG(1));
    const r = await cli(['run', doc, '--backend', 'torch', '--python', PYTHON, '--memory-limit', '64']);
    expect(r.code).toBe(3);
    const got = lines(r.stderr);
    expect(got.length, r.stderr).toBe(1);
    expect(got[0]).toMatch(new RegExp(`^${doc}: out of memory: .*can't allocate memory.*at node x, setup phase`));
    expect(got[0]).toContain('the limit is --memory-limit 64 MB');
    expect(r.stdout).toBe('');
  }, 60_000);

  it('runs a document whose edges have no targetHandle, as the engine does', async () => {
    const doc = file(NO_HANDLE);
    const [torch, engine] = await Promise.all([
      cli(['run', doc, '--backend', 'torch', '--python', PYTHON]),
      cli(['run', doc]),
    ]);
    expect(torch.code, torch.stderr).toBe(0);
    expect(engine.code, engine.stderr).toBe(0);
    const t = parseJsonNaN(torch.stdout) as ResultLike;
    expect(Object.keys(t.tensors!).sort()).toEqual(['e', 'total', 'x']);
    expect(compareResult(parseJsonNaN(engine.stdout) as ResultLike, t)).toEqual([]);
  }, 60_000);

  it('runner.py answers each malformed document with one line on stderr', async () => {
    const node = (extra: Record<string, unknown>) => ({ id: 'x', op: 'Tensor', params: { shape: [2] }, ...extra });
    const edge = (extra: Record<string, unknown>) => ({
      source: 'x',
      target: 'total',
      targetHandle: 'input',
      ...extra,
    });
    const pair = (x: Record<string, unknown>, e: Record<string, unknown> = {}, run: unknown = { backward: 'total' }) =>
      graph([node(x), { id: 'total', op: 'Sum', params: {} }], [edge(e)], run);
    const bad: Record<string, unknown> = {
      'op-list': pair({ op: ['Tensor'] }),
      'id-list': pair({ id: ['x'] }),
      'node-string': graph(['x']),
      'params-list': pair({ params: ['shape'] }),
      'dtype-list': pair({ params: { shape: [2], dtype: ['float32'] } }),
      'init-kind-list': pair({ params: { shape: [2], init: { kind: ['zeros'] } } }),
      'init-kind-constructor': pair({ params: { shape: [2], init: { kind: 'constructor' } } }),
      'shape-nested': pair({ params: { shape: deep(900, false) } }),
      'shape-over-budget': pair({ params: { shape: [40000, 40000] } }),
      'source-list': pair({}, { source: ['x'] }),
      'target-object': pair({}, { target: { id: 'total' } }),
      'handle-list': pair({}, { targetHandle: ['input'] }),
      'backward-list': pair({}, {}, { backward: ['total'] }),
      'feedback-list': pair({}, {}, { backward: 'total', feedback: [{ from: ['x'], to: 'x' }] }),
      'run-list': pair({}, {}, []),
      'iterations-huge': pair({}, {}, { backward: 'total', iterations: 1e9 }),
      'iterations-string': pair({}, {}, { backward: 'total', iterations: '3' }),
      'reduction-list': graph([{ id: 'l', op: 'NLLLoss', params: { reduction: ['sum'] } }]),
      'padding-mode-object': graph([{ id: 'c', op: 'Conv2d', params: { padding_mode: {} } }]),
      'nodes-object': { format: 'autograd-studio/graph', version: 1, nodes: { 0: node({}) }, edges: [] },
      'deep-json': `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      'deep-params': `{"format": "autograd-studio/graph", "version": 1, "nodes": [{"id": "x", "op": "Tensor", "params": ${'{"a": '.repeat(50_000)}1${'}'.repeat(50_000)}}], "edges": []}`,
      'not-json': '{"format": ',
      empty: '',
      'json-null': 'null',
      'json-string': '"autograd-studio/graph"',
    };
    const paths = Object.entries(bad).map(([name, doc]) => file(doc, `bad-${name}`));
    const out = join(tmp, 'bad-out');
    const r = await run(PYTHON, [RUNNER, '--out-dir', out, ...paths]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('Traceback');
    const got = lines(r.stderr);
    expect(got.length, r.stderr).toBe(paths.length);
    for (const [k, p] of paths.entries()) expect(got[k]!.startsWith(`${p}: `), got[k]).toBe(true);
    expect(() => readdirSync(out)).toThrow(); // nothing was run, so no result was written
  }, 60_000);

  it('runner.py: an --out-dir it cannot write is one line', async () => {
    const blocker = join(tmp, 'a-file');
    writeFileSync(blocker, 'not a folder');
    const r = await run(PYTHON, [RUNNER, '--out-dir', blocker, file(NO_HANDLE)]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('Traceback');
    expect(lines(r.stderr)).toEqual([expect.stringMatching(new RegExp(`^${blocker}: cannot write the result: `))]);
  }, 60_000);

  it('runner.py accepts every mutated document the engine accepts and never crashes on the others', async () => {
    const rng = new Rng('runner-vs-engine');
    const seeds = allFixtureDocuments();
    const docs: { doc: Doc; what: string; engineOk: boolean }[] = [];
    for (const [kind, mutate] of Object.entries(MUTATORS)) {
      for (let k = 0; k < 40; k++) {
        const seed = seeds[(k * 7 + kind.length) % seeds.length]!;
        const doc = structuredClone(seed.doc) as Doc;
        const what = `${seed.name}: ${kind}: ${mutate(doc, rng)}`;
        docs.push({ doc, what, engineOk: load(doc).ok });
      }
    }
    // Untouched seeds too, and the edge the engine defaults.
    for (const s of seeds) docs.push({ doc: s.doc as Doc, what: s.name, engineOk: true });
    docs.push({ doc: NO_HANDLE, what: 'no targetHandle', engineOk: true });
    // An accepted document reaches the runner as the CLI hands it over (runnerDocument); any
    // other as it is, unless it is nested too deeply to write (the malformed-document test
    // above gives the runner such files).
    const sent = docs
      .map((d) => ({ ...d, text: written(d.engineOk ? runnerDocument(d.doc) : d.doc) }))
      .filter((d): d is typeof d & { text: string } => d.text !== null);
    expect(sent.filter((d) => d.engineOk).length).toBe(docs.filter((d) => d.engineOk).length);
    const job = join(tmp, 'validate-job.json');
    writeFileSync(job, JSON.stringify({ validate: sent.map((d) => d.text) }));
    const r = await run(PYTHON, [CHECKS, job]);
    expect(r.code, r.stderr).toBe(0);
    const verdicts = (JSON.parse(r.stdout) as { validate: { ok: boolean; message?: string; crash?: string }[] })
      .validate;
    expect(verdicts.length).toBe(sent.length);
    const all = sent.map((d, i) => ({ ...d, v: verdicts[i]! }));
    expect(all.filter((d) => d.v.crash).map((d) => `${d.what}: ${d.v.crash}`)).toEqual([]);
    expect(all.filter((d) => d.engineOk && !d.v.ok).map((d) => `${d.what}: ${d.v.message}`)).toEqual([]);
    expect(all.filter((d) => !d.engineOk).length).toBeGreaterThan(100);
  }, 120_000);

  it('the streaming result writer writes the same text as json.dumps, across chunks and with NaN/Infinity', async () => {
    const n = 3 * 2 ** 16 + 5; // more than two chunks of 2^16 values
    const doc = graph(
      [
        { id: 'x', op: 'Tensor', params: { shape: [n], requires_grad: true, init: { kind: 'arange', start: -2 } } },
        { id: 'logx', op: 'Log', params: {} }, // NaN below 0, -Infinity at 0
        { id: 'total', op: 'Sum', params: {} },
      ],
      [
        { source: 'x', target: 'logx', targetHandle: 'input' },
        { source: 'logx', target: 'total', targetHandle: 'input' },
      ],
      { backward: 'total' },
    );
    const job = join(tmp, 'write-job.json');
    writeFileSync(
      job,
      stringifyResult({
        write: [
          doc,
          ...allFixtureDocuments()
            .slice(0, 10)
            .map((d) => d.doc),
        ],
      }),
    );
    const r = await run(PYTHON, [CHECKS, job]);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { write: boolean[] }).write).toEqual(new Array(11).fill(true));
    // And through the CLI: the values arrive whole.
    const out = join(tmp, 'chunks-out');
    const c = await cli(['run', file(doc, 'chunks'), '--backend', 'torch', '--python', PYTHON, '--out-dir', out]);
    expect(c.code, c.stderr).toBe(0);
    const result = parseJsonNaN(readFileSync(join(out, 'chunks.result.json'), 'utf8')) as ResultLike;
    const data = result.tensors!.logx!.data!;
    expect(data.length).toBe(n);
    expect([data[0], data[2], data[3], data[n - 1]]).toEqual([NaN, -Infinity, 0, Math.fround(Math.log(n - 3))]);
  }, 120_000);
});
