/**
 * Writes the two adversarial-loop examples (adversarial_loop_error,
 * adversarial_loop_detached) around the bundled smiley image. They keep the ids
 * and ops of the reference fixtures of the same names (test/fixtures/reference),
 * so their autograd flags and backward order are the fixtures' (examples.e2e);
 * the image, the layer sizes and the layout are the examples' own. The layers'
 * parameters are written out (the engine's default draws, PyTorch's
 * U(-1/√fan_in, 1/√fan_in)), so an exported script and `--backend torch` start
 * from the same numbers as the app. Run after
 * changing them: `npx tsx build/scripts/gen-loop-examples.ts`; the output is committed.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'prettier';
import { defaultParam } from '../../engine/graph/init';
import { bundledTensor, shortF32 } from '../../renderer/images/bundled';
import { edge, type Edge } from './example-edge';

const EXAMPLES = resolve(import.meta.dirname, '../../renderer/examples');

type Node = { id: string; op: string; label?: string; params: object; position: { x: number; y: number } };

/** Column `c`, row `r` of the layout (nodes are 180 wide; a picture makes a node about 300 tall). */
const at = (c: number, r: number): { x: number; y: number } => ({ x: c * 250, y: r * 330 });

/** `init` of a layer: its default weight and bias written out as values. */
function layerInit(id: string, weight: number[], bias: number, fanIn: number): object {
  const values = (name: string, shape: number[]) => ({
    kind: 'values',
    data: Array.from(defaultParam(`${id}.${name}`, shape, fanIn).contiguousData(), shortF32),
  });
  return { weight: values('weight', weight), bias: values('bias', [bias]) };
}

/** The step size α: large enough that delta shows on the picture after one iteration. */
const ALPHA = 0.1;

function loop(detach: boolean): object {
  const img = bundledTensor('smiley');
  const [, channels, h, w] = img.shape as [number, number, number, number];
  const features = 2 * (h / 2) * (w / 2);
  const tensor = (id: string, shape: number[], params: object, position: Node['position'], label?: string): Node => ({
    id,
    op: 'Tensor',
    ...(label ? { label } : {}),
    params: { shape, dtype: 'float32', ...params },
    position,
  });
  const nodes: Node[] = [
    tensor('image', [...img.shape], { init: { kind: 'values', data: img.data.map(shortF32) } }, at(0, 0), 'smiley.png'),
    tensor('delta', [...img.shape], { requires_grad: true, init: { kind: 'zeros' } }, at(0, 1)),
    tensor('target', [1], { dtype: 'int64', init: { kind: 'values', data: [1] } }, { x: 5 * 250, y: -170 }),
    { id: 'adv', op: 'Add', label: 'image + delta', params: {}, position: at(1, 0) },
    {
      id: 'conv',
      op: 'Conv2d',
      params: {
        in_channels: channels,
        out_channels: 2,
        kernel_size: 3,
        padding: 1,
        init: layerInit('conv', [2, channels, 3, 3], 2, channels * 9),
      },
      position: at(2, 0),
    },
    { id: 'pool', op: 'MaxPool2d', params: { kernel_size: 2 }, position: at(3, 0) },
    { id: 'flat', op: 'Flatten', params: {}, position: at(4, 0) },
    {
      id: 'fc',
      op: 'Linear',
      params: { in_features: features, out_features: 3, init: layerInit('fc', [3, features], 3, features) },
      position: at(5, 0),
    },
    { id: 'loss', op: 'CrossEntropyLoss', params: {}, position: at(6, 0) },
    tensor('alpha', [1], { init: { kind: 'values', data: [ALPHA] } }, { x: 3 * 250, y: 170 }, 'α'),
    { id: 'grad', op: 'Grad', label: 'delta.grad', params: {}, position: at(1, 1) },
    { id: 'sign', op: 'Sign', params: {}, position: at(2, 1) },
    { id: 'step', op: 'Mul', label: 'α·sign(grad)', params: {}, position: at(3, 1) },
    { id: 'delta_next', op: 'Add', label: 'delta + step', params: {}, position: at(4, 1) },
  ];
  const edges: Edge[] = [
    edge('image', 'adv', 'a'),
    edge('delta', 'adv', 'b'),
    edge('adv', 'conv'),
    edge('conv', 'pool'),
    edge('pool', 'flat'),
    edge('flat', 'fc'),
    edge('target', 'loss', 'target'),
    edge('fc', 'loss'),
    edge('delta', 'grad', 'of'),
    edge('grad', 'sign'),
    edge('sign', 'step', 'a'),
    edge('alpha', 'step', 'b'),
    edge('delta', 'delta_next', 'a'),
    edge('step', 'delta_next', 'b'),
  ];
  if (detach) {
    nodes.push({ id: 'detached', op: 'Detach', label: 'delta_next.detach()', params: {}, position: at(5, 1) });
    edges.push(edge('delta_next', 'detached'));
  }
  const meta = detach
    ? {
        name: 'Adversarial loop fixed with Detach',
        description:
          'The loop of “Adversarial loop: the leaf error” with a Detach on the dashed ↺ feedback: delta = ' +
          'delta_next.detach() hands the next iteration a fresh leaf (no grad_fn), so requires_grad can be set again ' +
          'and all 3 iterations run. Click Forward step through iterations 2 and 3 and watch the pictures on the nodes: ' +
          `image, delta and adv = image + delta side by side; delta grows by α·sign(delta.grad) (α = ${ALPHA}) each ` +
          'iteration, and the loss rises (0.92, 1.37, 2.38 in the chart): the attack pushes the prediction away from ' +
          'class 1. delta is a leaf in every iteration; delta_next is a non-leaf, cut from the graph by Detach.',
      }
    : {
        name: 'Adversarial loop: the leaf error',
        description:
          'FGSM on an image: adv = image + delta goes through a small CNN, backward fills delta.grad, and delta_next = ' +
          `delta + α·sign(delta.grad) (α = ${ALPHA}) is fed back as delta for the next iteration (the dashed ↺ edge). ` +
          'Iteration 1 of 3 runs; in iteration 2, delta is delta_next’s output: a non-leaf with grad_fn=AddBackward0, ' +
          'so delta.requires_grad = True raises “you can only change requires_grad flags of leaf variables.” Run it, ' +
          'look at delta’s badges, then press the error panel’s “Insert Detach” button.',
      };
  return {
    format: 'autograd-studio/graph',
    version: 1,
    meta,
    nodes,
    edges,
    run: { backward: 'loss', iterations: 3, feedback: [{ from: detach ? 'detached' : 'delta_next', to: 'delta' }] },
  };
}

for (const [slug, detach] of [
  ['adversarial_loop_error', false],
  ['adversarial_loop_detached', true],
] as const) {
  // as Prettier writes JSON, like gen-images.ts: numbers filled into lines
  writeFileSync(
    resolve(EXAMPLES, `${slug}.graph.json`),
    await format(JSON.stringify(loop(detach)), { parser: 'json', printWidth: 120 }),
  );
}
console.log(`wrote adversarial_loop_error and adversarial_loop_detached to ${EXAMPLES}`);
