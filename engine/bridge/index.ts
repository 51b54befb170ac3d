/**
 * The PyTorch bridge: exports a graph document as a standalone, readable
 * PyTorch script. Pure TypeScript (no Node or DOM); the CLI's `export-python`
 * calls it (the app has no Python export: its Export menu offers JSON, PNG, SVG).
 */
import type { GraphDocument, InitSpec } from '../graph/document';
import { createParams } from '../graph/ops';
import { initData } from '../graph/init';
import { validateDocument } from '../graph/validate';
import type { OpRegistry } from '../ops/index';
import type { Write } from './chunks';
import { writeScript, type InitOverrides } from './emit';
import type { LiteralInit } from './literals';
import { planExport } from './plan';

export { pythonIdentifier } from './names';
export { float32Repr } from './literals';
export type { Write } from './chunks';

/** Options of {@link exportPython}. */
export interface ExportOptions {
  /**
   * How seeded inits (`rand`, `randn`, `randint`) and parameters without an init
   * are written. `"torch"` (default): as PyTorch code (`torch.randn(..., generator=
   * torch.Generator().manual_seed(s))`, PyTorch's default layer init after
   * `torch.manual_seed(0)`), the values the torch backend computes. `"engine"`: the
   * values this engine draws, embedded with `torch.tensor([...])`, so the script
   * reproduces the canvas's numbers exactly.
   */
  readonly seeded?: 'torch' | 'engine';
  /** The ops the document may use (default: every op of the format). */
  readonly ops?: OpRegistry;
}

/** A graph document that cannot be exported, with its validation issues. */
export class ExportError extends Error {
  constructor(readonly issues: readonly { path: string; message: string }[]) {
    super(`invalid graph document: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.name = 'ExportError';
  }
}

/**
 * The PyTorch script of a graph document (parsed JSON, as saved by the app or
 * given to the CLI): a `class Model(nn.Module)` with the graph's layers and
 * values, an `update()` for the update phase, a `main()` with the run loop, and a
 * helper section that prints the graph format's result JSON computed by PyTorch.
 * Throws {@link ExportError} if the document is invalid.
 */
export function exportPython(doc: unknown, options: ExportOptions = {}): string {
  return joined(exportPythonChunks(doc, options));
}

/**
 * {@link exportPython}'s script as a function that writes it in chunks of about
 * 64 KiB, so a script that spells out millions of values is never one string.
 * The document is checked now: this throws {@link ExportError} before any chunk.
 */
export function exportPythonChunks(doc: unknown, options: ExportOptions = {}): (write: Write) => void {
  const v = validateDocument(doc, options.ops);
  if (!v.ok) throw new ExportError(v.issues);
  return validatedChunks(v.doc, descriptionOf(doc), options);
}

/** `meta.description` of a document, or ''. */
function descriptionOf(doc: unknown): string {
  if (typeof doc !== 'object' || doc === null || !('meta' in doc)) return '';
  const meta = doc.meta;
  if (typeof meta !== 'object' || meta === null || !('description' in meta)) return '';
  return typeof meta.description === 'string' ? meta.description : '';
}

/** {@link exportPython} for a document that is already validated. */
export function exportValidated(doc: GraphDocument, description = '', options: ExportOptions = {}): string {
  return joined(validatedChunks(doc, description, options));
}

function validatedChunks(doc: GraphDocument, description: string, options: ExportOptions): (write: Write) => void {
  const overrides = options.seeded === 'engine' ? engineValues(doc) : new Map<string, InitSpec>();
  return writeScript(planExport(doc), doc.name, description, overrides);
}

function joined(writeTo: (write: Write) => void): string {
  const chunks: string[] = [];
  writeTo((c) => chunks.push(c));
  return chunks.join('');
}

/** The engine's own values (its arrays, not copied) for seeded Tensor inits and for parameters without an init. */
function engineValues(doc: GraphDocument): InitOverrides {
  const out = new Map<string, LiteralInit>();
  const values = (data: ArrayLike<number>): LiteralInit => ({ kind: 'values', data });
  for (const n of doc.nodes) {
    const { leaf, layer } = n.impl;
    if (leaf) {
      const init = leaf.init;
      if (init.kind === 'rand' || init.kind === 'randn' || init.kind === 'randint') {
        out.set(n.id, values(initData(init, leaf.shape, leaf.dtype)));
      }
    } else if (layer) {
      let made: ReturnType<typeof createParams>;
      try {
        made = createParams(n);
      } catch {
        continue; // the script raises PyTorch's error for this layer
      }
      for (const which of ['weight', 'bias'] as const) {
        const t = made[which];
        const spec = layer.init[which];
        if (t && (!spec || spec.kind === 'rand' || spec.kind === 'randn' || spec.kind === 'randint')) {
          out.set(`${n.id}.${which}`, values(t.contiguousData()));
        }
      }
    }
  }
  return out;
}
