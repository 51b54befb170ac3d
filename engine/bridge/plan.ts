/**
 * What an exported script needs to know about a graph before writing it: the
 * phases, the variables each function takes and returns, and which Tensor
 * nodes the loop feeds.
 */
import { compile } from '../graph/compile';
import type { GraphDocument, GraphNode } from '../graph/document';
import { outputNames } from '../protocol/op-spec';
import { Names } from './names';

/** The structure of the script for one validated document. */
export interface ExportPlan {
  readonly doc: GraphDocument;
  readonly names: Names;
  /** Input edges: node id -> port -> source id. */
  readonly inputs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  /** Tensor nodes, in document order. */
  readonly leaves: readonly GraphNode[];
  /** Dataset nodes, in document order: main() takes their batch each iteration (see dataset-py.ts). */
  readonly datasets: readonly GraphNode[];
  /** The output names of the Dataset nodes (`data.images`, `data.labels`), variables of main() like leaves. */
  readonly datasetOutputs: readonly string[];
  /** Layer nodes (Conv2d, Linear: Model attributes), in document order. */
  readonly layers: readonly GraphNode[];
  /** Forward-phase nodes (Tensor nodes excluded), in run order. */
  readonly forward: readonly GraphNode[];
  /** Update-phase nodes, in run order. */
  readonly update: readonly GraphNode[];
  /** Tensor nodes that receive feedback (only when the script loops). */
  readonly fed: ReadonlySet<string>;
  /** True when the run has more than one iteration (main() writes a for loop). */
  readonly loop: boolean;
  /** Ids of the Tensor nodes Model.forward takes. */
  readonly forwardArgs: readonly string[];
  /** Ids Model.forward returns: the backward root first, then what main() or update() needs, then sinks. */
  readonly forwardReturns: readonly string[];
  /** Ids update() takes (Tensor nodes, then forward nodes). */
  readonly updateArgs: readonly string[];
  /** True when update() uses a layer (it then takes the model). */
  readonly updateUsesModel: boolean;
  /** Ids update() returns: fed-back nodes, then sinks. */
  readonly updateReturns: readonly string[];
  /** Owned parameter names of each layer node (ports without a wire). */
  readonly owned: ReadonlyMap<string, readonly ('weight' | 'bias')[]>;
}

/** Builds the plan of a validated document. */
export function planExport(doc: GraphDocument): ExportPlan {
  const compiled = compile(doc);
  const inputs = compiled.inputs;
  const leaves = doc.nodes.filter((n) => n.impl.leaf);
  const layers = doc.nodes.filter((n) => n.impl.layer);
  const datasets = doc.nodes.filter((n) => n.impl.dataset);
  const datasetOutputs = datasets.flatMap((n) => outputNames(n.id, n.impl.spec));
  const forward = compiled.forward.filter((n) => !n.impl.leaf && !n.impl.dataset);
  const update = compiled.update;
  const loop = doc.run.iterations > 1;
  const fed = new Set(loop ? doc.run.feedback.map((f) => f.to) : []);
  const consumers = new Map<string, string[]>(doc.nodes.map((n) => [n.id, []]));
  for (const e of doc.edges) consumers.get(e.source)!.push(e.target);
  const inForward = new Set(forward.map((n) => n.id));
  const fedFrom = new Set(loop ? doc.run.feedback.map((f) => f.from) : []);
  const root = doc.run.backward;

  const sourcesOf = (nodes: readonly GraphNode[]) => new Set(nodes.flatMap((n) => [...inputs.get(n.id)!.values()]));
  const forwardSources = sourcesOf(forward);
  const updateSources = sourcesOf(update);
  const forwardArgs = [
    ...leaves.filter((l) => forwardSources.has(l.id)).map((l) => l.id),
    ...datasetOutputs.filter((o) => forwardSources.has(o)),
  ];
  const updateArgs = [
    ...leaves.filter((l) => updateSources.has(l.id)).map((l) => l.id),
    ...datasetOutputs.filter((o) => updateSources.has(o)),
    ...forward.filter((n) => updateSources.has(n.id)).map((n) => n.id),
  ];

  const forwardReturns: string[] = [];
  const add = (list: string[], id: string) => list.includes(id) || list.push(id);
  if (root !== null && inForward.has(root)) add(forwardReturns, root);
  for (const n of forward) if (updateSources.has(n.id) || fedFrom.has(n.id)) add(forwardReturns, n.id);
  for (const n of forward) if (consumers.get(n.id)!.length === 0) add(forwardReturns, n.id);

  const updateReturns: string[] = [];
  for (const n of update) if (fedFrom.has(n.id)) add(updateReturns, n.id);
  for (const n of update) if (consumers.get(n.id)!.length === 0) add(updateReturns, n.id);

  const owned = new Map<string, ('weight' | 'bias')[]>();
  for (const l of layers) {
    const wired = inputs.get(l.id)!;
    const names: ('weight' | 'bias')[] = [];
    if (l.impl.layer!.shapes.weight && !wired.has('weight')) names.push('weight');
    if (l.impl.layer!.shapes.bias && !wired.has('bias')) names.push('bias');
    owned.set(l.id, names);
  }
  return {
    doc,
    names: new Names(
      [...doc.nodes.map((n) => n.id), ...datasetOutputs],
      layers.map((l) => l.id),
    ),
    inputs,
    leaves,
    datasets,
    datasetOutputs,
    layers,
    forward,
    update,
    fed,
    loop,
    forwardArgs,
    forwardReturns,
    updateArgs,
    updateUsesModel: update.some((n) => n.impl.layer),
    updateReturns,
    owned,
  };
}
