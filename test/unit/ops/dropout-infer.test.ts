/**
 * Dropout's shape inference (the canvas's flags before a run) says what the run
 * returns in the document's `run.mode`: in eval mode, and with p == 0, F.dropout
 * returns its input itself (a leaf stays a leaf), in train mode a new tensor
 * (MulBackward0). Expected flags are PyTorch's: each parity fixture's reference
 * (test/fixtures/gen/cases_mode.py, run by PyTorch 1.13).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { load } from '../../../engine/graph/index';

const DIR = 'test/fixtures/parity';
const FIXTURES = ['dropout_eval', 'dropout_eval_then_layers', 'dropout_p0_p1', 'dropout_p03_seeded', 'dropout_inplace'];

interface Ref {
  readonly shape: number[];
  readonly requires_grad: boolean;
  readonly is_leaf: boolean;
}

function read(name: string, ext: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${DIR}/${name}.${ext}.json`, 'utf8')) as Record<string, unknown>;
}

describe('Dropout inference follows run.mode', () => {
  it.each(FIXTURES)('%s: every inferred port has the flags PyTorch reports', (name) => {
    const l = load(read(name, 'graph'));
    if (!l.ok) throw new Error(JSON.stringify(l.issues));
    const tensors = read(name, 'expected').tensors as Record<string, Ref>;
    const dropouts = l.graph.doc.nodes.filter((n) => n.op === 'Dropout').map((n) => n.id);
    expect(dropouts.length).toBeGreaterThan(0);
    for (const [id, ref] of Object.entries(tensors)) {
      const m = l.shapes.ports.get(id);
      expect({ id, shape: m?.shape, requires_grad: m?.requiresGrad, is_leaf: m?.isLeaf }).toEqual({
        id,
        shape: ref.shape,
        requires_grad: ref.requires_grad,
        is_leaf: ref.is_leaf,
      });
    }
  });

  it('the same document infers a leaf in eval mode and a non-leaf in train mode', () => {
    const doc = read('dropout_eval', 'graph');
    const flags = (mode: string) => {
      const l = load({ ...doc, run: { ...(doc.run as object), mode } });
      if (!l.ok) throw new Error(JSON.stringify(l.issues));
      const d = l.shapes.ports.get('d');
      return [d?.isLeaf, d?.requiresGrad];
    };
    expect(flags('eval')).toEqual([true, true]);
    expect(flags('train')).toEqual([false, true]);
  });
});
