/**
 * In-place writes as the canvas shows them, derived from what the engine
 * already reports (storage ids, the error message): which in-place node wrote
 * into a node's storage, and, for PyTorch's version-counter error, which node's
 * saved tensor was modified and by which in-place node.
 */
import type { GraphDocument } from '../document/types';
import type { EngineSlice } from './engine-state';
import { own } from '../../engine/protocol/dict';

/**
 * The in-place ops of a document: any op with PyTorch's `inplace: true` (ReLU's
 * relu_, LeakyReLU's leaky_relu_).
 */
export function isInPlace(doc: GraphDocument, id: string): boolean {
  const n = doc.nodes.find((m) => m.id === id);
  return n?.params.inplace === true;
}

const storageOf = (engine: EngineSlice, id: string): number => own(engine.tensors, id)?.storage ?? -1;

/** In-place nodes that have run, in execution order (the forward order of the load answer). */
function writers(doc: GraphDocument, engine: EngineSlice): string[] {
  const order = engine.load?.order ?? doc.nodes.map((n) => n.id);
  return order.filter((id) => isInPlace(doc, id) && storageOf(engine, id) >= 0);
}

const cache = new WeakMap<EngineSlice, { doc: GraphDocument; list: string[] }>();

/** {@link writers}, once per engine slice and document (every node asks). */
function writersOf(doc: GraphDocument, engine: EngineSlice): string[] {
  const hit = cache.get(engine);
  if (hit && hit.doc === doc) return hit.list;
  const list = writers(doc, engine);
  cache.set(engine, { doc, list });
  return list;
}

/**
 * The in-place nodes that wrote into node `id`'s storage (other than `id`
 * itself): relu_ on `x.detach()` writes into x's storage, so x lists it.
 */
export function writtenBy(doc: GraphDocument, engine: EngineSlice, id: string): string[] {
  const s = storageOf(engine, id);
  const list = s < 0 ? [] : writersOf(doc, engine);
  return list.filter((w) => w !== id && storageOf(engine, w) === s);
}

/** PyTorch's version-counter error, with the nodes it is about. */
export interface VersionError {
  /** The node whose output autograd saved and an in-place op then changed (the tensor PyTorch's message names). */
  readonly saved: string;
  /** The in-place node that changed it. */
  readonly modifier: string;
  readonly version: number;
  readonly expected: number;
  /** One plain sentence beside PyTorch's message. */
  readonly sentence: string;
}

/**
 * PyTorch's message: `… inplace operation: [torch.FloatTensor [4, 5]], which is output 0 of
 * ExpBackward0, is at version 1; expected version 0 instead. …` (no "which is …" for a leaf).
 */
const VERSION_RE =
  /modified by an inplace operation: \[\S+ \[[\d, ]*\]\](?:, which is output \d+ of (\w+),)? is at version (\d+); expected version (\d+)/;

/** The input chain of `id` that shares its storage (nearest first): relu_'s input, a Detach's input, ... */
function sameStorageInputs(doc: GraphDocument, engine: EngineSlice, id: string): string[] {
  const s = storageOf(engine, id);
  const out: string[] = [];
  for (let cur = id; ; ) {
    const src = doc.edges.find((e) => e.target === cur && e.targetHandle === 'input')?.source;
    if (!src || out.includes(src) || storageOf(engine, src) !== s) return out;
    out.push(src);
    cur = src;
  }
}

/**
 * Note [Pinning the version-counter error]
 * ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
 * The engine reports the error where backward() was called (the root), as
 * PyTorch raises it there. The message says which tensor changed ("which is
 * output 0 of ExpBackward0", or nothing for a leaf) and its versions. Each
 * in-place write bumps the storage's version by one, so the write that moved it
 * from the expected version is the in-place writer number `expected` on that
 * storage, in execution order. The saved tensor is the one that writer wrote
 * into: the nearest input on the same storage that has a grad_fn of its own
 * (not a Detach), or, for a leaf, the Tensor at the end of that chain.
 */
export function versionError(doc: GraphDocument, engine: EngineSlice): VersionError | null {
  const m = engine.error ? VERSION_RE.exec(engine.error.message) : null;
  if (!m) return null;
  const [, gradFn, version, expected] = m;
  const all = writersOf(doc, engine);
  const byStorage = new Map<number, string[]>();
  for (const w of all) byStorage.set(storageOf(engine, w), [...(byStorage.get(storageOf(engine, w)) ?? []), w]);
  for (const list of byStorage.values()) {
    const modifier = list[Number(expected)] ?? list[0]!;
    const chain = sameStorageInputs(doc, engine, modifier);
    const opOf = (id: string): string | undefined => doc.nodes.find((n) => n.id === id)?.op;
    const saved = gradFn ? chain.find((id) => opOf(id) !== 'Detach' && opOf(id) !== 'Tensor') : chain.at(-1);
    if (!saved) continue;
    return {
      saved,
      modifier,
      version: Number(version),
      expected: Number(expected),
      sentence:
        `“${modifier}” overwrote “${saved}” in place (version ${expected} → ${version}) after autograd had saved ` +
        `“${saved}” for the backward pass, so its gradient can no longer be computed: ` +
        `turn off inplace on “${modifier}”, or give it a clone() of “${saved}”.`,
    };
  }
  return null;
}
