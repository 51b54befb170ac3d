/**
 * The grad_fn badge's tooltip (renderer/ui/glossary.ts): an op's own grad_fn gets the general
 * sentence; the two grad_fns autograd puts on a tensor after an in-place op on a view say so.
 */
import { describe, expect, it } from 'vitest';
import { BADGE_HELP } from '../../renderer/ui/glossary';

describe('grad_fn tooltip', () => {
  it("says an op's grad_fn is the backward function that op recorded", () => {
    expect(BADGE_HELP.gradFn('AddmmBackward0')).toBe(
      'grad_fn = AddmmBackward0: the backward function this op recorded; backward() calls it to send gradient to the inputs.',
    );
  });

  it('says CopySlices and AsStridedBackward0 come from an in-place op on a view, not from the op itself', () => {
    expect(BADGE_HELP.gradFn('CopySlices')).toMatch(
      /^grad_fn = CopySlices: an in-place op changed a view of this tensor/,
    );
    expect(BADGE_HELP.gradFn('AsStridedBackward0')).toMatch(/changed in place after it was made/);
    expect(BADGE_HELP.gradFn('CopySlices')).not.toContain('this op recorded');
  });
});
