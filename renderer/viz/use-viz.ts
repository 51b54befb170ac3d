/** Wraps a d3 factory `create(el) -> {update, destroy}` as a React hook. */
import { useEffect, useRef } from 'react';
import type { Viz } from './types';

/** Returns a ref for the container; the chart is created once and updated when `data` changes. */
export function useViz<T>(create: (el: HTMLElement) => Viz<T>, data: T | null): React.RefObject<HTMLDivElement | null> {
  const ref = useRef<HTMLDivElement | null>(null);
  const viz = useRef<Viz<T> | null>(null);
  useEffect(() => {
    if (!ref.current) return;
    viz.current = create(ref.current);
    return () => {
      viz.current?.destroy();
      viz.current = null;
    };
  }, [create]);
  useEffect(() => {
    if (data !== null) viz.current?.update(data);
  }, [data]);
  return ref;
}
