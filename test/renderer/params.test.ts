import { describe, expect, it } from 'vitest';
import { OPS, OP_BY_NAME } from '../../engine/protocol/ops';
import { checkParams, checkValue, formatValue, parseText, starterParams } from '../../renderer/document/params';

describe('param validation', () => {
  it('checks each kind with PyTorch’s rules', () => {
    expect(checkValue('int2', 3)).toBeNull();
    expect(checkValue('int2', [2, 3])).toBeNull();
    expect(checkValue('int2', 0)).toMatch(/positive/);
    expect(checkValue('conv_padding', 'same')).toBeNull();
    expect(checkValue('conv_padding', 'full')).not.toBeNull();
    expect(checkValue('int2|null', null)).toBeNull();
    expect(checkValue('reshape', [-1, 4])).toBeNull();
    expect(checkValue('reshape', [-1, -1])).toMatch(/at most one -1/);
    expect(checkValue('shape', [2, -3])).not.toBeNull();
    expect(checkValue('enum', 'reflect', ['zeros', 'reflect'])).toBeNull();
    expect(checkValue('enum', 'mirror', ['zeros', 'reflect'])).toMatch(/one of zeros, reflect/);
    expect(checkValue('dims|null', [0, 1])).toBeNull();
    expect(checkValue('integer', -100)).toBeNull(); // ignore_index: negative, but whole
    expect(checkValue('integer', 0.5)).toMatch(/integer/);
    expect(checkValue('init', { kind: 'values', data: [1, 2] })).toBeNull();
    expect(checkValue('init', { kind: 'magic' })).toMatch(/init kind/);
    expect(checkValue('param_init', { weight: { kind: 'zeros' } })).toBeNull();
    expect(checkValue('param_init', { gamma: { kind: 'zeros' } })).toMatch(/unknown key "gamma"/);
  });

  it('reports missing required params and unknown ones', () => {
    const conv = OP_BY_NAME.get('Conv2d')!;
    const issues = checkParams(conv, { in_channels: 1, kernel_size: 3, stride: 0, foo: 1 });
    expect(issues.map((i) => i.param).sort()).toEqual(['foo', 'out_channels', 'stride']);
  });

  it('starter params of every op are valid', () => {
    for (const o of OPS) expect(checkParams(o, starterParams(o)), o.op).toEqual([]);
  });

  it('reads and writes text fields', () => {
    expect(parseText('3')).toBe(3);
    expect(parseText('[2, 3]')).toEqual([2, 3]);
    expect(parseText('(2, 3)')).toEqual([2, 3]);
    expect(parseText('same')).toBe('same');
    expect(parseText('null')).toBeNull();
    expect(parseText('  ')).toBeUndefined();
    expect(formatValue([2, 3])).toBe('[2,3]');
    expect(formatValue('valid')).toBe('valid');
  });
});
