/**
 * Writes the three training examples on the bundled datasets (issue 15):
 * digits_cnn_sgd (a LeNet-style CNN on the 8x8 digits, SGD with momentum),
 * fashion_cnn_adam (the same on Fashion-MNIST with BatchNorm2d after each Conv2d and Adam) and
 * mlp_sigmoid_vs_relu (two deep MLPs side by side: the Sigmoid one's early
 * layers get far smaller gradients, drawn as thinner edges). The layers use
 * the engine's default init (seeded by each parameter's name), so every run
 * and the exported script (`--seeded engine`) start from the same numbers.
 * `build/bench/workloads.ts` builds W5 from {@link digitsCnn}. Run after
 * changing them: `npx tsx build/scripts/gen-training-examples.ts`; the output is committed.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { edge, type Edge } from './example-edge';

const EXAMPLES = resolve(import.meta.dirname, '../../renderer/examples');

type Node = { id: string; op: string; label?: string; params: object; position: { x: number; y: number } };

/** Column `c`, row `r` of the layout (nodes are 180 wide; a Conv2d with its parameters is about 310 tall after a run). */
const at = (c: number, r: number): { x: number; y: number } => ({ x: c * 230, y: r * 340 });

const labels = (ds: string, target: string): Edge => ({ ...edge(ds, target, 'target'), sourceHandle: 'labels' });
const images = (ds: string, target: string): Edge => ({ ...edge(ds, target), sourceHandle: 'images' });

/** A graph document (`compare`: what the app pins into its comparison strip when it opens it). */
function document(meta: object, nodes: Node[], edges: Edge[], run: object, compare?: object): object {
  return { format: 'autograd-studio/graph', version: 1, meta, nodes, edges, run, ...(compare ? { compare } : {}) };
}

/**
 * The LeNet-style CNN: two Conv2d -> ReLU -> MaxPool2d blocks, then two Linear layers, on `[B, 1, side, side]`
 * images. With `batchNorm`, a BatchNorm2d follows each Conv2d, whose bias is then left out (bias=False): the
 * batch norm subtracts each channel's mean, so a conv bias would get no gradient but rounding noise.
 */
function cnn(
  side: number,
  channels: [number, number],
  hidden: number,
  batchNorm = false,
): { nodes: Node[]; edges: Edge[] } {
  const flat = channels[1] * (side / 4) * (side / 4);
  const conv = (id: string, cin: number, cout: number): Node => ({
    id,
    op: 'Conv2d',
    params: { in_channels: cin, out_channels: cout, kernel_size: 3, padding: 1, ...(batchNorm ? { bias: false } : {}) },
    position: { x: 0, y: 0 },
  });
  const bn = (id: string, c: number): Node[] =>
    batchNorm ? [{ id, op: 'BatchNorm2d', params: { num_features: c }, position: { x: 0, y: 0 } }] : [];
  const block1: Node[] = [
    conv('conv1', 1, channels[0]),
    ...bn('bn1', channels[0]),
    { id: 'relu1', op: 'ReLU', params: {}, position: { x: 0, y: 0 } },
    { id: 'pool1', op: 'MaxPool2d', params: { kernel_size: 2 }, position: { x: 0, y: 0 } },
  ];
  const block2: Node[] = [
    conv('conv2', channels[0], channels[1]),
    ...bn('bn2', channels[1]),
    { id: 'relu2', op: 'ReLU', params: {}, position: { x: 0, y: 0 } },
    { id: 'pool2', op: 'MaxPool2d', params: { kernel_size: 2 }, position: { x: 0, y: 0 } },
  ];
  const head: Node[] = [
    { id: 'flat', op: 'Flatten', params: {}, position: { x: 0, y: 0 } },
    { id: 'fc1', op: 'Linear', params: { in_features: flat, out_features: hidden }, position: { x: 0, y: 0 } },
    { id: 'relu3', op: 'ReLU', params: {}, position: { x: 0, y: 0 } },
    { id: 'fc2', op: 'Linear', params: { in_features: hidden, out_features: 10 }, position: { x: 0, y: 0 } },
    { id: 'loss', op: 'CrossEntropyLoss', params: {}, position: { x: 0, y: 0 } },
  ];
  const chain = [...block1, ...block2, ...head];
  return { nodes: snake(batchNorm ? [block1, block2, head] : [[...block1, ...block2], head]), edges: links(chain) };
}

/**
 * Rows that run forward, back, forward, ... after the Dataset in column 0, each row starting under the
 * end of the one above, so the chain never crosses itself. Two rows for the plain CNN; three with
 * BatchNorm2d, whose two extra nodes would make two rows too wide to read at 1440x900.
 */
function snake(rows: Node[][]): Node[] {
  let col = 1;
  return rows.flatMap((row, r) => {
    const dir = r % 2 === 0 ? 1 : -1;
    const placed = row.map((n, i) => ({ ...n, position: at(col + dir * i, r) }));
    col += dir * (row.length - 1);
    return placed;
  });
}

/** The chain's edges (the Dataset's images into the first node, its labels into the loss). */
function links(chain: Node[]): Edge[] {
  const ids = chain.map((n) => n.id);
  return [images('data', ids[0]!), ...ids.slice(1).map((id, i) => edge(ids[i]!, id)), labels('data', 'loss')];
}

/** Iterations of the digits CNN's training run (about 11 epochs of the 1,437 training images). */
export const DIGITS_ITERATIONS = 500;

/** The LeNet-style CNN on the 8x8 digits, batch 32, SGD with momentum (also W5 of `npm run bench`). */
export function digitsCnn(iterations = DIGITS_ITERATIONS): object {
  const { nodes, edges } = cnn(8, [8, 16], 32);
  const data: Node = {
    id: 'data',
    op: 'Dataset',
    params: { name: 'digits', split: 'train', batch_size: 32, shuffle: true, seed: 0 },
    position: at(0, 0),
  };
  return document(
    {
      name: 'Digits CNN with SGD + momentum',
      description:
        'A LeNet-style CNN (Conv2d -> ReLU -> MaxPool2d twice, then Linear -> ReLU -> Linear) learns the 8x8 ' +
        'handwritten digits, 32 images a batch, with torch.optim.SGD(lr=0.05, momentum=0.9): each iteration is ' +
        'optimizer.zero_grad(), forward, loss.backward(), optimizer.step(). Run it: the Iterations chart shows the ' +
        'loss falling and the batch accuracy rising; the Training strip shows the batch with what the network ' +
        'predicted. Then press "Evaluate on test split": model.eval() and torch.no_grad() over the 360 test images.',
    },
    [data, ...nodes],
    edges,
    { backward: 'loss', iterations, zero_grad: true, optimizer: { kind: 'SGD', lr: 0.05, momentum: 0.9 } },
  );
}

function fashionCnn(): object {
  const { nodes, edges } = cnn(28, [8, 16], 64, true);
  const data: Node = {
    id: 'data',
    op: 'Dataset',
    params: {
      name: 'fashion-mnist',
      split: 'train',
      batch_size: 32,
      shuffle: true,
      seed: 0,
      normalize: { mean: 0.286, std: 0.353 },
    },
    position: at(0, 0),
  };
  return document(
    {
      name: 'Fashion-MNIST CNN with BatchNorm and Adam',
      description:
        'The digits CNN on 28x28 Fashion-MNIST clothes (10 classes: T-shirt/top ... Ankle boot) with a BatchNorm2d ' +
        'after each Conv2d (the convs have bias=False), the images normalised with transforms.Normalize(0.2860, ' +
        '0.3530), trained with torch.optim.Adam(lr=0.001). Adam keeps exp_avg and exp_avg_sq per parameter; each ' +
        'BatchNorm2d keeps running_mean and running_var, buffers updated in train mode (see the inspector), which ' +
        'model.eval() uses when evaluating. Run 300 iterations, look at the wrong guesses in ' +
        'the Training strip (red), then "Evaluate on test split": the confusion matrix shows which clothes it mixes ' +
        'up (shirts, T-shirts, pullovers and coats).',
    },
    [data, ...nodes],
    edges,
    { backward: 'loss', iterations: 300, zero_grad: true, optimizer: { kind: 'Adam', lr: 0.001 } },
  );
}

/** Two MLPs of `depth` hidden layers on the same digits, one with Sigmoid and one with ReLU; the loss is their sum. */
function mlpSigmoidVsRelu(depth = 5, width = 32): object {
  const nodes: Node[] = [
    {
      id: 'data',
      op: 'Dataset',
      params: { name: 'digits', split: 'train', batch_size: 32, shuffle: true, seed: 0 },
      position: at(0, 1),
    },
    { id: 'flat', op: 'Flatten', params: {}, position: at(1, 1) },
  ];
  const edges: Edge[] = [images('data', 'flat')];
  for (const [row, act] of [
    [0, 'Sigmoid'],
    [2, 'ReLU'],
  ] as const) {
    const p = act.toLowerCase();
    let prev = 'flat';
    for (let i = 1; i <= depth; i++) {
      nodes.push({
        id: `${p}_fc${i}`,
        op: 'Linear',
        params: { in_features: i === 1 ? 64 : width, out_features: width },
        position: at(2 * i, row),
      });
      nodes.push({ id: `${p}${i}`, op: act, params: {}, position: at(2 * i + 1, row) });
      edges.push(edge(prev, `${p}_fc${i}`), edge(`${p}_fc${i}`, `${p}${i}`));
      prev = `${p}${i}`;
    }
    nodes.push({
      id: `${p}_out`,
      op: 'Linear',
      params: { in_features: width, out_features: 10 },
      position: at(2 * depth + 2, row),
    });
    nodes.push({
      id: `${p}_loss`,
      op: 'CrossEntropyLoss',
      label: `loss (${act})`,
      params: {},
      position: at(2 * depth + 3, row),
    });
    edges.push(edge(prev, `${p}_out`), edge(`${p}_out`, `${p}_loss`), labels('data', `${p}_loss`));
  }
  nodes.push({ id: 'loss', op: 'Add', label: 'loss = sigmoid + relu', params: {}, position: at(2 * depth + 4, 1) });
  edges.push(edge('sigmoid_loss', 'loss', 'a'), edge('relu_loss', 'loss', 'b'));
  return document(
    {
      name: 'Vanishing gradients: Sigmoid vs ReLU',
      description:
        `Two MLPs with ${depth} hidden layers of ${width} units read the same digits: the top one with Sigmoid, the ` +
        'bottom one with ReLU; backward starts from the sum of their losses, so each gets its own gradient. Run one ' +
        "iteration and compare the edges: their width and ‖g‖ label are the gradient's size. Sigmoid's derivative is " +
        'at most 0.25, so every layer shrinks the gradient and the first Sigmoid layer gets almost none; the ReLU ' +
        'layers pass it on. The strip under the canvas pins both first layers’ weight.grad side by side. Use the ' +
        'iteration slider to watch both train.',
    },
    nodes,
    edges,
    { backward: 'loss', iterations: 20, zero_grad: true, optimizer: { kind: 'SGD', lr: 0.1 } },
    {
      pins: [
        { tensor: 'relu_fc1.weight', which: 'grad' },
        { tensor: 'sigmoid_fc1.weight', which: 'grad' },
      ],
    },
  );
}

async function write(slug: string, doc: object): Promise<void> {
  const file = resolve(EXAMPLES, `${slug}.graph.json`);
  writeFileSync(file, await format(JSON.stringify(doc), { parser: 'json', printWidth: 120 }));
  console.log(file);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await write('digits_cnn_sgd', digitsCnn());
  await write('fashion_cnn_adam', fashionCnn());
  await write('mlp_sigmoid_vs_relu', mlpSigmoidVsRelu());
}
