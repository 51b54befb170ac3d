/**
 * Evaluation (the training view's `evaluate`, engine/host/training.ts) of a graph
 * with a BatchNorm2d: it runs in eval mode with the trained session's parameters
 * AND buffers, so the layer normalises with the running statistics the training
 * accumulated, and leaves them as they are (See Note [BatchNorm2d buffers]). The
 * expected predictions come from a separate eval-mode session of the same
 * evaluation document whose BatchNorm2d is handed the trained tensors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GraphSession, load } from '../../../engine/graph/index';
import { argmaxRows } from '../../../engine/protocol/classify';
import { installNodeDatasets } from '../../../engine/host/node/datasets';
import { startEvaluation } from '../../../engine/host/training';
import { doc, edge, node, type Obj } from '../../helpers/docs';

beforeAll(() => installNodeDatasets());

const BATCH = 32;
const cnn = (): Obj =>
  doc(
    [
      node('data', 'Dataset', { name: 'digits', batch_size: BATCH, seed: 2 }),
      node('conv', 'Conv2d', { in_channels: 1, out_channels: 2, kernel_size: 3 }),
      node('bn', 'BatchNorm2d', { num_features: 2 }),
      node('flat', 'Flatten'),
      node('fc', 'Linear', { in_features: 72, out_features: 10 }),
      node('loss', 'CrossEntropyLoss'),
    ],
    [
      { source: 'data', sourceHandle: 'images', target: 'conv', targetHandle: 'input' },
      edge('conv', 'bn', 'input'),
      edge('bn', 'flat', 'input'),
      edge('flat', 'fc', 'input'),
      edge('fc', 'loss', 'input'),
      { source: 'data', sourceHandle: 'labels', target: 'loss', targetHandle: 'target' },
    ],
    { backward: 'loss', iterations: 4, zero_grad: true, optimizer: { kind: 'SGD', lr: 0.1 } },
  );

function loaded(json: Obj) {
  const l = load(json);
  if (!l.ok) throw new Error(JSON.stringify(l.issues));
  return l.graph;
}

/** The first test batch's predictions of an eval-mode session given the trained parameters (and buffers). */
function firstBatch(evalDoc: Obj, trained: GraphSession, buffers: 'trained' | 'fresh'): Int32Array {
  const s = new GraphSession(loaded(evalDoc));
  s.advance(); // setup: fresh parameters and buffers
  for (const [id, p] of trained.params)
    s.params.set(id, buffers === 'trained' ? p : { ...p, buffers: s.params.get(id)!.buffers });
  while (s.phase === 'forward') s.advance();
  const logits = s.outputs.get('fc')!;
  return argmaxRows(logits.contiguousData(), BATCH, 10);
}

describe('evaluate with a BatchNorm2d', () => {
  it('normalises with the trained running statistics and leaves the buffers unchanged', () => {
    const json = cnn();
    const graph = loaded(json);
    const trained = new GraphSession(graph);
    trained.run();
    expect(trained.error).toBeNull();
    const bn = trained.params.get('bn')!.buffers!;
    const before = [...bn.values()].map((t) => Array.from(t.contiguousData()));
    expect(before[2]).toEqual([4]); // num_batches_tracked after 4 training iterations

    const ev = startEvaluation(json as never, graph, trained, 'test');
    ev.next();
    const evalDoc = {
      ...json,
      nodes: (json.nodes as Obj[]).map((n) =>
        n.id === 'data' ? { ...n, params: { ...(n.params as Obj), split: 'test', shuffle: false } } : n,
      ),
      run: { mode: 'eval' },
    };
    const expected = firstBatch(evalDoc, trained, 'trained');
    expect(Array.from(ev.predictions.subarray(0, BATCH))).toEqual(Array.from(expected));
    // the trained parameters with fresh buffers (running_mean 0, running_var 1) predict otherwise
    expect(Array.from(firstBatch(evalDoc, trained, 'fresh'))).not.toEqual(Array.from(expected));
    expect([...bn.values()].map((t) => Array.from(t.contiguousData()))).toEqual(before);
  });
});
