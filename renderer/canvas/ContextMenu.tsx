/**
 * The right-click menu of a node or an edge: delete, duplicate, disconnect,
 * feed a node's output back into a Tensor node, and insert Detach or Clone on
 * an edge (Detach on a feedback). Every item is one undo step.
 */
import { useReactFlow } from '@xyflow/react';
import { useEffect, useRef } from 'react';
import { deleteSelection, duplicate } from '../app/actions';
import { useApp, useServices } from '../app/context';
import { disconnect, disconnectNode, insertOnEdge } from '../app/edges';
import { feedBack, insertDetachOnFeedback, removeFeedback } from '../app/feedback';
import { feedbackTarget } from '../document/feedback';
import { sizeOfFlow } from './flow-model';

/** What was right-clicked, and where (relative to the canvas). */
export interface MenuTarget {
  readonly kind: 'node' | 'edge';
  readonly id: string;
  readonly x: number;
  readonly y: number;
}

/** The menu; `close` hides it. */
export function ContextMenu({ target, close }: { target: MenuTarget; close: () => void }): React.JSX.Element {
  const app = useServices();
  const rf = useReactFlow();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.querySelector('button')?.focus();
    const away = (e: PointerEvent): void => {
      if (!ref.current?.contains(e.target as Node)) close();
    };
    const key = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('pointerdown', away, true);
    window.addEventListener('keydown', key);
    return () => {
      window.removeEventListener('pointerdown', away, true);
      window.removeEventListener('keydown', key);
    };
  }, [close]);
  const item = (name: string, label: string, run: () => void): React.JSX.Element => (
    <button
      role="menuitem"
      data-testid={`menu-${name}`}
      onClick={() => {
        run();
        close();
      }}
    >
      {label}
    </button>
  );
  const { id } = target;
  const fedTo = target.kind === 'edge' ? feedbackTarget(id) : null;
  return (
    <div
      ref={ref}
      className="context-menu"
      role="menu"
      data-testid="context-menu"
      data-kind={target.kind}
      style={{ left: target.x, top: target.y }}
    >
      {target.kind === 'node' ? (
        <>
          {item('duplicate', 'Duplicate', () => {
            app.studio.select([id]);
            duplicate(app, sizeOfFlow(rf));
          })}
          {item('disconnect', 'Disconnect all edges', () => disconnectNode(app, id))}
          <FeedBackItems from={id} item={item} />
          {item('delete', 'Delete node', () => {
            app.studio.select([id]);
            deleteSelection(app);
          })}
        </>
      ) : fedTo !== null ? (
        <>
          {item('insert-detach', 'Insert Detach on this feedback', () =>
            insertDetachOnFeedback(app, fedTo, sizeOfFlow(rf)),
          )}
          {item('delete', 'Remove feedback', () => removeFeedback(app, fedTo))}
        </>
      ) : (
        <>
          {item('insert-detach', 'Insert Detach here', () => insertOnEdge(app, id, 'Detach'))}
          {item('insert-clone', 'Insert Clone here', () => insertOnEdge(app, id, 'Clone'))}
          {item('delete', 'Disconnect (delete edge)', () => disconnect(app, [id]))}
        </>
      )}
    </div>
  );
}

/** "Feed back into…": one item per Tensor node that `from`'s output could become in the next iteration. */
function FeedBackItems({
  from,
  item,
}: {
  from: string;
  item: (name: string, label: string, run: () => void) => React.JSX.Element;
}): React.JSX.Element | null {
  const app = useServices();
  const tensors = useApp((s) => s.doc.nodes.filter((n) => n.op === 'Tensor' && n.id !== from).map((n) => n.id));
  if (!tensors.length) return null;
  return (
    <div className="menu-group" role="group" aria-label="Feed back into…" data-testid="menu-feed-back">
      <div className="menu-group-label">Feed back into… (next iteration)</div>
      {tensors.map((t) => item(`feed-back-${t}`, `↺ ${t} = ${from}`, () => void feedBack(app, from, t)))}
    </div>
  );
}
