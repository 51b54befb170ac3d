/**
 * Parameters are typed end to end (issue 12, item 1): the graph layer and the bridge
 * hold no type assertion (`x as T`, `<T>x`) but `as const`; values from a document
 * reach them through the op modules' typed parameters or through checks that narrow.
 * Also: each op module is registered under its declaration's name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { DECLARATIONS } from '../../../engine/ops/catalog';
import { OP_MODULES, OPS_REGISTRY } from '../../../engine/ops/index';
import { OPS } from '../../../engine/protocol/ops';
import { REPO_ROOT } from '../../helpers/fixtures';

/** `file:line: text` of every type assertion in a source file, `as const` excepted. */
function assertions(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const src = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    const isConst = ts.isAsExpression(n) && n.type.getText(src) === 'const';
    if ((ts.isAsExpression(n) && !isConst) || ts.isTypeAssertionExpression(n)) {
      const line = src.getLineAndCharacterOfPosition(n.getStart(src)).line + 1;
      out.push(`${path.slice(REPO_ROOT.length + 1)}:${line}: ${n.getText(src)}`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

describe('typed parameters', () => {
  for (const dir of ['engine/graph', 'engine/bridge']) {
    it(`${dir} has no type assertion`, () => {
      const files = readdirSync(join(REPO_ROOT, dir)).filter((f) => f.endsWith('.ts'));
      expect(files.length).toBeGreaterThan(5);
      expect(files.flatMap((f) => assertions(join(REPO_ROOT, dir, f)))).toEqual([]);
    });
  }

  it('finds an assertion where there is one (the check is not vacuous)', () => {
    expect(assertions(join(REPO_ROOT, 'engine', 'ops', 'define.ts'))).toEqual([
      expect.stringContaining('r.values as ParamsOf<S>'),
    ]);
  });
});

describe('the op lists', () => {
  it('register one module per declaration, under its name, in palette order', () => {
    expect(OP_MODULES.map((m) => m.spec.op)).toEqual(DECLARATIONS.map((d) => d.op));
    expect([...OPS_REGISTRY.keys()]).toEqual(OPS.map((o) => o.op));
    for (const m of OP_MODULES) expect(m.spec).toEqual(OPS.find((o) => o.op === m.spec.op));
  });
});
