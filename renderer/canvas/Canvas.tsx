/**
 * The graph canvas (React Flow 12): nodes and edges from the document,
 * wiring with validation (a refused connection says why; a connection dropped
 * on a used port replaces its edge), edges selected by click or keyboard focus,
 * an edge's input end dragged off its port disconnects it, right-click menus
 * (ContextMenu.tsx), drag to move (one undo step per drag), drop from the
 * palette, selection.
 *
 * Pan and zoom of large graphs (test/e2e/perf.e2e.test.ts, 300 nodes; the
 * numbers are in build/bench/README.md):
 * - React Flow's store is not updated on every pan or zoom step
 *   (fast-viewport.ts): the viewport element moves at once, the store follows
 *   every 100 ms and when the gesture ends, so the ~2,000 store selectors of
 *   nodes, edges, handles and minimap do not run on every frame.
 * - Every node and edge stays mounted at every zoom (nothing mounts while
 *   panning or zooming); the image export reads them all from the DOM.
 * - The graph is one compositor layer (styles.css: a backdrop with the dot
 *   grid in graph space, handles and edge labels placed without transforms),
 *   so a pan moves pixels and Chromium's per-frame layerization stays cheap.
 * - A pane drag captures the pointer, so Chromium does not hit-test the whole
 *   graph on every mouse move; the canvas text is not selectable.
 * - A graph of {@link LARGE_GRAPH} nodes or more is drawn without text, edge
 *   labels and dot grid when zoomed out below {@link DETAIL_ZOOM}, where text
 *   is too small to read (node boxes keep their size, so edges keep their
 *   anchors), and its layer is then rasterised at the zoom instead of at 1:1.
 *   The text comes back once a zoom-in gesture ends (about 0.2 s of work for
 *   Chromium, at rest instead of in the middle of the zoom).
 */
import {
  Controls,
  MiniMap,
  Panel,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  useReactFlow,
  type Connection as RFConnection,
  type Edge,
  type EdgeChange,
  type ReactFlowInstance,
  type FinalConnectionState,
  type NodeChange,
  type NodeMouseHandler,
  type OnMove,
  type OnSelectionChangeParams,
} from '@xyflow/react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { dropNode } from '../app/actions';
import { useApp, useServices } from '../app/context';
import { connect, disconnect, reconnect } from '../app/edges';
import { feedBack } from '../app/feedback';
import { checkFeedback, FEEDBACK_HANDLE } from '../document/feedback';
import { checkConnection, type Connection, type ConnectionCheck } from '../document/graph';
import { estimateSize } from '../document/placement';
import { ContextMenu, type MenuTarget } from './ContextMenu';
import { GradLegend } from '../ui/GradLegend';
import { useFastViewport } from './fast-viewport';
import { useRefitOnResize } from './refit';
import { FeedbackEdge } from './FeedbackEdge';
import { GradEdge } from './GradEdge';
import { feedbackEdges, flowEdges, flowNodes, sizeOfFlow } from './flow-model';
import { OpNode } from './OpNode';
import type { CanvasEdge, OpFlowNode } from './types';
import { nodeProblems } from './problems';

const nodeTypes = { op: OpNode };
const edgeTypes = { grad: GradEdge, feedback: FeedbackEdge };
const proOptions = { hideAttribution: true };
const multiSelectionKeyCode = ['Meta', 'Control'];
/** dataTransfer type used when dragging an op from the palette. */
export const DRAG_TYPE = 'application/x-autograd-op';

function merge(next: OpFlowNode[], prev: OpFlowNode[]): OpFlowNode[] {
  const old = new Map(prev.map((n) => [n.id, n]));
  return next.map((n) => {
    const o = old.get(n.id);
    if (!o) return n;
    return {
      ...o,
      ...n,
      position: o.dragging ? o.position : n.position,
      ...(o.measured ? { measured: o.measured } : {}),
    };
  });
}

/** How the canvas fits a graph into view (on open, Tidy, the fit button): little margin, never above 110%. */
export const FIT_VIEW = { padding: 0.06, maxZoom: 1.1 } as const;

/** Font size of a node's title in canvas pixels (styles.css `.op-node-head`). */
export const TITLE_PX = 16;
/** The smallest zoom a graph opens at: node titles at least 9 px on screen. */
export const READABLE_ZOOM = 9 / TITLE_PX;

/**
 * Fits the graph into the canvas; a graph under {@link LARGE_GRAPH} nodes that
 * would need a zoom below {@link READABLE_ZOOM} opens at that zoom instead,
 * with its start (the left edge, where the inputs are) in view and the
 * minimap for the rest. A large graph opens as an overview.
 */
export function fitReadable<E extends Edge>(rf: ReactFlowInstance<OpFlowNode, E>, host: HTMLElement | null): void {
  const nodes = rf.getNodes();
  const box = host?.getBoundingClientRect();
  if (!box || !nodes.length || nodes.length >= LARGE_GRAPH) return void rf.fitView(FIT_VIEW);
  const b = rf.getNodesBounds(nodes);
  const pad = 1 + 2 * FIT_VIEW.padding;
  const fit = Math.min(box.width / (b.width * pad), box.height / (b.height * pad), FIT_VIEW.maxZoom);
  if (fit >= READABLE_ZOOM) return void rf.fitView(FIT_VIEW);
  const zoom = READABLE_ZOOM;
  const margin = 24;
  const y =
    b.height * zoom <= box.height - 2 * margin ? (box.height - b.height * zoom) / 2 - b.y * zoom : margin - b.y * zoom;
  void rf.setViewport({ x: margin - b.x * zoom, y, zoom });
}

/** Whether every node is inside the canvas at the current viewport (measured nodes; none counts as in view). */
function allInView<E extends Edge>(rf: ReactFlowInstance<OpFlowNode, E>, host: HTMLElement | null): boolean {
  const nodes = rf.getNodes();
  const box = host?.getBoundingClientRect();
  if (!box || !nodes.length) return true;
  const b = rf.getNodesBounds(nodes);
  const { x, y, zoom } = rf.getViewport();
  const [left, top] = [b.x * zoom + x, b.y * zoom + y];
  return left >= -1 && top >= -1 && left + b.width * zoom <= box.width + 1 && top + b.height * zoom <= box.height + 1;
}

/** From this many nodes a graph is drawn for speed: no text when zoomed out. */
export const LARGE_GRAPH = 100;

/** Below this zoom a large graph is drawn without text (11 px text would be under 5 px tall). */
export const DETAIL_ZOOM = 0.45;

const toConn = (c: RFConnection | Connection): Connection => ({
  source: c.source,
  target: c.target,
  sourceHandle: c.sourceHandle ?? 'out',
  targetHandle: c.targetHandle ?? null,
});

/** The edges of the canvas: the document's, then the run's feedback pairs. */
const canvasEdges = (...a: Parameters<typeof flowEdges>): CanvasEdge[] => [...flowEdges(...a), ...feedbackEdges(...a)];

/**
 * Checks a connection; one into a Tensor node's feedback handle is a feedback
 * (`run.feedback`), which may replace the one the Tensor receives.
 */
function checkAny(doc: Parameters<typeof checkConnection>[0], c: Connection, ignore: string | null): ConnectionCheck {
  if (c.targetHandle === FEEDBACK_HANDLE) return checkFeedback(doc, c.source, c.target, true);
  return checkConnection(doc, c, { replace: true, ignore });
}

/** The canvas. */
export function Canvas(): React.JSX.Element {
  const app = useServices();
  const { studio } = app;
  const doc = useApp((s) => s.doc);
  const engine = useApp((s) => s.engine);
  const sel = useApp((s) => s.ui.selection);
  const epoch = useApp((s) => s.epoch);
  const rf = useReactFlow<OpFlowNode, CanvasEdge>();
  const host = useRef<HTMLDivElement>(null);
  // re-renders when the zoom crosses DETAIL_ZOOM, not on every viewport change
  const { zoomedOut, ...viewportProps } = useFastViewport(host, DETAIL_ZOOM);
  const large = doc.nodes.length >= LARGE_GRAPH;
  const lowDetail = large && zoomedOut;
  const problems = useMemo(() => nodeProblems(doc, engine), [doc, engine]);
  const [nodes, setNodes] = useState<OpFlowNode[]>(() => flowNodes(doc, sel, problems));
  const [edges, setEdges] = useState<CanvasEdge[]>(() => canvasEdges(doc, engine, sel));
  const [menu, setMenu] = useState<MenuTarget | null>(null);
  // the key of the edge whose end is being dragged, and whether it found a new port
  const moving = useRef<{ key: string; placed: boolean } | null>(null);

  useEffect(() => setNodes((prev) => merge(flowNodes(doc, sel, problems), prev)), [doc, sel, problems]);
  useEffect(() => setEdges(canvasEdges(doc, engine, sel)), [doc, engine, sel]);

  // See Note [The opening view follows the canvas's size]: only the graph as it was opened is refitted
  const opened = useRef(doc);
  useEffect(() => {
    opened.current = studio.doc;
  }, [epoch, studio]);
  const userMoved = useRefitOnResize(
    host,
    () => {
      const { view, nodes, edges } = studio.doc;
      if (!view && nodes === opened.current.nodes && edges === opened.current.edges) fitReadable(rf, host.current);
    },
    epoch,
  );
  const { onMoveStart: fastMoveStart, onMoveEnd: fastMoveEnd } = viewportProps;
  // Note [The minimap only when the graph is not all in view]: it would lie over the bottom-right nodes of a
  // graph that fits; it appears once part of the graph is outside the canvas (after a move, an edit, a resize)
  const [partView, setPartView] = useState(false);
  const checkView = useCallback(() => setPartView(!allInView(rf, host.current)), [rf]);
  const onMoveEnd = useCallback<OnMove>(
    (event, viewport) => {
      fastMoveEnd(event, viewport);
      checkView();
    },
    [fastMoveEnd, checkView],
  );
  useEffect(() => {
    const t = setTimeout(checkView, 120);
    return () => clearTimeout(t);
  }, [nodes, checkView]);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const observer = new ResizeObserver(checkView);
    observer.observe(el);
    return () => observer.disconnect();
  }, [checkView]);
  const onMoveStart = useCallback<OnMove>(
    (event, viewport) => {
      userMoved(event);
      fastMoveStart(event, viewport);
    },
    [userMoved, fastMoveStart],
  );

  useEffect(() => {
    const view = studio.doc.view;
    const t = setTimeout(() => {
      if (view) void rf.setViewport({ x: view.x, y: view.y, zoom: view.zoom });
      else fitReadable(rf, host.current);
    }, 60);
    return () => clearTimeout(t);
  }, [epoch, rf, studio]);

  const onNodesChange = useCallback((changes: NodeChange<OpFlowNode>[]) => {
    setNodes((ns) =>
      applyNodeChanges(
        changes.filter((c) => c.type !== 'remove'),
        ns,
      ),
    );
  }, []);

  // selection only: an edge is removed or added through the document (one command each)
  const onEdgesChange = useCallback((changes: EdgeChange<CanvasEdge>[]) => {
    setEdges((es) =>
      applyEdgeChanges(
        changes.filter((c) => c.type === 'select'),
        es,
      ),
    );
  }, []);

  const onSelectionChange = useCallback(
    ({ nodes: ns, edges: es }: OnSelectionChangeParams) => {
      const cur = studio.state.ui.selection;
      const n = ns.map((x) => x.id),
        e = es.map((x) => x.id);
      if (n.join() !== cur.nodes.join() || e.join() !== cur.edges.join()) studio.select(n, e);
    },
    [studio],
  );

  const onConnect = useCallback(
    (c: RFConnection) => {
      const conn = toConn(c);
      if (conn.targetHandle === FEEDBACK_HANDLE) feedBack(app, conn.source, conn.target);
      else connect(app, conn);
    },
    [app],
  );

  // a used port takes the new edge (the old one is replaced); while an edge's end is dragged, that edge does not count
  const isValidConnection = useCallback(
    (
      c: RFConnection | { source: string; target: string; sourceHandle?: string | null; targetHandle?: string | null },
    ) => checkAny(studio.doc, toConn(c as RFConnection), moving.current?.key ?? null).ok,
    [studio],
  );

  // React Flow's reconnect pattern: an edge end dropped on a port moves the edge, dropped anywhere else disconnects it
  const onReconnectStart = useCallback((_: unknown, e: CanvasEdge) => {
    moving.current = { key: e.id, placed: false };
  }, []);
  const onReconnect = useCallback(
    (old: CanvasEdge, c: RFConnection) => {
      if (moving.current) moving.current.placed = true;
      reconnect(app, old.id, toConn(c));
    },
    [app],
  );
  const onReconnectEnd = useCallback(
    (_: unknown, e: CanvasEdge, _end: unknown, s: FinalConnectionState) => {
      const m = moving.current;
      moving.current = null;
      if (!m || m.placed) return;
      // dropped on a port that refuses it: the edge stays, and the toast says why
      if (s.toHandle && s.toNode && s.isValid === false) {
        const check = checkConnection(
          studio.doc,
          { source: e.source, target: s.toNode.id, targetHandle: s.toHandle.id ?? null },
          { replace: true, ignore: e.id },
        );
        studio.toast('error', check.ok ? 'Drop the edge’s end on an input port (left).' : check.reason);
        return;
      }
      disconnect(app, [e.id]);
    },
    [app, studio],
  );

  // as in most editors, the right-clicked node becomes the selection (the inspector shows what the menu acts on);
  // a node that is already part of a larger selection keeps it
  const onNodeContextMenu = useCallback<NodeMouseHandler<OpFlowNode>>(
    (ev, n) => {
      ev.preventDefault();
      const box = host.current!.getBoundingClientRect();
      if (!studio.state.ui.selection.nodes.includes(n.id)) studio.select([n.id]);
      setMenu({ kind: 'node', id: n.id, x: ev.clientX - box.left, y: ev.clientY - box.top });
    },
    [studio],
  );
  const onEdgeContextMenu = useCallback(
    (ev: React.MouseEvent, e: CanvasEdge) => {
      ev.preventDefault();
      const box = host.current!.getBoundingClientRect();
      studio.select([], [e.id]);
      setMenu({ kind: 'edge', id: e.id, x: ev.clientX - box.left, y: ev.clientY - box.top });
    },
    [studio],
  );
  const closeMenu = useCallback(() => setMenu(null), []);

  const onConnectEnd = useCallback(
    (_: MouseEvent | TouchEvent, s: FinalConnectionState) => {
      if (s.isValid !== false || !s.toHandle || !s.fromHandle || !s.toNode || !s.fromNode) return;
      const fromSource = s.fromHandle.type === 'source';
      const conn: Connection = fromSource
        ? {
            source: s.fromNode.id,
            sourceHandle: s.fromHandle.id ?? 'out',
            target: s.toNode.id,
            targetHandle: s.toHandle.id ?? null,
          }
        : {
            source: s.toNode.id,
            sourceHandle: s.toHandle.id ?? 'out',
            target: s.fromNode.id,
            targetHandle: s.fromHandle.id ?? null,
          };
      const check = checkAny(studio.doc, conn, null);
      studio.toast('error', check.ok ? 'Connect an output (right) to an input port (left).' : check.reason);
    },
    [studio],
  );

  const onNodeDragStop = useCallback(
    (_: unknown, _n: OpFlowNode, dragged: OpFlowNode[]) => {
      const moves = dragged
        .map((n) => ({ id: n.id, to: { x: Math.round(n.position.x), y: Math.round(n.position.y) } }))
        .filter((m) => {
          const old = studio.doc.nodes.find((x) => x.id === m.id);
          return old && (old.position.x !== m.to.x || old.position.y !== m.to.y);
        });
      if (moves.length)
        studio.dispatch(
          { type: 'moveNodes', moves },
          moves.length > 1 ? `Move ${moves.length} nodes` : `Move ${moves[0]!.id}`,
        );
    },
    [studio],
  );

  // Pointer capture for a pane drag (a pan): mouse moves then go to the pane
  // without a hit test of every node and edge under the pointer.
  const onPointerDownCapture = useCallback((ev: React.PointerEvent) => {
    const t = ev.target as Element;
    if (ev.button === 0 && t.classList.contains('react-flow__pane') && !t.hasPointerCapture(ev.pointerId))
      t.setPointerCapture(ev.pointerId);
  }, []);

  const onNodeClick = useCallback<NodeMouseHandler<OpFlowNode>>((_, n) => studio.setUi({ tensor: n.id }), [studio]);
  const onPaneClick = useCallback(() => studio.select([]), [studio]);

  const onDrop = useCallback(
    (ev: React.DragEvent) => {
      const op = ev.dataTransfer.getData(DRAG_TYPE);
      if (!op) return;
      ev.preventDefault();
      // the node's head under the cursor
      const p = rf.screenToFlowPosition({ x: ev.clientX, y: ev.clientY });
      const size = estimateSize({ op, params: {} });
      dropNode(app, op, { x: Math.round(p.x - size.width / 2), y: Math.round(p.y - 14) }, sizeOfFlow(rf));
    },
    [app, rf],
  );

  return (
    <div
      ref={host}
      className="canvas"
      data-testid="canvas"
      data-detail={lowDetail ? 'low' : 'full'}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes(DRAG_TYPE)) e.preventDefault();
      }}
      onDrop={onDrop}
      onPointerDownCapture={onPointerDownCapture}
    >
      <ReactFlow<OpFlowNode, CanvasEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onSelectionChange={onSelectionChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onNodeDragStop={onNodeDragStop}
        onNodeClick={onNodeClick}
        onPaneClick={onPaneClick}
        edgesReconnectable
        reconnectRadius={12}
        onReconnectStart={onReconnectStart}
        onReconnect={onReconnect}
        onReconnectEnd={onReconnectEnd}
        onNodeContextMenu={onNodeContextMenu}
        onEdgeContextMenu={onEdgeContextMenu}
        {...viewportProps}
        onMoveStart={onMoveStart}
        onMoveEnd={onMoveEnd}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={multiSelectionKeyCode}
        minZoom={0.1}
        maxZoom={2.5}
        proOptions={proOptions}
      >
        <Controls fitViewOptions={FIT_VIEW} />
        {partView && <MiniMap pannable zoomable />}
        <Panel position="bottom-left" className="grad-legend-panel">
          <GradLegend />
        </Panel>
      </ReactFlow>
      {menu && <ContextMenu target={menu} close={closeMenu} />}
    </div>
  );
}
