/**
 * Editing edges as first-class things: connect (replacing what held the
 * port), move an edge's end, disconnect, insert Detach or Clone on an edge.
 * Each is one command, so one undo step.
 */
import { OP_BY_NAME } from '../../engine/protocol/ops';
import { checkConnection, connectionEdge, freshId, takenBy, type Connection } from '../document/graph';
import { edgeKey, type GraphEdge } from '../document/types';
import { starterParams } from '../document/params';
import { mismatches } from '../document/infer';
import type { Command } from '../state/commands';
import { flagsOf } from '../state/engine-state';
import type { AppServices } from './context';

const arrow = (e: Pick<GraphEdge, 'source' | 'target' | 'targetHandle'>): string =>
  `${e.source} → ${e.target}.${e.targetHandle}`;

/**
 * Connects `c`; an edge that held the target port is replaced in the same
 * step. Shows why and returns false when the connection is refused.
 */
export function connect(app: AppServices, c: Connection): boolean {
  const { studio } = app;
  const check = checkConnection(studio.doc, c, { replace: true });
  if (!check.ok) {
    studio.toast('error', check.reason);
    return false;
  }
  const edge = connectionEdge(c);
  const old = takenBy(studio.doc, edge);
  if (old && old.source === edge.source) return true;
  const fill = fillFromInput(app, edge);
  const commands: Command[] = [
    ...(old ? [{ type: 'removeElements', nodeIds: [], edgeKeys: [edgeKey(old)] } as const] : []),
    { type: 'addElements', nodes: [], edges: [{ edge }] },
    ...(fill ? [fill.cmd] : []),
  ];
  const label = old ? `Replace ${arrow(old)} by ${arrow(edge)}` : `Connect ${arrow(edge)}`;
  const ok = studio.dispatch(commands.length === 1 ? commands[0]! : { type: 'batch', commands }, label);
  if (ok && (old || fill)) {
    studio.toast(
      'info',
      [old ? `Replaced ${arrow(old)} by ${arrow(edge)}` : '', fill?.text ?? ''].filter(Boolean).join('; '),
    );
  }
  return ok;
}

/**
 * The params of the edge's target that its new input's inferred shape decides
 * (`in_features`, `in_channels`), as one command, unless the user typed them.
 */
function fillFromInput(app: AppServices, edge: GraphEdge): { cmd: Command; text: string } | null {
  const { studio } = app;
  if (edge.targetHandle !== 'input') return null;
  const node = studio.doc.nodes.find((n) => n.id === edge.target);
  const shape = flagsOf(studio.state.engine, edge.source)?.shape;
  if (!node || !shape) return null;
  const set = Object.fromEntries(
    mismatches(node.op, node.params, shape).filter(([k]) => !studio.typed.has(`${node.id}:${k}`)),
  );
  const names = Object.keys(set);
  if (!names.length) return null;
  return {
    cmd: { type: 'setParams', id: node.id, set, unset: [] },
    text: `${names.map((k) => `${node.id}.${k} = ${String(set[k])}`).join(', ')} from the input's shape [${shape.join(', ')}]`,
  };
}

/** Moves the edge `key` to the connection `c` (one step); refused connections leave it where it was. */
export function reconnect(app: AppServices, key: string, c: Connection): boolean {
  const { studio } = app;
  const old = studio.doc.edges.find((e) => edgeKey(e) === key);
  if (!old) return false;
  const check = checkConnection(studio.doc, c, { replace: true, ignore: key });
  if (!check.ok) {
    studio.toast('error', check.reason);
    return false;
  }
  const edge = connectionEdge(c);
  if (edgeKey(edge) === key && edge.source === old.source) return true;
  const held = takenBy(studio.doc, edge);
  const gone = [key, ...(held && edgeKey(held) !== key ? [edgeKey(held)] : [])];
  const fill = fillFromInput(app, edge);
  const ok = studio.dispatch(
    {
      type: 'batch',
      commands: [
        { type: 'removeElements', nodeIds: [], edgeKeys: gone },
        { type: 'addElements', nodes: [], edges: [{ edge }] },
        ...(fill ? [fill.cmd] : []),
      ],
    },
    `Move edge to ${arrow(edge)}`,
  );
  if (ok && fill) studio.toast('info', fill.text);
  return ok;
}

/** Removes the edges with these keys (one step). */
export function disconnect(app: AppServices, keys: readonly string[]): void {
  const edges = app.studio.doc.edges.filter((e) => keys.includes(edgeKey(e)));
  if (!edges.length) return;
  app.studio.dispatch(
    { type: 'removeElements', nodeIds: [], edgeKeys: edges.map(edgeKey) },
    edges.length === 1 ? `Disconnect ${arrow(edges[0]!)}` : `Disconnect ${edges.length} edges`,
  );
  const sel = app.studio.state.ui.selection;
  app.studio.select(
    sel.nodes,
    sel.edges.filter((k) => !keys.includes(k)),
  );
}

/** Removes every edge into or out of node `id` (one step). */
export function disconnectNode(app: AppServices, id: string): void {
  disconnect(app, app.studio.doc.edges.filter((e) => e.source === id || e.target === id).map(edgeKey));
}

/** Puts a new `op` node (Detach, Clone: one input) on edge `key`, halfway between its ends (one step). */
export function insertOnEdge(app: AppServices, key: string, op: string): string | null {
  const { studio } = app;
  const spec = OP_BY_NAME.get(op);
  const edge = studio.doc.edges.find((e) => edgeKey(e) === key);
  const port = spec?.ports[0]?.name;
  if (!spec || !edge || !port) return null;
  const a = studio.doc.nodes.find((n) => n.id === edge.source)!.position;
  const b = studio.doc.nodes.find((n) => n.id === edge.target)!.position;
  const id = freshId(op.toLowerCase(), new Set(studio.doc.nodes.map((n) => n.id)));
  const node = {
    id,
    op,
    params: starterParams(spec),
    position: { x: Math.round((a.x + b.x) / 2), y: Math.round((a.y + b.y) / 2) + 60 },
  };
  const ok = studio.dispatch(
    {
      type: 'batch',
      commands: [
        { type: 'removeElements', nodeIds: [], edgeKeys: [key] },
        {
          type: 'addElements',
          nodes: [{ node }],
          edges: [
            { edge: connectionEdge({ source: edge.source, target: id, targetHandle: port }) },
            { edge: { ...edge, source: id, sourceHandle: 'out' } },
          ],
        },
      ],
    },
    `Insert ${op} on ${arrow(edge)}`,
  );
  if (!ok) return null;
  studio.select([id]);
  return id;
}
