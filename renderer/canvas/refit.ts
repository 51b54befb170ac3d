/**
 * Note [The opening view follows the canvas's size]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
 * A document opens with its graph fitted into the canvas (`fitReadable`), but
 * the strips under the canvas (comparison, training) appear or grow after a
 * run and take height from it, which would leave the fitted graph cut off at
 * the bottom. So until the user pans or zooms (a move that has an input event;
 * fitView and setViewport have none) or changes its nodes or edges, every change of the
 * canvas's size fits the graph again; after the user's first move or edit the
 * view is theirs until the next document opens. (An edit often opens the
 * problems strip; refitting then would move the nodes under the pointer of a
 * user who is wiring them. Run settings such as the iteration count are no such edit.)
 */
import { useCallback, useEffect, useRef, type RefObject } from 'react';

/** Size changes smaller than this (px) do not refit: scroll bars, rounding. */
const MIN_CHANGE = 8;

/**
 * Calls `refit` when `host` changes size, until the returned function is called
 * with an input event (from React Flow's `onMoveStart`); `epoch` (a new
 * document) starts over. See Note [The opening view follows the canvas's size].
 */
export function useRefitOnResize(
  host: RefObject<HTMLElement | null>,
  refit: () => void,
  epoch: number,
): (event: unknown) => void {
  const moved = useRef(false);
  const fit = useRef(refit);
  fit.current = refit;
  useEffect(() => {
    moved.current = false;
    const el = host.current;
    if (!el) return;
    let last = el.getBoundingClientRect();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const observer = new ResizeObserver(() => {
      const now = el.getBoundingClientRect();
      const changed = Math.abs(now.height - last.height) + Math.abs(now.width - last.width) >= MIN_CHANGE;
      if (!changed || moved.current) return;
      last = now;
      clearTimeout(timer);
      timer = setTimeout(() => !moved.current && fit.current(), 60);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      clearTimeout(timer);
    };
  }, [host, epoch]);
  return useCallback((event: unknown) => {
    if (event) moved.current = true;
  }, []);
}
