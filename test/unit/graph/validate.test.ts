/**
 * Document validation: each kind of structural fault is reported with its JSON
 * path (and a message), several faults are all reported, and nothing throws.
 * Parameter values are covered by params.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { load, runDocument, validateDocument } from '../../../engine/graph/index';
import { copy, doc, edge, node, tensor, type Json, type Obj } from '../../helpers/docs';

/** A valid base: x -> ReLU r -> Sum s, backward from s. */
const BASE = (): Obj =>
  doc(
    [tensor('x', [2, 3], { requires_grad: true, init: { kind: 'ones' } }), node('r', 'ReLU'), node('s', 'Sum')],
    [edge('x', 'r', 'input'), edge('r', 's', 'input')],
    { backward: 's' },
  );

/** The issues of `d` as "path: message" (asserting validation does not throw). */
function issues(d: unknown): { path: string; message: string }[] {
  const v = validateDocument(d);
  if (v.ok) return [];
  for (const i of v.issues) {
    expect(typeof i.path).toBe('string');
    expect(i.path.length).toBeGreaterThan(0);
    expect(i.message.length).toBeGreaterThan(0);
  }
  return v.issues.map((i) => ({ path: i.path, message: i.message }));
}
const paths = (d: unknown) => issues(d).map((i) => i.path);

/** BASE with `edit` applied. */
function edited(edit: (d: Obj & { nodes: Obj[]; edges: Obj[]; run: Obj }) => void): Obj {
  const d = copy(BASE()) as Obj & { nodes: Obj[]; edges: Obj[]; run: Obj };
  edit(d);
  return d;
}

describe('the base document', () => {
  it('is valid and runs', () => {
    expect(issues(BASE())).toEqual([]);
    const r = runDocument(BASE());
    expect(r.ok && r.result.error).toBeNull();
  });
});

describe('document level', () => {
  it('not an object', () => {
    for (const d of [null, 42, 'graph', [], true, undefined]) expect(paths(d)).toEqual(['$']);
  });

  it('wrong format and version', () => {
    expect(issues(edited((d) => (d.format = 'something/else')))).toEqual([
      { path: 'format', message: 'expected "autograd-studio/graph"' },
    ]);
    expect(issues(edited((d) => delete d.format))).toEqual([
      { path: 'format', message: 'expected "autograd-studio/graph"' },
    ]);
    expect(issues(edited((d) => (d.version = 2)))).toEqual([
      { path: 'version', message: 'version 2 is newer than this engine understands (1)' },
    ]);
    expect(paths(edited((d) => (d.version = '1')))).toEqual(['version']);
    expect(paths(edited((d) => (d.version = 0)))).toEqual(['version']);
  });

  it('nodes, edges and meta of the wrong type', () => {
    expect(paths(edited((d) => (d.nodes = {} as never)))).toEqual(['nodes']);
    expect(paths(edited((d) => delete (d as Obj).edges))).toEqual(['edges']);
    expect(paths(edited((d) => (d.meta = 'name')))).toEqual(['meta']);
  });

  it('unknown top-level keys are accepted (the canvas keeps its view state there)', () => {
    const d = edited((x) => {
      x.view = { zoom: 1.5, x: 10, y: -3 };
      x.x_custom = [1, 2, 3];
      x.meta = { name: 'n', description: 'd', extra: true };
    });
    expect(issues(d)).toEqual([]);
    expect(runDocument(d).ok).toBe(true);
  });
});

describe('nodes', () => {
  it('a node that is not an object', () => {
    expect(paths(edited((d) => d.nodes.push(7 as never)))).toEqual(['nodes[3]']);
  });

  it('an unknown op', () => {
    expect(issues(edited((d) => (d.nodes[1]!.op = 'Softplus')))).toContainEqual({
      path: 'nodes[1].op',
      message: 'unknown op "Softplus"',
    });
    expect(paths(edited((d) => delete d.nodes[1]!.op))).toContain('nodes[1].op');
  });

  it('a duplicate id', () => {
    expect(issues(edited((d) => d.nodes.push(tensor('x'))))).toContainEqual({
      path: 'nodes[3].id',
      message: 'duplicate node id "x"',
    });
  });

  it('ids with bad characters or length', () => {
    for (const id of ['a.b', '', 'x y', 'é', 'a/b', 'x'.repeat(65), 42, null]) {
      expect(paths(edited((d) => (d.nodes[0]!.id = id))), JSON.stringify(id)).toContain('nodes[0].id');
    }
    expect(paths(edited((d) => d.nodes.push(tensor('A-z_0-9.'.replace('.', ''), [1]))))).toEqual([]);
    expect(paths(edited((d) => d.nodes.push(tensor('y'.repeat(64), [1]))))).toEqual([]);
  });

  it('position, label and retain_grad of the wrong type', () => {
    expect(paths(edited((d) => (d.nodes[0]!.position = { x: '1', y: 2 })))).toEqual(['nodes[0].position']);
    expect(paths(edited((d) => (d.nodes[0]!.label = 3)))).toEqual(['nodes[0].label']);
    expect(paths(edited((d) => (d.nodes[1]!.retain_grad = 'yes')))).toEqual(['nodes[1].retain_grad']);
  });
});

describe('edges', () => {
  it('an edge that is not an object', () => {
    expect(paths(edited((d) => d.edges.push('x->r' as never)))).toContain('edges[2]');
  });

  it('to or from a missing node', () => {
    expect(issues(edited((d) => (d.edges[0]!.source = 'ghost')))).toContainEqual({
      path: 'edges[0].source',
      message: 'no node with id "ghost"',
    });
    expect(paths(edited((d) => (d.edges[1]!.target = 'ghost')))).toContain('edges[1].target');
  });

  it('an unknown targetHandle, and a sourceHandle other than "out"', () => {
    expect(issues(edited((d) => (d.edges[0]!.targetHandle = 'other')))).toContainEqual({
      path: 'edges[0].targetHandle',
      message: 'ReLU has no input port "other" (ports: "input")',
    });
    expect(paths(edited((d) => (d.edges[0]!.sourceHandle = 'out2')))).toContain('edges[0].sourceHandle');
  });

  it('a port taken twice', () => {
    const d = edited((x) => {
      x.nodes.push(tensor('y'));
      x.edges.push(edge('y', 'r', 'input'));
    });
    expect(issues(d)).toContainEqual({
      path: 'edges[2].targetHandle',
      message: 'port "input" of r already has an edge',
    });
  });

  it('a required port left open', () => {
    const d = edited((x) => x.nodes.push(node('m', 'Mul')));
    expect(issues(d)).toEqual([
      { path: 'nodes[3]', message: 'required input port "a" of Mul is not connected' },
      { path: 'nodes[3]', message: 'required input port "b" of Mul is not connected' },
    ]);
  });

  it('a cycle is reported at an edge that closes it', () => {
    const d = edited((x) => {
      x.nodes.push(node('a', 'Add'));
      x.edges[0] = edge('a', 'r', 'input');
      x.edges.push(edge('s', 'a', 'a'), edge('x', 'a', 'b'));
    });
    const found = issues(d);
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toMatch(/^edges\[\d+\]$/);
    expect(found[0]!.message).toMatch(/closes a cycle/);
  });

  it('a self-loop is a cycle', () => {
    const d = doc([tensor('x'), node('a', 'Add')], [edge('x', 'a', 'a'), edge('a', 'a', 'b')]);
    expect(issues(d)).toEqual([{ path: 'edges[1]', message: 'edge a -> a closes a cycle' }]);
  });
});

describe('run', () => {
  const runIssues = (run: Json) => paths(edited((d) => (d.run = run as Obj)));

  it('bad run.backward', () => {
    expect(runIssues({ backward: 'ghost' })).toEqual(['run.backward']);
    expect(runIssues({ backward: 3 })).toEqual(['run.backward']);
    expect(runIssues('s')).toEqual(['run']);
  });

  it('bad iterations, zero_grad, update_no_grad and unknown fields', () => {
    for (const it of [0, -1, 1.5, '3', 100001])
      expect(runIssues({ backward: 's', iterations: it }), String(it)).toEqual(['run.iterations']);
    expect(runIssues({ zero_grad: 1 })).toEqual(['run.zero_grad']);
    expect(runIssues({ update_no_grad: 'no' })).toEqual(['run.update_no_grad']);
    expect(runIssues({ backwards: 's' })).toEqual(['run.backwards']);
  });

  it('run.mode is "train" (the default) or "eval"', () => {
    for (const mode of ['test', 'Train', true, null]) expect(runIssues({ mode }), String(mode)).toEqual(['run.mode']);
    expect(runIssues({ mode: 'eval' })).toEqual([]);
    const modeOf = (run: object) => {
      const r = validateDocument(doc([tensor('s', [1])], [], run as Obj));
      return r.ok ? r.doc.run.mode : null;
    };
    expect([modeOf({}), modeOf({ mode: 'eval' }), modeOf({ mode: 'train' })]).toEqual(['train', 'eval', 'train']);
  });

  it('an explicit null is not a default: iterations, zero_grad and feedback (build/torch/runner.py refuses them)', () => {
    expect(runIssues({ backward: 's', iterations: null })).toEqual(['run.iterations']);
    expect(runIssues({ backward: 's', zero_grad: null })).toEqual(['run.zero_grad']);
    expect(runIssues({ backward: 's', feedback: null })).toEqual(['run.feedback']);
  });

  it('bad feedback', () => {
    expect(runIssues({ feedback: {} })).toEqual(['run.feedback']);
    expect(runIssues({ feedback: [3] })).toEqual(['run.feedback[0]']);
    expect(runIssues({ feedback: [{ from: 'ghost', to: 'x' }] })).toEqual(['run.feedback[0].from']);
    expect(runIssues({ feedback: [{ from: 's', to: 'r' }] })).toEqual(['run.feedback[0].to']);
    expect(
      runIssues({
        feedback: [
          { from: 's', to: 'x' },
          { from: 'r', to: 'x' },
        ],
      }),
    ).toEqual(['run.feedback[1].to']);
  });

  it('a backward root computed after backward (depends on a Grad node) is refused by load', () => {
    const d = edited((x) => {
      x.nodes.push(node('g', 'Grad'), node('s2', 'Sum'));
      x.edges.push(edge('x', 'g', 'of'), edge('g', 's2', 'input'));
      x.run = { backward: 's2' };
    });
    expect(issues(d)).toEqual([]);
    const l = load(d);
    expect(l.ok).toBe(false);
    expect(!l.ok && l.issues.map((i) => i.path)).toEqual(['run.backward']);
  });
});

describe('never throws', () => {
  // JSON.parse accepts documents nested far deeper than JSON.stringify can print; a
  // message must not try to print such a value (found by the fuzzer).
  const deep = (depth: number): Json => {
    let v: Json = 1;
    for (let i = 0; i < depth; i++) v = [v];
    return v;
  };
  const places: [string, (d: Obj & { nodes: Obj[]; edges: Obj[]; run: Obj }, v: Json) => void][] = [
    ['nodes[1].op', (d, v) => (d.nodes[1]!.op = v)],
    ['nodes[1].id', (d, v) => (d.nodes[1]!.id = v)],
    ['edges[0].source', (d, v) => (d.edges[0]!.source = v)],
    ['edges[0].target', (d, v) => (d.edges[0]!.target = v)],
    ['edges[0].targetHandle', (d, v) => (d.edges[0]!.targetHandle = v)],
    ['run.backward', (d, v) => (d.run.backward = v)],
    ['run.feedback[0].from', (d, v) => (d.run.feedback = [{ from: v, to: 'x' }])],
    ['nodes[0].params.init', (d, v) => ((d.nodes[0]!.params as Obj).init = v)],
  ];
  for (const [where, put] of places) {
    it(`on a 100000-deep value at ${where}`, () => {
      const d = edited((x) => put(x, deep(100000)));
      let v: ReturnType<typeof validateDocument> | null = null;
      expect(() => (v = validateDocument(d))).not.toThrow();
      expect(v!.ok).toBe(false);
    });
  }
});

describe('several faults', () => {
  it('are all reported, each with its path', () => {
    const d = edited((x) => {
      x.nodes[1]!.op = 'Nope';
      x.nodes[0]!.params = { shape: [2, -3], bogus: 1 };
      x.nodes.push(tensor('x'));
    });
    // r has an unknown op: that is its one issue; the edges into and out of it are not reported again.
    expect(paths(d).sort()).toEqual(['nodes[0].params.bogus', 'nodes[0].params.shape', 'nodes[1].op', 'nodes[3].id']);
  });

  it('runDocument returns the issues instead of running', () => {
    const r = runDocument(edited((x) => (x.version = 9)));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues[0]!.path).toBe('version');
  });
});
