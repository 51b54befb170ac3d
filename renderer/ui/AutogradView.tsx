/**
 * The autograd view: the backward graph itself, grad_fn nodes (internal ones
 * and AccumulateGrad included) laid out right to left from the loss, numbered
 * in PyTorch's execution order; the current step is highlighted.
 */
import { useMemo } from 'react';
import { useApp, useServices } from '../app/context';
import { currentStep } from '../state/engine-state';
import { backwardGraph } from './backward-graph';

const W = 190,
  H = 46,
  DX = 230,
  DY = 66;

/** The autograd view dialog. */
export function AutogradView(): React.JSX.Element | null {
  const { studio } = useServices();
  const open = useApp((s) => s.ui.autogradOpen);
  const doc = useApp((s) => s.doc);
  const engine = useApp((s) => s.engine);
  const g = useMemo(
    () => backwardGraph(doc, engine.backwardSteps, engine.stepResults),
    [doc, engine.backwardSteps, engine.stepResults],
  );
  if (!open) return null;
  const cur = currentStep(engine)?.index ?? -1;
  const rows = new Map<number, number>();
  const pos = g.nodes.map((n) => {
    const r = rows.get(n.depth) ?? 0;
    rows.set(n.depth, r + 1);
    return { x: 20 + n.depth * DX, y: 20 + r * DY };
  });
  const width = 40 + (Math.max(0, ...g.nodes.map((n) => n.depth)) + 1) * DX;
  const height = 40 + Math.max(1, ...rows.values()) * DY;
  const close = (): void => studio.setUi({ autogradOpen: false });
  return (
    <div className="modal-backdrop" onClick={close}>
      <div className="modal autograd-view" data-testid="autograd-view" onClick={(e) => e.stopPropagation()}>
        <h2>
          Backward graph{' '}
          <button className="link" onClick={close}>
            close
          </button>
        </h2>
        {g.nodes.length === 0 ? (
          <p className="muted">Run the graph (or press Backward step) to see the grad_fn graph autograd built.</p>
        ) : (
          <>
            <p className="muted">
              {g.exact
                ? 'Edges as the engine reported them while stepping.'
                : 'Edges inferred from the graph; Backward step shows the exact ones.'}{' '}
              Numbers give PyTorch’s execution order.
            </p>
            <svg width={width} height={height} className="bw-graph">
              <defs>
                <marker
                  id="bw-arrow"
                  viewBox="0 0 10 10"
                  refX="10"
                  refY="5"
                  markerWidth="7"
                  markerHeight="7"
                  orient="auto-start-reverse"
                >
                  <path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b" />
                </marker>
              </defs>
              {g.edges.map((e, i) => {
                const a = pos[e.from]!,
                  b = pos[e.to]!;
                return (
                  <path
                    key={i}
                    d={`M${a.x + W},${a.y + H / 2} C${a.x + W + 30},${a.y + H / 2} ${b.x - 30},${b.y + H / 2} ${b.x},${b.y + H / 2}`}
                    fill="none"
                    stroke="#64748b"
                    strokeDasharray={g.exact ? undefined : '4 3'}
                    markerEnd="url(#bw-arrow)"
                  />
                );
              })}
              {g.nodes.map((n, i) => (
                <g
                  key={i}
                  transform={`translate(${pos[i]!.x},${pos[i]!.y})`}
                  className={`bw-node ${n.gradFn === 'AccumulateGrad' ? 'acc' : ''} ${i === cur ? 'current' : ''}`}
                  data-grad-fn={n.gradFn}
                >
                  <rect width={W} height={H} rx={6} />
                  <text x={8} y={18} className="bw-fn">
                    {i + 1}. {n.gradFn}
                  </text>
                  <text x={8} y={36} className="bw-node-name">
                    {n.node ?? ''}
                  </text>
                </g>
              ))}
            </svg>
          </>
        )}
      </div>
    </div>
  );
}
