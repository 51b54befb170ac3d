// @vitest-environment jsdom
/**
 * The run mode on a BatchNorm2d's and a Dropout's face (renderer/canvas/ModeMark.tsx):
 * `model.train()` or `model.eval()` as run.mode says, what it means for that
 * layer, and nothing on a node whose forward does not depend on the mode.
 */
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AppContext, type AppServices } from '../../renderer/app/context';
import { ModeMark } from '../../renderer/canvas/ModeMark';
import type { Host } from '../../renderer/platform/host';
import { Studio } from '../../renderer/state/store';

afterEach(cleanup);

/** The mark's text and tooltip for a node `op` with `params` under `mode` (undefined: run.mode unset). */
function markOf(op: string, mode?: 'train' | 'eval', params: Record<string, unknown> = {}) {
  const studio = new Studio();
  if (mode) studio.replaceDocument({ ...studio.state.doc, run: { extra: { mode } } });
  const services: AppServices = { studio, host: {} as Host, session: null };
  const { container } = render(
    <AppContext.Provider value={services}>
      <ModeMark node={{ op, params }} />
    </AppContext.Provider>,
  );
  const el = container.querySelector<HTMLElement>('[data-testid=mode-mark]');
  return el && { text: el.textContent, mode: el.dataset.mode, title: el.title };
}

describe('the run mode on the node', () => {
  it('BatchNorm2d: batch statistics in train mode (the default), running statistics in eval mode', () => {
    expect(markOf('BatchNorm2d')).toMatchObject({ text: 'model.train(): batch statistics', mode: 'train' });
    expect(markOf('BatchNorm2d', 'train')!.title).toContain(
      'updates running_mean, running_var and num_batches_tracked',
    );
    const ev = markOf('BatchNorm2d', 'eval')!;
    expect(ev).toMatchObject({ text: 'model.eval(): running statistics', mode: 'eval' });
    expect(ev.title).toContain('leaves them unchanged');
  });

  it('BatchNorm2d without track_running_stats uses the batch statistics in eval mode too', () => {
    expect(markOf('BatchNorm2d', 'eval', { track_running_stats: false })!.text).toBe('model.eval(): batch statistics');
  });

  it('Dropout: zeroes elements in train mode, passes its input through in eval mode', () => {
    expect(markOf('Dropout', 'train')!.text).toBe('model.train(): zeroes elements with probability p');
    expect(markOf('Dropout', 'eval')!.text).toBe('model.eval(): passes its input through');
  });

  it('says nothing on a layer the mode does not change', () => {
    expect(markOf('Conv2d', 'eval')).toBeNull();
    expect(markOf('ReLU', 'train')).toBeNull();
  });
});
