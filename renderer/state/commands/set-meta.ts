import type { GraphDocument } from '../../document/types';
import type { Applied, SetMeta } from './types';

/** Replaces the meta section (name, description); the inverse restores it. */
export function applySetMeta(doc: GraphDocument, cmd: SetMeta): Applied {
  return { doc: { ...doc, meta: cmd.meta }, inverse: { type: 'setMeta', meta: doc.meta } };
}
