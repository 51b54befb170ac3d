import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../renderer/document/parse';
import { copyNodes, deleteCommand, pasteCommand } from '../../renderer/state/clipboard';
import { Studio } from '../../renderer/state/store';

const doc = () =>
  parseDocument({
    format: 'autograd-studio/graph',
    version: 1,
    meta: { name: 'g' },
    nodes: [
      { id: 'x', op: 'Tensor', params: { shape: [2] }, position: { x: 0, y: 0 } },
      { id: 'r', op: 'ReLU', params: {}, position: { x: 200, y: 0 } },
      { id: 's', op: 'Sum', params: {}, position: { x: 400, y: 0 } },
    ],
    edges: [
      { source: 'x', target: 'r', targetHandle: 'input' },
      { source: 'r', target: 's', targetHandle: 'input' },
    ],
  });

const ids = (s: Studio): string[] => s.doc.nodes.map((n) => n.id);

describe('Studio store', () => {
  it('the selection and the viewed tensor follow a rename, its undo, and forget a deleted node', () => {
    const s = new Studio(doc());
    s.select(['x']);
    s.setUi({ tensor: 'x.weight' });
    s.dispatch({ type: 'renameNode', from: 'x', to: 'input' }, 'Rename');
    expect(s.state.ui.selection.nodes).toEqual(['input']);
    expect(s.state.ui.tensor).toBe('input.weight');
    s.undo();
    expect(s.state.ui.selection.nodes).toEqual(['x']);
    expect(s.state.ui.tensor).toBe('x.weight');
    s.dispatch({ type: 'removeElements', nodeIds: ['x'], edgeKeys: [] }, 'Delete');
    expect(s.state.ui.tensor).toBeNull();
  });

  it('forgets which params were typed when another document is opened', () => {
    const s = new Studio(doc());
    s.typed.add('r:in_features');
    s.replaceDocument(doc());
    expect(s.typed.size).toBe(0);
  });

  it('a new selection drops the tensor an earlier click showed', () => {
    const s = new Studio(doc());
    s.select(['x']);
    s.setUi({ tensor: 'x' });
    s.select(['x']);
    expect(s.state.ui.tensor).toBe('x');
    s.select(['r']);
    expect(s.state.ui.tensor).toBeNull();
  });

  it('dispatches commands, tracks revision and dirty state', () => {
    const s = new Studio(doc());
    expect(s.dirty).toBe(false);
    expect(s.dispatch({ type: 'setParams', id: 'x', set: { shape: [3] }, unset: [] }, 'Set shape')).toBe(true);
    expect(s.state.revision).toBe(1);
    expect(s.dirty).toBe(true);
    s.markSaved('g.graph.json');
    expect(s.dirty).toBe(false);
    expect(s.state.fileName).toBe('g.graph.json');
  });

  it('undo and redo step through history with labels', () => {
    const s = new Studio(doc());
    s.dispatch({ type: 'moveNodes', moves: [{ id: 'x', to: { x: 9, y: 9 } }] }, 'Move x');
    s.dispatch({ type: 'removeElements', nodeIds: ['s'], edgeKeys: [] }, 'Delete s');
    expect(s.state.history).toMatchObject({ canUndo: true, canRedo: false, undoLabel: 'Delete s' });
    s.undo();
    expect(ids(s)).toEqual(['x', 'r', 's']);
    expect(s.doc.edges.length).toBe(2);
    expect(s.state.history.redoLabel).toBe('Delete s');
    s.undo();
    expect(s.doc.nodes[0]!.position).toEqual({ x: 0, y: 0 });
    expect(s.doc).toEqual(doc());
    s.redo();
    s.redo();
    expect(ids(s)).toEqual(['x', 'r']);
    expect(s.doc.nodes[0]!.position).toEqual({ x: 9, y: 9 });
    expect(s.state.history.canRedo).toBe(false);
  });

  it('a new command after undo clears redo', () => {
    const s = new Studio(doc());
    s.dispatch({ type: 'removeElements', nodeIds: ['s'], edgeKeys: [] }, 'Delete s');
    s.undo();
    s.dispatch({ type: 'setMeta', meta: { name: 'h' } }, 'Rename');
    expect(s.state.history.canRedo).toBe(false);
  });

  it('a paste is one undo step, with its connections', () => {
    const s = new Studio(doc());
    const data = copyNodes(s.doc, ['r', 's']);
    const { cmd, ids: pasted } = pasteCommand(s.doc, data);
    s.dispatch(cmd, 'Paste');
    expect(pasted).toEqual(['r1', 's1']);
    expect(ids(s)).toEqual(['x', 'r', 's', 'r1', 's1']);
    // r1 keeps its input from x (outside the copy), s1 is wired to r1
    expect(s.doc.edges.slice(2).map((e) => `${e.source}->${e.target}`)).toEqual(['x->r1', 'r1->s1']);
    expect(s.history.depth).toBe(1);
    s.undo();
    expect(s.doc).toEqual(doc());
  });

  it('deleting a selection is one undo step', () => {
    const s = new Studio(doc());
    s.dispatch(deleteCommand(['r', 's'], []), 'Delete 2 items');
    expect(ids(s)).toEqual(['x']);
    expect(s.history.depth).toBe(1);
    s.undo();
    expect(s.doc).toEqual(doc());
  });

  it('transact groups several commands into one step (nested groups join)', () => {
    const s = new Studio(doc());
    s.transact('Insert Exp', () => {
      s.dispatch({ type: 'removeElements', nodeIds: [], edgeKeys: ['s:input'] }, 'a');
      s.transact('inner', () => {
        s.dispatch(
          {
            type: 'addElements',
            nodes: [{ node: { id: 'e', op: 'Exp', params: {}, position: { x: 300, y: 0 } } }],
            edges: [],
          },
          'b',
        );
      });
      s.dispatch(
        {
          type: 'addElements',
          nodes: [],
          edges: [
            { edge: { source: 'r', sourceHandle: 'out', target: 'e', targetHandle: 'input' } },
            { edge: { source: 'e', sourceHandle: 'out', target: 's', targetHandle: 'input' } },
          ],
        },
        'c',
      );
    });
    expect(s.history.depth).toBe(1);
    expect(s.state.history.undoLabel).toBe('Insert Exp');
    s.undo();
    expect(s.doc).toEqual(doc());
    s.redo();
    expect(ids(s)).toEqual(['x', 'r', 's', 'e']);
  });

  it('coalesces quick edits of the same field into one step', () => {
    const s = new Studio(doc());
    for (const n of [2, 3, 4])
      s.dispatch({ type: 'setParams', id: 'x', set: { shape: [n] }, unset: [] }, 'Set shape', 'param:x:shape');
    expect(s.history.depth).toBe(1);
    s.undo();
    expect(s.doc.nodes[0]!.params.shape).toEqual([2]);
    s.redo();
    expect(s.doc.nodes[0]!.params.shape).toEqual([4]);
  });

  it('a failing command changes nothing and says why', () => {
    const s = new Studio(doc());
    expect(s.dispatch({ type: 'renameNode', from: 'r', to: 'x' }, 'Rename')).toBe(false);
    expect(s.state.revision).toBe(0);
    expect(s.state.ui.toast?.text).toMatch(/already exists/);
  });

  it('replacing the document forgets history and selection', () => {
    const s = new Studio(doc());
    s.dispatch({ type: 'setMeta', meta: { name: 'h' } }, 'Rename');
    s.select(['x']);
    s.replaceDocument(doc(), { name: 'a.graph.json' });
    expect(s.state.history.canUndo).toBe(false);
    expect(s.state.ui.selection.nodes).toEqual([]);
    expect(s.dirty).toBe(false);
    expect(s.state.epoch).toBe(1);
  });

  it('drops deleted nodes from the selection', () => {
    const s = new Studio(doc());
    s.select(['r', 's']);
    s.dispatch(deleteCommand(['s'], []), 'Delete');
    expect(s.state.ui.selection.nodes).toEqual(['r']);
  });
});
