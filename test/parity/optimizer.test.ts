/**
 * run.optimizer against real PyTorch 1.13 (the `optim_*` fixtures of test/fixtures/gen/cases_optim.py;
 * test/parity/parity.test.ts compares every fixture, optimizer state included, within check.py's
 * tolerance). Here: where every op is element-wise (`optim_tensor_leaf*`), torch.optim's float32
 * arithmetic is reproduced bit for bit; the tolerance comparison does notice a wrong state; and the
 * optimizer's in-place writes bump the version counter as PyTorch's do.
 */
import { describe, expect, it } from 'vitest';
import { load, runDocument } from '../../engine/graph/index';
import { GraphSession } from '../../engine/graph/session';
import { optimizerJson } from '../../engine/graph/result';
import { Stepper } from '../../engine/host/stepper';
import type { RunResultJson } from '../../engine/protocol/result';
import { compareResult, type ResultLike } from '../helpers/compare';
import { LOCAL_PARITY_DIR, listCases, readJson } from '../helpers/fixtures';

const cases = listCases(LOCAL_PARITY_DIR).filter((c) => c.name.startsWith('optim_'));

function ran(doc: unknown): RunResultJson {
  const r = runDocument(doc);
  if (!r.ok) throw new Error(r.issues.map((i) => `${i.path}: ${i.message}`).join('\n'));
  return r.result;
}

describe('optimizers: PyTorch 1.13 fixtures', () => {
  it('there are fixtures for SGD, Adam, AdamW, a params subset and a Tensor leaf', () => {
    const names = cases.map((c) => c.name);
    for (const n of ['optim_sgd_nesterov', 'optim_adam_amsgrad', 'optim_adamw', 'optim_params_subset'])
      expect(names).toContain(n);
    expect(names.filter((n) => n.startsWith('optim_tensor_leaf')).length).toBeGreaterThanOrEqual(5);
  });

  for (const c of cases.filter((x) => x.name.startsWith('optim_tensor_leaf'))) {
    it(`${c.name}: parameters, grads and optimizer state equal PyTorch's bit for bit`, () => {
      const expected = readJson(c.expectedPath) as RunResultJson;
      const got = ran(readJson(c.graphPath));
      expect(expected.optimizer).toBeDefined();
      expect(got.optimizer).toEqual(expected.optimizer);
      for (const [name, t] of Object.entries(expected.tensors)) {
        // The Sum adds 35 numbers in another order than ATen's vectorised sum: parity.test.ts checks it.
        if (name === 'loss') continue;
        expect(got.tensors[name]!.data, name).toEqual(t.data);
        expect(got.tensors[name]!.grad, name).toEqual(t.grad);
      }
    });
  }

  it('a different learning rate is caught in the parameters and in optimizer.state', () => {
    const c = cases.find((x) => x.name === 'optim_adam_plain')!;
    const doc = readJson(c.graphPath) as { run: { optimizer: { lr: number } } };
    doc.run.optimizer.lr *= 1.01;
    const faults = compareResult(readJson(c.expectedPath) as ResultLike, ran(doc) as ResultLike);
    expect(faults.some((f) => f.startsWith('fc2.weight: value'))).toBe(true);
    expect(faults.some((f) => f.startsWith('optimizer.state.fc2.weight.exp_avg:'))).toBe(true);
  });

  it('the state holds only parameters that had a .grad (a frozen layer has none)', () => {
    const c = cases.find((x) => x.name === 'optim_frozen_layer')!;
    const got = ran(readJson(c.graphPath)).optimizer!;
    expect(got.params).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias', 's']);
    expect(Object.keys(got.state)).toEqual(['fc2.weight', 'fc2.bias', 's']);
    expect(Object.keys(got.state.s!)).toEqual(['step', 'exp_avg', 'exp_avg_sq']);
    expect(got.state.s!.step).toBe(4);
  });
});

describe('optimizers: in place, after backward', () => {
  // PyTorch 1.13: three SGD steps leave x._version at 3; three AdamW steps at 6
  // (param.mul_ and param.addcdiv_), checked on /usr/bin/python3.
  const doc = (optimizer: unknown) => ({
    format: 'autograd-studio/graph',
    version: 1,
    nodes: [
      { id: 'x', op: 'Tensor', params: { shape: [3], requires_grad: true, init: { kind: 'ones' } } },
      { id: 'loss', op: 'Sum' },
    ],
    edges: [{ source: 'x', target: 'loss', targetHandle: 'input' }],
    run: { backward: 'loss', iterations: 3, zero_grad: true, optimizer },
  });
  const versionAfter = (optimizer: unknown) => {
    const l = load(doc(optimizer));
    if (!l.ok) throw new Error('invalid');
    const s = new GraphSession(l.graph);
    s.run();
    return s.outputs.get('x')!.storage.version;
  };

  it('bumps the version counter once per in-place op, as torch.optim does', () => {
    expect(versionAfter({ kind: 'SGD', lr: 0.1 })).toBe(3);
    expect(versionAfter({ kind: 'AdamW' })).toBe(6);
  });

  it('updates x by lr * grad per step: SGD with lr 0.25 on sum(x), 3 steps, gives 1 - 0.75', () => {
    // d sum(x)/dx = 1 each iteration; 1 - 3 * 0.25 = 0.25 exactly.
    expect(ran(doc({ kind: 'SGD', lr: 0.25 })).tensors.x!.data).toEqual([0.25, 0.25, 0.25]);
  });

  it('stepping: the last grad_fn of the backward pass is followed by optimizer.step(), as in a run', () => {
    const c = cases.find((x) => x.name === 'optim_tensor_leaf')!;
    const doc = readJson(c.graphPath) as { run: { iterations: number } };
    const l = load(doc);
    if (!l.ok) throw new Error('invalid');
    const stepper = new Stepper(new GraphSession(l.graph));
    let r = stepper.backward();
    expect(optimizerJson(stepper.session).optimizer!.state).toEqual({}); // no step before the pass ends
    while (!r.done) r = stepper.backward();
    expect(r.phase).toBe('forward'); // the next iteration: opt.step() ran on the way (no update nodes)
    doc.run.iterations = 1;
    const once = ran(doc);
    expect(optimizerJson(stepper.session).optimizer).toEqual(once.optimizer);
    expect(Array.from(stepper.session.outputs.get('x')!.contiguousData())).toEqual(once.tensors.x!.data);
  });
});
