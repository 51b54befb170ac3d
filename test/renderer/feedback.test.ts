/** Feedback as canvas edges: the commands and their inverses, deleting, the edges drawn, the leaf error's fix. */
import { describe, expect, it } from 'vitest';
import { feedbackEdges } from '../../renderer/canvas/flow-model';
import { checkFeedback, feedbackEdgeId, feedbackTarget } from '../../renderer/document/feedback';
import { parseDocument } from '../../renderer/document/parse';
import type { GraphDocument } from '../../renderer/document/types';
import { deleteCommand } from '../../renderer/state/clipboard';
import { applyCommand, CommandError } from '../../renderer/state/commands';
import { initialEngine, withRunSummary, type EngineSlice } from '../../renderer/state/engine-state';
import { leafErrorFeedback, LEAF_ERROR } from '../../renderer/ui/FeedbackFix';

const base: GraphDocument = parseDocument({
  format: 'autograd-studio/graph',
  version: 1,
  meta: { name: 'g' },
  nodes: [
    { id: 'x', op: 'Tensor', params: { shape: [2], requires_grad: true }, position: { x: 0, y: 0 } },
    { id: 'y', op: 'Tensor', params: { shape: [2] }, position: { x: 0, y: 200 } },
    { id: 'r', op: 'ReLU', params: {}, position: { x: 200, y: 0 } },
    { id: 's', op: 'Sum', params: {}, position: { x: 400, y: 0 } },
  ],
  edges: [
    { source: 'x', target: 'r', targetHandle: 'input' },
    { source: 'r', target: 's', targetHandle: 'input' },
  ],
  run: { backward: 's', iterations: 3, feedback: [{ from: 'r', to: 'x' }] },
});

const pairs = (d: GraphDocument): string[] => (d.run?.feedback ?? []).map((f) => `${f.from}→${f.to}`);

describe('feedback commands', () => {
  it('addFeedback adds a pair at its index; the inverse gives the document back exactly', () => {
    const r = applyCommand(base, { type: 'addFeedback', from: 'r', to: 'y', index: 0 });
    expect(pairs(r.doc)).toEqual(['r→y', 'r→x']);
    expect(applyCommand(r.doc, r.inverse).doc).toEqual(base);
  });

  it('removeFeedback removes the pair into a Tensor; the inverse puts it back', () => {
    const r = applyCommand(base, { type: 'removeFeedback', to: 'x' });
    expect(pairs(r.doc)).toEqual([]);
    expect(r.doc.run?.backward).toBe('s');
    expect(applyCommand(r.doc, r.inverse).doc).toEqual(base);
  });

  it('refuses what the format refuses, with the reason', () => {
    expect(() => applyCommand(base, { type: 'addFeedback', from: 's', to: 'x' })).toThrow(
      'Tensor node x already receives feedback (from “r”).',
    );
    expect(() => applyCommand(base, { type: 'addFeedback', from: 'x', to: 'r' })).toThrow(CommandError);
    expect(checkFeedback(base, 'y', 'y')).toMatchObject({ ok: false });
    expect(checkFeedback(base, 's', 'x', true)).toEqual({ ok: true });
    expect(() => applyCommand(base, { type: 'removeFeedback', to: 'y' })).toThrow(CommandError);
  });

  it('Delete of a selection with a feedback edge and its source node is one command that undoes exactly', () => {
    const cmd = deleteCommand(['r'], [feedbackEdgeId('x')]);
    const r = applyCommand(base, cmd);
    expect(pairs(r.doc)).toEqual([]);
    expect(r.doc.nodes.map((n) => n.id)).toEqual(['x', 'y', 's']);
    expect(applyCommand(r.doc, r.inverse).doc).toEqual(base);
  });
});

describe('feedback edges on the canvas', () => {
  it('one edge per pair, into the Tensor’s feedback handle, named by its ends; its id is no edge key', () => {
    const [e, ...rest] = feedbackEdges(base, initialEngine, { nodes: [], edges: [feedbackEdgeId('x')] });
    expect(rest).toEqual([]);
    expect(e).toMatchObject({ type: 'feedback', source: 'r', target: 'x', targetHandle: 'feedback', selected: true });
    expect(e!.domAttributes).toEqual({ 'data-testid': 'feedback-edge', 'data-from': 'r', 'data-to': 'x' });
    expect(feedbackTarget(e!.id)).toBe('x');
    expect(feedbackTarget('x:input')).toBeNull();
  });

  it('says what the fed value carries, from its source’s flags', () => {
    const nonLeaf = { is_leaf: false, requires_grad: true, grad_fn: 'ReluBackward0' };
    const engine: EngineSlice = {
      ...initialEngine,
      tensors: {
        r: {
          ...nonLeaf,
          shape: [2],
          dtype: 'float32',
          has_grad: false,
          stats: null,
          grad_stats: null,
          storage: 3,
          version: 0,
        },
      },
    };
    expect(feedbackEdges(base, engine, { nodes: [], edges: [] })[0]!.data!.carries).toBe('non-leaf · ReluBackward0');
  });
});

describe('the leaf error of a loop', () => {
  const error = { type: 'RuntimeError', message: LEAF_ERROR, node: 'x', phase: 'setup' as const, iteration: 1 };

  it('is tied to the feedback into the Tensor whose setup raised, from iteration 2 on', () => {
    expect(leafErrorFeedback(base, error)).toEqual({ from: 'r', to: 'x' });
    expect(leafErrorFeedback(base, { ...error, iteration: 0 })).toBeNull();
    expect(leafErrorFeedback(base, { ...error, node: 'y' })).toBeNull();
    expect(leafErrorFeedback(base, { ...error, message: 'other' })).toBeNull();
  });

  it('the run reply’s fed tensor gives the Tensor its iteration-2 flags (the result JSON has none for it)', () => {
    const fed = { shape: [2], dtype: 'float32', requires_grad: true, is_leaf: false, grad_fn: 'ReluBackward0' };
    const s = withRunSummary(initialEngine, {
      tensors: {},
      fed: { x: { ...fed, has_grad: false, stats: null, grad_stats: null, storage: 4, version: 0 } },
      error,
    });
    expect(s.tensors.x).toMatchObject({ is_leaf: false, grad_fn: 'ReluBackward0' });
  });
});
