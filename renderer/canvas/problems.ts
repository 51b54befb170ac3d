/**
 * Problems per node, gathered from every source: the engine's document issues,
 * local param validation, the run error, lint warnings and the warnings PyTorch
 * would print during the run (F.mse_loss's broadcast warning, ...).
 */
import type { LoadResult } from '../../engine/protocol/messages';
import { specOf } from '../document/graph';
import { checkParams } from '../document/params';
import type { GraphDocument } from '../document/types';
import { lint } from '../lint/lint';
import type { EngineSlice } from '../state/engine-state';

/** Errors and warnings of one node. */
export interface NodeProblems {
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

const EMPTY: NodeProblems = { errors: [], warnings: [] };

function issuesByNode(load: LoadResult | null, doc: GraphDocument): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const i of load?.issues ?? []) {
    const m = /^nodes\[(\d+)\]/.exec(i.path);
    const node = i.node ?? (m ? doc.nodes[Number(m[1])]?.id : undefined);
    if (!node) continue;
    out.set(node, [...(out.get(node) ?? []), i.message]);
  }
  return out;
}

/**
 * One plain sentence beside a PyTorch warning the run printed, by the warning's
 * opening words (none for a warning not listed).
 */
const WARNING_SENTENCES: readonly (readonly [string, string])[] = [
  ['Using a target size', 'Each input value is compared with many targets here: give input and target the same shape.'],
];

/** The run's warnings per node, as PyTorch prints them (`UserWarning: ...`), each once, with its sentence. */
function runWarnings(engine: EngineSlice): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of engine.warnings) {
    if (!w.node) continue;
    const sentence = WARNING_SENTENCES.find(([start]) => w.message.startsWith(start))?.[1];
    const text = `UserWarning: ${w.message}${sentence ? ` — ${sentence}` : ''}`;
    const list = out.get(w.node) ?? [];
    if (!list.includes(text)) out.set(w.node, [...list, text]);
  }
  return out;
}

/** Problems of every node that has any. */
export function nodeProblems(doc: GraphDocument, engine: EngineSlice): Map<string, NodeProblems> {
  const engineIssues = issuesByNode(engine.load, doc);
  const warnings = new Map<string, string[]>();
  for (const w of lint(doc)) warnings.set(w.node, [...(warnings.get(w.node) ?? []), w.message]);
  for (const [node, list] of runWarnings(engine)) warnings.set(node, [...(warnings.get(node) ?? []), ...list]);
  const out = new Map<string, NodeProblems>();
  for (const n of doc.nodes) {
    const spec = specOf(n);
    const errors: string[] = [];
    if (!spec) errors.push(`unknown op “${n.op}”`);
    else errors.push(...checkParams(spec, n.params).map((p) => p.message));
    for (const m of engineIssues.get(n.id) ?? []) if (!errors.includes(m)) errors.push(m);
    // shape problems the engine's inference found: running raises them at this node
    for (const p of engine.load?.problems ?? [])
      if (p.node === n.id && !errors.includes(p.message)) errors.push(p.message);
    if (engine.error?.node === n.id) {
      // an engine bug surfaced here: the node says so rather than look like the graph's fault
      const e = engine.error;
      const m = e.type === 'InternalError' ? `InternalError: ${e.message}` : e.message;
      if (!errors.includes(m)) errors.push(m);
    }
    const w = warnings.get(n.id) ?? [];
    if (errors.length || w.length) out.set(n.id, { errors, warnings: w });
  }
  return out;
}

/** Problems of one node (empty when none). */
export function problemsOf(map: Map<string, NodeProblems>, id: string): NodeProblems {
  return map.get(id) ?? EMPTY;
}
