/**
 * Where new nodes go: the free spot nearest to where the user asked (the drop
 * point, the cursor, beside the selection), never on top of another node.
 * Node boxes are the sizes the canvas measured, or an estimate from the op.
 */
import { specOf } from './graph';
import { shownParams } from './params';
import type { GraphNode, XY } from './types';

/** A node's box size in canvas pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** The measured size of a node on the canvas, if it has been drawn. */
export type SizeOf = (id: string) => Size | undefined;

/** Space kept free around every node. */
export const GAP = 24;
/** Space between a node and the one added beside it (room for the edge's shape label). */
export const BESIDE_GAP = 100;

/** Width of every node face (styles.css `.op-node`). */
export const NODE_WIDTH = 180;

/**
 * The size a node of this op is drawn at, estimated before it is measured
 * (compact face of fixed width; a new node with a required input unconnected
 * shows that problem in two lines).
 */
export function estimateSize(node: Pick<GraphNode, 'op' | 'params'>): Size {
  const spec = specOf(node);
  // a Tensor has no input port but its feedback row (FeedbackPort.tsx)
  const ports = (spec?.ports.length ?? 1) + (node.op === 'Tensor' ? 1 : 0);
  const owned = node.op === 'Conv2d' || node.op === 'Linear' ? 1 : 0;
  const problem = spec?.ports.some((p) => !p.optional) ? 40 : 0;
  const params = spec ? shownParams(spec, node.params).length : 0;
  return { width: NODE_WIDTH, height: 36 + 18 * (ports + 1) + 14 * params + 24 + 20 * owned + problem };
}

/** The box of each node: measured when known, else estimated. */
export function boxes(
  nodes: readonly GraphNode[],
  sizeOf: SizeOf = () => undefined,
): { x: number; y: number; width: number; height: number }[] {
  return nodes.map((n) => ({ ...n.position, ...(sizeOf(n.id) ?? estimateSize(n)) }));
}

const overlaps = (
  a: { x: number; y: number; width: number; height: number },
  b: { x: number; y: number; width: number; height: number },
): boolean =>
  a.x < b.x + b.width + GAP && b.x < a.x + a.width + GAP && a.y < b.y + b.height + GAP && b.y < a.y + a.height + GAP;

/**
 * The free top-left corner nearest to `at` for a box of `size`: candidates on
 * rings of growing radius around `at` (right and down first), the first that
 * overlaps no node (with {@link GAP} around each) wins.
 */
export function freeSpot(nodes: readonly GraphNode[], at: XY, size: Size, sizeOf?: SizeOf): XY {
  const taken = boxes(nodes, sizeOf);
  const free = (p: XY): boolean => !taken.some((b) => overlaps({ ...p, ...size }, b));
  const step = 40;
  for (let r = 0; r < 60; r++) {
    const ring: XY[] = [];
    for (let i = -r; i <= r; i++) {
      ring.push(
        { x: at.x + r * step, y: at.y + i * step },
        { x: at.x + i * step, y: at.y + r * step },
        { x: at.x - r * step, y: at.y + i * step },
        { x: at.x + i * step, y: at.y - r * step },
      );
    }
    ring.sort((a, b) => Math.hypot(a.x - at.x, a.y - at.y) - Math.hypot(b.x - at.x, b.y - at.y));
    const hit = ring.find(free);
    if (hit) return { x: Math.round(hit.x), y: Math.round(hit.y) };
  }
  return at;
}

/** Where a new node goes beside the selection: right of the rightmost selected node, level with it. */
export function besideSelection(nodes: readonly GraphNode[], selected: readonly string[], sizeOf?: SizeOf): XY | null {
  const sel = new Set(selected);
  const picked = nodes.filter((n) => sel.has(n.id));
  if (!picked.length) return null;
  const b = boxes(picked, sizeOf);
  const right = b.reduce((m, x) => (x.x + x.width > m.x + m.width ? x : m));
  return { x: right.x + right.width + BESIDE_GAP, y: right.y };
}

/**
 * The offset for a copy of `group` (paste, duplicate): below the group, then
 * further down until none of the copies lands on a node.
 */
export function copyOffset(nodes: readonly GraphNode[], group: readonly GraphNode[], sizeOf?: SizeOf): XY {
  if (!group.length) return { x: 0, y: 0 };
  const b = boxes(group, sizeOf);
  const top = Math.min(...b.map((x) => x.y));
  const bottom = Math.max(...b.map((x) => x.y + x.height));
  const taken = boxes(nodes, sizeOf);
  for (let dy = bottom - top + GAP * 2; dy < 50_000; dy += 40) {
    const dx = 40;
    if (b.every((x) => !taken.some((t) => overlaps({ ...x, x: x.x + dx, y: x.y + dy }, t))))
      return { x: dx, y: Math.round(dy) };
  }
  return { x: 40, y: 40 };
}
