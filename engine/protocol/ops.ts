/**
 * The op catalog of graph format version 1: every op's ports and parameters with
 * PyTorch's names and defaults, made from the op declarations
 * (`engine/ops/<op>/spec.ts`, listed in `engine/ops/catalog.ts`). The canvas's
 * palette and inspector, the JSON Schema and the tests read it; the engine reads
 * the op modules themselves (`engine/ops/index.ts`).
 */
import { DECLARATIONS } from '../ops/catalog';
import { opSpec, type OpSpec } from './op-spec';

export type { OpCategory, OpSpec, ParamKind, ParamSpec, PortSpec } from './op-spec';

/** Every op of graph format version 1, in palette order. */
export const OPS: readonly OpSpec[] = DECLARATIONS.map(opSpec);

/** The op spec by name. */
export const OP_BY_NAME: ReadonlyMap<string, OpSpec> = new Map(OPS.map((o) => [o.op, o]));
