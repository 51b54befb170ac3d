// @vitest-environment jsdom
/**
 * A Dataset's `normalize` in the inspector (renderer/ui/NormalizeField.tsx):
 * none or Normalize(mean, std), the dataset's usual values (its train split's
 * mean and std, engine/protocol/datasets.ts) and 0.5/0.5 offered, a bad std
 * refused before it reaches the document; the node face writes it as
 * Normalize's arguments.
 */
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OP_BY_NAME } from '../../engine/protocol/ops';
import { AppContext, type AppServices } from '../../renderer/app/context';
import { shownParams } from '../../renderer/document/params';
import { emptyDocument } from '../../renderer/document/types';
import type { Host } from '../../renderer/platform/host';
import { Studio } from '../../renderer/state/store';
import { ParamField } from '../../renderer/ui/ParamField';

afterEach(cleanup);

const DATASET = OP_BY_NAME.get('Dataset')!;
const NORMALIZE = DATASET.params.find((p) => p.name === 'normalize')!;

/** The normalize field of a selected Dataset node of `name`, holding `value`. */
function field(name: string, value: unknown) {
  const node = { id: 'data', op: 'Dataset', params: { name }, position: { x: 0, y: 0 } };
  const studio = new Studio({ ...emptyDocument(), nodes: [node] });
  studio.select(['data']);
  const onChange = vi.fn();
  const onReset = vi.fn();
  const services: AppServices = { studio, host: {} as Host, session: null };
  render(
    <AppContext.Provider value={services}>
      <ParamField spec={NORMALIZE} value={value} onChange={onChange} onReset={onReset} />
    </AppContext.Provider>,
  );
  return { onChange, onReset };
}

const kind = () => screen.getByTestId('normalize-kind') as HTMLSelectElement;
const offers = () => screen.getAllByTestId('normalize-offer').map((b) => b.textContent);

describe('Dataset normalize field', () => {
  it('none by default; choosing Normalize sets the dataset’s usual mean and std', () => {
    const { onChange } = field('digits', undefined);
    expect(kind().value).toBe('none');
    expect(screen.queryByTestId('normalize-mean')).toBeNull();
    fireEvent.change(kind(), { target: { value: 'normalize' } });
    expect(onChange).toHaveBeenCalledWith({ mean: 0.3054, std: 0.3755 });
  });

  it('edits mean and std, offers the usual values and 0.5/0.5, and refuses a std that is not positive', () => {
    const { onChange, onReset } = field('fashion-mnist', { mean: 0.5, std: 0.5 });
    expect(kind().value).toBe('normalize');
    expect(offers()).toEqual(['0.286, 0.353: the usual values of fashion-mnist', '0.5, 0.5: pixels to [-1, 1]']);
    fireEvent.click(screen.getAllByTestId('normalize-offer')[0]!);
    expect(onChange).toHaveBeenLastCalledWith({ mean: 0.286, std: 0.353 });
    const std = screen.getByTestId('normalize-std');
    fireEvent.change(std, { target: { value: '0' } });
    fireEvent.blur(std);
    expect(screen.getByTestId('param-error').textContent).toContain('positive');
    expect(onChange).toHaveBeenCalledTimes(1);
    const mean = screen.getByTestId('normalize-mean');
    fireEvent.change(std, { target: { value: '0.25' } });
    fireEvent.change(mean, { target: { value: '0.1' } });
    fireEvent.keyDown(mean, { key: 'Enter' });
    expect(onChange).toHaveBeenLastCalledWith({ mean: 0.1, std: 0.25 });
    fireEvent.change(kind(), { target: { value: 'none' } });
    expect(onReset).toHaveBeenCalledTimes(1);
  });

  it('the node face writes it as Normalize’s arguments', () => {
    expect(shownParams(DATASET, { normalize: { mean: 0.5, std: 0.25 } })).toEqual([['normalize', '(0.5, 0.25)']]);
  });
});
