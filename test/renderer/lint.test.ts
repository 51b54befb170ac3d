import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../renderer/document/parse';
import { lint } from '../../renderer/lint/lint';

const g = (nodes: [string, string][], edges: [string, string, string][], backward?: string) =>
  parseDocument({
    format: 'autograd-studio/graph',
    version: 1,
    nodes: nodes.map(([id, op]) => ({ id, op, params: {} })),
    edges: edges.map(([source, target, targetHandle]) => ({ source, target, targetHandle })),
    ...(backward ? { run: { backward } } : {}),
  });

describe('lint', () => {
  it('warns when Softmax or LogSoftmax feeds CrossEntropyLoss', () => {
    for (const op of ['Softmax', 'LogSoftmax']) {
      const w = lint(
        g(
          [
            ['x', 'Tensor'],
            ['p', op],
            ['t', 'Tensor'],
            ['ce', 'CrossEntropyLoss'],
          ],
          [
            ['x', 'p', 'input'],
            ['p', 'ce', 'input'],
            ['t', 'ce', 'target'],
          ],
        ),
      );
      expect(w.map((x) => [x.code, x.node])).toEqual([['softmax-into-cross-entropy', 'ce']]);
      expect(w[0]!.message).toContain(op);
    }
  });

  it('warns when NLLLoss is fed probabilities', () => {
    const w = lint(
      g(
        [
          ['x', 'Tensor'],
          ['p', 'Softmax'],
          ['nll', 'NLLLoss'],
        ],
        [
          ['x', 'p', 'input'],
          ['p', 'nll', 'input'],
        ],
      ),
    );
    expect(w.map((x) => x.code)).toEqual(['probabilities-into-nll']);
  });

  it('warns when Sigmoid feeds BCEWithLogitsLoss, and is quiet for logits', () => {
    const doc = (op: string) =>
      g(
        [
          ['x', 'Tensor'],
          ['s', op],
          ['t', 'Tensor'],
          ['bce', 'BCEWithLogitsLoss'],
        ],
        [
          ['x', 's', 'input'],
          ['s', 'bce', 'input'],
          ['t', 'bce', 'target'],
        ],
      );
    const w = lint(doc('Sigmoid'));
    expect(w.map((x) => [x.code, x.node])).toEqual([['sigmoid-into-bce-with-logits', 'bce']]);
    expect(w[0]!.message).toContain('“s”');
    expect(lint(doc('Linear'))).toEqual([]);
  });

  it('is quiet for the right way: logits into CrossEntropyLoss, LogSoftmax into NLLLoss', () => {
    expect(
      lint(
        g(
          [
            ['x', 'Tensor'],
            ['ce', 'CrossEntropyLoss'],
            ['ls', 'LogSoftmax'],
            ['nll', 'NLLLoss'],
          ],
          [
            ['x', 'ce', 'input'],
            ['x', 'ls', 'input'],
            ['ls', 'nll', 'input'],
          ],
          'ce',
        ),
      ),
    ).toEqual([]);
  });

  it('warns about Log of Softmax, Grad of a non-leaf, and a missing backward root', () => {
    const w = lint(
      g(
        [
          ['x', 'Tensor'],
          ['p', 'Softmax'],
          ['l', 'Log'],
          ['gr', 'Grad'],
        ],
        [
          ['x', 'p', 'input'],
          ['p', 'l', 'input'],
          ['p', 'gr', 'of'],
        ],
        'nope',
      ),
    );
    expect(w.map((x) => x.code).sort()).toEqual(['backward-root-missing', 'grad-of-non-leaf', 'log-of-softmax']);
  });

  it('finds both mistakes in the classic-mistakes example', async () => {
    const { readFileSync } = await import('node:fs');
    const { resolve } = await import('node:path');
    const d = parseDocument(
      readFileSync(resolve(import.meta.dirname, '../../renderer/examples/classic_mistakes.graph.json'), 'utf8'),
    );
    expect(
      lint(d)
        .map((w) => w.code)
        .sort(),
    ).toEqual(['probabilities-into-nll', 'softmax-into-cross-entropy']);
  });
});
