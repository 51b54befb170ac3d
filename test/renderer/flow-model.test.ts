import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowEdges, flowRange } from '../../renderer/canvas/flow-model';
import { parseDocument } from '../../renderer/document/parse';
import { initialEngine, type EngineSlice } from '../../renderer/state/engine-state';
import { backwardGraph } from '../../renderer/ui/backward-graph';

const doc = parseDocument(
  readFileSync(resolve(import.meta.dirname, '../../renderer/examples/detach_vs_clone.graph.json'), 'utf8'),
);
const t = (rg: boolean) => ({
  shape: [2, 3],
  dtype: 'float32',
  requires_grad: rg,
  is_leaf: !rg,
  grad_fn: null,
  has_grad: false,
  stats: null,
  grad_stats: null,
  storage: 1,
  version: 0,
});
const engine: EngineSlice = {
  ...initialEngine,
  backwardRan: true,
  tensors: {
    x: t(true),
    w: t(true),
    detached: t(false),
    cloned: t(true),
    relu_c: t(true),
    relu_d: t(false),
    a: t(true),
    b: t(true),
    sum_a: t(true),
    sum_b: t(true),
    total: t(true),
  },
  edgeFlow: doc.edges.map((e, i) => ({ edge: i, norm: e.target === 'detached' ? 0 : i + 1 })),
};

describe('canvas edges after backward', () => {
  it('draws the edge into Detach as cut and the others by gradient size', () => {
    const edges = flowEdges(doc, engine, { nodes: [], edges: [] });
    const into = edges.find((e) => e.target === 'detached')!;
    expect(into.data?.mode).toBe('cut');
    expect(into.data?.cutReason).toMatch(/Detach/);
    const fromDetached = edges.find((e) => e.source === 'detached')!;
    expect(fromDetached.data?.mode).toBe('cut');
    const flows = edges.filter((e) => e.data?.mode === 'flow');
    expect(flows.length).toBeGreaterThan(3);
    const widths = flows.map((e) => e.data!.width);
    expect(Math.max(...widths)).toBeGreaterThan(Math.min(...widths));
    expect(flowRange(engine)).toEqual([2, doc.edges.length]);
    expect(edges.every((e) => e.data?.shape === '[2, 3]')).toBe(true);
  });

  it('shows no flow before a backward', () => {
    const edges = flowEdges(doc, { ...initialEngine }, { nodes: [], edges: [] });
    expect(edges.every((e) => e.data?.mode === 'none')).toBe(true);
  });
});

describe('backward graph', () => {
  it('infers edges after a run, with the internal TBackward0 of Linear feeding weight’s AccumulateGrad', () => {
    const cnn = parseDocument(
      readFileSync(resolve(import.meta.dirname, '../fixtures/reference/small_cnn.graph.json'), 'utf8'),
    );
    const steps = JSON.parse(
      readFileSync(resolve(import.meta.dirname, '../fixtures/reference/small_cnn.expected.json'), 'utf8'),
    ).backward_steps;
    const g = backwardGraph(cnn, steps, []);
    const name = (i: number) => `${g.nodes[i]!.gradFn}:${g.nodes[i]!.node}`;
    const edges = g.edges.map((e) => `${name(e.from)} -> ${name(e.to)}`);
    expect(g.exact).toBe(false);
    expect(edges).toContain('AddmmBackward0:fc -> TBackward0:fc');
    expect(edges).toContain('TBackward0:fc -> AccumulateGrad:fc.weight');
    expect(edges).toContain('AddmmBackward0:fc -> AccumulateGrad:fc.bias');
    expect(edges).toContain('ConvolutionBackward0:conv -> AccumulateGrad:x');
    expect(edges).toContain('NllLossBackward0:loss -> LogSoftmaxBackward0:logsm');
  });
});
