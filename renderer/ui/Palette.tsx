/**
 * The palette of every op in the catalog, grouped by category, filtered as
 * you type. Click adds a node beside the selected one (or at the centre of
 * the canvas), in free space; drag places it at the drop point.
 */
import { useReactFlow } from '@xyflow/react';
import { useMemo, useState } from 'react';
import { OPS } from '../../engine/protocol/ops';
import { addNode } from '../app/actions';
import { useServices } from '../app/context';
import { DRAG_TYPE } from '../canvas/Canvas';
import { sizeOfFlow } from '../canvas/flow-model';
import { estimateSize } from '../document/placement';
import { ImageLoader } from '../images/ImageLoader';

const CATEGORY_TITLES: Record<string, string> = {
  tensor: 'Tensors',
  layer: 'Layers',
  activation: 'Activations',
  shape: 'Shape',
  math: 'Math',
  reduce: 'Reductions',
  loss: 'Losses',
  autograd: 'Autograd',
};

/** The palette panel. */
export function Palette(): React.JSX.Element {
  const app = useServices();
  const rf = useReactFlow();
  const [q, setQ] = useState('');
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const hits = OPS.filter(
      (o) => !needle || `${o.op} ${o.torch} ${o.doc} ${o.category}`.toLowerCase().includes(needle),
    );
    const by = new Map<string, typeof hits>();
    for (const o of hits) by.set(o.category, [...(by.get(o.category) ?? []), o]);
    return [...by.entries()];
  }, [q]);

  const addAtCentre = (op: string): void => {
    const el = document.querySelector('[data-testid=canvas]')?.getBoundingClientRect();
    const centre = el ? { x: el.left + el.width / 2, y: el.top + el.height / 2 } : { x: 400, y: 300 };
    const p = rf.screenToFlowPosition(centre);
    const size = estimateSize({ op, params: {} });
    const id = addNode(
      app,
      op,
      { x: Math.round(p.x - size.width / 2), y: Math.round(p.y - size.height / 2) },
      sizeOfFlow(rf),
    );
    const at = app.studio.doc.nodes.find((n) => n.id === id)?.position;
    if (!el || !at) return;
    // a node placed beside the selection may be off screen: pan just enough to show it (same zoom)
    const a = rf.screenToFlowPosition({ x: el.left, y: el.top });
    const b = rf.screenToFlowPosition({ x: el.right, y: el.bottom });
    const m = 40;
    const over = (lo: number, hi: number, min: number, max: number): number =>
      hi + m > max ? hi + m - max : lo - m < min ? lo - m - min : 0;
    const dx = over(at.x, at.x + size.width, a.x, b.x),
      dy = over(at.y, at.y + size.height, a.y, b.y);
    if (dx || dy) {
      const v = rf.getViewport();
      void rf.setViewport({ x: v.x - dx * v.zoom, y: v.y - dy * v.zoom, zoom: v.zoom });
    }
  };

  return (
    <aside className="palette" data-testid="palette">
      <input
        className="palette-search"
        data-testid="palette-search"
        type="search"
        placeholder="Search ops…"
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && groups[0]?.[1][0]) addAtCentre(groups[0][1][0].op);
        }}
      />
      <ImageLoader />
      <div className="palette-list">
        {groups.map(([cat, ops]) => (
          <section key={cat}>
            <h3>{CATEGORY_TITLES[cat] ?? cat}</h3>
            {ops.map((o) => (
              <button
                key={o.op}
                className={`palette-item cat-${o.category}`}
                data-testid={`palette-${o.op}`}
                draggable
                title={`${o.torch}: ${o.doc}`}
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_TYPE, o.op);
                  e.dataTransfer.effectAllowed = 'copy';
                }}
                onClick={() => addAtCentre(o.op)}
              >
                <span className="palette-op">{o.op}</span>
                <span className="palette-torch">{o.torch}</span>
              </button>
            ))}
          </section>
        ))}
        {groups.length === 0 && <p className="muted">No op matches “{q}”.</p>}
      </div>
    </aside>
  );
}
