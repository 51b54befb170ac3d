/**
 * Editing feedback on the canvas (a value of iteration k becomes a Tensor
 * node's value in iteration k+1): feed an output back, remove a feedback,
 * insert Detach on a feedback path. Each is one command, so one undo step.
 */
import { OP_BY_NAME } from '../../engine/protocol/ops';
import { checkFeedback, feedbackInto, feedbackOf } from '../document/feedback';
import { connectionEdge, freshId } from '../document/graph';
import { starterParams } from '../document/params';
import { besideSelection, estimateSize, freeSpot, type SizeOf } from '../document/placement';
import type { Command } from '../state/commands';
import type { AppServices } from './context';

/** Feeds `from`'s output back into Tensor node `to`, replacing the feedback `to` received (one step). */
export function feedBack(app: AppServices, from: string, to: string): boolean {
  const { studio } = app;
  const check = checkFeedback(studio.doc, from, to, true);
  if (!check.ok) {
    studio.toast('error', check.reason);
    return false;
  }
  const old = feedbackInto(studio.doc, to);
  if (old?.from === from) return true;
  const index = old ? feedbackOf(studio.doc).indexOf(old) : undefined;
  const add: Command = { type: 'addFeedback', from, to, ...(index !== undefined ? { index } : {}) };
  return studio.dispatch(
    old ? { type: 'batch', commands: [{ type: 'removeFeedback', to }, add] } : add,
    old ? `Feed ${from} back into ${to} (was ${old.from})` : `Feed ${from} back into ${to}`,
  );
}

/** Removes the feedback into Tensor node `to` (one step). */
export function removeFeedback(app: AppServices, to: string): void {
  const f = feedbackInto(app.studio.doc, to);
  if (f) app.studio.dispatch({ type: 'removeFeedback', to }, `Remove feedback ${f.from} → ${to}`);
}

/**
 * Puts a Detach on the feedback path into `to`: `from → Detach`, and the
 * Detach's output is fed back instead (one step). The next iteration then
 * starts from a fresh leaf, as `delta = delta_next.detach()` does.
 */
export function insertDetachOnFeedback(app: AppServices, to: string, sizeOf?: SizeOf): string | null {
  const { studio } = app;
  const doc = studio.doc;
  const f = feedbackInto(doc, to);
  const spec = OP_BY_NAME.get('Detach');
  if (!f || !spec) return null;
  const id = freshId('detach', new Set(doc.nodes.map((n) => n.id)));
  const params = starterParams(spec);
  const near = besideSelection(doc.nodes, [f.from], sizeOf) ?? { x: 0, y: 0 };
  const position = freeSpot(doc.nodes, near, estimateSize({ op: 'Detach', params }), sizeOf);
  const ok = studio.dispatch(
    {
      type: 'batch',
      commands: [
        {
          type: 'addElements',
          nodes: [{ node: { id, op: 'Detach', params, position } }],
          edges: [{ edge: connectionEdge({ source: f.from, target: id, targetHandle: spec.ports[0]!.name }) }],
        },
        { type: 'removeFeedback', to },
        { type: 'addFeedback', from: id, to, index: feedbackOf(doc).indexOf(f) },
      ],
    },
    `Insert Detach on feedback ${f.from} → ${to}`,
  );
  return ok ? id : null;
}
