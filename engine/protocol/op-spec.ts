/**
 * How an op of the graph format is declared: its ports and its parameters with
 * PyTorch's names and defaults, each parameter carrying the TypeScript type of
 * its checked value. The declarations themselves live with their ops
 * (`engine/ops/<op>/spec.ts`); `engine/protocol/ops.ts` lists them as the
 * catalog the canvas reads. See docs/adding-an-op.md.
 */

/** A pair `[h, w]` (an int-or-pair parameter after checking). */
export type Pair = readonly [number, number];

/** The dtypes of the graph format. */
export type Dtype = 'float32' | 'int64';

/** Spec for a tensor's initial values. */
export type InitSpec =
  | { readonly kind: 'values'; readonly data: readonly number[] }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' }
  | { readonly kind: 'full'; readonly value: number }
  | { readonly kind: 'arange'; readonly start: number; readonly step: number }
  | { readonly kind: 'rand'; readonly seed: number }
  | { readonly kind: 'randn'; readonly seed: number }
  | { readonly kind: 'randint'; readonly low: number; readonly high: number; readonly seed: number };

/** The initial values of a layer's owned parameters (`init` of Conv2d and Linear). */
export interface ParamInit {
  readonly weight?: InitSpec;
  readonly bias?: InitSpec;
}

/** The value each parameter kind holds once checked. */
export interface KindValue {
  /** a non-negative integer */
  int: number;
  /** a positive integer */
  posint: number;
  /** a positive integer or a pair [h, w] */
  int2: Pair;
  /** a non-negative integer or a pair [h, w] */
  int2nn: Pair;
  /** int2, or null (stride defaults to kernel_size) */
  'int2|null': Pair | null;
  /** int2 (non-negative), "same" or "valid" */
  conv_padding: Pair | 'same' | 'valid';
  bool: boolean;
  number: number;
  'number|null': number | null;
  /** any integer (may be 0 or negative, as PyTorch accepts them), or null: divisor_override */
  'integer|null': number | null;
  /** any integer (may be negative), e.g. ignore_index */
  integer: number;
  /** an integer dimension (may be negative) */
  dim: number;
  'dim|null': number | null;
  /** null, an integer, or a list of integers */
  'dims|null': number | readonly number[] | null;
  /** a list of integer dimensions (may be negative), e.g. permute's order */
  dims: readonly number[];
  /** an integer, or a pair of integers or nulls (null: keep the input's size), as adaptive pooling takes */
  output_size: number | readonly [number | null, number | null];
  /** list of non-negative integers */
  shape: readonly number[];
  /** list of integers, at most one -1 */
  reshape: readonly number[];
  dtype: Dtype;
  /** one of the parameter's `values` */
  enum: string;
  /** a Tensor init spec */
  init: InitSpec;
  /** { weight?: init, bias?: init } */
  param_init: ParamInit;
  /** null, or {"mean": number, "std": number} (torchvision's Normalize, one channel) */
  'mean_std|null': MeanStd | null;
}

/** torchvision's `Normalize(mean, std)` of one channel. */
export interface MeanStd {
  readonly mean: number;
  readonly std: number;
}

/** The kind of value a parameter holds. */
export type ParamKind = keyof KindValue;

/** One parameter of an op, as the catalog lists it. */
export interface ParamSpec {
  readonly name: string;
  readonly kind: ParamKind;
  /** Default (as written in a document); `undefined` means required. */
  readonly default?: unknown;
  /** Allowed values for `enum`. */
  readonly values?: readonly string[];
  /** One line for the inspector. */
  readonly doc: string;
}

/** One input port of an op. */
export interface PortSpec {
  readonly name: string;
  readonly optional: boolean;
  readonly doc: string;
}

/** One output of an op: most ops have one, `out`; a Dataset has `images` and `labels`. */
export interface OutputSpec {
  readonly name: string;
  readonly doc: string;
}

/** The output of every op that declares none. */
export const OUT: OutputSpec = { name: 'out', doc: 'the output tensor' };

/** The palette's groups. */
export type OpCategory = 'tensor' | 'layer' | 'activation' | 'shape' | 'math' | 'reduce' | 'loss' | 'autograd';

/** One op of the graph format, as the catalog lists it. */
export interface OpSpec {
  readonly op: string;
  /** What PyTorch calls it. */
  readonly torch: string;
  readonly category: OpCategory;
  readonly ports: readonly PortSpec[];
  /** The outputs an edge's `sourceHandle` names (`[OUT]` for every op with one output). */
  readonly outputs: readonly OutputSpec[];
  readonly params: readonly ParamSpec[];
  readonly doc: string;
}

/**
 * A parameter's declaration: a ParamSpec without its name (the key it is
 * declared under), typed by the value it holds once checked (`V`).
 */
export interface ParamDecl<K extends ParamKind = ParamKind, V = KindValue[K]> {
  readonly kind: K;
  readonly default?: unknown;
  readonly values?: readonly string[];
  readonly doc: string;
  /** Never set: carries the type of the checked value. */
  readonly valueType?: V;
}

/** An op's parameters by name, in the order the inspector shows them. */
export type ParamDecls = Readonly<Record<string, ParamDecl>>;

/** The checked parameters of an op, typed from its declarations. */
export type ParamsOf<S extends ParamDecls> = {
  readonly [K in keyof S]: S[K] extends ParamDecl<ParamKind, infer V> ? V : never;
};

/** A parameter with a default (written as a document writes it: `1` for a pair `[1, 1]`). */
export function param<K extends Exclude<ParamKind, 'enum'>>(kind: K, def: unknown, doc: string): ParamDecl<K> {
  return { kind, default: def, doc };
}

/** A required parameter. */
export function required<K extends Exclude<ParamKind, 'enum'>>(kind: K, doc: string): ParamDecl<K> {
  return { kind, doc };
}

/** A parameter that holds one of `values`. */
export function choice<const V extends string>(
  values: readonly V[],
  def: NoInfer<V>,
  doc: string,
): ParamDecl<'enum', V> {
  return { kind: 'enum', default: def, values, doc };
}

/** Everything the catalog says about one op, with its parameters typed. */
export interface OpDeclaration<S extends ParamDecls = ParamDecls, O extends string = string> {
  readonly op: O;
  readonly torch: string;
  readonly category: OpCategory;
  readonly ports: readonly PortSpec[];
  /** Several named outputs (left out: the one output `out`). */
  readonly outputs?: readonly OutputSpec[];
  readonly params: S;
  readonly doc: string;
}

/** Declares an op (the `const` keeps each parameter's literal types). */
export function declareOp<const S extends ParamDecls, const O extends string>(
  d: OpDeclaration<S, O>,
): OpDeclaration<S, O> {
  return d;
}

/** The catalog entry of a declaration: its parameters as a list. */
export function opSpec(d: OpDeclaration): OpSpec {
  const params = Object.entries(d.params).map(([name, p]): ParamSpec => ({ name, ...p }));
  const outputs = d.outputs ?? [OUT];
  return { op: d.op, torch: d.torch, category: d.category, ports: d.ports, outputs, params, doc: d.doc };
}

/** The port most ops have. */
export const INPUT: PortSpec = { name: 'input', optional: false, doc: 'the input tensor' };

/** The ports of a layer that owns `<id>.weight` and `<id>.bias`: a wire may replace either. */
export const LAYER_PORTS: readonly PortSpec[] = [
  INPUT,
  { name: 'weight', optional: true, doc: 'replaces the owned weight' },
  { name: 'bias', optional: true, doc: 'replaces the owned bias' },
];

/**
 * The name a node's output goes by in the result and in the engine's maps: the
 * node id for an op with one output, `<id>.<output>` for each output of an op
 * with several (`data.images`, `data.labels`), as a layer's parameters are
 * `<id>.weight` and `<id>.bias`. Ids have no dot, so the names never collide.
 */
export function outputName(id: string, spec: Pick<OpSpec, 'outputs'>, output: string): string {
  return spec.outputs.length === 1 ? id : `${id}.${output}`;
}

/** Every output name of a node, in its op's output order. */
export function outputNames(id: string, spec: Pick<OpSpec, 'outputs'>): string[] {
  return spec.outputs.map((o) => outputName(id, spec, o.name));
}
