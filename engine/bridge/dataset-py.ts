/**
 * The exported script's Dataset nodes. PyTorch's DataLoader order cannot be
 * reproduced without torch's generator, nor the engine's without its code, so
 * the script embeds what the engine's run takes: the images and labels of every
 * row some iteration uses (uint8, as stored) and each iteration's rows (See
 * Note [Dataset batch order] in engine/ops/dataset/batches.ts). A function per
 * node turns a batch into tensors as the engine does: pixels / scale
 * (ToTensor), then Normalize.
 */
import { datasetArrays } from '../core/datasets';
import { DATASETS } from '../protocol/datasets';
import type { GraphNode } from '../graph/document';
import { batchRows } from '../ops/dataset/batches';
import { pyFloat } from './literals';
import type { ExportPlan } from './plan';

/** The name of the function that gives a Dataset node's batch of an iteration. */
const batchFn = (plan: ExportPlan, n: GraphNode) => `${plan.names.v(n.id)}_batch`;

/** Python text of an int list, wrapped at about 96 columns. */
function intList(xs: ArrayLike<number>, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < xs.length; i++) {
    const item = `${xs[i]},`;
    if (line.length + item.length > 96 - indent) {
      lines.push(line);
      line = '';
    }
    line += line === '' ? item : ` ${item}`;
  }
  if (line !== '') lines.push(line);
  return lines.length <= 1
    ? `[${line.replace(/,$/, '')}]`
    : `[\n${lines.map((l) => ' '.repeat(indent) + l).join('\n')}\n]`;
}

/** Hex of bytes in lines of 96 characters, as implicitly joined Python strings. */
function hexLines(bytes: Uint8Array): string {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const parts: string[] = [];
  for (let i = 0; i < hex.length; i += 96) parts.push(`    "${hex.slice(i, i + 96)}"`);
  return parts.length === 0 ? '""' : `(\n${parts.join('\n')}\n)`;
}

/** The module-level data and batch function of one Dataset node. */
function datasetSection(plan: ExportPlan, n: GraphNode): string {
  const d = n.impl.dataset!;
  const info = DATASETS[d.name];
  const size = info.image[0] * info.image[1] * info.image[2];
  const data = datasetArrays(d.name, d.split);
  const used = new Map<number, number>(); // dataset row -> row of the embedded arrays
  const perIteration: number[][] = [];
  const plan0 = {
    count: info.count[d.split],
    batchSize: d.batchSize,
    shuffle: d.shuffle,
    seed: d.seed,
  };
  for (let k = 0; k < plan.doc.run.iterations; k++) {
    perIteration.push(Array.from(batchRows(plan0, k), (r) => used.get(r) ?? used.set(r, used.size).get(r)!));
  }
  const rows = [...used.keys()];
  const images = new Uint8Array(rows.length * size);
  rows.forEach((r, i) => images.set(data.images.subarray(r * size, (r + 1) * size), i * size));
  const V = plan.names.v(n.id).toUpperCase();
  const norm = d.normalize
    ? `\n    images = (images - ${pyFloat(d.normalize.mean)}) / ${pyFloat(d.normalize.std)}  # Normalize`
    : '';
  const order = d.shuffle ? `shuffled every epoch from seed ${d.seed}` : 'in file order';
  return [
    `# Dataset node ${n.id}: ${d.name}, ${d.split} split, batch_size ${d.batchSize}, ${order} by the engine.`,
    '# Embedded: the images and labels (uint8, as stored) of the rows the run takes, and the rows of each',
    '# iteration (into these arrays).',
    `${V}_IMAGES = torch.frombuffer(bytearray.fromhex(${hexLines(images)}), dtype=torch.uint8).reshape(-1, ${info.image.join(', ')})`,
    `${V}_LABELS = torch.tensor(${intList(
      rows.map((r) => data.labels[r]!),
      4,
    )})`,
    `${V}_ROWS = ${perIteration.length === 1 ? intList(perIteration[0]!, 4) : `[\n${perIteration.map((r) => `    ${intList(r, 8)},`).join('\n')}\n]`}`,
    '',
    '',
    `def ${batchFn(plan, n)}(iteration):`,
    `    """Iteration \`iteration\`'s batch of ${n.id}: pixels / ${info.scale} (ToTensor)${d.normalize ? ', then Normalize' : ''}."""`,
    `    rows = torch.tensor(${V}_ROWS[iteration])`,
    `    images = ${V}_IMAGES[rows].float() / ${info.scale}${norm}`,
    `    return images, ${V}_LABELS[rows]`,
  ].join('\n');
}

/** The module-level sections of every Dataset node (none without one). */
export function datasetSections(plan: ExportPlan): string[] {
  return plan.datasets.map((n) => datasetSection(plan, n));
}

/** main()'s statement taking each Dataset node's batch at the top of an iteration. */
export function datasetLines(plan: ExportPlan, iteration: string): string[] {
  return plan.datasets.map((n) => {
    const vars = ['images', 'labels'].map((o) => plan.names.v(`${n.id}.${o}`));
    return `${vars.join(', ')} = ${batchFn(plan, n)}(${iteration})`;
  });
}
