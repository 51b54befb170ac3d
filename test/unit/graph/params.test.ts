/**
 * Parameter validation: for every op of the catalog and every one of its
 * parameters, values of the wrong kind are reported at
 * `nodes[i].params.<name>` with a message, and validation never throws.
 */
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../../../engine/graph/index';
import { checkInit, checkParam } from '../../../engine/ops/params';
import { OPS, type OpSpec, type ParamKind } from '../../../engine/protocol/ops';
import { doc, edge, node, tensor, type Json, type Obj } from '../../helpers/docs';

/** Valid values for the required parameters of each op. */
const REQUIRED: Record<string, Obj> = {
  Tensor: { shape: [1, 1, 4, 4] },
  Conv2d: { in_channels: 1, out_channels: 1, kernel_size: 3 },
  BatchNorm2d: { num_features: 1 },
  MaxPool2d: { kernel_size: 2 },
  AvgPool2d: { kernel_size: 2 },
  Linear: { in_features: 4, out_features: 2 },
  Reshape: { shape: [16] },
  Transpose: { dim0: 0, dim1: 1 },
  Permute: { dims: [0, 1, 2, 3] },
  AdaptiveAvgPool2d: { output_size: 2 },
  Pow: { exponent: 2 },
};

/** Values that are not of each kind (each must be refused). */
const BAD: Record<ParamKind, Json[]> = {
  int: [-1, 1.5, '1', null, true],
  posint: [0, -1, 1.5, '2', null, [1]],
  int2: [0, -1, 1.5, [1], [1, 2, 3], [1, 0], [2, 1.5], 'x', null],
  int2nn: [-1, 0.5, [1, -1], [1], 'x', null],
  'int2|null': [0, [0, 1], [1], 'x', 2.5],
  conv_padding: [-1, 'full', [1, -1], [1], 1.5, null],
  bool: [1, 0, 'true', null, []],
  number: ['1', null, [], {}, true],
  'number|null': ['1', [], {}, true],
  'integer|null': [1.5, '3', [1], true],
  integer: [0.5, 1.5, '1', null, [0]],
  dim: [1.5, '1', null, [0]],
  'dim|null': [1.5, '0', [0]],
  'dims|null': [1.5, '0', [0, '1'], [0.5], [0, 1, 2, 3, 4, 5, 6, 7, 8]],
  dims: [null, 0, 1.5, '0', [0, '1'], [0.5], [0, 1, 2, 3, 4, 5, 6, 7, 8]],
  output_size: [null, 1.5, '2', [2], [2, 2, 2], [2, 1.5], [null, '1'], {}],
  shape: [[-1], [1.5], 'x', 3, [1, 1, 1, 1, 1, 1, 1, 1, 1], [100000, 100000, 100], null],
  reshape: [[-2], [-1, -1], [1.5], 'x', 4, [1, 1, 1, 1, 1, 1, 1, 1, 1]],
  dtype: ['float64', 'int32', 1, null],
  enum: ['bogus', 1, null, ''],
  init: [42, 'zeros', null, [], { kind: 'nope' }, { kind: 'values' }, { kind: 'full' }, { kind: 'zeros', extra: 1 }],
  param_init: [42, 'x', [], { foo: { kind: 'zeros' } }, { weight: { kind: 'nope' } }, { bias: 3 }],
  'mean_std|null': [
    0,
    'x',
    [0.5, 0.5],
    {},
    { mean: 0 },
    { mean: 0, std: 0 },
    { mean: 0, std: 1, x: 1 },
    { mean: '0', std: 1 },
  ],
};

/** A minimal valid document holding one node `n` of `spec`, every required port wired from `x`. */
function withOp(spec: OpSpec, params: Obj): Obj {
  if (spec.op === 'Tensor') return doc([node('n', 'Tensor', params)]);
  const edges = spec.ports.filter((p) => !p.optional).map((p) => edge('x', 'n', p.name));
  return doc([tensor('x', [1, 1, 4, 4]), node('n', spec.op, params)], edges);
}

const indexOfN = (spec: OpSpec) => (spec.op === 'Tensor' ? 0 : 1);

describe('every op has a valid minimal document', () => {
  for (const spec of OPS) {
    it(spec.op, () => {
      const v = validateDocument(withOp(spec, { ...(REQUIRED[spec.op] ?? {}) }));
      expect(v.issues).toEqual([]);
      expect(v.ok).toBe(true);
    });
  }
});

describe('bad values of every parameter of every op are reported at their JSON path', () => {
  for (const spec of OPS) {
    for (const p of spec.params) {
      it(`${spec.op}.${p.name} (${p.kind})`, () => {
        for (const bad of BAD[p.kind]) {
          const params = { ...(REQUIRED[spec.op] ?? {}), [p.name]: bad };
          const v = validateDocument(withOp(spec, params));
          const at = `nodes[${indexOfN(spec)}].params.${p.name}`;
          expect(v.ok, `${JSON.stringify(bad)} accepted for ${spec.op}.${p.name}`).toBe(false);
          const issue = v.issues.find(
            (i) => i.path === at || i.path.startsWith(`${at}.`) || i.path.startsWith(`${at}[`),
          );
          expect(issue, `${JSON.stringify(bad)} for ${at}: ${JSON.stringify(v.issues)}`).toBeDefined();
          expect(issue!.message.length).toBeGreaterThan(0);
          expect(issue!.node).toBe('n');
        }
      });
    }
  }
});

describe('parameter messages', () => {
  const one = (spec: OpSpec, params: Obj) => validateDocument(withOp(spec, params)).issues[0];
  const op = (name: string) => OPS.find((o) => o.op === name)!;

  it('a missing required parameter', () => {
    expect(one(op('Conv2d'), { in_channels: 1, out_channels: 1 })).toEqual({
      path: 'nodes[1].params.kernel_size',
      message: 'required parameter of Conv2d is missing',
      node: 'n',
    });
  });

  it('an unknown parameter', () => {
    expect(one(op('ReLU'), { inplace: false, alpha: 1 })).toEqual({
      path: 'nodes[1].params.alpha',
      message: 'unknown parameter of ReLU',
      node: 'n',
    });
  });

  it("kernel_size (the spec's CLI example)", () => {
    expect(one(op('Conv2d'), { ...REQUIRED.Conv2d, kernel_size: 0 })!.message).toBe(
      'expected a positive integer or a pair',
    );
  });

  it("an unknown padding string, with PyTorch's text", () => {
    expect(one(op('Conv2d'), { ...REQUIRED.Conv2d, padding: 'full' })!.message).toBe(
      "Invalid padding string 'full', should be one of {'same', 'valid'}",
    );
  });

  it('an oversize shape names the budget', () => {
    const i = one(op('Tensor'), { shape: [100000, 100000, 100] })!;
    expect(i.path).toBe('nodes[0].params.shape');
    expect(i.message).toContain('budget');
  });

  it('params that are not an object', () => {
    const v = validateDocument(doc([{ id: 'n', op: 'Tensor', params: [1] }]));
    expect(v.issues.map((i) => i.path)).toEqual(['nodes[0].params']);
  });
});

describe('init specs', () => {
  const tensorInit = (init: Json, shape = [2, 2], dtype = 'float32') =>
    validateDocument(doc([tensor('t', shape, { dtype, init })])).issues.map((i) => `${i.path}: ${i.message}`);

  it('every kind with its fields is accepted', () => {
    const good: Json[] = [
      { kind: 'values', data: [1, 2, 3, 4] },
      { kind: 'zeros' },
      { kind: 'ones' },
      { kind: 'full', value: 2 },
      { kind: 'arange' },
      { kind: 'arange', start: 1, step: 0.5 },
      { kind: 'rand', seed: 1 },
      { kind: 'randn', seed: 2 },
      { kind: 'randint', high: 3, seed: 0 },
      { kind: 'randint', low: -2, high: 3, seed: 0 },
    ];
    for (const init of good) expect(tensorInit(init), JSON.stringify(init)).toEqual([]);
  });

  it('bad kinds, missing and unknown fields, wrong data length and types have their own paths', () => {
    expect(tensorInit({ kind: 'gaussian' })).toEqual([
      'nodes[0].params.init.kind: expected one of "values", "zeros", "ones", "full", "arange", "rand", "randn", "randint"',
    ]);
    expect(tensorInit({ kind: 'values', data: [1, 2, 3] })).toEqual([
      'nodes[0].params.init.data: expected 4 values for the shape, got 3',
    ]);
    expect(tensorInit({ kind: 'values', data: [1, 'x', 3, 4] })).toEqual([
      'nodes[0].params.init.data[1]: expected a number',
    ]);
    expect(tensorInit({ kind: 'values', data: [1, 2.5, 3, 4] }, [2, 2], 'int64')).toEqual([
      'nodes[0].params.init.data[1]: expected an integer',
    ]);
    expect(tensorInit({ kind: 'values', data: 'abcd' })).toEqual([
      'nodes[0].params.init.data: expected an array of numbers',
    ]);
    expect(tensorInit({ kind: 'full' })).toEqual(['nodes[0].params.init.value: missing']);
    expect(tensorInit({ kind: 'full', value: 1, seed: 3 })).toEqual([
      'nodes[0].params.init.seed: unknown field for init kind "full"',
    ]);
    expect(tensorInit({ kind: 'rand', seed: 1.5 })).toEqual(['nodes[0].params.init.seed: expected an integer']);
    expect(tensorInit({ kind: 'randint', low: 3, high: 3, seed: 1 })).toEqual([
      'nodes[0].params.init.high: expected high > low',
    ]);
    expect(tensorInit(7)).toEqual(['nodes[0].params.init: expected an init object {"kind": ...}']);
  });

  it('Conv2d / Linear inits are checked under init.weight / init.bias', () => {
    const v = validateDocument(
      doc(
        [
          tensor('x', [1, 4]),
          node('fc', 'Linear', { in_features: 4, out_features: 2, init: { weight: { kind: 'nope' }, bogus: {} } }),
        ],
        [edge('x', 'fc', 'input')],
      ),
    );
    expect(v.issues.map((i) => i.path).sort()).toEqual([
      'nodes[1].params.init.bogus',
      'nodes[1].params.init.weight.kind',
    ]);
  });

  it('checkParam and checkInit accept every good value and refuse every bad one without throwing', () => {
    expect(checkParam({ name: 'k', kind: 'int', doc: '' }, 0)).toEqual({ ok: true, value: 0 });
    for (const bad of BAD.int) expect(checkParam({ name: 'k', kind: 'int', doc: '' }, bad).ok).toBe(false);
    expect(checkInit({ kind: 'values', data: [1, 2] }, 2, false)).toEqual([]);
    for (const weird of [undefined, Symbol.iterator, () => 1, new Map(), Object.create(null)]) {
      expect(() => checkInit(weird, 2, false)).not.toThrow();
    }
  });
});
