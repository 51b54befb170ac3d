/**
 * Shape inference (the canvas's shapes before any run) reports a PyTorch error
 * with PyTorch's text, and an engine bug as an InternalError, never as if the
 * graph were wrong in PyTorch's words. The bug is a TypeError thrown by the
 * Reshape shape rule the inference uses.
 */
import { describe, expect, it, vi } from 'vitest';
import { load } from '../../../engine/graph/index';
import { doc, edge, node, tensor } from '../../helpers/docs';
import type * as ViewModuleNs from '../../../engine/tensor/ops/view';

type ViewModule = typeof ViewModuleNs;

const bug = vi.hoisted(() => ({ on: false }));
vi.mock('../../../engine/tensor/ops/view', async (importOriginal) => {
  const view = await importOriginal<ViewModule>();
  return {
    ...view,
    inferShape: (shape: number[], size: number) => {
      if (bug.on) return (undefined as unknown as { shape: number[] }).shape;
      return view.inferShape(shape, size);
    },
  };
});

function problems(shape: number[]): Map<string, string> {
  const l = load(doc([tensor('x', [2, 3]), node('r', 'Reshape', { shape })], [edge('x', 'r', 'input')]));
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  return l.shapes.problems;
}

describe('shape inference problems', () => {
  it('a PyTorch error is PyTorch’s message', () => {
    bug.on = false;
    expect(problems([7]).get('r')).toBe("shape '[7]' is invalid for input of size 6");
  });

  it('an engine bug is marked as an InternalError', () => {
    bug.on = true;
    expect(problems([6]).get('r')).toMatch(/^InternalError: TypeError: Cannot read properties of undefined/);
    bug.on = false;
  });
});
