// @vitest-environment jsdom
/**
 * The inspector's buffers of a BatchNorm2d (renderer/ui/BufferState.tsx): after
 * a run, one line each for running_mean, running_var and num_batches_tracked,
 * with the values PyTorch computed (the parity fixture's expected result) and
 * the one sentence above them saying what a buffer is and what the run mode
 * does to it; nothing for a node without buffers.
 */
import { readFileSync } from 'node:fs';
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { GraphSession, load } from '../../engine/graph/index';
import { tensorSummaries } from '../../engine/host/summaries';
import { stats } from '../../engine/protocol/stats';
import { AppContext, type AppServices } from '../../renderer/app/context';
import type { Host } from '../../renderer/platform/host';
import { Studio } from '../../renderer/state/store';
import { bufferNote, BufferState } from '../../renderer/ui/BufferState';
import { fmt } from '../../renderer/viz/scales';

afterEach(cleanup);

const FIXTURE = 'test/fixtures/parity/batchnorm_sgd_3';
const read = (suffix: string) => JSON.parse(readFileSync(`${FIXTURE}.${suffix}.json`, 'utf8')) as unknown;

/** The lines the inspector shows for node `id` after running the fixture, and the note above them. */
function linesOf(id: string, mode?: 'train' | 'eval'): Record<string, string> {
  const l = load(read('graph'));
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  const s = new GraphSession(l.graph);
  s.run();
  const studio = new Studio();
  if (mode) studio.replaceDocument({ ...studio.state.doc, run: { extra: { mode } } });
  studio.setEngine((e) => ({ ...e, tensors: tensorSummaries(s) }));
  const services: AppServices = { studio, host: {} as Host, session: null };
  const { container } = render(
    <AppContext.Provider value={services}>
      <BufferState id={id} />
    </AppContext.Provider>,
  );
  const out: Record<string, string> = {};
  for (const e of container.querySelectorAll<HTMLElement>('.buffer-entry')) out[e.dataset.entry!] = e.textContent!;
  const note = container.querySelector('[data-testid=buffer-note]');
  if (note) out.note = note.textContent!;
  return out;
}

describe('BatchNorm2d buffers in the inspector', () => {
  it("shows each buffer once, with PyTorch's values and what a buffer is", () => {
    const lines = linesOf('bn');
    expect(Object.keys(lines)).toEqual(['running_mean', 'running_var', 'num_batches_tracked', 'note']);
    const expected = read('expected') as { tensors: Record<string, { data: number[] }> };
    expect(lines.num_batches_tracked).toBe('num_batches_tracked3');
    const mean = stats(expected.tensors['bn.running_mean']!.data);
    expect(lines.running_mean).toBe(
      `running_mean[2] mean ${fmt(mean.mean)}, min ${fmt(mean.min)}, max ${fmt(mean.max)}`,
    );
    // one sentence for all three, not repeated on each line
    expect(lines.note).toBe(bufferNote('train'));
    expect(lines.note).toContain('not parameters: no .grad, and the optimizer does not step them');
    expect(lines.note).toContain('In train mode (model.train()) each forward pass updates them');
  });

  it('says in eval mode that the forward pass uses the buffers and leaves them unchanged', () => {
    expect(linesOf('bn', 'eval').note).toBe(bufferNote('eval'));
    expect(bufferNote('eval')).toContain('In eval mode (model.eval()) the forward pass normalises with them');
  });

  it('shows nothing for a layer without buffers', () => {
    expect(linesOf('conv')).toEqual({});
  });
});
