// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OP_BY_NAME } from '../../engine/protocol/ops';
import { ParamField } from '../../renderer/ui/ParamField';

afterEach(cleanup);
const spec = (op: string, name: string) => OP_BY_NAME.get(op)!.params.find((p) => p.name === name)!;

describe('ParamField', () => {
  it('shows PyTorch’s default and validates as you type; commits only valid values', () => {
    const onChange = vi.fn();
    const { container } = render(
      <ParamField spec={spec('Conv2d', 'stride')} value={undefined} onChange={onChange} onReset={() => {}} />,
    );
    expect(screen.getByText('default 1')).toBeTruthy();
    const input = container.querySelector('input')!;
    fireEvent.change(input, { target: { value: '0' } });
    expect(screen.getByTestId('param-error').textContent).toMatch(/positive integer or a pair/);
    fireEvent.blur(input);
    expect(onChange).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: '(2, 1)' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(onChange).toHaveBeenCalledWith([2, 1]);
  });

  it('uses a select for enums and a checkbox for booleans', () => {
    const onChange = vi.fn();
    const { container, rerender } = render(
      <ParamField spec={spec('Conv2d', 'padding_mode')} value={undefined} onChange={onChange} onReset={() => {}} />,
    );
    fireEvent.change(container.querySelector('select')!, { target: { value: 'reflect' } });
    expect(onChange).toHaveBeenLastCalledWith('reflect');
    rerender(
      <ParamField
        spec={spec('AvgPool2d', 'count_include_pad')}
        value={undefined}
        onChange={onChange}
        onReset={() => {}}
      />,
    );
    const box = container.querySelector('input[type=checkbox]') as HTMLInputElement;
    expect(box.checked).toBe(true);
    fireEvent.click(box);
    expect(onChange).toHaveBeenLastCalledWith(false);
  });

  it('names its editor with the parameter: clicking the name ticks a flag', () => {
    const onChange = vi.fn();
    render(
      <ParamField spec={spec('Tensor', 'requires_grad')} value={undefined} onChange={onChange} onReset={() => {}} />,
    );
    const box = screen.getByLabelText(/^requires_grad/) as HTMLInputElement;
    expect(box.type).toBe('checkbox');
    fireEvent.click(screen.getByText('requires_grad'));
    expect(onChange).toHaveBeenLastCalledWith(true);
    cleanup();
    render(<ParamField spec={spec('Conv2d', 'stride')} value={undefined} onChange={onChange} onReset={() => {}} />);
    expect((screen.getByLabelText(/^stride/) as HTMLInputElement).placeholder).toBe('1');
  });

  it('resets to the default when cleared', () => {
    const onReset = vi.fn();
    const { container } = render(
      <ParamField spec={spec('Flatten', 'start_dim')} value={2} onChange={() => {}} onReset={onReset} />,
    );
    const input = container.querySelector('input')!;
    fireEvent.change(input, { target: { value: '' } });
    fireEvent.blur(input);
    expect(onReset).toHaveBeenCalled();
  });
});
