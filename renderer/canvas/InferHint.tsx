/**
 * A param that disagrees with the node's input: the size the input's inferred
 * shape gives, with a one-click "use N" (one undo step). Shown on the node
 * face and in the inspector.
 */
import { useApp, useServices } from '../app/context';
import { mismatches } from '../document/infer';
import { flagsOf } from '../state/engine-state';

/** The hints of node `id` (nothing when its params agree with its input). */
export function InferHint({ id }: { id: string }): React.JSX.Element | null {
  const { studio } = useServices();
  const node = useApp((s) => s.doc.nodes.find((n) => n.id === id));
  const source = useApp((s) => s.doc.edges.find((e) => e.target === id && e.targetHandle === 'input')?.source ?? null);
  // a string, so the selector's value is stable between renders
  const shape = useApp((s) => (source ? (flagsOf(s.engine, source)?.shape?.join(',') ?? null) : null));
  if (!node || shape === null) return null;
  const dims = shape === '' ? [] : shape.split(',').map(Number);
  const hints = mismatches(node.op, node.params, dims);
  if (!hints.length) return null;
  return (
    <>
      {hints.map(([k, v]) => (
        <div key={k} className="infer-hint nodrag" data-testid="infer-hint" data-param={k}>
          input [{dims.join(', ')}] gives {k}={v}{' '}
          <button
            data-testid="use-inferred"
            onClick={(e) => {
              e.stopPropagation();
              studio.dispatch({ type: 'setParams', id, set: { [k]: v }, unset: [] }, `Use ${id}.${k} = ${v}`);
            }}
          >
            use {v}
          </button>
        </div>
      ))}
    </>
  );
}
