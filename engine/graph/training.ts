/**
 * What the training view reads from a run: the accuracy of each iteration's
 * batch, and a forward pass over a whole split of the Dataset node under
 * no_grad in eval mode ("evaluate on the test split"), as a learner writes it
 * after the training loop:
 *
 *     model.eval()
 *     with torch.no_grad():
 *         for images, labels in test_loader:
 *             pred = model(images).argmax(dim=1)
 *
 * Both need a classification loss as the backward root (CrossEntropyLoss or
 * NLLLoss) whose `target` holds class indices; evaluation also needs that
 * target to be a Dataset node's `labels`. A binary loss (BCEWithLogitsLoss) has
 * a batch accuracy too: `((logits > 0) == (target > 0.5)).float().mean()`;
 * `logits > 0` is the tutorials' `torch.sigmoid(logits) > 0.5` (but for logits
 * so close to 0 that float32's sigmoid rounds them to 0.5).
 */
import { noGrad } from '../autograd/grad-mode';
import { internalError } from '../core/errors';
import { argmaxRows, BINARY_LOSSES, binaryAccuracy, CLASSIFICATION_LOSSES } from '../protocol/classify';
import { DATASETS, type DatasetName, type DatasetSplit } from '../protocol/datasets';
import { outputName } from '../protocol/op-spec';
import type { DatasetSetup } from '../ops/define';
import type { Tensor } from '../tensor/tensor';
import type { CompiledGraph } from './compile';
import type { GraphNode } from './document';
import { makeTensor } from './init';
import { SessionLeases } from './leases';
import { createParams, withOwned, type Owned } from './ops';
import type { GraphSession } from './session';

/** The backward root's logits and target, by output name. */
export interface Classification {
  readonly loss: string;
  readonly logits: string;
  readonly target: string;
  /** BCEWithLogitsLoss: one logit per example (binary), not one score per class. */
  readonly binary: boolean;
}

/** The classification loss (one of several classes, or binary) the run's backward starts from, or null. */
export function classificationOf(graph: CompiledGraph): Classification | null {
  const root = graph.doc.run.backward;
  const node = graph.doc.nodes.find((n) => n.id === root);
  const binary = node !== undefined && BINARY_LOSSES.includes(node.op);
  if (!node || !(binary || CLASSIFICATION_LOSSES.includes(node.op))) return null;
  const ins = graph.inputs.get(node.id)!;
  return { loss: node.id, logits: ins.get('input')!, target: ins.get('target')!, binary };
}

/** Predictions and labels of one batch, or null when the tensors are not `[N, C]` scores and `[N]` classes. */
function predicted(
  logits: Tensor | undefined,
  target: Tensor | undefined,
): { pred: Int32Array; labels: ArrayLike<number> } | null {
  if (!logits || !target || logits.ndim !== 2 || target.ndim !== 1 || target.dtype !== 'int64') return null;
  const [rows = 0, cols = 0] = logits.shape;
  if (target.shape[0] !== rows || rows === 0) return null;
  return { pred: argmaxRows(logits.contiguousData(), rows, cols), labels: target.contiguousData() };
}

/**
 * The share of the current batch classified right, or null: the argmax of the
 * logits equals the target, or for a binary loss `(logit > 0) == (target > 0.5)`
 * element by element (logits and target of one shape, as BCEWithLogitsLoss requires).
 */
export function batchAccuracy(s: GraphSession, c: Classification): number | null {
  const logits = s.outputs.get(c.logits);
  const target = s.outputs.get(c.target);
  if (c.binary) {
    const same = logits && target && logits.shape.join() === target.shape.join();
    return same ? binaryAccuracy(logits.contiguousData(), target.contiguousData()) : null;
  }
  const p = predicted(logits, target);
  if (!p) return null;
  let right = 0;
  p.pred.forEach((k, i) => (right += k === p.labels[i] ? 1 : 0));
  return right / p.pred.length;
}

/** The Dataset node whose `labels` are the loss's target. */
export interface EvalPlan {
  readonly classification: Classification;
  readonly dataset: string;
  readonly name: DatasetName;
  readonly batchSize: number;
}

/** What evaluation needs, or why it cannot run (a sentence). */
export function evalPlan(graph: CompiledGraph): EvalPlan | string {
  const c = classificationOf(graph);
  if (!c || c.binary)
    return `evaluation needs run.backward to be a ${CLASSIFICATION_LOSSES.join(' or ')} (its input holds the class scores)`;
  const ds = graph.doc.nodes.find((n) => n.op === 'Dataset' && c.target === `${n.id}.labels`);
  const d = ds?.impl.dataset;
  if (!ds || !d) return `evaluation needs the target of ${c.loss} to be a Dataset node's labels`;
  return { classification: c, dataset: ds.id, name: d.name, batchSize: d.batchSize };
}

/** The setup of the Dataset node `id` of `graph`. */
function datasetOf(graph: CompiledGraph, id: string): DatasetSetup {
  const d = graph.doc.nodes.find((n) => n.id === id)?.impl.dataset;
  if (!d) throw internalError(`evaluation: ${id} is not a Dataset node`);
  return d;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const objectOr = (v: unknown): Record<string, unknown> => (isObj(v) ? v : {});

/**
 * The document that evaluates `doc` on `split`: the Dataset node in that split
 * without shuffling, `model.eval()`, no backward, no optimizer, one iteration
 * per batch.
 */
export function evalDocument(
  doc: Record<string, unknown>,
  plan: EvalPlan,
  split: DatasetSplit,
): Record<string, unknown> {
  const nodes = (Array.isArray(doc.nodes) ? doc.nodes : []).map((n: unknown) =>
    isObj(n) && n.id === plan.dataset ? { ...n, params: { ...objectOr(n.params), split, shuffle: false } } : n,
  );
  const { optimizer: _o, feedback: _f, ...run } = objectOr(doc.run);
  const batches = Math.ceil(DATASETS[plan.name].count[split] / plan.batchSize);
  return { ...doc, nodes, run: { ...run, backward: null, mode: 'eval', iterations: batches } };
}

/** The nodes the logits depend on, in `graph`'s forward order. */
function ancestorsOf(graph: CompiledGraph, output: string): GraphNode[] {
  const ids = new Set<string>();
  const visit = (name: string): void => {
    const id = name.split('.')[0]!;
    if (ids.has(id)) return;
    ids.add(id);
    for (const src of graph.inputs.get(id)?.values() ?? []) visit(src);
  };
  visit(output);
  return graph.forward.filter((n) => ids.has(n.id));
}

/** Predicted and true class of every image of a split, batch by batch. */
export class Evaluation {
  readonly predictions: Int32Array;
  readonly labels: Int32Array;
  readonly batches: number;
  readonly split: DatasetSplit;
  /** Batches evaluated so far. */
  done = 0;
  private readonly nodes: GraphNode[];
  private readonly params = new Map<string, Owned<Tensor>>();
  private readonly leases = new SessionLeases(this);

  /** `trained` gives the parameters and Tensor values (its last iteration's); `graph` is {@link evalDocument}'s. */
  constructor(
    private readonly trained: GraphSession,
    private readonly graph: CompiledGraph,
    readonly plan: EvalPlan,
  ) {
    this.split = datasetOf(graph, plan.dataset).split;
    const count = DATASETS[plan.name].count[this.split];
    this.predictions = new Int32Array(count);
    this.labels = new Int32Array(count);
    this.batches = graph.doc.run.iterations;
    this.nodes = ancestorsOf(graph, plan.classification.logits);
  }

  get finished(): boolean {
    return this.done >= this.batches;
  }

  /** Runs the next batch's forward pass (no_grad, eval mode) and records its predictions. */
  next(): void {
    const b = this.done;
    this.leases.nextIteration();
    try {
      this.leases.within(() => noGrad(() => this.forward(b)));
    } finally {
      this.leases.releaseAll();
    }
    this.done++;
  }

  /** Releases the kernels' memory (after an error or a cancel). */
  dispose(): void {
    this.leases.dispose();
  }

  private forward(b: number): void {
    const outputs = new Map<string, Tensor>();
    for (const n of this.nodes) {
      if (n.impl.leaf) {
        const leaf = n.impl.leaf;
        outputs.set(n.id, this.trained.outputs.get(n.id) ?? makeTensor(leaf.init, leaf.shape, leaf.dtype));
        continue;
      }
      const wired = this.graph.inputs.get(n.id)!;
      const inputs = new Map<string, Tensor>();
      for (const [port, src] of wired) inputs.set(port, outputs.get(src)!);
      const outs = n.impl.executeOutputs(
        { mode: 'eval', iteration: b, warn: () => undefined, sourceOf: (port) => wired.get(port)! },
        withOwned(inputs, n.impl.layer ? this.paramsOf(n, wired) : undefined),
      );
      for (const [name, t] of outs) outputs.set(outputName(n.id, n.impl.spec, name), t);
    }
    const p = predicted(outputs.get(this.plan.classification.logits), outputs.get(this.plan.classification.target));
    if (!p) throw internalError('evaluation: the logits are not [N, C] scores of the batch');
    const start = b * this.plan.batchSize;
    this.predictions.set(p.pred, start);
    this.labels.set(Int32Array.from(p.labels), start);
  }

  /** The trained parameters; before any training, the ones the first setup would make. */
  private paramsOf(n: GraphNode, wired: ReadonlyMap<string, string>): Owned<Tensor> {
    let p = this.trained.params.get(n.id) ?? this.params.get(n.id);
    if (!p) this.params.set(n.id, (p = createParams(n, wired)));
    return p;
  }
}

/** `confusion[t][p]`: images of true class t predicted as p. */
export function confusionMatrix(pred: Int32Array, labels: Int32Array, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  pred.forEach((p, i) => m[labels[i]!]![p]!++);
  return m;
}
