import { isValidId } from '../../document/graph';
import type { GraphDocument, RunSpec } from '../../document/types';
import { CommandError, type Applied, type RenameNode } from './types';

const swap = (v: string, from: string, to: string): string => (v === from ? to : v);

function renameInRun(run: RunSpec | undefined, from: string, to: string): RunSpec | undefined {
  if (!run) return run;
  return {
    ...run,
    ...(run.backward !== undefined ? { backward: swap(run.backward, from, to) } : {}),
    ...(run.feedback
      ? { feedback: run.feedback.map((f) => ({ from: swap(f.from, from, to), to: swap(f.to, from, to) })) }
      : {}),
  };
}

/** Renames a node everywhere it is referenced; the inverse renames it back. */
export function applyRenameNode(doc: GraphDocument, cmd: RenameNode): Applied {
  if (!doc.nodes.some((n) => n.id === cmd.from)) throw new CommandError(`no node “${cmd.from}”`);
  if (!isValidId(cmd.to)) throw new CommandError(`“${cmd.to}” is not a valid id (1–64 of A-Z a-z 0-9 _ -)`);
  if (cmd.to !== cmd.from && doc.nodes.some((n) => n.id === cmd.to))
    throw new CommandError(`a node “${cmd.to}” already exists`);
  const run = renameInRun(doc.run, cmd.from, cmd.to);
  return {
    doc: {
      ...doc,
      nodes: doc.nodes.map((n) => (n.id === cmd.from ? { ...n, id: cmd.to } : n)),
      edges: doc.edges.map((e) => ({
        ...e,
        source: swap(e.source, cmd.from, cmd.to),
        target: swap(e.target, cmd.from, cmd.to),
      })),
      ...(run ? { run } : {}),
    },
    inverse: { type: 'renameNode', from: cmd.to, to: cmd.from },
  };
}
