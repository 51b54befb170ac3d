/**
 * A BatchNorm2d's buffers over the protocol (a worker-thread engine): before a
 * run `getTensor('bn.running_mean')` says it is not computed yet (a tensor of
 * the graph, not an unknown name); after a run the run reply's summaries and
 * `getTensor` give PyTorch's values (the parity fixture batchnorm_train), and
 * the buffers never require grad nor have a .grad (Note [BatchNorm2d buffers]).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeArrays } from '../helpers/compare';
import { LOCAL_PARITY_DIR, readJson } from '../helpers/fixtures';
import { connect, readDoc, type Connected } from './helpers';

const FIXTURE = `${LOCAL_PARITY_DIR}/batchnorm_train`;

let c: Connected | null = null;
afterEach(() => {
  c?.close();
  c = null;
});

describe('BatchNorm2d buffers over the protocol', () => {
  it('are tensors of the graph before the run and carry PyTorch’s values after it', async () => {
    c = await connect();
    expect((await c.client.load(readDoc(`${FIXTURE}.graph.json`))).ok).toBe(true);
    await expect(c.client.getTensor('bn.running_mean', 'value')).rejects.toMatchObject({
      error: { message: 'bn.running_mean has not been computed yet in this iteration (step forward or run first)' },
    });
    const run = await c.client.run();
    const expected = readJson(`${FIXTURE}.expected.json`) as { tensors: Record<string, { data: number[] }> };
    for (const name of ['bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']) {
      expect(run.tensors[name], name).toMatchObject({ requires_grad: false, is_leaf: true, has_grad: false });
      const t = await c.client.getTensor(name, 'value');
      expect(closeArrays(Array.from(t.data), expected.tensors[name]!.data), name).toBeNull();
    }
    expect(run.tensors['bn.num_batches_tracked']!.dtype).toBe('int64');
    await expect(c.client.getTensor('bn.running_var', 'grad')).rejects.toMatchObject({
      error: { message: 'bn.running_var.grad is None (no gradient has reached it)' },
    });
  }, 60_000);
});
