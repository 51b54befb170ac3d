/**
 * Import from PyTorch (build/torch/import_fx.py, `cli import-python`): each model in
 * test/bridge/models is traced into a graph document, run on the engine, and compared
 * with PyTorch twice: with the model itself (its output and its parameters' gradients,
 * computed by test/bridge/reference_model.py from the same model object), and with the
 * torch backend on the imported document (the full result). The imported document is
 * also exported back to Python and run. Unsupported ops fail with a message naming them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportPython } from '../../engine/bridge/index';
import { runDocument } from '../../engine/graph/index';
import { closeArrays, compareResult, type ResultLike } from '../helpers/compare';
import { REPO_ROOT } from '../helpers/fixtures';
import { parseJsonNaN } from '../helpers/json';
import { PYTHON, TORCH_VERSION, cli, run } from './python';

const MODELS = join(REPO_ROOT, 'test', 'bridge', 'models');
const tmp = mkdtempSync(join(tmpdir(), 'autograd-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Reference {
  document: { meta: { source: { output: string; parameters: Record<string, string> } }; run: { backward?: string } };
  reference: { output: number[]; grads: Record<string, number[] | null> };
}

describe(`import-python round trips (PyTorch ${TORCH_VERSION})`, () => {
  it.each(['lenet', 'functional_mlp', 'build_fn', 'activations', 'losses', 'batchnorm_cnn', 'batchnorm_eval'])(
    '%s: import, run on the engine, compare with PyTorch',
    async (name) => {
      const model = join(MODELS, `${name}.py`);
      const ref = await run(PYTHON, [join(REPO_ROOT, 'test', 'bridge', 'reference_model.py'), model]);
      expect(ref.code, ref.stderr).toBe(0);
      const { document, reference } = parseJsonNaN(ref.stdout) as Reference;

      // The CLI writes the same document.
      const imported = await cli(['import-python', model, '--python', PYTHON]);
      expect(imported.code, imported.stderr).toBe(0);
      expect(parseJsonNaN(imported.stdout)).toEqual(document);

      // The engine against the model itself.
      const engine = runDocument(document);
      if (!engine.ok) throw new Error(JSON.stringify(engine.issues));
      const result = engine.result as ResultLike;
      expect(result.error).toBeNull();
      expect(closeArrays(result.tensors![document.meta.source.output]!.data, reference.output)).toBeNull();
      expect(document.run.backward).toBeTruthy();
      for (const [graphName, grad] of Object.entries(reference.grads)) {
        expect(grad, graphName).not.toBeNull();
        expect(closeArrays(result.tensors![graphName]?.grad?.data, grad!), graphName).toBeNull();
      }

      // The engine against the torch backend, on the whole result.
      const docPath = join(tmp, `${name}.graph.json`);
      writeFileSync(docPath, JSON.stringify(document));
      const torch = await cli(['run', docPath, '--backend', 'torch', '--python', PYTHON]);
      expect(torch.code, torch.stderr).toBe(0);
      expect(compareResult(parseJsonNaN(torch.stdout) as ResultLike, result)).toEqual([]);

      // And back to Python: the exported script gives the same result.
      const script = join(tmp, `${name}.py`);
      writeFileSync(script, exportPython(document));
      const exported = await run(PYTHON, [script]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(
        compareResult(parseJsonNaN(torch.stdout) as ResultLike, parseJsonNaN(exported.stdout) as ResultLike),
      ).toEqual([]);
    },
    120_000,
  );

  it('an unsupported op is a clear error that names it', async () => {
    const r = await cli(['import-python', join(MODELS, 'unsupported.py'), '--python', PYTHON]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unsupported op module Dropout at node 'drop'");
    expect(r.stdout).toBe('');
  }, 60_000);

  it('a BatchNorm2d with running statistics already is refused (a document cannot set buffers)', async () => {
    const path = join(tmp, 'trained_bn.py');
    writeFileSync(
      path,
      'import torch\nimport torch.nn as nn\nEXAMPLE_INPUTS = [torch.ones(2, 3, 2, 2)]\n\n\n' +
        'def build_model():\n    bn = nn.BatchNorm2d(3)\n    bn(torch.randn(4, 3, 2, 2))\n    return nn.Sequential(bn)\n',
    );
    const r = await cli(['import-python', path, '--python', PYTHON]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("BatchNorm2d at node '_0' has running statistics already");
  }, 60_000);

  it('an unsupported function is named too, and a model file without inputs is explained', async () => {
    const sin = join(tmp, 'sin_model.py');
    writeFileSync(
      sin,
      'import torch\nimport torch.nn as nn\nEXAMPLE_INPUTS = [torch.ones(2)]\n\n\n' +
        'class M(nn.Module):\n    def forward(self, x):\n        return torch.sin(x) * 2\n',
    );
    const a = await cli(['import-python', sin, '--python', PYTHON]);
    expect(a.code).toBe(2);
    expect(a.stderr).toContain("unsupported op function torch.sin at node 'sin'");
    const noInputs = join(tmp, 'no_inputs.py');
    writeFileSync(
      noInputs,
      'import torch.nn as nn\n\n\nclass M(nn.Module):\n    def forward(self, x):\n        return x\n',
    );
    const b = await cli(['import-python', noInputs, '--python', PYTHON]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('EXAMPLE_INPUTS');
  }, 60_000);

  it('--no-loss leaves a non-scalar output without a backward pass; --out writes a file', async () => {
    const out = join(tmp, 'lenet-noloss.graph.json');
    const r = await cli(['import-python', join(MODELS, 'lenet.py'), '--no-loss', '--out', out, '--python', PYTHON]);
    expect(r.code, r.stderr).toBe(0);
    const engine = await cli(['run', out]);
    const result = parseJsonNaN(engine.stdout) as ResultLike;
    expect(result.backward_steps).toEqual([]);
    expect(result.tensors!.loss).toBeUndefined();
  }, 60_000);
});
