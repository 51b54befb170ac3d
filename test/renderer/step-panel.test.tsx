// @vitest-environment jsdom
/**
 * The step panel's current-step line when no grad_fn was stepped
 * (renderer/ui/StepPanel.tsx): before anything ran it says so; after a run it
 * says the list below is that run's backward pass (it used to read "none yet"
 * above a finished run's list).
 */
import { cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AppContext, type AppServices } from '../../renderer/app/context';
import type { Host } from '../../renderer/platform/host';
import { Studio } from '../../renderer/state/store';
import { StepPanel } from '../../renderer/ui/StepPanel';

afterEach(cleanup);

/** The current-step line and the listed grad_fns, for a run that reported `steps`. */
function panel(steps: { grad_fn: string; node: string }[]) {
  const studio = new Studio();
  if (steps.length)
    studio.setEngine((e) => ({ ...e, status: 'done', phase: 'done', iteration: 0, backwardSteps: steps }));
  const services: AppServices = { studio, host: {} as Host, session: null };
  const { container } = render(
    <AppContext.Provider value={services}>
      <StepPanel />
    </AppContext.Provider>,
  );
  return {
    current: container.querySelector('[data-testid=current-step]')!.textContent,
    order: Array.from(container.querySelectorAll('[data-testid=step-order] li'), (l) => l.textContent),
  };
}

describe('the step panel without a stepped grad_fn', () => {
  it('before any run: nothing stepped yet, no list', () => {
    expect(panel([])).toEqual({ current: 'No grad_fn stepped yet.', order: [] });
  });

  it("after a run: the list below is that run's backward pass", () => {
    const p = panel([
      { grad_fn: 'SumBackward0', node: 's' },
      { grad_fn: 'AccumulateGrad', node: 'x' },
    ]);
    expect(p.current).toBe('No grad_fn stepped: the list below is the last run’s backward pass, in PyTorch’s order.');
    expect(p.order).toEqual(['SumBackward0 s', 'AccumulateGrad x']);
  });
});
