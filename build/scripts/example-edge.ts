/** An edge of a generated example document (build/scripts/gen-images.ts, gen-loop-examples.ts). */
export type Edge = { source: string; sourceHandle: string; target: string; targetHandle: string };

/** The edge from `source`'s output into `target`'s port `targetHandle`. */
export const edge = (source: string, target: string, targetHandle = 'input'): Edge => ({
  source,
  sourceHandle: 'out',
  target,
  targetHandle,
});
