import type { GraphDocument } from '../../document/types';
import { CommandError, type Applied, type SetParams } from './types';

/** Sets and unsets params of one node; the inverse restores the old values. */
export function applySetParams(doc: GraphDocument, cmd: SetParams): Applied {
  const node = doc.nodes.find((n) => n.id === cmd.id);
  if (!node) throw new CommandError(`no node “${cmd.id}”`);
  const params: Record<string, unknown> = { ...node.params };
  const set: Record<string, unknown> = {};
  const unset: string[] = [];
  const touched = new Set([...Object.keys(cmd.set), ...cmd.unset]);
  for (const k of touched) {
    if (Object.hasOwn(node.params, k)) set[k] = node.params[k];
    else unset.push(k);
  }
  for (const k of cmd.unset) delete params[k];
  Object.assign(params, cmd.set);
  return {
    doc: { ...doc, nodes: doc.nodes.map((n) => (n.id === cmd.id ? { ...n, params } : n)) },
    inverse: { type: 'setParams', id: cmd.id, set, unset },
  };
}
