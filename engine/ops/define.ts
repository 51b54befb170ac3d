/**
 * What an op module is: its declaration (engine/protocol/op-spec.ts) plus its
 * behaviour, given to {@link defineOp}. The graph layer and the bridge see only
 * the non-generic {@link OpModule} and, once a node's parameters are checked,
 * its {@link BoundOp}, whose functions already hold the typed parameters.
 *
 * Note [An op is one folder]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~
 * Everything about an op lives in engine/ops/<op>/: `spec.ts` declares it (ports,
 * parameters with PyTorch's names, kinds and defaults, docs) and imports only
 * engine/protocol, because the canvas reads the catalog made from it and must
 * not load the engine; `op.ts` gives its behaviour (shape inference, execution,
 * Python) and may import core, kernels, autograd, tensor and nn. The two lists,
 * `catalog.ts` (declarations, palette order) and `index.ts` (behaviours by op
 * name, complete by type), are the only other places an op is named. Validation,
 * shape inference, the session and the exporter read nothing but these modules:
 * see `parse` (validation), `BoundOp.infer`, `BoundOp.execute` and
 * `BoundOp.python`. eslint keeps spec.ts files free of engine code.
 */
import { internalError } from '../core/errors';
import type { Tensor } from '../tensor/tensor';
import {
  opSpec,
  type Dtype,
  type InitSpec,
  type OpDeclaration,
  type OpSpec,
  type MeanStd,
  type Pair,
  type ParamDecl,
  type ParamDecls,
  type ParamInit,
  type ParamsOf,
} from '../protocol/op-spec';
import type { DatasetName, DatasetSplit } from '../protocol/datasets';
import { checkChoice, checkInit, checkKind, checkParamInit, isInitSpec, isParamInit } from './params';

/** What is known about a node's output before running. */
export interface PortMeta {
  readonly shape: readonly number[] | null;
  readonly dtype: Dtype | null;
  readonly requiresGrad: boolean;
  readonly isLeaf: boolean;
}

/** A node's inputs by port name (a layer's owned parameters included, under `weight` and `bias`). */
export type Ports<T> = ReadonlyMap<string, T>;

/** `run.mode`: nn.Module's training flag, `model.train()` or `model.eval()`. */
export type RunMode = 'train' | 'eval';

/** What an op may ask of the run while it executes. */
export interface OpContext {
  /** `run.mode`, the `self.training` of the op's module: only ops that behave differently read it. */
  readonly mode: RunMode;
  /** The iteration being run (0 for the first). */
  readonly iteration: number;
  /** Records a warning PyTorch would print. */
  warn(message: string): void;
  /** The id of the node wired to `port`. */
  sourceOf(port: string): string;
}

/** A leaf made at setup (the Tensor op). */
export interface LeafSetup {
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly requiresGrad: boolean;
  readonly init: InitSpec;
}

/** The shapes of a layer's owned parameters (null: none, as BatchNorm2d's with affine false) and the fan-in of PyTorch's default init. */
export interface ParamShapes {
  readonly weight: readonly number[] | null;
  readonly bias: readonly number[] | null;
  readonly fanIn: number;
}

/** What a Dataset node takes its batches from (see engine/ops/dataset/batches.ts). */
export interface DatasetSetup {
  readonly name: DatasetName;
  readonly split: DatasetSplit;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly normalize: MeanStd | null;
}

/** Python spellings of parameter values (the bridge's literals). */
export interface PyLiterals {
  /** An int-or-pair: `3` for [3, 3], `(2, 4)` otherwise; a string as a Python string. */
  pair(v: Pair | number | string): string;
  str(s: string): string;
  /** A number that must be a float literal. */
  float(v: number): string;
  /** A number, integers as ints. */
  number(v: number): string;
  /** A tuple of ints: `(2, 3)`, `(5,)`, `()`. */
  tuple(xs: readonly number[]): string;
}

/** A buffer a layer owns (`<id>.running_mean`): made at setup, reported, never a parameter. */
export interface BufferSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: Dtype;
  readonly init: InitSpec;
}

/** What a layer node (one that owns `<id>.weight` and `<id>.bias`) needs at setup and in Python. */
export interface LayerSetup {
  readonly shapes: ParamShapes;
  /** Its buffers (BatchNorm2d's running statistics), handed to the op as inputs under their names. */
  readonly buffers?: readonly BufferSpec[];
  readonly requiresGrad: boolean;
  readonly init: ParamInit;
  /** The module constructor's checks (PyTorch's messages), before the parameters are made. */
  check(): void;
  /** The module's constructor in Python (`nn.Conv2d(1, 4, 3)`), PyTorch's defaults left out. */
  module(py: PyLiterals): string;
}

/** How the exporter calls an op: the literals, and what the script names things. */
export interface PyContext extends PyLiterals {
  /** The module attribute of a layer node (`self.conv`). */
  readonly layer: string;
  /** The id of the node wired to `port`. */
  sourceOf(port: string): string;
  /** The node's own id. */
  readonly id: string;
  /** `run.iterations` and `run.mode` (Dropout writes the masks of every iteration). */
  readonly iterations: number;
  readonly mode: RunMode;
  /** The number of elements of the input on `port`, as shape inference gives it (0 if unknown). */
  inputNumel(port: string): number;
}

/** An op's Python: an expression, or statements before it. */
export type PyCode =
  | string
  | {
      readonly lines: readonly string[];
      readonly expr: string;
      /** Module-level statements the expression needs (written once each, before the Model). */
      readonly defs?: readonly string[];
    };

/** The behaviour of an op, given its typed parameters `P`. */
export interface OpBehaviour<P> {
  /** Tensor: the leaf the session makes at setup (no execute, no python: the session and exporter make leaves). */
  readonly leaf?: (p: P) => LeafSetup;
  /** Layers: the parameters the node owns, made once at setup and passed in as inputs `weight`/`bias`. */
  readonly layer?: (p: P) => LayerSetup;
  /** Grad: reads gradients, so it and everything after it runs in the update phase. */
  readonly readsGrad?: boolean;
  /** BatchNorm2d, Dropout: behaves differently in `model.train()` and `model.eval()` (reads `OpContext.mode`). */
  readonly readsMode?: boolean;
  /** Dataset: a source whose outputs are batches of a bundled dataset (the exporter embeds them). */
  readonly dataset?: (p: P) => DatasetSetup;
  /**
   * Shape, dtype and requires_grad of the output from the inputs', raising PyTorch's errors;
   * `mode` is `run.mode` (an op that `readsMode` infers what that mode returns).
   */
  readonly infer?: (ins: Ports<PortMeta>, p: P, mode: RunMode) => PortMeta;
  readonly execute?: (ctx: OpContext, ins: Ports<Tensor>, p: P) => Tensor;
  /** An op with several outputs (its declaration's `outputs`) infers and executes them all, by output name. */
  readonly inferOutputs?: (ins: Ports<PortMeta>, p: P, mode: RunMode) => Ports<PortMeta>;
  readonly executeOutputs?: (ctx: OpContext, ins: Ports<Tensor>, p: P) => Ports<Tensor>;
  /** The PyTorch expression, given the variables of the wired inputs (owned parameters are not among them). */
  readonly python?: (py: PyContext, ins: Ports<string>, p: P) => PyCode;
}

/** A node's op with its parameters bound: what compile, inference, the session and the exporter use. */
export interface BoundOp {
  readonly spec: OpSpec;
  readonly leaf: LeafSetup | null;
  readonly layer: LayerSetup | null;
  readonly readsGrad: boolean;
  readonly readsMode: boolean;
  readonly dataset: DatasetSetup | null;
  infer(ins: Ports<PortMeta>, mode: RunMode): PortMeta;
  execute(ctx: OpContext, ins: Ports<Tensor>): Tensor;
  /** Every output's meta by output name (`out` for an op with one output), in `run.mode` `mode`. */
  inferOutputs(ins: Ports<PortMeta>, mode: RunMode): Ports<PortMeta>;
  /** Every output by output name (`out` for an op with one output). */
  executeOutputs(ctx: OpContext, ins: Ports<Tensor>): Ports<Tensor>;
  python(py: PyContext, ins: Ports<string>): PyCode;
}

/** The outcome of checking a node's `params`. */
export interface ParsedParams {
  /** [path below `params` (`kernel_size`, `init.weight.kind`), message]. */
  readonly issues: readonly (readonly [string, string])[];
  /** The values that passed, defaults filled in. */
  readonly values: Readonly<Record<string, unknown>>;
  /** The bound op, when every parameter passed. */
  readonly bound: BoundOp | null;
}

/** One op of the engine. */
export interface OpModule {
  readonly spec: OpSpec;
  /** Checks a node's raw `params` object (never throws). */
  parse(raw: Readonly<Record<string, unknown>>): ParsedParams;
}

/** The ops a document may use, by name. */
export type OpRegistry = ReadonlyMap<string, OpModule>;

/** A registry of `modules`. */
export function opRegistry(modules: readonly OpModule[]): OpRegistry {
  return new Map(modules.map((m) => [m.spec.op, m]));
}

type Check = { ok: true; value: unknown } | { ok: false; issues: (readonly [string, string])[] };

const issuesAt = (name: string, found: readonly [string, string][]): Check => ({
  ok: false,
  issues: found.map(([p, m]) => [`${name}${p}`, m] as const),
});

/**
 * Checks one value. An `init` fills the op's `shape` with its `dtype` (both
 * declared before it), so it is checked only once those passed: an invalid shape
 * is the node's issue already.
 */
function checkValue(name: string, d: ParamDecl, v: unknown, siblings: Record<string, unknown>): Check {
  if (d.kind === 'init') {
    const shape = siblings.shape;
    if (!Array.isArray(shape)) return { ok: false, issues: [] };
    const count = shape.reduce((a: number, b: number) => a * b, 1);
    const found = checkInit(v, count, siblings.dtype === 'int64');
    return found.length === 0 && isInitSpec(v) ? { ok: true, value: v } : issuesAt(name, found);
  }
  if (d.kind === 'param_init') {
    const found = checkParamInit(v);
    return found.length === 0 && isParamInit(v) ? { ok: true, value: v } : issuesAt(name, found);
  }
  const r = d.kind === 'enum' ? checkChoice(d.values ?? [], v) : checkKind(d.kind, v);
  return r.ok ? r : { ok: false, issues: [[name, r.message]] };
}

function parseParams(decl: OpDeclaration, raw: Readonly<Record<string, unknown>>) {
  const issues: (readonly [string, string])[] = [];
  const values: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(decl.params, key)) issues.push([key, `unknown parameter of ${decl.op}`]);
  }
  let complete = true;
  for (const [name, d] of Object.entries(decl.params)) {
    const given = Object.hasOwn(raw, name) ? raw[name] : undefined;
    if (given === undefined && d.default === undefined) {
      issues.push([name, `required parameter of ${decl.op} is missing`]);
      complete = false;
      continue;
    }
    const r = checkValue(name, d, given === undefined ? d.default : given, values);
    if (r.ok) values[name] = r.value;
    else {
      issues.push(...r.issues);
      complete = false;
    }
  }
  return { issues, values, complete: complete && issues.length === 0 };
}

/**
 * Makes an op module from its declaration and behaviour: the one place where
 * checked parameter values become the typed `ParamsOf<S>` (see checkValue: each
 * value passed its declaration's check).
 */
export function defineOp<S extends ParamDecls, O extends string>(
  decl: OpDeclaration<S, O>,
  b: OpBehaviour<ParamsOf<S>>,
): OpModule {
  const spec = opSpec(decl);
  const infer = (ins: Ports<PortMeta>, p: ParamsOf<S>, mode: RunMode): PortMeta => {
    if (!b.infer) throw internalError(`no single-output inference for op ${decl.op}`);
    return b.infer(ins, p, mode);
  };
  const execute = (ctx: OpContext, ins: Ports<Tensor>, p: ParamsOf<S>): Tensor => {
    if (!b.execute) throw internalError(`no executor for op ${decl.op}`);
    return b.execute(ctx, ins, p);
  };
  const bind = (p: ParamsOf<S>): BoundOp => ({
    spec,
    leaf: b.leaf ? b.leaf(p) : null,
    layer: b.layer ? b.layer(p) : null,
    readsGrad: b.readsGrad === true,
    readsMode: b.readsMode === true,
    dataset: b.dataset ? b.dataset(p) : null,
    infer: (ins, mode) => infer(ins, p, mode),
    execute: (ctx, ins) => execute(ctx, ins, p),
    inferOutputs: (ins, mode) =>
      b.inferOutputs ? b.inferOutputs(ins, p, mode) : new Map([['out', infer(ins, p, mode)]]),
    executeOutputs: (ctx, ins) =>
      b.executeOutputs ? b.executeOutputs(ctx, ins, p) : new Map([['out', execute(ctx, ins, p)]]),
    python: (py, ins) => {
      if (!b.python) throw internalError(`exportPython: no Python for op ${decl.op}`);
      return b.python(py, ins, p);
    },
  });
  return {
    spec,
    parse(raw) {
      const r = parseParams(decl, raw);
      return { issues: r.issues, values: r.values, bound: r.complete ? bind(r.values as ParamsOf<S>) : null };
    },
  };
}

/** The output of an op whose result requires grad when any of `inputs` does. */
export function derived(shape: readonly number[], dtype: Dtype, inputs: readonly PortMeta[]): PortMeta {
  const rg = inputs.some((i) => i.requiresGrad);
  return { shape, dtype, requiresGrad: rg, isLeaf: !rg };
}

/** The input on `port` (wired, or checked by the graph layer to be present before an op runs). */
export function port<T>(ins: Ports<T>, name: string): T {
  const v = ins.get(name);
  if (v === undefined) throw internalError(`port "${name}" has no input`);
  return v;
}

/** The shape of an input whose shape is known (inference runs an op only when all its inputs' shapes are). */
export function shapeOf(m: PortMeta): readonly number[] {
  if (m.shape === null) throw internalError('inferring from an input of unknown shape');
  return m.shape;
}

/** An int-or-pair parameter equal to `[x, x]` (PyTorch's default, left out of the Python). */
export function pairIs(v: Pair | number | string, x: number): boolean {
  return typeof v === 'object' ? v[0] === x && v[1] === x : v === x;
}

/** A Python call, the arguments that are null left out. */
export function pyCall(fn: string, ...args: (string | null)[]): string {
  return `${fn}(${args.filter((a) => a !== null).join(', ')})`;
}
