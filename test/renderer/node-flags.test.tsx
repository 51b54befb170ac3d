// @vitest-environment jsdom
/**
 * A node's autograd badges (renderer/canvas/Flags.tsx): a Dataset shows one
 * named row per output, from the engine's inference of `<id>.images` and
 * `<id>.labels` (both leaves that do not require grad, the labels int64, as
 * `next(iter(loader))` gives them); a node with one output shows its own row.
 */
import { readFileSync } from 'node:fs';
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { load } from '../../engine/graph/index';
import { inferPorts } from '../../engine/host/ports';
import { OP_BY_NAME } from '../../engine/protocol/ops';
import { AppContext, type AppServices } from '../../renderer/app/context';
import { NodeFlagRows } from '../../renderer/canvas/Flags';
import type { Host } from '../../renderer/platform/host';
import { flagsOf } from '../../renderer/state/engine-state';
import { Studio } from '../../renderer/state/store';

afterEach(cleanup);

/** The badges of node `id` of the digits example, after the engine's `load`. */
function rowsOf(id: string): HTMLElement[] {
  const doc = JSON.parse(readFileSync('renderer/examples/digits_cnn_sgd.graph.json', 'utf8')) as unknown;
  const l = load(doc);
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  const { ports } = inferPorts(l.graph);
  const studio = new Studio();
  studio.setEngine((e) => ({
    ...e,
    load: { ok: true, issues: [], ports, order: [], update: [], problems: [], elements: 0, budget: 0 },
  }));
  const node = l.graph.doc.nodes.find((n) => n.id === id)!;
  const services: AppServices = { studio, host: {} as Host, session: null };
  const { container } = render(
    <AppContext.Provider value={services}>
      <NodeFlagRows id={id} outputs={OP_BY_NAME.get(node.op)?.outputs} flags={flagsOf(studio.state.engine, id)} />
    </AppContext.Provider>,
  );
  return [...container.querySelectorAll<HTMLElement>('.node-flags')];
}

const badges = (row: HTMLElement) =>
  Object.fromEntries(
    [...row.querySelectorAll<HTMLElement>('[data-badge]')].map((b) => [b.dataset.badge, b.textContent]),
  );

describe('node flag rows', () => {
  it('a Dataset shows images and labels as leaves without grad, the labels int64', () => {
    const rows = rowsOf('data');
    expect(rows.map((r) => r.dataset.output)).toEqual(['images', 'labels']);
    expect(badges(rows[0]!)).toEqual({ leaf: 'leaf', requires_grad: 'no grad', dtype: 'float32' });
    expect(badges(rows[1]!)).toEqual({ leaf: 'leaf', requires_grad: 'no grad', dtype: 'int64' });
  });

  it('a node with one output shows one unnamed row, without dtype', () => {
    const rows = rowsOf('conv1');
    expect(rows.map((r) => r.dataset.output)).toEqual([undefined]);
    expect(badges(rows[0]!)).toEqual({ leaf: 'non-leaf', requires_grad: 'requires_grad' });
  });
});
