/**
 * The run settings the renderer keeps among the run's other keys (`run.extra`):
 * `run.mode` and `run.optimizer`, read and replaced as the run settings edit
 * them. The values are checked by the engine (engine/graph/validate.ts,
 * engine/graph/optimizer.ts with torch.optim's messages), not here.
 */
import { OPTIMIZER_DEFAULTS, type OptimizerKind } from '../../engine/protocol/optimizer';
import type { RunSpec } from './types';

/** `run.optimizer` as the document has it: an object with a `kind`, and fields the user set. */
export type OptimizerJson = Readonly<Record<string, unknown>>;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** `run.mode`: "eval", or "train" (the default) for anything else. */
export function runMode(run: RunSpec): 'train' | 'eval' {
  return run.extra?.mode === 'eval' ? 'eval' : 'train';
}

/** `run.optimizer`, or null when the run has none (or it is not an object). */
export function optimizerOf(run: RunSpec): OptimizerJson | null {
  const o = run.extra?.optimizer;
  return isObj(o) ? o : null;
}

/** `run` with `key` of its extra set to `value` (removed when undefined). */
export function withRunExtra(run: RunSpec, key: string, value: unknown): RunSpec {
  const { [key]: _old, ...rest } = run.extra ?? {};
  const extra = value === undefined ? rest : { ...rest, [key]: value };
  const { extra: _e, ...known } = run;
  return Object.keys(extra).length ? { ...known, extra } : known;
}

/**
 * The optimizer of `kind` that replaces `old`: the fields set on the old one
 * that the new kind has too (its `lr`, `weight_decay`, ...) and its `params`
 * are kept; the rest are the new kind's defaults.
 */
export function switchOptimizer(old: OptimizerJson | null, kind: OptimizerKind): OptimizerJson {
  const fields: Readonly<Record<string, unknown>> = OPTIMIZER_DEFAULTS[kind];
  const kept = Object.entries(old ?? {}).filter(([k]) => k === 'params' || k in fields);
  return { kind, ...Object.fromEntries(kept) };
}

/** `spec` with `field` set to `value`, or left out (torch.optim's default) when `value` is undefined. */
export function withOptimizerField(spec: OptimizerJson, field: string, value: unknown): OptimizerJson {
  const { [field]: _old, ...rest } = spec;
  return value === undefined ? rest : { ...rest, [field]: value };
}
