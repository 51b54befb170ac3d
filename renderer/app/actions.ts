/**
 * User actions shared by the toolbar, the keyboard shortcuts and the Electron
 * menu: file handling, clipboard, selection and engine control.
 */
import { own } from '../../engine/protocol/dict';
import { OP_BY_NAME } from '../../engine/protocol/ops';
import { freshId } from '../document/graph';
import { DocumentParseError, parseDocument } from '../document/parse';
import { serializeDocument } from '../document/serialize';
import { edgeKey, emptyDocument, type GraphDocument, type ViewState, type XY } from '../document/types';
import { layeredLayout, RUN_ROOM } from '../document/layout';
import { besideSelection, copyOffset, estimateSize, freeSpot, type SizeOf } from '../document/placement';
import { starterParams } from '../document/params';
import { copyNodes, deleteCommand, pasteCommand, type ClipboardData } from '../state/clipboard';
import type { AppServices } from './context';

let clipboard: ClipboardData | null = null;

/** The file name a document is saved under (`*.graph.json`). */
export function fileNameFor(doc: GraphDocument, current: string | null): string {
  if (current && current.endsWith('.graph.json')) return current;
  const base = (current?.replace(/\.json$/, '') || doc.meta.name || 'graph').toString();
  const slug = base.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '') || 'graph';
  return `${slug}.graph.json`;
}

/** Asks before throwing away unsaved changes. */
export function confirmDiscard(app: AppServices): boolean {
  return !app.studio.dirty || window.confirm('Discard the unsaved changes of this graph?');
}

/** Starts a new, empty document. */
export function newDocument(app: AppServices): void {
  if (!confirmDiscard(app)) return;
  app.studio.replaceDocument(emptyDocument());
}

/** Opens document text (from a file input, a dialog or an example). Returns false and shows why when it cannot. */
export function openText(app: AppServices, text: string, name: string | null, path: string | null = null): boolean {
  try {
    const doc = parseDocument(text);
    app.studio.replaceDocument(doc, { name, path });
    app.studio.toast('info', `Opened ${name ?? doc.meta.name ?? 'graph'}`);
    return true;
  } catch (e) {
    app.studio.toast(
      'error',
      e instanceof DocumentParseError ? `Cannot open ${name ?? 'file'}: ${e.message}` : String(e),
    );
    return false;
  }
}

/** Opens a file through the host's dialog. */
export async function openFile(app: AppServices): Promise<void> {
  if (!confirmDiscard(app)) return;
  const f = await app.host.openFile();
  if (f) openText(app, f.text, f.name, f.path);
}

/** The document with the canvas view state stored under "view". */
export function docWithView(doc: GraphDocument, view: ViewState | null): GraphDocument {
  return view ? { ...doc, view } : doc;
}

/** Saves (Electron: to its path; browser: a download) and marks the document clean. */
export async function save(app: AppServices, view: ViewState | null, saveAs = false): Promise<void> {
  const s = app.studio.state;
  const name = fileNameFor(s.doc, s.fileName);
  const r = await app.host.saveDocument(serializeDocument(docWithView(s.doc, view)), name, saveAs ? null : s.filePath);
  if (r) {
    app.studio.markSaved(r.name, r.path);
    app.studio.toast('info', `Saved ${r.name}`);
  }
}

/** Downloads the document as `*.graph.json` (export JSON). */
export async function exportJson(app: AppServices, view: ViewState | null): Promise<void> {
  const s = app.studio.state;
  const name = fileNameFor(s.doc, s.fileName);
  await app.host.download(new Blob([serializeDocument(docWithView(s.doc, view))], { type: 'application/json' }), name);
}

/**
 * Adds a node of `op` and selects it. It goes to the free spot nearest `at`
 * (canvas coordinates of its top-left corner), or without `at`, beside the
 * selection; never on top of another node.
 */
export function addNode(app: AppServices, op: string, at: XY | null, sizeOf?: SizeOf): string | null {
  const spec = OP_BY_NAME.get(op);
  if (!spec) return null;
  const doc = app.studio.doc;
  const id = freshId(
    op.toLowerCase().replace(/2d$/, '').replace('crossentropyloss', 'loss').replace('nllloss', 'nll'),
    new Set(doc.nodes.map((n) => n.id)),
  );
  const params = starterParams(spec);
  const want = besideSelection(doc.nodes, app.studio.state.ui.selection.nodes, sizeOf) ?? at ?? { x: 0, y: 0 };
  const position = freeSpot(doc.nodes, want, estimateSize({ op, params }), sizeOf);
  const ok = app.studio.dispatch(
    { type: 'addElements', nodes: [{ node: { id, op, params, position } }], edges: [] },
    `Add ${op}`,
  );
  if (!ok) return null;
  app.studio.select([id]);
  return id;
}

/** Adds a node of `op` dropped at `at` (its top-left corner): there, or at the nearest free spot. */
export function dropNode(app: AppServices, op: string, at: XY, sizeOf?: SizeOf): string | null {
  app.studio.select([]);
  return addNode(app, op, at, sizeOf);
}

/** Copies the selected nodes. */
export function copySelection(app: AppServices): void {
  const sel = app.studio.state.ui.selection;
  if (!sel.nodes.length) return;
  clipboard = copyNodes(app.studio.doc, sel.nodes);
  try {
    void navigator.clipboard?.writeText(JSON.stringify(clipboard)).catch(() => undefined);
  } catch {
    /* the in-app clipboard is enough */
  }
}

/** Pastes what was copied, with its connections, as one undo step; the copy goes below the original, in free space. */
export function paste(
  app: AppServices,
  data: ClipboardData | null = clipboard,
  label = 'Paste',
  sizeOf?: SizeOf,
): void {
  if (!data || !data.nodes.length) return;
  const d = copyOffset(app.studio.doc.nodes, data.nodes, sizeOf);
  const { cmd, ids } = pasteCommand(app.studio.doc, data, d.x, d.y);
  if (app.studio.dispatch(cmd, label)) app.studio.select(ids);
}

/** Duplicates the selection with its internal edges and inputs, below it in free space (one undo step). */
export function duplicate(app: AppServices, sizeOf?: SizeOf): void {
  const sel = app.studio.state.ui.selection;
  if (!sel.nodes.length) return;
  paste(app, copyNodes(app.studio.doc, sel.nodes), 'Duplicate', sizeOf);
}

/** Deletes the selected nodes and edges, and the edges in `focused` (one undo step). */
export function deleteSelection(app: AppServices, focused: readonly string[] = []): void {
  const sel = app.studio.state.ui.selection;
  const edges = [...new Set([...sel.edges, ...focused])];
  if (!sel.nodes.length && !edges.length) return;
  const n = sel.nodes.length + edges.length;
  app.studio.dispatch(deleteCommand(sel.nodes, edges), `Delete ${n} item${n > 1 ? 's' : ''}`);
  app.studio.select([]);
}

/** Selects every node. */
export function selectAll(app: AppServices): void {
  app.studio.select(
    app.studio.doc.nodes.map((n) => n.id),
    app.studio.doc.edges.map(edgeKey),
  );
}

/**
 * Lays the graph out left to right with the nodes' drawn sizes (one undo step), with room
 * below each node that has no run result yet (only the load's answer) for the rows a run
 * adds (Note [A layout leaves room for the run]).
 */
export function tidyLayout(app: AppServices, sizeOf?: SizeOf): void {
  const engine = app.studio.state.engine;
  const pos = layeredLayout(app.studio.doc, sizeOf, (id) => (own(engine.tensors, id) ? 0 : RUN_ROOM));
  const moves = app.studio.doc.nodes.map((n) => ({ id: n.id, to: pos.get(n.id)! }));
  app.studio.dispatch({ type: 'moveNodes', moves }, 'Tidy layout');
}
