import type { GraphDocument } from '../../document/types';
import type { Applied, SetRun } from './types';

/** Replaces the run section; the inverse puts the old one back. */
export function applySetRun(doc: GraphDocument, cmd: SetRun): Applied {
  const { run: _old, ...rest } = doc;
  return {
    doc: cmd.run === null ? rest : { ...rest, run: cmd.run },
    inverse: { type: 'setRun', run: doc.run ?? null },
  };
}
