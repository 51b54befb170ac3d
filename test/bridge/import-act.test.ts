/**
 * import-python and the activations: `pow` is imported only as a tensor raised to a
 * number (the graph format's Pow has a number `exponent`); a tensor exponent, or a number
 * raised to a tensor, stops the import with a message naming the node. The round trip of
 * every activation form is the `activations` model of import.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON, cli } from './python';

const tmp = mkdtempSync(join(tmpdir(), 'autograd-import-act-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const model = (name: string, body: string) => {
  const path = join(tmp, `${name}.py`);
  writeFileSync(
    path,
    'import torch\nimport torch.nn as nn\nEXAMPLE_INPUTS = [torch.ones(2)]\n\n\n' +
      `class M(nn.Module):\n    def forward(self, x):\n        return ${body}\n`,
  );
  return path;
};

describe('import-python: pow', () => {
  it('refuses a tensor exponent and a number raised to a tensor, naming the node', async () => {
    for (const [name, body, node] of [
      ['tensor_exponent', 'torch.pow(x, x)', 'pow_1'],
      ['number_base', '2 ** x', 'pow_1'],
    ] as const) {
      const r = await cli(['import-python', model(name, body), '--python', PYTHON]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`node '${node}': pow is supported for a tensor raised to a number only`);
      expect(r.stdout).toBe('');
    }
  }, 60_000);
});
