/**
 * The op list drives everything (issue 12, item 1): a toy op, `Scale` (y = factor * x,
 * PyTorch's `x * factor`, grad_fn MulBackward0), defined as one module in a temporary op
 * list, is validated, inferred, executed and exported without any other file knowing it.
 * The exported script runs on /usr/bin/python3 (PyTorch 1.13) and prints what the engine
 * computed. Also: a document of Tensor nodes only exports a script that runs (its main()
 * had an empty body, a SyntaxError), and build/torch/runner.py's op table agrees with
 * the catalog.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPython } from '../../engine/bridge/index';
import { load, runDocument, validateDocument } from '../../engine/graph/index';
import { defineOp, opRegistry, OP_MODULES } from '../../engine/ops/index';
import { derived, port, shapeOf } from '../../engine/ops/define';
import { declareOp, INPUT, param } from '../../engine/protocol/op-spec';
import { OPS } from '../../engine/protocol/ops';
import { mul } from '../../engine/tensor/ops/elementwise';
import { Tensor } from '../../engine/tensor/tensor';
import { compareResult, type ResultLike } from '../helpers/compare';
import { doc, edge, node, tensor } from '../helpers/docs';
import { parseJsonNaN } from '../helpers/json';
import { PYTHON, run } from './python';

const SCALE = declareOp({
  op: 'Scale',
  torch: 'x * factor',
  category: 'math',
  ports: [INPUT],
  params: { factor: param('number', 2, 'what x is multiplied by') },
  doc: 'factor * x.',
});

const scaleOp = defineOp(SCALE, {
  infer: (ins) => {
    const x = port(ins, 'input');
    return derived(shapeOf(x), 'float32', [x]);
  },
  execute: (_ctx, ins, p) => mul(port(ins, 'input'), Tensor.fromData(new Float32Array([p.factor]), [], 'float32')),
  python: (py, x, p) => `${port(x, 'input')} * ${py.float(p.factor)}`,
});

const ops = opRegistry([...OP_MODULES, scaleOp]);

/** x (2x3, arange, requires grad) -> Scale -> Sum, backward from the sum. */
const scaled = (params: Record<string, number | string>) =>
  doc(
    [
      tensor('x', [2, 3], { requires_grad: true, init: { kind: 'arange' } }),
      node('s', 'Scale', params),
      node('total', 'Sum'),
    ],
    [edge('x', 's', 'input'), edge('s', 'total', 'input')],
    { backward: 'total' },
  );

const tmp = mkdtempSync(join(tmpdir(), 'autograd-op-module-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function runScript(name: string, script: string): Promise<ResultLike> {
  const path = join(tmp, `${name}.py`);
  writeFileSync(path, script);
  const proc = await run(PYTHON, [path]);
  expect(proc.stderr).toBe('');
  expect(proc.code).toBe(0);
  return parseJsonNaN(proc.stdout) as ResultLike;
}

describe('a toy op module in a temporary op list', () => {
  it('is unknown to the format’s own list', () => {
    const v = validateDocument(scaled({ factor: 3 }));
    expect(v.issues).toContainEqual({ path: 'nodes[1].op', message: 'unknown op "Scale"', node: 's' });
  });

  it('is validated with its parameter’s kind and default', () => {
    expect(validateDocument(scaled({ factor: 3 }), ops).issues).toEqual([]);
    expect(validateDocument(scaled({ factor: 'three' }), ops).issues).toEqual([
      { path: 'nodes[1].params.factor', message: 'expected a finite number', node: 's' },
    ]);
    expect(validateDocument(scaled({ scale: 3 }), ops).issues).toEqual([
      { path: 'nodes[1].params.scale', message: 'unknown parameter of Scale', node: 's' },
    ]);
    const v = validateDocument(scaled({}), ops);
    expect(v.ok && v.doc.nodes[1]!.params).toEqual({ factor: 2 });
  });

  it('is inferred by its module', () => {
    const l = load(scaled({ factor: 3 }), ops);
    if (!l.ok) throw new Error(JSON.stringify(l.issues));
    expect(l.shapes.ports.get('s')).toEqual({ shape: [2, 3], dtype: 'float32', requiresGrad: true, isLeaf: false });
    expect(l.shapes.ports.get('total')?.shape).toEqual([]);
  });

  it('is executed by its module: value, grad_fn and gradient (by hand: 3 * [0..5], d total/dx = 3)', () => {
    const r = runDocument(scaled({ factor: 3 }), ops);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    const t = r.result.tensors;
    expect(t.s).toMatchObject({ data: [0, 3, 6, 9, 12, 15], grad_fn: 'MulBackward0', requires_grad: true });
    expect(t.total!.data).toEqual([45]);
    expect(t.x!.grad).toMatchObject({ data: [3, 3, 3, 3, 3, 3] });
    expect(r.result.backward_steps.map((s) => s.grad_fn)).toEqual(['SumBackward0', 'MulBackward0', 'AccumulateGrad']);
  });

  it('is exported by its module, and PyTorch prints what the engine computed', async () => {
    const d = scaled({ factor: 3 });
    const script = exportPython(d, { ops });
    expect(script).toContain('s = x * 3.0');
    const engine = runDocument(d, ops);
    if (!engine.ok) throw new Error('invalid');
    const torch = await runScript('scale', script);
    expect(compareResult(engine.result as ResultLike, torch)).toEqual([]);
    expect(torch.tensors!.s!.grad_fn).toBe('MulBackward0');
  });
});

describe('export of a graph of Tensor nodes only', () => {
  it('writes a main() that Python can run, printing the tensors the engine reports', async () => {
    const d = doc([tensor('a', [2], { init: { kind: 'ones' } }), tensor('b', [3], { requires_grad: true })]);
    const script = exportPython(d);
    expect(script).toMatch(/def main\(\):\n {4}pass\n/);
    const engine = runDocument(d);
    if (!engine.ok) throw new Error('invalid');
    expect(compareResult(engine.result as ResultLike, await runScript('leaves', script))).toEqual([]);
  });
});

describe('build/torch/runner.py', () => {
  it('checks every op of the catalog with the same ports, parameters and defaults', async () => {
    const dump = [
      'import json, sys',
      "sys.path.insert(0, 'build/torch')",
      'import runner',
      'req = lambda d: "<required>" if d is runner.REQUIRED else d',
      'print(json.dumps({k: {"ports": list(v["ports"]), "optional": list(v["optional"]),',
      '  "params": {n: req(d) for n, (d, _) in v["params"].items()}} for k, v in runner.OPS.items()}))',
    ].join('\n');
    const proc = await run(PYTHON, ['-c', dump]);
    expect(proc.code, proc.stderr).toBe(0);
    const catalog = Object.fromEntries(
      OPS.map((o) => [
        o.op,
        {
          ports: o.ports.filter((p) => !p.optional).map((p) => p.name),
          optional: o.ports.filter((p) => p.optional).map((p) => p.name),
          params: Object.fromEntries(o.params.map((p) => [p.name, p.default === undefined ? '<required>' : p.default])),
        },
      ]),
    );
    expect(JSON.parse(proc.stdout)).toEqual(catalog);
  });
});
