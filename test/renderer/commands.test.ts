import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../renderer/document/parse';
import type { GraphDocument } from '../../renderer/document/types';
import { applyCommand, CommandError, type Command } from '../../renderer/state/commands';

const base: GraphDocument = parseDocument({
  format: 'autograd-studio/graph',
  version: 1,
  meta: { name: 'g' },
  nodes: [
    { id: 'x', op: 'Tensor', params: { shape: [2, 3], requires_grad: true }, position: { x: 0, y: 0 } },
    { id: 'r', op: 'ReLU', params: {}, position: { x: 200, y: 0 } },
    { id: 's', op: 'Sum', params: {}, position: { x: 400, y: 0 } },
  ],
  edges: [
    { source: 'x', target: 'r', targetHandle: 'input' },
    { source: 'r', target: 's', targetHandle: 'input' },
  ],
  run: { backward: 's', feedback: [{ from: 'r', to: 'x' }] },
});

/** Applies a command, then its inverse, and checks the document is back exactly. */
function roundTrip(cmd: Command): GraphDocument {
  const r = applyCommand(base, cmd);
  expect(r.doc).not.toEqual(base);
  const back = applyCommand(r.doc, r.inverse);
  expect(back.doc).toEqual(base);
  // and redo gives the same document again
  expect(applyCommand(back.doc, back.inverse).doc).toEqual(r.doc);
  return r.doc;
}

describe('commands and their inverses', () => {
  it('addElements adds nodes and edges; the inverse removes them', () => {
    const d = roundTrip({
      type: 'addElements',
      nodes: [{ node: { id: 'e', op: 'Exp', params: {}, position: { x: 1, y: 1 } } }],
      edges: [{ edge: { source: 'x', sourceHandle: 'out', target: 'e', targetHandle: 'input' } }],
    });
    expect(d.nodes.map((n) => n.id)).toEqual(['x', 'r', 's', 'e']);
    expect(d.edges.length).toBe(3);
  });

  it('addElements refuses a taken id or port', () => {
    expect(() =>
      applyCommand(base, {
        type: 'addElements',
        nodes: [{ node: { id: 'x', op: 'Exp', params: {}, position: { x: 0, y: 0 } } }],
        edges: [],
      }),
    ).toThrow(CommandError);
    expect(() =>
      applyCommand(base, {
        type: 'addElements',
        nodes: [],
        edges: [{ edge: { source: 's', sourceHandle: 'out', target: 'r', targetHandle: 'input' } }],
      }),
    ).toThrow(/already taken/);
  });

  it('removeElements removes a node with its edges and run references; the inverse restores order', () => {
    const d = roundTrip({ type: 'removeElements', nodeIds: ['r'], edgeKeys: [] });
    expect(d.nodes.map((n) => n.id)).toEqual(['x', 's']);
    expect(d.edges).toEqual([]);
    expect(d.run).toEqual({ backward: 's', feedback: [] });
  });

  it('removeElements of the backward root drops run.backward', () => {
    const d = roundTrip({ type: 'removeElements', nodeIds: ['s'], edgeKeys: [] });
    expect(d.run?.backward).toBeUndefined();
  });

  it('removeElements removes an edge by its port key', () => {
    const d = roundTrip({ type: 'removeElements', nodeIds: [], edgeKeys: ['s:input'] });
    expect(d.edges.length).toBe(1);
  });

  it('moveNodes moves; the inverse moves back', () => {
    const d = roundTrip({ type: 'moveNodes', moves: [{ id: 'r', to: { x: 5, y: 6 } }] });
    expect(d.nodes[1]!.position).toEqual({ x: 5, y: 6 });
  });

  it('setParams sets and unsets; the inverse restores both', () => {
    const d = roundTrip({
      type: 'setParams',
      id: 'x',
      set: { shape: [4], init: { kind: 'ones' } },
      unset: ['requires_grad'],
    });
    expect(d.nodes[0]!.params).toEqual({ shape: [4], init: { kind: 'ones' } });
    expect(() => applyCommand(base, { type: 'setParams', id: 'nope', set: {}, unset: [] })).toThrow(CommandError);
  });

  it('setNodeProps sets and clears label and retain_grad', () => {
    const d = roundTrip({ type: 'setNodeProps', id: 'r', label: 'relu!', retain_grad: true });
    expect(d.nodes[1]).toMatchObject({ label: 'relu!', retain_grad: true });
    const cleared = applyCommand(d, { type: 'setNodeProps', id: 'r', label: null, retain_grad: null }).doc;
    expect('label' in cleared.nodes[1]!).toBe(false);
  });

  it('renameNode renames everywhere; refuses bad or taken ids', () => {
    const d = roundTrip({ type: 'renameNode', from: 'r', to: 'act' });
    expect(d.edges.map((e) => [e.source, e.target])).toEqual([
      ['x', 'act'],
      ['act', 's'],
    ]);
    expect(d.run?.feedback).toEqual([{ from: 'act', to: 'x' }]);
    expect(() => applyCommand(base, { type: 'renameNode', from: 'r', to: 'x' })).toThrow(/already exists/);
    expect(() => applyCommand(base, { type: 'renameNode', from: 'r', to: 'a.b' })).toThrow(/not a valid id/);
  });

  it('setRun replaces and removes the run section', () => {
    const d = roundTrip({ type: 'setRun', run: { backward: 'r', iterations: 3 } });
    expect(d.run).toEqual({ backward: 'r', iterations: 3 });
    const none = roundTrip({ type: 'setRun', run: null });
    expect('run' in none).toBe(false);
  });

  it('setMeta replaces meta', () => {
    expect(roundTrip({ type: 'setMeta', meta: { name: 'other' } }).meta).toEqual({ name: 'other' });
  });

  it('batch applies in order and undoes in reverse', () => {
    const d = roundTrip({
      type: 'batch',
      commands: [
        { type: 'renameNode', from: 'r', to: 'act' },
        { type: 'setParams', id: 'act', set: { inplace: true }, unset: [] },
      ],
    });
    expect(d.nodes[1]).toMatchObject({ id: 'act', params: { inplace: true } });
  });
});
