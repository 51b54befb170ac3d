/**
 * Issue 16 item 7: an init kind is looked up among the kinds, never on a plain
 * object's prototype: `"constructor"`, `"toString"`, `"__proto__"` ... are refused
 * by validation at the JSON path (they used to pass, run as zeros and crash
 * export-python with a stack trace). Request fields are checked the same way.
 */
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../../engine/graph/index';
import { checkRequest } from '../../engine/protocol/validate';
import { doc, edge, node, tensor } from '../helpers/docs';
import { cleanStderr, cli, scratch } from './helpers';

const INHERITED = [
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'isPrototypeOf',
  '__defineGetter__',
];
const KINDS = 'expected one of "values", "zeros", "ones", "full", "arange", "rand", "randn", "randint"';

const withTensorInit = (kind: string) =>
  doc([tensor('x', [2, 2], { init: { kind } }), node('s', 'Sum')], [edge('x', 's', 'input')]);
const withLinearInit = (kind: string) =>
  doc(
    [tensor('x', [1, 2]), node('fc', 'Linear', { in_features: 2, out_features: 1, init: { weight: { kind } } })],
    [edge('x', 'fc', 'input')],
  );

describe('init kinds named like inherited properties are refused', () => {
  for (const kind of INHERITED) {
    it(`Tensor init.kind ${JSON.stringify(kind)}`, () => {
      expect(validateDocument(withTensorInit(kind)).issues).toEqual([
        { path: 'nodes[0].params.init.kind', message: KINDS, node: 'x' },
      ]);
    });

    it(`Linear init.weight.kind ${JSON.stringify(kind)}`, () => {
      expect(validateDocument(withLinearInit(kind)).issues).toEqual([
        { path: 'nodes[1].params.init.weight.kind', message: KINDS, node: 'fc' },
      ]);
    });
  }

  it('a field named like an inherited property is unknown, not accepted', () => {
    const d = doc([tensor('x', [2], { init: { kind: 'zeros', constructor: 1, toString: 2 } })]);
    expect(validateDocument(d).issues.map((i) => i.path)).toEqual([
      'nodes[0].params.init.constructor',
      'nodes[0].params.init.toString',
    ]);
  });
});

describe.concurrent('the CLI refuses them cleanly', () => {
  const { file } = scratch();
  for (const command of ['run', 'export-python']) {
    it(`${command}: exit 2, one line naming the path, no stack`, async () => {
      const f = file(`${command}-constructor.json`, withTensorInit('constructor'));
      const r = await cli(command, f);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`${f}: nodes[0].params.init.kind: ${KINDS}\n`);
      expect(cleanStderr(r.stderr)).toBe(true);
    });
  }
});

describe('protocol requests', () => {
  for (const field of ['constructor', 'toString', '__proto__']) {
    it(`a load request with a field ${JSON.stringify(field)} is malformed`, () => {
      const raw = JSON.parse(`{"type": "load", "id": 3, "document": {}, ${JSON.stringify(field)}: 1}`) as unknown;
      expect(checkRequest(raw)).toEqual({ ok: false, id: 3, message: `request.${field}: unknown field of load` });
    });
  }
});
