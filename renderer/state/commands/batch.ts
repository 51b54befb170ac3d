import type { GraphDocument } from '../../document/types';
import type { Applied, Batch, Command } from './types';

/** Applies commands in order; the inverse applies their inverses in reverse order. */
export function applyBatch(doc: GraphDocument, cmd: Batch, apply: (d: GraphDocument, c: Command) => Applied): Applied {
  let cur = doc;
  const inverses: Command[] = [];
  for (const c of cmd.commands) {
    const r = apply(cur, c);
    cur = r.doc;
    inverses.unshift(r.inverse);
  }
  return { doc: cur, inverse: { type: 'batch', commands: inverses } };
}
