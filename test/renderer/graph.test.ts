import { describe, expect, it } from 'vitest';
import { checkConnection, freshId, isValidId, reaches, topoOrder } from '../../renderer/document/graph';
import { parseDocument } from '../../renderer/document/parse';

const doc = parseDocument({
  format: 'autograd-studio/graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Tensor', params: { shape: [2] } },
    { id: 'y', op: 'Tensor', params: { shape: [2] } },
    { id: 'r', op: 'ReLU', params: {} },
    { id: 'm', op: 'Mul', params: {} },
    { id: 's', op: 'Sum', params: {} },
  ],
  edges: [
    { source: 'x', target: 'r', targetHandle: 'input' },
    { source: 'r', target: 'm', targetHandle: 'a' },
    { source: 'm', target: 's', targetHandle: 'input' },
  ],
});

describe('connection validation', () => {
  it('accepts a free port', () => {
    expect(checkConnection(doc, { source: 'y', target: 'm', targetHandle: 'b' })).toEqual({ ok: true });
  });
  it('refuses a port already taken, naming who holds it', () => {
    const c = checkConnection(doc, { source: 'y', target: 'r', targetHandle: 'input' });
    expect(c.ok).toBe(false);
    expect(!c.ok && c.reason).toMatch(/already taken by “x”/);
  });
  it('with replace, accepts a used port; a cycle through the replaced edge is no cycle', () => {
    expect(checkConnection(doc, { source: 'y', target: 'r', targetHandle: 'input' }, { replace: true })).toEqual({
      ok: true,
    });
    // s → r.input would close x→r→m→s→r; it is still a cycle with r's input replaced (r → m → s remains)
    expect(checkConnection(doc, { source: 's', target: 'r', targetHandle: 'input' }, { replace: true }).ok).toBe(false);
    // moving the edge r → m.a (ignored) so that m feeds r: no cycle once r → m is gone
    expect(checkConnection(doc, { source: 'm', target: 'r', targetHandle: 'input' }, { replace: true })).toMatchObject({
      ok: false,
    });
    expect(
      checkConnection(doc, { source: 'm', target: 'r', targetHandle: 'input' }, { replace: true, ignore: 'm:a' }),
    ).toEqual({ ok: true });
  });
  it('refuses a cycle', () => {
    const c = checkConnection(doc, { source: 's', target: 'm', targetHandle: 'b' });
    expect(!c.ok && c.reason).toMatch(/cycle/);
    expect(reaches(doc, 'x', 's')).toBe(true);
    expect(reaches(doc, 's', 'x')).toBe(false);
  });
  it('refuses a self loop, an unknown port, a missing node and a non-out source', () => {
    expect(checkConnection(doc, { source: 'r', target: 'r', targetHandle: 'input' }).ok).toBe(false);
    expect(checkConnection(doc, { source: 'y', target: 'r', targetHandle: 'weight' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/no input port “weight”/),
    });
    expect(checkConnection(doc, { source: 'nope', target: 'r', targetHandle: 'input' }).ok).toBe(false);
    expect(checkConnection(doc, { source: 'y', sourceHandle: 'a', target: 'm', targetHandle: 'b' }).ok).toBe(false);
    expect(checkConnection(doc, { source: 'y', target: 'x', targetHandle: 'input' }).ok).toBe(false);
  });
});

describe('ids and order', () => {
  it('makes fresh ids', () => {
    expect(freshId('conv', new Set(['conv1', 'conv2']))).toBe('conv3');
    expect(freshId('relu1', new Set(['relu1']))).toBe('relu2');
    expect(freshId('a.b c', new Set())).toBe('abc1');
    expect(isValidId('conv1')).toBe(true);
    expect(isValidId('conv.1')).toBe(false);
    expect(isValidId('')).toBe(false);
  });
  it('orders topologically with ties by document order', () => {
    expect(topoOrder(doc)).toEqual(['x', 'y', 'r', 'm', 's']);
  });
});
