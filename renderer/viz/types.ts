/** A tensor as the viewers take it: shape and row-major values. */
export interface TensorInput {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
  /** Gradients use a diverging colour scale centred on zero. */
  readonly diverging: boolean;
}

/** A d3 chart as a framework-free factory result. */
export interface Viz<T> {
  update(data: T): void;
  destroy(): void;
}

/** Index of a flat offset in a shape (`[n, c, h, w]`). */
export function unravel(offset: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  let r = offset;
  for (let d = shape.length - 1; d >= 0; d--) {
    const s = shape[d]!;
    idx[d] = s ? r % s : 0;
    r = s ? Math.floor(r / s) : 0;
  }
  return idx;
}
