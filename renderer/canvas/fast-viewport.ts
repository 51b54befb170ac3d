/**
 * Pan and zoom without running React Flow's store on every frame.
 *
 * React Flow keeps the viewport transform in its zustand store, and every
 * store update runs every subscriber: one selector per node, edge, handle and
 * minimap node (about 2,000 for the 300-node test graph, 4-5 ms of script per
 * pan or zoom step). This hook runs React Flow with a controlled viewport
 * (`viewport` + `onViewportChange`), which stops React Flow from writing each
 * step into its store, and instead:
 *
 * - writes each step straight to the viewport element's transform (what React
 *   Flow's own Viewport component does when the store changes), so the graph
 *   moves on the frame the input arrives;
 * - writes the transform into the store at most every {@link SYNC_MS} during a
 *   user's drag or wheel gesture (the minimap's view rectangle follows at that
 *   rate) and at once when the gesture ends or the move is programmatic
 *   (fitView, setViewport, the Controls and minimap, auto-pan while dragging a
 *   node or a connection), so everything that reads the store (getViewport,
 *   screenToFlowPosition, auto-pan, the minimap) sees the current viewport;
 * - reports whether the zoom is below `detailZoom` (the canvas then draws a
 *   large graph without text), changing state only when it crosses: at once
 *   when zooming out, but when zooming in only once the gesture has ended.
 *   Bringing back the text of 300 nodes takes Chromium about 0.2 s (style,
 *   paint, raster); at rest that is not a stall in the middle of a zoom.
 *
 * The `viewport` prop stays the same object for the canvas's lifetime: React
 * Flow copies it into its store and its pan/zoom behaviour only when it changes
 * (useViewportSync), and a stale copy must never move d3-zoom back.
 */
import { useStoreApi, type OnMove, type Viewport } from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState, type RefObject } from 'react';

/** Longest time the store's transform lags behind the screen during a gesture. */
export const SYNC_MS = 100;

/** The viewport transform as React Flow writes it (the e2e tests read the zoom from it). */
export const viewportTransform = (v: Viewport): string => `translate(${v.x}px,${v.y}px) scale(${v.zoom})`;

/** Props for `<ReactFlow>`, and whether the zoom is below `detailZoom`. */
export interface FastViewport {
  viewport: Viewport;
  onViewportChange: (v: Viewport) => void;
  onMoveStart: OnMove;
  onMoveEnd: OnMove;
  zoomedOut: boolean;
}

/** Controlled-viewport props for the `<ReactFlow>` rendered inside `host`. */
export function useFastViewport(host: RefObject<HTMLElement | null>, detailZoom: number): FastViewport {
  const store = useStoreApi();
  const viewport = useMemo<Viewport>(() => ({ x: 0, y: 0, zoom: 1 }), []);
  const [zoomedOut, setZoomedOut] = useState(false);
  const live = useRef<Viewport>(viewport);
  const gesture = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const element = useRef<HTMLElement | null>(null);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );

  const flush = useCallback(() => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    const { x, y, zoom } = live.current;
    const [tx, ty, tz] = store.getState().transform;
    if (tx !== x || ty !== y || tz !== zoom) store.setState({ transform: [x, y, zoom] });
  }, [store]);

  // below detailZoom: at once; above it: only at rest
  const detail = useCallback(
    (zoom: number) => {
      if (zoom < detailZoom) setZoomedOut(true);
      else if (!gesture.current) setZoomedOut(false);
    },
    [detailZoom],
  );

  const onViewportChange = useCallback(
    (v: Viewport) => {
      live.current = v;
      if (!element.current?.isConnected)
        element.current = host.current?.querySelector<HTMLElement>('.react-flow__viewport') ?? null;
      if (element.current) element.current.style.transform = viewportTransform(v);
      detail(v.zoom);
      if (!gesture.current) flush();
      else timer.current ??= setTimeout(flush, SYNC_MS);
    },
    [host, detail, flush],
  );

  // d3-zoom starts a gesture before its first step; programmatic moves have no input event
  const onMoveStart = useCallback<OnMove>((event) => {
    gesture.current = event != null;
  }, []);
  const onMoveEnd = useCallback<OnMove>(() => {
    gesture.current = false;
    flush();
    detail(live.current.zoom);
  }, [flush, detail]);

  return { viewport, onViewportChange, onMoveStart, onMoveEnd, zoomedOut };
}
