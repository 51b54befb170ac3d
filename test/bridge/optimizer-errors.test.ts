/**
 * `run.optimizer`'s checks: the constructor's messages of torch.optim in PyTorch 1.13, at the
 * JSON path of the document. Each bad document goes to the engine and to the PyTorch runner
 * (build/torch/runner.py, which makes the real optimizer and reports its ValueError); both must
 * name the same path with the same message.
 */
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../../engine/graph/validate';
import { load } from '../../engine/graph/index';
import { PYTHON, run } from './python';

/** x (requires_grad) -> fc (Linear 2 -> 1) -> Sum, with `optimizer`. */
function doc(optimizer: unknown): unknown {
  const x = { kind: 'values', data: [1, 2] };
  return {
    format: 'autograd-studio/graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Tensor', params: { shape: [1, 2], requires_grad: true, init: x } },
      { id: 'fc', op: 'Linear', params: { in_features: 2, out_features: 1 } },
      { id: 'loss', op: 'Sum' },
    ],
    edges: [
      { source: 'x', target: 'fc', targetHandle: 'input' },
      { source: 'fc', target: 'loss', targetHandle: 'input' },
    ],
    run: { backward: 'loss', optimizer },
  };
}

const PYTORCH_CASES: [string, Record<string, unknown>][] = [
  ['SGD without lr', { kind: 'SGD' }],
  ['SGD, negative lr', { kind: 'SGD', lr: -1 }],
  ['SGD, negative momentum', { kind: 'SGD', lr: 0.1, momentum: -0.5 }],
  ['SGD, tiny negative weight_decay', { kind: 'SGD', lr: 0.1, weight_decay: -1e-5 }],
  ['SGD, nesterov without momentum', { kind: 'SGD', lr: 0.1, nesterov: true }],
  ['SGD, nesterov with dampening', { kind: 'SGD', lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }],
  ['Adam, negative lr', { kind: 'Adam', lr: -0.001 }],
  ['Adam, negative eps', { kind: 'Adam', eps: -1e-8 }],
  ['Adam, beta1 = 1', { kind: 'Adam', betas: [1, 0.999] }],
  ['Adam, beta2 = 1.5', { kind: 'Adam', betas: [0.5, 1.5] }],
  ['AdamW, negative weight_decay', { kind: 'AdamW', weight_decay: -0.1 }],
  ['Adam, an empty params list', { kind: 'Adam', params: [] }],
];

/** What the PyTorch runner says of each document: its DocumentError text, or "ok". */
async function runnerVerdicts(docs: unknown[]): Promise<string[]> {
  const script = [
    'import json, sys',
    "sys.path.insert(0, 'build/torch')",
    'import runner',
    'out = []',
    'for doc in json.loads(sys.argv[1]):',
    '    try:',
    '        runner.run_document(doc)',
    "        out.append('ok')",
    '    except runner.DocumentError as exc:',
    '        out.append(str(exc))',
    'print(json.dumps(out))',
  ].join('\n');
  const r = await run(PYTHON, ['-c', script, JSON.stringify(docs)]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as string[];
}

describe('run.optimizer: PyTorch constructor checks', () => {
  it("the engine reports each fault where PyTorch's runner does, in PyTorch's words", async () => {
    const verdicts = await runnerVerdicts(PYTORCH_CASES.map(([, o]) => doc(o)));
    const ours = PYTORCH_CASES.map(([, o]) => {
      const v = load(doc(o));
      return v.ok ? 'ok' : v.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    });
    expect(ours).toEqual(verdicts);
    // The messages themselves, as PyTorch 1.13 words them (checked above against the real optimizer).
    expect(ours.slice(0, 5)).toEqual([
      "run.optimizer.lr: parameter group didn't specify a value of required optimization parameter lr",
      'run.optimizer.lr: Invalid learning rate: -1',
      'run.optimizer.momentum: Invalid momentum value: -0.5',
      'run.optimizer.weight_decay: Invalid weight_decay value: -1e-05',
      'run.optimizer.nesterov: Nesterov momentum requires a momentum and zero dampening',
    ]);
    expect(ours[8]).toBe('run.optimizer.betas[0]: Invalid beta parameter at index 0: 1');
    expect(ours[11]).toBe('run.optimizer.params: optimizer got an empty parameter list');
  });

  it('a valid optimizer passes both', async () => {
    const good = [
      { kind: 'SGD', lr: 0.1, momentum: 0.9, nesterov: true },
      { kind: 'AdamW', amsgrad: true },
    ];
    expect(await runnerVerdicts(good.map(doc))).toEqual(['ok', 'ok']);
    for (const o of good) expect(load(doc(o)).ok).toBe(true);
  });
});

describe('run.optimizer: the document', () => {
  const issues = (o: unknown) => {
    const v = load(doc(o));
    return v.ok ? [] : v.issues.map((i) => `${i.path}: ${i.message}`);
  };

  it('names an unknown kind, an unknown field and a value of the wrong type', () => {
    expect(issues({ kind: 'RMSprop', lr: 0.1 })).toEqual(['run.optimizer.kind: expected "SGD", "Adam", "AdamW"']);
    expect(issues({ kind: 'SGD', lr: 0.1, betas: [0.9, 0.99] })).toEqual(['run.optimizer.betas: unknown field of SGD']);
    expect(issues({ kind: 'Adam', betas: [0.9] })).toEqual([
      'run.optimizer.betas: expected two numbers, [beta1, beta2]',
    ]);
    expect(issues({ kind: 'Adam', lr: '0.1' })).toEqual(['run.optimizer.lr: expected a number']);
    expect(issues({ kind: 'Adam', amsgrad: 1 })).toEqual(['run.optimizer.amsgrad: expected true or false']);
    expect(issues('SGD')).toEqual(['run.optimizer: expected an object']);
  });

  it('checks the names in params against the graph', () => {
    expect(issues({ kind: 'SGD', lr: 1, params: ['fc.weight', 'x'] })).toEqual([]);
    expect(issues({ kind: 'SGD', lr: 1, params: ['fc.weight', 'conv.weight'] })).toEqual([
      'run.optimizer.params[1]: no parameter or Tensor node named "conv.weight"',
    ]);
    expect(issues({ kind: 'SGD', lr: 1, params: ['x', 'x'] })).toEqual([
      'run.optimizer.params[1]: "x" is listed twice',
    ]);
    // A node that is not a Tensor or whose output is not a parameter is not a parameter.
    expect(issues({ kind: 'SGD', lr: 1, params: ['loss'] })).toEqual([
      'run.optimizer.params[0]: no parameter or Tensor node named "loss"',
    ]);
  });

  it('without params, optimizes every owned parameter and every Tensor leaf with requires_grad', () => {
    const v = validateDocument(doc({ kind: 'Adam' }));
    expect(v.ok).toBe(true);
    const l = load(doc({ kind: 'Adam' }));
    expect(l.ok && l.graph.doc.run.optimizer).toMatchObject({
      kind: 'Adam',
      lr: 0.001,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weight_decay: 0,
      amsgrad: false,
      params: null,
    });
  });
});
