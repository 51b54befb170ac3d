/**
 * Layer sizes that follow from the input's shape (the Keras way): a Linear's
 * `in_features` is the input's last dimension, a Conv2d's `in_channels` its
 * channel dimension (C of NCHW or CHW), a BatchNorm2d's `num_features` C of NCHW.
 */

/** The params of an `op` node that its input's `shape` decides, with their values. */
export function inferredParams(op: string, shape: readonly number[] | null | undefined): Record<string, number> {
  if (!shape) return {};
  if (op === 'Linear' && shape.length >= 1 && shape[shape.length - 1]! > 0)
    return { in_features: shape[shape.length - 1]! };
  if (op === 'Conv2d' && (shape.length === 3 || shape.length === 4) && shape[shape.length - 3]! > 0)
    return { in_channels: shape[shape.length - 3]! };
  if (op === 'BatchNorm2d' && shape.length === 4 && shape[1]! > 0) return { num_features: shape[1]! };
  return {};
}

/** The inferred params that differ from what the node has: `[name, inferred]` pairs. */
export function mismatches(
  op: string,
  params: Readonly<Record<string, unknown>>,
  shape: readonly number[] | null | undefined,
): [string, number][] {
  return Object.entries(inferredParams(op, shape)).filter(([k, v]) => params[k] !== v);
}
