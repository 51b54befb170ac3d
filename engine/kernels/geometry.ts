/**
 * The plain descriptions the kernels take: convolution and pooling geometry, the
 * elementwise operators. Types only, so that the TypeScript kernels, the
 * WebAssembly runtime and the dispatcher between them (engine/kernels/fast) can
 * all name them without importing each other in a cycle.
 */

/** Geometry of one 2-D convolution; all sizes are element counts. */
export interface Conv2dGeometry {
  /** Batch size. */
  n: number;
  /** Input channels (total, across all groups). */
  cIn: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Output channels (total, across all groups). */
  cOut: number;
  /** Kernel height. */
  kH: number;
  /** Kernel width. */
  kW: number;
  /** Vertical stride. */
  strideH: number;
  /** Horizontal stride. */
  strideW: number;
  /** Zero padding added to the top and the bottom. */
  padH: number;
  /** Zero padding added to the left and the right. */
  padW: number;
  /** Vertical dilation. */
  dilH: number;
  /** Horizontal dilation. */
  dilW: number;
  /** Number of groups; divides both `cIn` and `cOut`. */
  groups: number;
  /** Output height, as given by {@link convOutputSize}. */
  hOut: number;
  /** Output width, as given by {@link convOutputSize}. */
  wOut: number;
}

/** Shape and window parameters shared by every pooling kernel. */
export interface Pool2dGeometry {
  /** Number of independent planes (`N * C`, or `C` for unbatched input). */
  planes: number;
  /** Input height. */
  h: number;
  /** Input width. */
  w: number;
  /** Kernel height. */
  kH: number;
  /** Kernel width. */
  kW: number;
  /** Vertical stride. */
  strideH: number;
  /** Horizontal stride. */
  strideW: number;
  /** Implicit padding on top and bottom. */
  padH: number;
  /** Implicit padding on left and right. */
  padW: number;
  /** Vertical dilation (must be 1 for average pooling). */
  dilH: number;
  /** Horizontal dilation (must be 1 for average pooling). */
  dilW: number;
  /** Output height, as returned by {@link poolOutputSize}. */
  hOut: number;
  /** Output width, as returned by {@link poolOutputSize}. */
  wOut: number;
}

/** The arithmetic binary ops with specialised loops. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
