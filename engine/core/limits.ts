/**
 * Size budget. A graph whose tensors would exceed it is refused before anything is
 * allocated, so a document with a huge shape ends as a clear error, never as an
 * out-of-memory crash of the engine process.
 */

/** Largest number of elements one tensor may have: 2^25 (128 MiB of float32). */
export const MAX_TENSOR_ELEMENTS = 2 ** 25;

/** Largest total number of elements of all node outputs of one graph (inferred before running): 2^27. */
export const MAX_GRAPH_ELEMENTS = 2 ** 27;

/** Largest rank a tensor may have. */
export const MAX_RANK = 8;
