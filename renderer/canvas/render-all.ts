/**
 * Large graphs, zoomed in, render only the nodes and edges in view
 * (Canvas.tsx, LARGE_GRAPH). The image export reads the canvas from the DOM, so it
 * asks the canvas to render every element while it reads.
 */
import { flushSync } from 'react-dom';

type Listener = (all: boolean) => void;
const listeners = new Set<Listener>();

/** Called by the canvas: `l(true)` while every element must be rendered. Returns the unsubscribe. */
export function onRenderAll(l: Listener): () => void {
  listeners.add(l);
  return () => void listeners.delete(l);
}

/** Runs `fn` (synchronously) with every node and edge of the canvas in the DOM. */
export function withEveryElementRendered<T>(fn: () => T): T {
  if (listeners.size === 0) return fn();
  flushSync(() => {
    for (const l of listeners) l(true);
  });
  try {
    return fn();
  } finally {
    for (const l of listeners) l(false);
  }
}
