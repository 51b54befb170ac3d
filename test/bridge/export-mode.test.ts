/**
 * run.mode in the exported script: model.eval() in eval mode, model.train() when
 * an op behaves differently in the two (Dropout), nothing otherwise; and the
 * Dropout helper's names are the script's own (a node called `dropout` is renamed).
 * That the scripts reproduce the engine is checked on PyTorch by export.test.ts
 * with the dropout_* fixtures.
 */
import { describe, expect, it } from 'vitest';
import { exportPython } from '../../engine/bridge/index';
import { doc, edge, node, tensor, type Obj } from '../helpers/docs';

const graph = (op: string, run: Obj) =>
  doc(
    [tensor('x', [2, 3], { requires_grad: true }), node('dropout', op), node('s', 'Sum')],
    [edge('x', 'dropout', 'input'), edge('dropout', 's', 'input')],
    { backward: 's', ...run },
  );

describe('run.mode in the exported script', () => {
  it('writes model.eval() in eval mode and F.dropout with training=False', () => {
    const py = exportPython(graph('Dropout', { mode: 'eval' }));
    expect(py).toContain('    model = Model()\n    model.eval()\n');
    expect(py).toContain('F.dropout(x, 0.5, training=False)');
    expect(py).not.toContain('DROPOUT_MASKS');
  });

  it('writes model.train() and the masks of every iteration in train mode', () => {
    const py = exportPython(graph('Dropout', { iterations: 3 }));
    expect(py).toContain('    model = Model()\n    model.train()\n');
    const masks = /DROPOUT_MASKS\["dropout"\] = \[\n((?: {4}"[01]{6}",\n){3})\]/.exec(py);
    expect(masks).not.toBeNull();
    expect(py).toMatch(/ = dropout\(x, 0\.5, DROPOUT_MASKS\["dropout"\]\)/);
    expect(py).not.toMatch(/\bdropout = dropout\(/); // the node's variable does not shadow the helper
  });

  it('writes neither for a graph whose ops do not depend on the mode', () => {
    const py = exportPython(graph('ReLU', {}));
    expect(py).not.toMatch(/model\.(train|eval)\(\)/);
  });
});
