/**
 * Generates `docs/graph-format.schema.json`, the JSON Schema (draft 2020-12) of
 * a graph document (format version 1), from the op catalog
 * (`engine/protocol/ops.ts`) and the engine's limits, so the schema cannot fall
 * behind the ops:
 *
 *   npx tsx build/scripts/graph-schema.ts           write the file
 *   npx tsx build/scripts/graph-schema.ts --check   exit 1 if the committed file differs
 *
 * The schema accepts every document the engine's validator accepts and rejects
 * what can be decided locally (types, unknown ops, params and run fields, ids,
 * enums, init kinds). What needs the whole document (edges to existing nodes and
 * ports, duplicate ids, cycles, required ports, init length against the shape,
 * size budgets) is left to the engine. docs/graph-format.md has the details.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { OPS, type ParamKind, type ParamSpec } from '../../engine/protocol/ops';
import { FORMAT, VERSION } from '../../engine/protocol/format';
import { MAX_ITERATIONS, NODE_ID } from '../../engine/protocol/document';
import { MAX_RANK } from '../../engine/core/limits';
import { optimizerSchema } from './optimizer-schema';

type Schema = Record<string, unknown>;

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
/** Where the generated schema lives. */
export const SCHEMA_PATH = join(ROOT, 'docs', 'graph-format.schema.json');

/** Node ids, as engine/protocol/document.ts declares them for the engine and the app. */
export const ID_PATTERN = NODE_ID.source;

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` });
const int = (minimum?: number): Schema => (minimum === undefined ? { type: 'integer' } : { type: 'integer', minimum });
const pairOf = (minimum: number): Schema[] => [
  int(minimum),
  { type: 'array', items: int(minimum), minItems: 2, maxItems: 2 },
];
const id = (description: string): Schema => ({ type: 'string', pattern: ID_PATTERN, description });

/** The value schema of each parameter kind (see ParamKind in engine/protocol/ops.ts). */
function kindSchema(p: ParamSpec): Schema {
  const k: ParamKind = p.kind;
  switch (k) {
    case 'int':
      return int(0);
    case 'posint':
      return int(1);
    case 'int2':
      return { anyOf: pairOf(1) };
    case 'int2nn':
      return { anyOf: pairOf(0) };
    case 'int2|null':
      return { anyOf: [{ type: 'null' }, ...pairOf(1)] };
    case 'conv_padding':
      return { anyOf: [...pairOf(0), { enum: ['same', 'valid'] }] };
    case 'bool':
      return { type: 'boolean' };
    case 'number':
      return { type: 'number' };
    case 'number|null':
      return { type: ['number', 'null'] };
    case 'integer|null':
      return { type: ['integer', 'null'] };
    case 'integer':
    case 'dim':
      return int();
    case 'dim|null':
      return { type: ['integer', 'null'] };
    case 'dims|null':
      return { anyOf: [{ type: 'null' }, int(), { type: 'array', items: int(), maxItems: MAX_RANK }] };
    case 'dims':
      return { type: 'array', items: int(), maxItems: MAX_RANK };
    case 'output_size':
      return { anyOf: [int(), { type: 'array', items: { type: ['integer', 'null'] }, minItems: 2, maxItems: 2 }] };
    case 'shape':
      return { type: 'array', items: int(0), maxItems: MAX_RANK };
    case 'reshape':
      return {
        type: 'array',
        items: int(-1),
        maxItems: MAX_RANK,
        contains: { const: -1 },
        minContains: 0,
        maxContains: 1,
      };
    case 'dtype':
      return { enum: ['float32', 'int64'] };
    case 'enum':
      return { enum: [...p.values!] };
    case 'mean_std|null':
      return {
        anyOf: [
          { type: 'null' },
          {
            type: 'object',
            properties: { mean: { type: 'number' }, std: { type: 'number', exclusiveMinimum: 0 } },
            required: ['mean', 'std'],
            additionalProperties: false,
          },
        ],
      };
    case 'init':
      return ref('init');
    case 'param_init':
      return ref('paramInit');
  }
}

function paramSchema(p: ParamSpec): Schema {
  const s: Schema = { description: p.doc, ...kindSchema(p) };
  if (p.default !== undefined) s.default = p.default;
  return s;
}

/** The `params` object of one op: its params only, required ones required. */
function paramsSchema(op: (typeof OPS)[number]): Schema {
  const ports = op.ports.map((q) => (q.optional ? `${q.name} (optional)` : q.name)).join(', ') || 'none';
  const s: Schema = {
    title: `${op.op} params`,
    description: `${op.doc} PyTorch: ${op.torch}. Input ports: ${ports}.`,
    type: 'object',
    properties: Object.fromEntries(op.params.map((p) => [p.name, paramSchema(p)])),
    additionalProperties: false,
  };
  const required = op.params.filter((p) => p.default === undefined).map((p) => p.name);
  if (required.length > 0) s.required = required;
  if (op.op === 'Tensor') {
    // An int64 tensor's `values` must be integers.
    s.if = { type: 'object', required: ['dtype'], properties: { dtype: { const: 'int64' } } };
    s.then = { type: 'object', properties: { init: ref('integerValues') } };
  }
  return s;
}

/** One `if op is X then params is X's params` rule per op. */
function opRule(op: (typeof OPS)[number]): Schema {
  const then: Schema = { type: 'object', properties: { params: ref(`params_${op.op}`) } };
  if (op.params.some((p) => p.default === undefined)) then.required = ['params'];
  return { if: { type: 'object', required: ['op'], properties: { op: { const: op.op } } }, then };
}

const INIT_KINDS: Record<string, { fields: Record<string, Schema>; required: string[]; description: string }> = {
  values: {
    fields: { data: { type: 'array', items: { type: 'number' }, description: 'flat, row-major values' } },
    required: ['data'],
    description: 'explicit values, one per element in row-major order',
  },
  zeros: { fields: {}, required: [], description: 'all 0' },
  ones: { fields: {}, required: [], description: 'all 1' },
  full: { fields: { value: { type: 'number' } }, required: ['value'], description: 'every element equal to value' },
  arange: {
    fields: { start: { type: 'number', default: 0 }, step: { type: 'number', default: 1 } },
    required: [],
    description: 'start + i * step for element i',
  },
  rand: { fields: { seed: int() }, required: ['seed'], description: 'uniform in [0, 1), seeded (engine generator)' },
  randn: { fields: { seed: int() }, required: ['seed'], description: 'standard normal, seeded (engine generator)' },
  randint: {
    fields: { low: { ...int(), default: 0 }, high: int(), seed: int() },
    required: ['high', 'seed'],
    description: 'integers in [low, high), seeded (engine generator); high > low',
  },
};

function initSchema(): Schema {
  const kinds = Object.keys(INIT_KINDS);
  return {
    title: 'init',
    description: `How a tensor gets its initial values: {"kind": ${kinds.map((k) => `"${k}"`).join(' | ')}, ...}.`,
    type: 'object',
    required: ['kind'],
    properties: { kind: { enum: kinds } },
    allOf: Object.entries(INIT_KINDS).map(([kind, k]) => {
      const then: Schema = {
        description: k.description,
        type: 'object',
        properties: { kind: true, ...k.fields },
        additionalProperties: false,
      };
      if (k.required.length > 0) then.required = k.required;
      // Without `low`, high must exceed its default 0.
      if (kind === 'randint') {
        then.if = { type: 'object', properties: { low: false } };
        then.then = { type: 'object', properties: { high: { type: 'number', exclusiveMinimum: 0 } } };
      }
      return { if: { type: 'object', required: ['kind'], properties: { kind: { const: kind } } }, then };
    }),
  };
}

/** The JSON Schema of a graph document, as an object. */
export function graphSchema(): Schema {
  const ports = [...new Set(OPS.flatMap((o) => o.ports.map((q) => q.name)))];
  const params = Object.fromEntries(OPS.map((o) => [`params_${o.op}`, paramsSchema(o)]));
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `Autograd Studio graph document (format version ${VERSION})`,
    description:
      'A computation graph for Autograd Studio: nodes (PyTorch ops), edges into their input ports and how to run it. ' +
      'Generated from the op catalog by build/scripts/graph-schema.ts; the reference is docs/graph-format.md. ' +
      'Checks what can be decided locally; the engine also checks that edges and run fields name existing nodes ' +
      'and ports, unique ids, no cycles, wired required ports, init sizes and the size budget.',
    type: 'object',
    required: ['format', 'version', 'nodes', 'edges'],
    properties: {
      $schema: { type: 'string', description: 'Optional: the schema this document follows (ignored by the engine).' },
      format: { const: FORMAT, description: 'Identifies the file as a graph document.' },
      version: { const: VERSION, description: 'Format version; readers refuse other versions.' },
      meta: {
        type: 'object',
        description: 'Free-form metadata; the app shows name and description. Any other keys are kept.',
        properties: {
          name: { description: 'Display name (a string).' },
          description: { description: 'One-paragraph description (a string).' },
        },
      },
      nodes: {
        type: 'array',
        items: ref('node'),
        description: 'The ops, in document order (the tie-break of the execution order).',
      },
      edges: { type: 'array', items: ref('edge'), description: "Connections from a node's output to an input port." },
      run: ref('run'),
      view: { description: 'Canvas view state ({"x", "y", "zoom"}), written by the app and ignored by the engine.' },
    },
    additionalProperties: true,
    $defs: {
      node: {
        title: 'node',
        type: 'object',
        required: ['id', 'op'],
        properties: {
          id: id(
            'Unique; 1 to 64 characters of A-Z a-z 0-9 _ - (no ".": it separates a node from its parameters, conv1.weight).',
          ),
          op: { enum: OPS.map((o) => o.op), description: 'The op (PyTorch names).' },
          params: { type: 'object', description: "The op's parameters, PyTorch's names and defaults." },
          position: {
            type: 'object',
            required: ['x', 'y'],
            properties: { x: { type: 'number' }, y: { type: 'number' } },
            description: 'Canvas position; ignored by the engine.',
          },
          label: { type: 'string', description: 'Display name on the canvas.' },
          retain_grad: {
            type: 'boolean',
            default: false,
            description: "Calls retain_grad() on the node's output, so a non-leaf keeps its .grad.",
          },
        },
        allOf: OPS.map(opRule),
      },
      edge: {
        title: 'edge',
        type: 'object',
        required: ['source', 'target'],
        properties: {
          source: id('The node whose output the edge carries.'),
          sourceHandle: {
            type: ['string', 'null'],
            default: 'out',
            description: 'The output the edge carries: "out", or a Dataset\'s "images" or "labels".',
          },
          target: id('The node that receives it.'),
          targetHandle: {
            enum: [...ports, null],
            description: "The target's input port; may be left out when the target op has exactly one port.",
          },
        },
      },
      run: {
        title: 'run',
        type: 'object',
        description: 'How to run the graph; without it, one forward-only iteration.',
        properties: {
          backward: {
            type: ['string', 'null'],
            pattern: ID_PATTERN,
            default: null,
            description: 'The node whose output .backward() is called on each iteration (null: forward only).',
          },
          iterations: { type: 'integer', minimum: 1, maximum: MAX_ITERATIONS, default: 1 },
          feedback: {
            type: 'array',
            default: [],
            description: "Each pair hands node from's output to Tensor node to for the next iteration.",
            items: {
              type: 'object',
              required: ['from', 'to'],
              properties: { from: id('Any node.'), to: id('A Tensor node (at most one feedback each).') },
            },
          },
          zero_grad: {
            type: 'boolean',
            default: false,
            description: 'Sets the .grad of parameters and Tensor leaves to None at the start of every iteration.',
          },
          update_no_grad: {
            type: 'boolean',
            default: false,
            description: 'Extension: runs the update phase (nodes after a Grad node) under torch.no_grad().',
          },
          mode: {
            enum: ['train', 'eval'],
            default: 'train',
            description: 'model.train() or model.eval(): what BatchNorm2d and Dropout do.',
          },
          optimizer: optimizerSchema(),
        },
        additionalProperties: false,
      },
      init: initSchema(),
      integerValues: {
        description: 'An int64 tensor: values data must be integers.',
        if: { type: 'object', required: ['kind'], properties: { kind: { const: 'values' } } },
        then: { type: 'object', properties: { data: { type: 'array', items: { type: 'integer' } } } },
      },
      paramInit: {
        title: 'parameter init',
        description: "Initial values of a layer's own weight and bias (default: PyTorch's kaiming-uniform init).",
        type: 'object',
        properties: { weight: ref('init'), bias: ref('init') },
        additionalProperties: false,
      },
      ...params,
    },
  };
}

/** The schema file's text: the schema formatted by the repository's prettier settings. */
export async function graphSchemaText(): Promise<string> {
  const options = (await prettier.resolveConfig(SCHEMA_PATH)) ?? {};
  return prettier.format(JSON.stringify(graphSchema()), { ...options, parser: 'json' });
}

async function main(argv: string[]): Promise<void> {
  const text = await graphSchemaText();
  if (argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(SCHEMA_PATH, 'utf8');
    } catch {
      // missing: differs
    }
    if (old !== text) {
      process.stderr.write(`${SCHEMA_PATH} is out of date: run npx tsx build/scripts/graph-schema.ts\n`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(SCHEMA_PATH, text);
  process.stdout.write(`${SCHEMA_PATH}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) await main(process.argv.slice(2));
