// @vitest-environment jsdom
/**
 * The inspector's buffers of a BatchNorm2d (renderer/ui/BufferState.tsx): after
 * a run, one line each for running_mean, running_var and num_batches_tracked,
 * with the values PyTorch computed (the parity fixture's expected result) and
 * the sentence saying what a buffer is; nothing for a node without buffers.
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
import { BUFFER_NOTE, BufferState } from '../../renderer/ui/BufferState';
import { fmt } from '../../renderer/viz/scales';

afterEach(cleanup);

const FIXTURE = 'test/fixtures/parity/batchnorm_sgd_3';
const read = (suffix: string) => JSON.parse(readFileSync(`${FIXTURE}.${suffix}.json`, 'utf8')) as unknown;

/** The lines the inspector shows for node `id` after running the fixture. */
function linesOf(id: string): Record<string, string> {
  const l = load(read('graph'));
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  const s = new GraphSession(l.graph);
  s.run();
  const studio = new Studio();
  studio.setEngine((e) => ({ ...e, tensors: tensorSummaries(s) }));
  const services: AppServices = { studio, host: {} as Host, session: null };
  const { container } = render(
    <AppContext.Provider value={services}>
      <BufferState id={id} />
    </AppContext.Provider>,
  );
  const out: Record<string, string> = {};
  for (const e of container.querySelectorAll<HTMLElement>('.buffer-entry')) out[e.dataset.entry!] = e.textContent!;
  return out;
}

describe('BatchNorm2d buffers in the inspector', () => {
  it("shows each buffer once, with PyTorch's values and what a buffer is", () => {
    const lines = linesOf('bn');
    expect(Object.keys(lines)).toEqual(['running_mean', 'running_var', 'num_batches_tracked']);
    const expected = read('expected') as { tensors: Record<string, { data: number[] }> };
    expect(lines.num_batches_tracked).toBe(`num_batches_tracked3 — ${BUFFER_NOTE}`);
    const mean = stats(expected.tensors['bn.running_mean']!.data);
    expect(lines.running_mean).toContain(`[2] mean ${fmt(mean.mean)}, min ${fmt(mean.min)}, max ${fmt(mean.max)}`);
    for (const line of Object.values(lines)) expect(line).toContain('not a parameter, no .grad');
  });

  it('shows nothing for a layer without buffers', () => {
    expect(linesOf('conv')).toEqual({});
  });
});
