// @vitest-environment jsdom
/**
 * The run settings' editors of `run.mode` and `run.optimizer`
 * (renderer/ui/OptimizerEditor.tsx): each change is one undoable command,
 * torch.optim's defaults are the placeholders, and the messages at each field
 * are the engine's (its `load` of the edited document, as the app's session
 * would report it): torch.optim's constructor messages, not the app's.
 */
import { readFileSync } from 'node:fs';
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { load } from '../../engine/graph/index';
import { AppContext, type AppServices } from '../../renderer/app/context';
import { parseDocument } from '../../renderer/document/parse';
import { toJson } from '../../renderer/document/serialize';
import type { Host } from '../../renderer/platform/host';
import { Studio } from '../../renderer/state/store';
import { RunSettings } from '../../renderer/ui/RunSettings';

afterEach(cleanup);

const example = (slug: string) => parseDocument(readFileSync(`renderer/examples/${slug}.graph.json`, 'utf8'));

/** The run settings of the digits example (SGD, lr=0.1, momentum=0.9). */
function open(): Studio {
  const studio = new Studio(example('digits_cnn_sgd'));
  const services: AppServices = { studio, host: {} as Host, session: null };
  render(
    <AppContext.Provider value={services}>
      <RunSettings />
    </AppContext.Provider>,
  );
  return studio;
}

/** What the engine says when it loads the studio's document, handed to the studio as the session does. */
function engineLoads(studio: Studio): void {
  const l = load(toJson(studio.doc));
  const issues = l.ok ? [] : l.issues;
  act(() => studio.setEngine((e) => ({ ...e, load: { ...(e.load ?? EMPTY_LOAD), ok: l.ok, issues } })));
}
const EMPTY_LOAD = { ok: true, issues: [], ports: {}, order: [], update: [], problems: [], elements: 0, budget: 0 };

const optimizer = (s: Studio) => s.doc.run?.extra?.optimizer;
const box = (testid: string) => screen.getByTestId(testid) as HTMLInputElement;
const type = (testid: string, text: string) => {
  fireEvent.change(box(testid), { target: { value: text } });
  fireEvent.blur(box(testid));
};
const errors = () => screen.queryAllByTestId('optimizer-error').map((e) => e.textContent);

describe('run.optimizer editor', () => {
  it('names every editor of the run settings by its label (clicking a name focuses or ticks it)', () => {
    open();
    expect(screen.getByLabelText(/^backward/)).toBe(screen.getByTestId('run-backward'));
    expect(screen.getByLabelText(/^mode/)).toBe(screen.getByTestId('run-mode'));
    expect(screen.getByLabelText(/^optimizer/)).toBe(screen.getByTestId('optimizer-kind-select'));
    expect(screen.getByLabelText(/^lr/)).toBe(box('optimizer-lr'));
    expect(screen.getByLabelText(/^nesterov/)).toBe(box('optimizer-nesterov'));
    expect(screen.getByLabelText(/^iterations/).getAttribute('type')).toBe('number');
    expect(screen.getByLabelText('feedback from').tagName).toBe('SELECT');
  });

  it("shows the document's optimizer with each field's torch.optim default", () => {
    const studio = open();
    expect((screen.getByTestId('optimizer-kind-select') as HTMLSelectElement).value).toBe('SGD');
    expect(box('optimizer-lr').value).toBe(String((optimizer(studio) as { lr: number }).lr));
    expect(box('optimizer-dampening').placeholder).toBe('0');
    expect(box('optimizer-nesterov').checked).toBe(false);
    expect(screen.getByTestId('run-optimizer').textContent).toContain('torch.optim.SGD(params, lr=');
  });

  it('switching to Adam keeps lr and params, offers Adam’s fields, and is one undo step', () => {
    const studio = open();
    const before = optimizer(studio) as Record<string, unknown>;
    fireEvent.change(screen.getByTestId('optimizer-kind-select'), { target: { value: 'Adam' } });
    const after = optimizer(studio) as Record<string, unknown>;
    expect(after).toEqual({ kind: 'Adam', lr: before.lr, ...(before.params ? { params: before.params } : {}) });
    expect(box('optimizer-eps').placeholder).toBe('1e-8');
    expect(box('optimizer-betas-0').placeholder).toBe('0.9');
    expect(box('optimizer-betas-1').placeholder).toBe('0.999');
    expect(screen.queryByTestId('optimizer-momentum')).toBeNull();
    act(() => studio.undo());
    expect(optimizer(studio)).toEqual(before);
  });

  it("AdamW's weight_decay default is 0.01; none removes the optimizer", () => {
    const studio = open();
    fireEvent.change(screen.getByTestId('optimizer-kind-select'), { target: { value: 'AdamW' } });
    expect(box('optimizer-weight_decay').placeholder).toBe('0.01');
    fireEvent.change(screen.getByTestId('optimizer-kind-select'), { target: { value: '' } });
    expect(optimizer(studio)).toBeUndefined();
    expect(screen.queryByTestId('optimizer-lr')).toBeNull();
  });

  it('shows the engine’s torch.optim messages at their fields; a fix clears them', () => {
    const studio = open();
    type('optimizer-lr', '-0.5');
    expect((optimizer(studio) as { lr: number }).lr).toBe(-0.5);
    engineLoads(studio);
    expect(errors()).toEqual(['Invalid learning rate: -0.5']);
    expect(
      screen.getByTestId('optimizer-error').closest('[data-optimizer-field]')?.getAttribute('data-optimizer-field'),
    ).toBe('lr');
    type('optimizer-momentum', '0');
    fireEvent.click(box('optimizer-nesterov'));
    engineLoads(studio);
    expect(errors()).toEqual([
      'Invalid learning rate: -0.5',
      'Nesterov momentum requires a momentum and zero dampening',
    ]);
    type('optimizer-lr', '0.05');
    fireEvent.click(box('optimizer-nesterov'));
    engineLoads(studio);
    expect(errors()).toEqual([]);
  });

  it("SGD without lr: the field says required and the engine gives torch.optim's message", () => {
    const studio = open();
    type('optimizer-lr', '');
    expect(optimizer(studio)).not.toHaveProperty('lr');
    expect(box('optimizer-lr').placeholder).toBe('required');
    engineLoads(studio);
    expect(errors()).toEqual(["parameter group didn't specify a value of required optimization parameter lr"]);
  });

  it('Adam betas: each box edits its beta, the engine checks each', () => {
    const studio = open();
    fireEvent.change(screen.getByTestId('optimizer-kind-select'), { target: { value: 'Adam' } });
    type('optimizer-betas-1', '1.0');
    expect((optimizer(studio) as { betas: number[] }).betas).toEqual([0.9, 1]);
    engineLoads(studio);
    expect(errors()).toEqual(['Invalid beta parameter at index 1: 1']);
  });
});

describe('run.mode editor', () => {
  it('sets eval and back to train, each one undo step', () => {
    const studio = open();
    const mode = screen.getByTestId('run-mode') as HTMLSelectElement;
    expect(mode.value).toBe('train');
    fireEvent.change(mode, { target: { value: 'eval' } });
    expect(studio.doc.run?.extra?.mode).toBe('eval');
    expect((toJson(studio.doc).run as { mode: string }).mode).toBe('eval');
    act(() => studio.undo());
    expect(studio.doc.run?.extra?.mode).toBeUndefined();
    expect(mode.value).toBe('train');
  });
});
