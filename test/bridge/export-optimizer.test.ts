/**
 * run.optimizer in the exported script, as a person would write it (test/bridge/export.test.ts runs
 * every optim_* fixture's script on PyTorch 1.13 and compares its result, optimizer state included).
 */
import { describe, expect, it } from 'vitest';
import { exportPython } from '../../engine/bridge/index';
import { LOCAL_PARITY_DIR, readJson } from '../helpers/fixtures';

const script = (name: string) => exportPython(readJson(`${LOCAL_PARITY_DIR}/${name}.graph.json`));
const mainOf = (text: string) => text.slice(text.indexOf('def main():'), text.indexOf('# ----'));

describe('export: run.optimizer', () => {
  it('makes the optimizer before the loop, zero_grad at the top of it and step() right after backward', () => {
    const main = mainOf(script('optim_adam_amsgrad'));
    expect(main).toContain(
      '    opt = torch.optim.Adam([*model.parameters(), s], lr=0.05, eps=0.000001, amsgrad=True)\n',
    );
    expect(main).toMatch(
      /for iteration in range\(4\):\n {8}opt\.zero_grad\(set_to_none=True\)\n {8}loss = model\(x, s, y\)\n {8}loss\.backward\(\)\n {8}opt\.step\(\)\n/,
    );
    expect(main).not.toContain('model.zero_grad');
  });

  it('names each parameter of a params subset, and zeroes the rest itself', () => {
    const main = mainOf(script('optim_params_subset'));
    expect(main).toContain('opt = torch.optim.SGD([model.fc2.weight, s], lr=0.1, momentum=0.9)');
    expect(main).toContain('opt.zero_grad(set_to_none=True)\n        model.zero_grad(set_to_none=True)\n');
  });

  it("leaves out the arguments equal to torch.optim's defaults (SGD's lr is required)", () => {
    expect(mainOf(script('optim_sgd_plain'))).toContain('opt = torch.optim.SGD([*model.parameters(), s], lr=0.5)\n');
    expect(mainOf(script('optim_adamw'))).toContain('opt = torch.optim.AdamW([*model.parameters(), s], lr=0.05)\n');
    expect(mainOf(script('optim_tensor_leaf_adamw_amsgrad'))).toContain(
      'opt = torch.optim.AdamW([x], lr=0.02, betas=(0.5, 0.9), amsgrad=True)\n',
    );
  });

  it('adds opt.state to the printed result only when there is an optimizer', () => {
    expect(script('optim_sgd_plain')).toContain('Recorder.result = with_optimizer(Recorder.result)');
    expect(script('conv2d_valid')).not.toContain('optimizer_state');
  });
});
