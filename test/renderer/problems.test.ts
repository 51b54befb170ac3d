import { describe, expect, it } from 'vitest';
import { nodeProblems } from '../../renderer/canvas/problems';
import { parseDocument } from '../../renderer/document/parse';
import { initialEngine } from '../../renderer/state/engine-state';

const doc = parseDocument({
  format: 'autograd-studio/graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Tensor', params: { shape: [2, 3] } },
    { id: 'p', op: 'Softmax', params: { dim: 1 } },
    { id: 'ce', op: 'CrossEntropyLoss', params: {} },
    { id: 'c', op: 'Conv2d', params: { in_channels: 1, out_channels: 2 } },
  ],
  edges: [
    { source: 'x', target: 'p', targetHandle: 'input' },
    { source: 'p', target: 'ce', targetHandle: 'input' },
  ],
});

describe('node problems', () => {
  it('gathers param errors, engine issues and shape problems, run errors and lint warnings per node', () => {
    const engine = {
      ...initialEngine,
      load: {
        ok: false,
        issues: [{ path: 'nodes[2]', message: 'required input port "target" of CrossEntropyLoss is not connected' }],
        ports: {},
        order: [],
        update: [],
        problems: [{ node: 'p', message: 'shape problem' }],
        elements: 0,
        budget: 1,
      },
      error: { type: 'RuntimeError', message: 'boom', node: 'x', phase: 'forward', iteration: 0 },
    };
    const m = nodeProblems(doc, engine);
    expect(m.get('c')?.errors).toEqual(['kernel_size is required']);
    expect(m.get('ce')?.errors).toEqual(['required input port "target" of CrossEntropyLoss is not connected']);
    expect(m.get('ce')?.warnings[0]).toMatch(/CrossEntropyLoss already applies LogSoftmax/);
    expect(m.get('p')?.errors).toEqual(['shape problem']);
    expect(m.get('x')?.errors).toEqual(['boom']);
  });

  it("shows the run's warnings at their node once each, as PyTorch prints them, with a plain sentence", () => {
    const message =
      'Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1])). ' +
      'This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.';
    const other = 'Implicit dimension choice for softmax has been deprecated.';
    const warnings = [
      { message, node: 'ce' },
      { message, node: 'ce' },
      { message: other, node: 'p' },
      { message: other, node: null },
    ];
    const m = nodeProblems(doc, { ...initialEngine, warnings });
    expect(m.get('ce')?.warnings.slice(1)).toEqual([
      `UserWarning: ${message} — Each input value is compared with many targets here: give input and target ` +
        'the same shape.',
    ]);
    expect(m.get('p')?.warnings).toEqual([`UserWarning: ${other}`]);
  });

  it('marks a bug of the engine (InternalError) at its node as such', () => {
    const error = {
      type: 'InternalError',
      message: 'TypeError: x is undefined',
      node: 'x',
      phase: 'forward',
      iteration: 0,
    };
    expect(nodeProblems(doc, { ...initialEngine, error }).get('x')?.errors).toEqual([
      'InternalError: TypeError: x is undefined',
    ]);
  });
});
