/**
 * MSELoss, L1Loss and BCEWithLogitsLoss beyond the parity fixtures: the UserWarning
 * PyTorch prints for a target of another size (the result JSON has no warnings), and
 * shape inference raising, word for word, the error each run ends with.
 * The warning text is PyTorch 1.13's (`F.mse_loss(torch.randn(3, 4), torch.randn(4))`
 * on /usr/bin/python3).
 */
import { describe, expect, it } from 'vitest';
import { load, runDocument } from '../../../engine/graph/index';
import { GraphSession } from '../../../engine/graph/session';
import { doc, edge, node, tensor, type Obj } from '../../helpers/docs';

/** x (`xs`), t (`ts`) [, w, pw] -> `op` as node `loss`. */
function lossDoc(op: string, xs: number[], ts: number[], params: Obj = {}, extra: Obj = {}): Obj {
  const nodes = [tensor('x', xs, { requires_grad: true, ...(extra.x as Obj) }), tensor('t', ts, extra.t as Obj)];
  const edges = [edge('x', 'loss', 'input'), edge('t', 'loss', 'target')];
  for (const port of ['weight', 'pos_weight']) {
    if (extra[port]) {
      nodes.push(tensor(port, extra[port] as number[]));
      edges.push(edge(port, 'loss', port));
    }
  }
  return doc([...nodes, node('loss', op, params)], edges, { backward: 'loss' });
}

function warningsOf(d: Obj): { message: string; node: string | null }[] {
  const l = load(d);
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  const s = new GraphSession(l.graph);
  s.run();
  return s.warnings;
}

describe('MSELoss and L1Loss warn about a target of another size', () => {
  for (const op of ['MSELoss', 'L1Loss']) {
    it(`${op}: [4] target for a [3, 4] input`, () => {
      expect(warningsOf(lossDoc(op, [3, 4], [4]))).toEqual([
        {
          node: 'loss',
          message:
            'Using a target size (torch.Size([4])) that is different to the input size (torch.Size([3, 4])). ' +
            'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.',
        },
      ]);
    });
    it(`${op}: 0-d input, [2] target`, () => {
      expect(warningsOf(lossDoc(op, [], [2]))[0]?.message).toMatch(
        /^Using a target size \(torch\.Size\(\[2\]\)\) that is different to the input size \(torch\.Size\(\[\]\)\)/,
      );
    });
    it(`${op}: no warning for equal sizes`, () => {
      expect(warningsOf(lossDoc(op, [3, 4], [3, 4]))).toEqual([]);
    });
  }
  it('BCEWithLogitsLoss does not warn: it refuses', () => {
    const d = lossDoc('BCEWithLogitsLoss', [3, 4], [4]);
    expect(warningsOf(d)).toEqual([]);
    const r = runDocument(d);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.result.error?.type).toBe('ValueError');
  });
});

const INT64 = { dtype: 'int64' };
const CASES: [string, Obj, RegExp][] = [
  ['mse shapes', lossDoc('MSELoss', [3, 4], [3]), /The size of tensor a \(4\) must match the size of tensor b \(3\)/],
  [
    'mse two int64',
    lossDoc('MSELoss', [3], [3], {}, { x: { ...INT64, requires_grad: false }, t: INT64 }),
    /^"mse_cpu" not implemented for 'Long'$/,
  ],
  [
    'l1 two int64, mean',
    lossDoc('L1Loss', [3], [3], {}, { x: { ...INT64, requires_grad: false }, t: INT64 }),
    /^mean\(\): could not infer output dtype/,
  ],
  ['l1 shapes', lossDoc('L1Loss', [2, 3], [2, 2], { reduction: 'sum' }), /at non-singleton dimension 1/],
  ['bce size', lossDoc('BCEWithLogitsLoss', [3, 4], [4]), /Target size \(torch.Size\(\[4\]\)\) must be the same/],
  [
    'bce pos_weight',
    lossDoc('BCEWithLogitsLoss', [3, 4], [3, 4], {}, { pos_weight: [3] }),
    /The size of tensor a \(3\) must match the size of tensor b \(4\) at non-singleton dimension 1/,
  ],
  [
    'bce pos_weight grows the loss',
    lossDoc('BCEWithLogitsLoss', [3, 4], [3, 4], {}, { pos_weight: [2, 1, 4] }),
    /output with shape \[3, 4\] doesn't match the broadcast shape \[2, 3, 4\]/,
  ],
  [
    'bce weight',
    lossDoc('BCEWithLogitsLoss', [3, 4], [3, 4], { reduction: 'none' }, { weight: [3] }),
    /The size of tensor a \(4\) must match the size of tensor b \(3\) at non-singleton dimension 1/,
  ],
  [
    'bce int64 target',
    lossDoc('BCEWithLogitsLoss', [3], [3], {}, { t: INT64 }),
    /^result type Float can't be cast to the desired output type Long$/,
  ],
];

describe('pointwise losses: an inferred problem is the run’s error', () => {
  for (const [name, d, pattern] of CASES) {
    it(name, () => {
      const l = load(d);
      if (!l.ok) throw new Error(JSON.stringify(l.issues));
      const problem = l.shapes.problems.get('loss');
      const r = runDocument(d);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(problem).toMatch(pattern);
      expect(r.result.error?.message).toBe(problem);
    });
  }
});
