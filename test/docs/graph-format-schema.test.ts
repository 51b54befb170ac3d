/**
 * The JSON Schema of the graph document (docs/graph-format.schema.json), checked
 * with ajv against the engine's own validator (engine/graph `load`, what the CLI
 * runs):
 *   - the committed file is the generator's output (build/scripts/graph-schema.ts);
 *   - every bundled example, every fixture and every document shown in the docs passes;
 *   - documents broken on purpose fail, at the JSON path of the fault, and the
 *     engine refuses them too; odd documents the engine accepts pass;
 *   - over seeded mutations of every fixture (test/helpers/mutate.ts): whatever the
 *     engine accepts passes the schema, and whatever the engine refuses for a reason
 *     the schema decides (a type, an unknown op, param or run field, an id, an enum,
 *     an init kind) fails it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { load } from '../../engine/graph/index';
import { OPS } from '../../engine/protocol/ops';
import { graphSchemaText, SCHEMA_PATH } from '../../build/scripts/graph-schema';
import { allFixtureDocuments, LOCAL_PARITY_DIR, readJson, REFERENCE_PARITY_DIR, REPO_ROOT } from '../helpers/fixtures';
import { MUTATORS, type Doc } from '../helpers/mutate';
import { Rng } from '../helpers/random';

const schemaText = readFileSync(SCHEMA_PATH, 'utf8');
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(JSON.parse(schemaText) as object);
const EXAMPLES_DIR = join(REPO_ROOT, 'renderer', 'examples');

/** The schema's verdict: null when valid, else its errors as `path: message` lines. */
function schemaErrors(doc: unknown): string[] | null {
  if (validate(doc)) return null;
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}

/** The engine's verdict (the CLI's validation): its issues, empty when it accepts the document. */
function engineIssues(doc: unknown): { path: string; message: string }[] {
  const l = load(doc);
  return l.ok ? [] : l.issues;
}

const graphFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.graph.json'))
    .sort()
    .map((f) => join(dir, f));

/** The ```json blocks of a Markdown file that are whole graph documents (they have "format"). */
function documentsIn(file: string): { where: string; doc: unknown }[] {
  const text = readFileSync(file, 'utf8');
  const out: { where: string; doc: unknown }[] = [];
  for (const m of text.matchAll(/```json\n([\s\S]*?)```/g)) {
    const line = text.slice(0, m.index).split('\n').length;
    let doc: unknown;
    try {
      doc = JSON.parse(m[1]!);
    } catch (e) {
      throw new Error(`${file}:${line}: a json block that is not JSON (${(e as Error).message})`);
    }
    if (typeof doc === 'object' && doc !== null && 'format' in doc) out.push({ where: `${file}:${line}`, doc });
  }
  return out;
}

describe('docs/graph-format.schema.json', () => {
  it('is the output of build/scripts/graph-schema.ts (regenerate with npx tsx build/scripts/graph-schema.ts)', async () => {
    expect(schemaText).toBe(await graphSchemaText());
  });

  it('is draft 2020-12 and names every op of the catalog', () => {
    const schema = JSON.parse(schemaText) as {
      $schema: string;
      $defs: { node: { properties: { op: { enum: string[] } } } };
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$defs.node.properties.op.enum).toContain('CrossEntropyLoss');
    expect(schema.$defs.node.properties.op.enum).toEqual(OPS.map((o) => o.op));
  });
});

describe('documents that must pass', () => {
  const sets: [string, string[]][] = [
    ['renderer/examples', graphFiles(EXAMPLES_DIR)],
    ['test/fixtures/reference', graphFiles(REFERENCE_PARITY_DIR)],
    ['test/fixtures/parity', graphFiles(LOCAL_PARITY_DIR)],
  ];
  for (const [name, files] of sets) {
    it(`every document of ${name} (${files.length})`, () => {
      expect(files.length).toBeGreaterThan(5);
      const failed = files.map((f) => ({ f, errors: schemaErrors(readJson(f)) })).filter((r) => r.errors !== null);
      expect(failed).toEqual([]);
    });
  }

  it('every document shown in docs/ and README.md, which the engine also accepts', () => {
    const files = [
      join(REPO_ROOT, 'README.md'),
      ...readdirSync(join(REPO_ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join(REPO_ROOT, 'docs', f)),
    ];
    const docs = files.flatMap(documentsIn);
    expect(docs.length).toBeGreaterThanOrEqual(2);
    for (const { where, doc } of docs) {
      expect(schemaErrors(doc), where).toBeNull();
      expect(engineIssues(doc), where).toEqual([]);
    }
  });
});

describe('docs/graph-format.md', () => {
  const text = readFileSync(join(REPO_ROOT, 'docs', 'graph-format.md'), 'utf8');
  const rows = text.split('\n').filter((l) => l.startsWith('| `'));

  for (const op of OPS) {
    it(`its op table has ${op.op} with every port and param of the catalog`, () => {
      const row = rows.find((r) => r.split('|')[1]!.includes(`\`${op.op}\``));
      expect(row, `no table row for ${op.op}`).toBeDefined();
      const [, , ports, params] = row!.split('|');
      for (const p of op.ports)
        expect(ports, `${op.op} port ${p.name}`).toContain(`\`${p.name}\`${p.optional ? '?' : ''}`);
      for (const p of op.params) expect(params, `${op.op} param ${p.name}`).toContain(`\`${p.name}\``);
    });
  }
});

/** A small valid document with every part of the format: the adversarial loop example. */
const BASE = readJson(join(EXAMPLES_DIR, 'adversarial_loop_detached.graph.json')) as Doc;
const nodeOf = (d: Doc, id: string): Doc => (d.nodes as Doc[]).find((n) => n.id === id)!;

/** [what, edit of a copy of BASE, the instancePath the schema reports]. */
const BROKEN: [string, (d: Doc) => void, string][] = [
  ['missing format', (d) => delete d.format, ''],
  ['another format', (d) => (d.format = 'autograd-studio/graph2'), '/format'],
  ['version 2', (d) => (d.version = 2), '/version'],
  ['version as a string', (d) => (d.version = '1'), '/version'],
  ['no edges', (d) => delete d.edges, ''],
  ['nodes as an object', (d) => (d.nodes = {}), '/nodes'],
  ['meta as a string', (d) => (d.meta = 'adversarial'), '/meta'],
  ['a node without id', (d) => delete nodeOf(d, 'conv').id, '/nodes/4'],
  ['an id with a dot', (d) => (nodeOf(d, 'conv').id = 'conv.1'), '/nodes/4/id'],
  ['an id of 65 characters', (d) => (nodeOf(d, 'conv').id = 'c'.repeat(65)), '/nodes/4/id'],
  ['an empty id', (d) => (nodeOf(d, 'conv').id = ''), '/nodes/4/id'],
  ['a node without op', (d) => delete nodeOf(d, 'pool').op, '/nodes/5'],
  ['an unknown op', (d) => (nodeOf(d, 'pool').op = 'MaxPool3d'), '/nodes/5/op'],
  ['an op in the wrong case', (d) => (nodeOf(d, 'flat').op = 'flatten'), '/nodes/6/op'],
  ['params as an array', (d) => (nodeOf(d, 'pool').params = [2]), '/nodes/5/params'],
  ['a param of the wrong type', (d) => (nodeOf(d, 'pool').params.kernel_size = '2'), '/nodes/5/params/kernel_size'],
  ['kernel_size 0', (d) => (nodeOf(d, 'pool').params.kernel_size = 0), '/nodes/5/params/kernel_size'],
  ['kernel_size of three', (d) => (nodeOf(d, 'pool').params.kernel_size = [2, 2, 2]), '/nodes/5/params/kernel_size'],
  ['a fractional channel count', (d) => (nodeOf(d, 'conv').params.out_channels = 2.5), '/nodes/4/params/out_channels'],
  ['an unknown param', (d) => (nodeOf(d, 'conv').params.padding_mod = 'zeros'), '/nodes/4/params'],
  ['a param of another op', (d) => (nodeOf(d, 'flat').params.dim = 1), '/nodes/6/params'],
  ['a missing required param', (d) => delete nodeOf(d, 'fc').params.in_features, '/nodes/7/params'],
  ['a Tensor without params', (d) => delete nodeOf(d, 'alpha').params, '/nodes/9'],
  ['an unknown enum value', (d) => (nodeOf(d, 'conv').params.padding_mode = 'mirror'), '/nodes/4/params/padding_mode'],
  ['padding "full"', (d) => (nodeOf(d, 'conv').params.padding = 'full'), '/nodes/4/params/padding'],
  ['a reduction in capitals', (d) => (nodeOf(d, 'loss').params.reduction = 'MEAN'), '/nodes/8/params/reduction'],
  ['dtype float64', (d) => (nodeOf(d, 'alpha').params.dtype = 'float64'), '/nodes/9/params/dtype'],
  ['a negative shape', (d) => (nodeOf(d, 'target').params.shape = [-1]), '/nodes/2/params/shape/0'],
  [
    'a shape of rank 9',
    (d) => (nodeOf(d, 'target').params.shape = [1, 1, 1, 1, 1, 1, 1, 1, 1]),
    '/nodes/2/params/shape',
  ],
  ['an unknown init kind', (d) => (nodeOf(d, 'alpha').params.init = { kind: 'uniform' }), '/nodes/9/params/init/kind'],
  [
    'an init field of another kind',
    (d) => (nodeOf(d, 'alpha').params.init = { kind: 'zeros', seed: 1 }),
    '/nodes/9/params/init',
  ],
  ['values without data', (d) => (nodeOf(d, 'alpha').params.init = { kind: 'values' }), '/nodes/9/params/init'],
  ['a string in values', (d) => (nodeOf(d, 'alpha').params.init.data = ['0.05']), '/nodes/9/params/init/data/0'],
  ['a fraction in int64 values', (d) => (nodeOf(d, 'target').params.init.data = [1.5]), '/nodes/2/params/init/data/0'],
  ['randn without seed', (d) => (nodeOf(d, 'alpha').params.init = { kind: 'randn' }), '/nodes/9/params/init'],
  [
    'randint with high 0',
    (d) => (nodeOf(d, 'target').params.init = { kind: 'randint', high: 0, seed: 1 }),
    '/nodes/2/params/init/high',
  ],
  [
    'a layer init key other than weight/bias',
    (d) => (nodeOf(d, 'fc').params.init.scale = { kind: 'ones' }),
    '/nodes/7/params/init',
  ],
  ['a bad layer init', (d) => (nodeOf(d, 'fc').params.init.bias = { kind: 'full' }), '/nodes/7/params/init/bias'],
  ['position without y', (d) => (nodeOf(d, 'fc').position = { x: 1 }), '/nodes/7/position'],
  ['a numeric label', (d) => (nodeOf(d, 'fc').label = 7), '/nodes/7/label'],
  ['retain_grad as a string', (d) => (nodeOf(d, 'fc').retain_grad = 'true'), '/nodes/7/retain_grad'],
  ['an edge without source', (d) => delete (d.edges as Doc[])[0]!.source, '/edges/0'],
  // which names exist is the op's (a Dataset has two outputs): the engine checks them, the schema their type
  ['a numeric sourceHandle', (d) => ((d.edges as Doc[])[0]!.sourceHandle = 2), '/edges/0/sourceHandle'],
  ['a port no op has', (d) => ((d.edges as Doc[])[0]!.targetHandle = 'x'), '/edges/0/targetHandle'],
  ['run as an array', (d) => (d.run = []), '/run'],
  ['an unknown field of run', (d) => (d.run.iteration = 3), '/run'],
  ['zero iterations', (d) => (d.run.iterations = 0), '/run/iterations'],
  ['too many iterations', (d) => (d.run.iterations = 100_001), '/run/iterations'],
  ['iterations as a string', (d) => (d.run.iterations = '3'), '/run/iterations'],
  ['zero_grad as a number', (d) => (d.run.zero_grad = 1), '/run/zero_grad'],
  ['update_no_grad as a string', (d) => (d.run.update_no_grad = 'yes'), '/run/update_no_grad'],
  ['feedback as an object', (d) => (d.run.feedback = { from: 'detached', to: 'delta' }), '/run/feedback'],
  ['feedback without to', (d) => delete d.run.feedback[0].to, '/run/feedback/0'],
  ['backward as a list', (d) => (d.run.backward = ['loss']), '/run/backward'],
];

describe('documents broken on purpose', () => {
  it('the base document is valid for both', () => {
    expect(schemaErrors(BASE)).toBeNull();
    expect(engineIssues(BASE)).toEqual([]);
  });

  for (const [what, edit, path] of BROKEN) {
    it(`${what}: the schema fails at ${path || '/'}, and the engine refuses it too`, () => {
      const d = structuredClone(BASE);
      edit(d);
      const errors = schemaErrors(d);
      expect(errors).not.toBeNull();
      expect(validate.errors!.map((e) => e.instancePath)).toContain(path);
      expect(engineIssues(d)).not.toEqual([]);
    });
  }
});

/** Documents the engine accepts although they look odd: the schema must accept them too. */
const ODD_BUT_VALID: [string, (d: Doc) => void][] = [
  [
    'unknown top-level keys (kept on round trip)',
    (d) => Object.assign(d, { $schema: '../docs/graph-format.schema.json', notes: [1, 2] }),
  ],
  ['a canvas view', (d) => (d.view = { x: -10, y: 4, zoom: 0.5 })],
  ['no meta, no run', (d) => (delete d.meta, delete d.run)],
  ['meta with other keys', (d) => (d.meta = { name: 'x', author: 'me', tags: ['a'] })],
  ['unknown keys in nodes and edges', (d) => ((nodeOf(d, 'fc').color = 'red'), ((d.edges as Doc[])[0]!.style = {}))],
  [
    'an edge without targetHandle into a one-port op',
    (d) => delete (d.edges as Doc[]).find((e) => e.target === 'pool')!.targetHandle,
  ],
  [
    'targetHandle null into a one-port op',
    (d) => ((d.edges as Doc[]).find((e) => e.target === 'flat')!.targetHandle = null),
  ],
  ['an edge without sourceHandle', (d) => delete (d.edges as Doc[])[0]!.sourceHandle],
  ['backward null', (d) => (d.run.backward = null)],
  ['an empty run', (d) => (d.run = {})],
  ['every run field', (d) => Object.assign(d.run, { iterations: 100_000, zero_grad: true, update_no_grad: true })],
  ['ReLU in place', (d) => Object.assign(nodeOf(d, 'sign'), { op: 'ReLU', params: { inplace: true } })],
  ['params left out where none are required', (d) => delete nodeOf(d, 'flat').params],
  [
    'pairs, "same" and defaults written out',
    (d) =>
      Object.assign(nodeOf(d, 'conv').params, {
        kernel_size: [3, 3],
        padding: 'same',
        stride: 1,
        dilation: [1, 1],
        padding_mode: 'circular',
        requires_grad: false,
      }),
  ],
  ['a pool stride null', (d) => (nodeOf(d, 'pool').params.stride = null)],
  [
    'an init with every arange field',
    (d) => (nodeOf(d, 'alpha').params.init = { kind: 'arange', start: 0.5, step: -1 }),
  ],
  ['randint with low', (d) => (nodeOf(d, 'target').params.init = { kind: 'randint', low: -3, high: -1, seed: 7 })],
  ['integral floats in int64 values', (d) => (nodeOf(d, 'target').params.init.data = [2.0])],
  ['a layer init of weight only', (d) => (nodeOf(d, 'fc').params.init = { weight: { kind: 'ones' } })],
  [
    'retain_grad, label and position',
    (d) => Object.assign(nodeOf(d, 'fc'), { retain_grad: true, label: 'classifier', position: { x: 1.5, y: -2 } }),
  ],
  ['feedback items with extra keys', (d) => (d.run.feedback[0].note = 'detached copy')],
  ['an empty graph', (d) => Object.assign(d, { nodes: [], edges: [], run: {} })],
];

describe('odd documents the engine accepts', () => {
  for (const [what, edit] of ODD_BUT_VALID) {
    it(`${what}: both accept`, () => {
      const d = structuredClone(BASE);
      edit(d);
      expect(engineIssues(d)).toEqual([]);
      expect(schemaErrors(d)).toBeNull();
    });
  }
});

/**
 * Engine issues that need more than one place of the document (references between
 * nodes, ports of the target's op, counts, budgets) or a comparison the schema does
 * not make: the schema need not catch these. Every other issue it must catch.
 */
const BEYOND_SCHEMA = [
  /duplicate node id/,
  /no node with id/,
  /has no input port/,
  /already has an edge/,
  /required input port/,
  /closes a cycle/,
  /expected the id of a Tensor node/,
  /already receives feedback/,
  /depends on a Grad node/,
  /budget/,
  /values for the shape/,
  /expected high > low/,
  /optimizer got an empty parameter list/, // no node left whose parameters require grad
];

// deep-nesting is left out: a 100,000-deep value does not survive JSON.stringify.
const KINDS = Object.keys(MUTATORS).filter((k) => k !== 'deep-nesting');
const PER_KIND = 60;

describe('the schema agrees with the engine on mutated fixtures', () => {
  const seeds = allFixtureDocuments();
  const tally = { accepted: 0, decided: 0, beyond: 0 };

  for (const kind of KINDS) {
    it(`${kind}: ${PER_KIND} mutations`, () => {
      const rng = new Rng(`schema:${kind}`);
      const faults: string[] = [];
      for (let i = 0; i < PER_KIND; i++) {
        const seed = seeds[(i * 11 + kind.length) % seeds.length]!;
        const m = structuredClone(seed.doc) as Doc;
        const what = MUTATORS[kind]!(m, rng);
        // Through JSON text, as a file would be (NaN becomes null, undefined disappears).
        const d = JSON.parse(JSON.stringify(m)) as unknown;
        const issues = engineIssues(d);
        const errors = schemaErrors(d);
        const decided = issues.filter((x) => !BEYOND_SCHEMA.some((re) => re.test(x.message)));
        if (issues.length === 0) {
          tally.accepted++;
          if (errors)
            faults.push(
              `${seed.name}: ${what}: the engine accepts it, the schema says ${errors.slice(0, 3).join('; ')}`,
            );
        } else if (decided.length > 0) {
          tally.decided++;
          if (!errors)
            faults.push(
              `${seed.name}: ${what}: the engine says ${decided[0]!.path}: ${decided[0]!.message}; the schema accepts it`,
            );
        } else tally.beyond++;
      }
      expect(faults).toEqual([]);
    });
  }

  it('saw documents of every outcome', () => {
    // The mutators give all three outcomes many times; a test that never compared would pass vacuously.
    process.stdout.write(`schema vs engine over ${KINDS.length * PER_KIND} mutations: ${JSON.stringify(tally)}\n`);
    expect(tally.accepted).toBeGreaterThan(50);
    expect(tally.decided).toBeGreaterThan(200);
    expect(tally.beyond).toBeGreaterThan(20);
  });
});
