import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYOUT, layeredLayout, RUN_ROOM, withPositions } from '../../renderer/document/layout';
import { DocumentParseError, parseDocument } from '../../renderer/document/parse';
import { serializeDocument, toJson } from '../../renderer/document/serialize';
import { emptyDocument } from '../../renderer/document/types';
import { MAX_DOCUMENT_BYTES } from '../../engine/protocol/document';

const repo = resolve(import.meta.dirname, '../..');
const dirs = [resolve(repo, 'test/fixtures/reference'), resolve(repo, 'renderer/examples')];
const files = dirs.flatMap((d) => {
  try {
    return readdirSync(d)
      .filter((f) => f.endsWith('.graph.json'))
      .map((f) => resolve(d, f));
  } catch {
    return [];
  }
});

const core = (d: Record<string, unknown>): unknown => ({
  nodes: (d.nodes as Record<string, unknown>[]).map((n) => ({ id: n.id, op: n.op, params: n.params })),
  edges: (d.edges as Record<string, unknown>[]).map((e) => ({
    source: e.source,
    sourceHandle: e.sourceHandle ?? 'out',
    target: e.target,
    targetHandle: e.targetHandle,
  })),
  run: d.run,
});

describe('document round trip', () => {
  it('finds the parity graphs and the examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  for (const f of files) {
    it(`keeps nodes, edges, params and run of ${f.split('/').slice(-2).join('/')}`, () => {
      const text = readFileSync(f, 'utf8');
      const original = JSON.parse(text);
      const out = JSON.parse(serializeDocument(parseDocument(text)));
      expect(core(out)).toEqual(core(original));
      expect(out.meta).toEqual(original.meta);
      // a second trip is stable byte for byte
      expect(serializeDocument(parseDocument(JSON.stringify(out)))).toBe(JSON.stringify(out, null, 2) + '\n');
    });
  }

  it('keeps unknown keys: top level, in nodes and edges, and the run fields it does not edit', () => {
    const doc = {
      format: 'autograd-studio/graph',
      version: 1,
      meta: { name: 'x', author: 'me' },
      nodes: [
        {
          id: 'a',
          op: 'Tensor',
          params: { shape: [2] },
          position: { x: 1.5, y: 2 },
          note: 'hi',
          label: 'A',
          retain_grad: false,
        },
      ],
      edges: [],
      run: { backward: 'a', update_no_grad: true },
      view: { x: 10, y: 20, zoom: 1.5 },
      plugin: { data: [1, 2] },
    };
    const out = toJson(parseDocument(doc));
    expect(out).toEqual(doc);
    expect(Object.keys(out)).toEqual(['format', 'version', 'meta', 'nodes', 'edges', 'run', 'view', 'plugin']);
  });

  it('defaults sourceHandle to "out"; edges are required, as the format and the engine say', () => {
    const d = parseDocument({
      format: 'autograd-studio/graph',
      version: 1,
      nodes: [
        { id: 'a', op: 'Tensor', params: { shape: [1] } },
        { id: 'b', op: 'ReLU', params: {} },
      ],
      edges: [{ source: 'a', target: 'b', targetHandle: 'input' }],
    });
    expect(d.edges[0]!.sourceHandle).toBe('out');
    expect(() => parseDocument({ format: 'autograd-studio/graph', version: 1, nodes: [] })).toThrow(
      /^edges: expected an array$/,
    );
  });

  it("fills in a left-out targetHandle with the target op's only port, as the engine does", () => {
    const nodes = [
      { id: 'a', op: 'Tensor', params: { shape: [1] } },
      { id: 'r', op: 'ReLU' },
      { id: 'm', op: 'Mul' },
    ];
    const read = (edges: unknown[]) => parseDocument({ format: 'autograd-studio/graph', version: 1, nodes, edges });
    expect(read([{ source: 'a', target: 'r' }]).edges[0]!.targetHandle).toBe('input');
    expect(read([{ source: 'a', target: 'r', targetHandle: null }]).edges[0]!.targetHandle).toBe('input');
    // Mul has two ports: the document must say which (the engine refuses it too)
    expect(() => read([{ source: 'a', target: 'm' }])).toThrow(
      'edges[0].targetHandle: expected a port name (ports: "a", "b")',
    );
  });

  it('refuses what the engine refuses in the structure: an unknown run field, a duplicate id, a dangling edge', () => {
    const base = { format: 'autograd-studio/graph', version: 1, nodes: [{ id: 'a', op: 'ReLU' }], edges: [] };
    expect(() => parseDocument({ ...base, run: { backward: 'a', future_option: 3 } })).toThrow(
      'run.future_option: unknown field of run',
    );
    expect(() => parseDocument({ ...base, nodes: [...base.nodes, { id: 'a', op: 'Sum' }] })).toThrow(
      'nodes[1].id: duplicate node id "a"',
    );
    expect(() => parseDocument({ ...base, edges: [{ source: 'a', target: 'b', targetHandle: 'input' }] })).toThrow(
      'edges[0].target: no node with id "b"',
    );
    expect(() => parseDocument({ ...base, nodes: [{ id: 'conv.1', op: 'ReLU' }] })).toThrow(
      /nodes\[0\]\.id: expected 1 to 64/,
    );
  });

  it('refuses other formats and versions with a clear message and path', () => {
    expect(() => parseDocument('{')).toThrow(DocumentParseError);
    expect(() => parseDocument({ format: 'other', version: 1, nodes: [] })).toThrow(
      /format: expected "autograd-studio\/graph"/,
    );
    expect(() => parseDocument({ format: 'autograd-studio/graph', version: 2, nodes: [] })).toThrow(
      'version: version 2 is newer than this engine understands (1)',
    );
    expect(() => parseDocument({ format: 'autograd-studio/graph', version: 1, nodes: [{ op: 'ReLU' }] })).toThrow(
      /nodes\[0\]\.id/,
    );
    expect(() =>
      parseDocument({ format: 'autograd-studio/graph', version: 1, nodes: [], edges: [{ source: 'a' }] }),
    ).toThrow(/edges\[0\]\.target/);
  });

  it('refuses a file over the size budget before parsing it (32 MiB, as the desktop shell)', () => {
    const doc = JSON.stringify({ format: 'autograd-studio/graph', version: 1, nodes: [], edges: [] });
    expect(() => parseDocument(doc + ' '.repeat(MAX_DOCUMENT_BYTES - doc.length))).not.toThrow();
    // 'é' is two bytes in UTF-8: fewer characters than the budget, more bytes
    expect(() => parseDocument(doc + 'é'.repeat(MAX_DOCUMENT_BYTES / 2))).toThrow(/^larger than 32 MiB$/);
  });

  it('lays out nodes without positions left to right', () => {
    const d = parseDocument({
      format: 'autograd-studio/graph',
      version: 1,
      nodes: [
        { id: 'x', op: 'Tensor', params: { shape: [1] } },
        { id: 'r', op: 'ReLU', params: {} },
        { id: 's', op: 'Sum', params: {} },
      ],
      edges: [
        { source: 'x', target: 'r', targetHandle: 'input' },
        { source: 'r', target: 's', targetHandle: 'input' },
      ],
    });
    const laid = withPositions(d);
    const xs = laid.nodes.map((n) => n.position.x);
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);
    expect(layeredLayout(d).size).toBe(3);
    expect(withPositions(emptyDocument())).toEqual(emptyDocument());
    // ranks are one node width (180) plus the rank gap apart
    expect(xs[1]! - xs[0]!).toBe(180 + LAYOUT.ranksep);
  });

  /** Three unconnected ReLUs: one rank of the layout. */
  const threeReLUs = () =>
    parseDocument({
      format: 'autograd-studio/graph',
      version: 1,
      nodes: [
        { id: 'a', op: 'ReLU', params: {} },
        { id: 'b', op: 'ReLU', params: {} },
        { id: 'c', op: 'ReLU', params: {} },
      ],
      edges: [],
    });

  it('lays out unconnected nodes without overlaps, with the sizes it is given', () => {
    const d = threeReLUs();
    const pos = layeredLayout(
      d,
      () => ({ width: 100, height: 50 }),
      () => 0,
    );
    const ys = ['a', 'b', 'c'].map((id) => pos.get(id)!.y).sort((p, q) => p - q);
    expect(new Set(['a', 'b', 'c'].map((id) => pos.get(id)!.x)).size).toBe(1);
    expect(ys[1]! - ys[0]!).toBe(50 + LAYOUT.nodesep);
    expect(ys[2]! - ys[1]!).toBe(50 + LAYOUT.nodesep);
  });

  it('keeps room below each node that has not run for the rows a run adds', () => {
    const d = threeReLUs();
    const size = () => ({ width: 100, height: 50 });
    const ys = (pos: Map<string, { y: number }>) => ['a', 'b', 'c'].map((id) => pos.get(id)!.y).sort((p, q) => p - q);
    // by default (a document opened without positions) every node gets the room
    const all = ys(layeredLayout(d, size));
    expect([all[1]! - all[0]!, all[2]! - all[1]!]).toEqual([
      50 + RUN_ROOM + LAYOUT.nodesep,
      50 + RUN_ROOM + LAYOUT.nodesep,
    ]);
    // only the node that has not run (b) gets it
    const some = layeredLayout(d, size, (id) => (id === 'b' ? RUN_ROOM : 0));
    const bGap = [...some.values()].map((p) => p.y).sort((p, q) => p - q);
    expect(bGap[2]! - bGap[0]!).toBe(2 * (50 + LAYOUT.nodesep) + RUN_ROOM);
  });
});
