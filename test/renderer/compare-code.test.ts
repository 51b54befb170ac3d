/**
 * The comparison strip's arithmetic and the code panel's line map (issue 14,
 * items 5 and 6), without a browser. The scripts are the bridge's real output.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportPython } from '../../engine/host/web/export-python';
import { splitHtmlLines, highlightPython } from '../../renderer/code/highlight';
import { backwardLines, foldRanges, nodeLines } from '../../renderer/code/script-lines';
import { comparedWith, difference, documentPins, maxAbs, withPin } from '../../renderer/compare/diff';

const example = (slug: string): unknown =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../../renderer/examples', `${slug}.graph.json`), 'utf8'));

/** The text of each node's statement. */
function statements(script: string): Map<string, string> {
  const lines = script.split('\n');
  return new Map([...nodeLines(script)].map(([id, r]) => [id, lines.slice(r.start, r.end).join('\n')]));
}

describe('nodeLines', () => {
  const script = exportPython(example('small_cnn_training'), { seeded: 'engine' });
  const at = statements(script);

  it('finds ops in forward and update, and Tensor nodes in main', () => {
    expect(at.get('conv')).toBe('        conv = self.conv(x)');
    expect(at.get('logsm')).toBe('        logsm = F.log_softmax(fc, dim=1)');
    expect(at.get('W_next')).toBe('    W_next = W_new.detach()');
    expect(at.get('lr')).toBe('    lr = torch.tensor([0.5])');
  });

  it('takes a statement over several lines up to its closing bracket', () => {
    const w = at.get('W')!.split('\n');
    expect(w[0]).toBe('    W = torch.tensor([');
    expect(w[w.length - 1]).toBe('    ])');
    expect(w.slice(1, -1).every((l) => l.startsWith('        '))).toBe(true); // the rows, inside the brackets
    expect(w.length).toBeGreaterThan(4);
  });

  it('folds long runs of value rows, keeping the statement around them', () => {
    const lines = script.split('\n');
    const folds = foldRanges(script);
    const w = nodeLines(script).get('W')!;
    const inW = folds.filter((f) => f.start > w.start && f.end < w.end - 1);
    expect(inW).toHaveLength(1); // W's 2 x 64 values: one run of rows, folded but for 3 and the last
    expect(inW[0]!.start).toBe(w.start + 4);
    expect(lines[inW[0]!.end]).toBe(lines[w.end - 2]);
    for (const f of folds) for (let i = f.start; i < f.end; i++) expect(lines[i]).toMatch(/^[\s\d.,eE+\-[\]]+$/);
    expect(foldRanges('x = [\n  1,\n  2,\n]\n')).toEqual([]); // short runs stay
  });

  it('marks the backward() call', () => {
    const r = backwardLines(script)!;
    expect(script.split('\n')[r.start]).toBe('        loss.backward()');
  });

  it('maps variables back to node ids through NODE_IDS', () => {
    const doc = {
      format: 'autograd-studio/graph',
      version: 1,
      nodes: [
        { id: 'in-put', op: 'Tensor', params: { shape: [2], requires_grad: true, init: { kind: 'ones' } } },
        { id: 'class', op: 'Sum', params: {} },
      ],
      edges: [{ source: 'in-put', sourceHandle: 'out', target: 'class', targetHandle: 'input' }],
      run: { backward: 'class' },
    };
    const s = exportPython(doc);
    const found = statements(s);
    expect(found.get('class')).toBe('        class_ = in_put.sum()');
    expect(found.get('in-put')).toMatch(/^ {4}in_put\w* = torch\.ones\(/);
  });
});

describe('highlighting', () => {
  it('closes a span at the end of a line and opens it again on the next', () => {
    expect(splitHtmlLines('<span class="a">x\ny</span> z\n<span class="b">w</span>')).toEqual([
      '<span class="a">x</span>',
      '<span class="a">y</span> z',
      '<span class="b">w</span>',
    ]);
  });

  it('gives one line of HTML per line of Python, docstrings included', () => {
    const src = 'def f():\n    """two\n    lines"""\n    return 1  # one\n';
    const html = highlightPython(src);
    expect(html).toHaveLength(src.split('\n').length);
    expect(html[2]).toBe('<span class="hljs-string">    lines&quot;&quot;&quot;</span>');
    expect(html[3]).toContain('<span class="hljs-comment"># one</span>');
  });
});

describe('comparison', () => {
  const v = (tensor: string) => ({ tensor, which: 'value' as const });
  const g = (tensor: string) => ({ tensor, which: 'grad' as const });

  it('compares each pin with the first earlier pin of the same kind and shape', () => {
    const pins = [v('ce'), v('nll'), g('x1'), g('x2'), v('logsm'), g('x3')];
    const shapes = [[], [], [4, 5], [4, 5], [4, 5], [4, 5]];
    expect(comparedWith(pins, shapes)).toEqual([-1, 0, -1, 2, -1, 2]);
    expect(comparedWith(pins, [[], null, [4, 5], [4, 5], null, [5, 4]])).toEqual([-1, -1, -1, 2, -1, -1]);
  });

  it('computes a − b and max |a − b| (a NaN is never equal)', () => {
    const d = difference(new Float32Array([1, 2, 3]), new Float32Array([1, 2.5, 1]));
    expect(Array.from(d)).toEqual([0, -0.5, 2]);
    expect(maxAbs(d)).toBe(2);
    expect(maxAbs(difference([1, NaN], [1, NaN]))).toBeNaN();
  });

  it('pins once, and reads the pins an example asks for', () => {
    expect(withPin([g('x1')], g('x1'))).toEqual([g('x1')]);
    expect(withPin([g('x1')], v('x1'))).toEqual([g('x1'), v('x1')]);
    expect(
      documentPins({ compare: { pins: [{ tensor: 'x1', which: 'grad' }, { tensor: 'ce' }, { which: 'grad' }] } }),
    ).toEqual([g('x1'), v('ce')]);
    expect(documentPins({})).toEqual([]);
  });
});
