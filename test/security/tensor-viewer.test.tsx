// @vitest-environment jsdom
/**
 * Issue 16 item 6 in the app: clicking a node with id "__proto__" (or "constructor")
 * blanked the page, because the tensor viewer found Object.prototype's property
 * instead of "no tensor yet" ("TypeError ... reading 'join'").
 */
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AppContext, type AppServices } from '../../renderer/app/context';
import type { Host } from '../../renderer/platform/host';
import { withRunSummary } from '../../renderer/state/engine-state';
import { Studio } from '../../renderer/state/store';
import { TensorViewer } from '../../renderer/ui/TensorViewer';

afterEach(cleanup);

function viewer(name: string, tensors?: Record<string, unknown>): HTMLElement {
  const studio = new Studio();
  if (tensors) studio.setEngine((e) => withRunSummary(e, { tensors }));
  studio.setUi({ tensor: name });
  const services: AppServices = { studio, host: {} as Host, session: null };
  render(
    <AppContext.Provider value={services}>
      <TensorViewer />
    </AppContext.Provider>,
  );
  return screen.getByTestId('tensor-viewer');
}

const TENSOR = {
  shape: [1, 3],
  dtype: 'float32',
  data: [1, 2, 3],
  requires_grad: true,
  is_leaf: true,
  grad_fn: null,
  grad: null,
};

describe('the tensor viewer with ids named like Object.prototype properties', () => {
  for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
    it(`${name} before a run: "run the graph", no crash`, () => {
      expect(viewer(name).textContent).toContain('Run the graph to see this tensor.');
    });
  }

  it('__proto__ after a run: its shape and stats', () => {
    const tensors = JSON.parse(`{"__proto__": ${JSON.stringify(TENSOR)}}`) as Record<string, unknown>;
    const panel = viewer('__proto__', tensors);
    expect(screen.getByTestId('tensor-stats').textContent).toContain('[1, 3] float32');
    expect(panel.textContent).not.toContain('Run the graph');
  });

  it('constructor when only other tensors ran: "run the graph"', () => {
    expect(viewer('constructor', { x: TENSOR }).textContent).toContain('Run the graph to see this tensor.');
  });
});
