/**
 * The four performance workloads W1-W4 of docs/workloads.md as graph
 * documents: deterministic `det()` data as `values` inits, `x` without grad,
 * `run.zero_grad: true`, and a chosen number of iterations.
 *
 * As a script it writes `W1.graph.json` ... `W4.graph.json`:
 *   tsx build/bench/workloads.ts --out DIR [--iterations N]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Names of the workloads. */
export type WorkloadName = 'W1' | 'W2' | 'W3' | 'W4';
/** Every workload, in order. */
export const WORKLOADS: readonly WorkloadName[] = ['W1', 'W2', 'W3', 'W4'];

/** `det(n, seed, scale)[i] = fround(scale * sin(0.7071 * i + seed))`. */
export function det(n: number, seed: number, scale: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(scale * Math.sin(0.7071 * i + seed));
  return out;
}

/** FLOP per forward+backward step, by the workloads file's convention. */
export const FLOPS: Readonly<Record<WorkloadName, number>> = {
  W1: 4608,
  W2: 190_869_504,
  W3: 603_979_776,
  W4: 9_437_184,
};

interface ConvSpec {
  id: string;
  cin: number;
  cout: number;
  k: number;
  padding: number;
  dilation?: number;
  groups?: number;
  mode?: string;
  wSeed: number;
  bSeed: number;
}

type Json = Record<string, unknown>;

const prod = (s: number[]): number => s.reduce((a, b) => a * b, 1);

function tensorNode(id: string, shape: number[], data: number[], dtype = 'float32'): Json {
  return { id, op: 'Tensor', params: { shape, dtype, requires_grad: false, init: { kind: 'values', data } } };
}

function convNode(c: ConvSpec): Json {
  const groups = c.groups ?? 1;
  const fanIn = (c.cin / groups) * c.k * c.k;
  const scale = 1 / Math.sqrt(fanIn);
  return {
    id: c.id,
    op: 'Conv2d',
    params: {
      in_channels: c.cin,
      out_channels: c.cout,
      kernel_size: c.k,
      padding: c.padding,
      dilation: c.dilation ?? 1,
      groups,
      padding_mode: c.mode ?? 'zeros',
      init: {
        weight: { kind: 'values', data: det(c.cout * fanIn, c.wSeed, scale) },
        bias: { kind: 'values', data: det(c.cout, c.bSeed, scale) },
      },
    },
  };
}

/** Builds a document from nodes and a chain description `[source, target, port?]`. */
function doc(name: string, nodes: Json[], edges: [string, string, string?][], root: string, iterations: number): Json {
  return {
    format: 'autograd-studio/graph',
    version: 1,
    meta: { name, description: `performance workload ${name} (docs/workloads.md)` },
    nodes,
    edges: edges.map(([source, target, port]) => ({
      source,
      sourceHandle: 'out',
      target,
      targetHandle: port ?? 'input',
    })),
    run: { backward: root, iterations, zero_grad: true },
  };
}

const chain = (ids: string[]): [string, string][] => ids.slice(1).map((t, i) => [ids[i]!, t]);

/** The graph document of one workload. */
export function workloadDocument(name: WorkloadName, iterations = 1): Json {
  switch (name) {
    case 'W1': {
      const xs = [1, 1, 8, 8];
      const nodes = [
        tensorNode('x', xs, det(prod(xs), 1, 1)),
        convNode({ id: 'conv1', cin: 1, cout: 2, k: 3, padding: 1, wSeed: 2, bSeed: 3 }),
        { id: 'pool', op: 'MaxPool2d', params: { kernel_size: 2 } },
        { id: 'flat', op: 'Flatten', params: {} },
        { id: 'lsm', op: 'LogSoftmax', params: { dim: 1 } },
        tensorNode('target', [1], [3], 'int64'),
        { id: 'loss', op: 'NLLLoss', params: { reduction: 'mean' } },
      ];
      const edges: [string, string, string?][] = [
        ...chain(['x', 'conv1', 'pool', 'flat', 'lsm', 'loss']),
        ['target', 'loss', 'target'],
      ];
      return doc('W1', nodes, edges, 'loss', iterations);
    }
    case 'W2': {
      const xs = [32, 1, 28, 28];
      const fcScale = 1 / Math.sqrt(1568);
      const nodes = [
        tensorNode('x', xs, det(prod(xs), 1, 1)),
        convNode({ id: 'conv1', cin: 1, cout: 16, k: 3, padding: 1, wSeed: 2, bSeed: 3 }),
        { id: 'relu1', op: 'ReLU', params: {} },
        { id: 'pool1', op: 'MaxPool2d', params: { kernel_size: 2 } },
        convNode({ id: 'conv2', cin: 16, cout: 32, k: 3, padding: 1, wSeed: 4, bSeed: 5 }),
        { id: 'relu2', op: 'ReLU', params: {} },
        { id: 'pool2', op: 'MaxPool2d', params: { kernel_size: 2 } },
        { id: 'flat', op: 'Flatten', params: {} },
        {
          id: 'fc',
          op: 'Linear',
          params: {
            in_features: 1568,
            out_features: 10,
            init: {
              weight: { kind: 'values', data: det(15680, 6, fcScale) },
              bias: { kind: 'values', data: det(10, 7, fcScale) },
            },
          },
        },
        { id: 'lsm', op: 'LogSoftmax', params: { dim: 1 } },
        tensorNode(
          'target',
          [32],
          Array.from({ length: 32 }, (_, n) => (3 * n + 1) % 10),
          'int64',
        ),
        { id: 'loss', op: 'NLLLoss', params: { reduction: 'mean' } },
      ];
      const ids = ['x', 'conv1', 'relu1', 'pool1', 'conv2', 'relu2', 'pool2', 'flat', 'fc', 'lsm', 'loss'];
      return doc('W2', nodes, [...chain(ids), ['target', 'loss', 'target']], 'loss', iterations);
    }
    case 'W3': {
      const xs = [8, 16, 64, 64];
      const nodes = [
        tensorNode('x', xs, det(prod(xs), 1, 1)),
        convNode({ id: 'conv1', cin: 16, cout: 32, k: 3, padding: 1, mode: 'reflect', wSeed: 2, bSeed: 3 }),
        { id: 'pool', op: 'AvgPool2d', params: { kernel_size: 2 } },
        { id: 'mean', op: 'Mean', params: {} },
      ];
      return doc('W3', nodes, chain(['x', 'conv1', 'pool', 'mean']), 'mean', iterations);
    }
    case 'W4': {
      const xs = [4, 8, 32, 32];
      const nodes = [
        tensorNode('x', xs, det(prod(xs), 1, 1)),
        convNode({ id: 'conv1', cin: 8, cout: 16, k: 3, padding: 2, dilation: 2, groups: 2, wSeed: 2, bSeed: 3 }),
        { id: 'pool', op: 'MaxPool2d', params: { kernel_size: 3, stride: 2, padding: 1 } },
        { id: 'sum', op: 'Sum', params: {} },
      ];
      return doc('W4', nodes, chain(['x', 'conv1', 'pool', 'sum']), 'sum', iterations);
    }
  }
}

function main(argv: string[]): void {
  let out = '.';
  let iterations = 1;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') out = argv[++i]!;
    else if (argv[i] === '--iterations') iterations = Number(argv[++i]);
  }
  mkdirSync(out, { recursive: true });
  for (const w of WORKLOADS) {
    const file = join(out, `${w}.graph.json`);
    writeFileSync(file, `${JSON.stringify(workloadDocument(w, iterations))}\n`);
    process.stdout.write(`${file}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
