/**
 * Writes the bundled images (renderer/images/bundled/<name>.png) from their
 * drawings, and the two examples that show them (conv2d_padding_modes,
 * pooling_variants). Run after changing a drawing or an example:
 * `npx tsx build/scripts/gen-images.ts`; the output is committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { format } from 'prettier';
import { resolve } from 'node:path';
import { bundledTensor, shortF32 } from '../../renderer/images/bundled';
import { DRAWINGS, type DrawingName } from '../../renderer/images/drawings';
import { isGreyscale } from '../../renderer/images/to-tensor';
import { encodePng } from './png';
import { edge, type Edge } from './example-edge';

const ROOT = resolve(import.meta.dirname, '../..');
const OUT = resolve(ROOT, 'renderer/images/bundled');
const EXAMPLES = resolve(ROOT, 'renderer/examples');

type Node = { id: string; op: string; label?: string; retain_grad?: boolean; params: object; position: object };

/** A Tensor node holding bundled image `name`. */
function imageNode(id: string, name: DrawingName, requiresGrad: boolean, position: object): Node {
  const t = bundledTensor(name);
  return {
    id,
    op: 'Tensor',
    label: `${name}.png`,
    params: {
      shape: [...t.shape],
      dtype: 'float32',
      requires_grad: requiresGrad,
      init: { kind: 'values', data: t.data.map(shortF32) },
    },
    position,
  };
}

/** Sum of `ids` as a chain of Add nodes ending in `total`; returns the nodes and edges. */
function sumChain(ids: readonly string[], x: number, y0: number, dy: number): { nodes: Node[]; edges: Edge[] } {
  const nodes: Node[] = [];
  const edges: Edge[] = [];
  let acc = ids[0]!;
  for (let i = 1; i < ids.length; i++) {
    const id = i === ids.length - 1 ? 'total' : `add${i}`;
    nodes.push({ id, op: 'Add', params: {}, position: { x: x + 240 * (i - 1), y: y0 + dy * i } });
    edges.push(edge(acc, id, 'a'), edge(ids[i]!, id, 'b'));
    acc = id;
  }
  return { nodes, edges };
}

/** The document: the branches, then the Add chain that sums them into `total` (the backward root). */
function doc(
  name: string,
  description: string,
  nodes: Node[],
  edges: Edge[],
  chain: ReturnType<typeof sumChain>,
): object {
  return {
    format: 'autograd-studio/graph',
    version: 1,
    meta: { name, description },
    nodes: [...nodes, ...chain.nodes],
    edges: [...edges, ...chain.edges],
    run: { backward: 'total' },
  };
}

/** One branch per padding mode: x.clone() (keeps its .grad) → Conv2d with an identity kernel and padding 4 → Sum. */
function paddingModes(): object {
  const modes = ['zeros', 'reflect', 'replicate', 'circular'] as const;
  const identity = Array.from({ length: 27 }, (_, i) => (i % 9 === 4 ? 1 : 0));
  const dy = 460;
  const nodes: Node[] = [imageNode('x', 'shapes', true, { x: 0, y: 1.5 * dy })];
  const edges: Edge[] = [];
  modes.forEach((m, i) => {
    const y = i * dy;
    nodes.push(
      {
        id: `in_${m}`,
        op: 'Clone',
        label: 'x.clone()',
        retain_grad: true,
        params: {},
        position: { x: 260, y },
      },
      {
        id: `conv_${m}`,
        op: 'Conv2d',
        label: m,
        params: {
          in_channels: 3,
          out_channels: 3,
          kernel_size: 3,
          padding: 4,
          padding_mode: m,
          groups: 3,
          bias: false,
          requires_grad: false,
          init: { weight: { kind: 'values', data: identity } },
        },
        position: { x: 500, y },
      },
      { id: `sum_${m}`, op: 'Sum', params: {}, position: { x: 740, y } },
    );
    edges.push(edge('x', `in_${m}`), edge(`in_${m}`, `conv_${m}`), edge(`conv_${m}`, `sum_${m}`));
  });
  const chain = sumChain(
    modes.map((m) => `sum_${m}`),
    980,
    0,
    dy * 0.8,
  );
  return doc(
    'Conv2d padding modes',
    'One image through four Conv2d layers whose 3×3 kernel copies each pixel (identity, groups=3) with padding=4. ' +
      'Each conv node shows its 38×38 output: the image inside a 3-pixel frame made by its padding_mode, zeros ' +
      '(black), reflect (mirrored), replicate (edge pixels stretched) or circular (the opposite edge wrapped round). ' +
      'Click Backward step: the padding has its own grad_fns (ReflectionPad2DBackward0, ReplicationPad2DBackward0, ' +
      'CopySlices for circular), and each branch’s clone keeps its .grad, drawn under it: how often each pixel was ' +
      'used (1 inside; 2 or 4 where reflect or circular copied it; up to 16 at replicate’s corners).',
    nodes,
    edges,
    chain,
  );
}

/** MaxPool2d and AvgPool2d (with and without count_include_pad) on one image, each on its own clone. */
function pooling(): object {
  const pools = [
    { id: 'maxpool', op: 'MaxPool2d', label: 'max', extra: {} },
    { id: 'avg_incl', op: 'AvgPool2d', label: 'average', extra: {} },
    { id: 'avg_excl', op: 'AvgPool2d', label: 'avg, no pad', extra: { count_include_pad: false } },
  ];
  const dy = 460;
  const nodes: Node[] = [imageNode('x', 'shapes', true, { x: 0, y: dy })];
  const edges: Edge[] = [];
  pools.forEach((p, i) => {
    const y = i * dy;
    const inp = `in_${p.id}`;
    nodes.push(
      { id: inp, op: 'Clone', label: 'x.clone()', retain_grad: true, params: {}, position: { x: 260, y } },
      {
        id: p.id,
        op: p.op,
        label: p.label,
        params: { kernel_size: 3, stride: 2, padding: 1, ...p.extra },
        position: { x: 500, y },
      },
      { id: `s_${p.id}`, op: 'Sum', params: {}, position: { x: 740, y } },
    );
    edges.push(edge('x', inp), edge(inp, p.id), edge(p.id, `s_${p.id}`));
  });
  const chain = sumChain(
    pools.map((p) => `s_${p.id}`),
    980,
    0,
    dy,
  );
  return doc(
    'Pooling variants',
    'One 32×32 image through MaxPool2d and AvgPool2d (kernel 3, stride 2, padding 1); each node shows its 16×16 ' +
      'output. Max keeps each window’s brightest value, so edges stay hard; average blurs them, and with ' +
      'count_include_pad=True (the default) the padding zeros are averaged in, so the border darkens. Click Backward step: ' +
      'each clone keeps its .grad, drawn under it. Max sends the gradient to one pixel per window (a sparse pattern); ' +
      'average spreads 1/9 over every window (pixels in two or four windows get more); count_include_pad=False ' +
      'gives the border pixels larger shares.',
    nodes,
    edges,
    chain,
  );
}

mkdirSync(OUT, { recursive: true });
for (const name of Object.keys(DRAWINGS) as DrawingName[]) {
  const p = DRAWINGS[name].draw();
  writeFileSync(resolve(OUT, `${name}.png`), encodePng(p, isGreyscale(p)));
}
// the examples as Prettier writes JSON (numbers filled into lines): short files, stable output
const json = (doc: object): Promise<string> => format(JSON.stringify(doc), { parser: 'json', printWidth: 120 });
writeFileSync(resolve(EXAMPLES, 'conv2d_padding_modes.graph.json'), await json(paddingModes()));
writeFileSync(resolve(EXAMPLES, 'pooling_variants.graph.json'), await json(pooling()));
console.log(`wrote ${Object.keys(DRAWINGS).length} images to ${OUT} and 2 examples to ${EXAMPLES}`);
