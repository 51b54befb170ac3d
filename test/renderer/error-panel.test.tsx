// @vitest-environment jsdom
/**
 * The error panel: a PyTorch error is shown as PyTorch words it; an engine bug
 * (InternalError) has its own look and the hint to report it.
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrorJson } from '../../engine/protocol/messages';
import { AppContext, type AppServices } from '../../renderer/app/context';
import type { Host } from '../../renderer/platform/host';
import { Studio } from '../../renderer/state/store';
import { ErrorPanel, INTERNAL_ERROR_HINT } from '../../renderer/ui/ErrorPanel';

afterEach(cleanup);

function panelFor(error: ErrorJson): HTMLElement {
  const studio = new Studio();
  studio.setEngine((e) => ({ ...e, status: 'error', error }));
  const services: AppServices = { studio, host: {} as Host, session: null };
  render(
    <AppContext.Provider value={services}>
      <ErrorPanel />
    </AppContext.Provider>,
  );
  return screen.getByTestId('error-panel');
}

describe('ErrorPanel', () => {
  it('shows a RuntimeError with PyTorch’s message and no bug hint', () => {
    const panel = panelFor({
      type: 'RuntimeError',
      message: "shape '[7]' is invalid for input of size 6",
      node: 'r',
      phase: 'forward',
      iteration: 0,
    });
    expect(panel.dataset.errorType).toBe('RuntimeError');
    expect(panel.classList.contains('error-internal')).toBe(false);
    // the engine counts iterations from 0, the panel from 1 (issue 14)
    expect(panel.textContent).toContain('RuntimeError at “r” (forward, iteration 1 of 1)');
    expect(screen.queryByTestId('internal-error-hint')).toBeNull();
  });

  it('marks an InternalError as a bug of the app and asks to report it', () => {
    const panel = panelFor({
      type: 'InternalError',
      message: 'TypeError: x is undefined',
      node: 'd',
      phase: 'forward',
      iteration: 0,
    });
    expect(panel.dataset.errorType).toBe('InternalError');
    expect(panel.classList.contains('error-internal')).toBe(true);
    expect(screen.getByTestId('internal-error-hint').textContent).toBe(INTERNAL_ERROR_HINT);
    expect(INTERNAL_ERROR_HINT).toMatch(/^This is a bug in Autograd Studio, not in your graph: please report it/);
    expect(panel.textContent).toContain('TypeError: x is undefined');
  });
});
