/**
 * The one store of the renderer (zustand, vanilla) and the `Studio` that owns
 * it: every document change goes through `dispatch` as a command, so undo and
 * redo are exact. The store does no I/O; the engine session and the platform
 * host do theirs outside and write results in through `setEngine`/`setFile`.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { withPositions } from '../document/layout';
import { emptyDocument, type GraphDocument } from '../document/types';
import { applyCommand, CommandError, type Command } from './commands';
import { initialEngine, type EngineSlice } from './engine-state';
import { UndoManager } from './history';

/** What the user has selected on the canvas. */
export interface Selection {
  readonly nodes: readonly string[];
  readonly edges: readonly string[];
}

/** A short message shown at the bottom of the window. */
export interface Toast {
  readonly id: number;
  readonly kind: 'info' | 'warn' | 'error';
  readonly text: string;
}

/** A tensor (node id or parameter name) or its `.grad`, pinned into the comparison strip. */
export interface Pin {
  readonly tensor: string;
  readonly which: 'value' | 'grad';
}

/** UI state that is not part of the document. */
export interface UiSlice {
  readonly selection: Selection;
  readonly toast: Toast | null;
  /** Tensor shown in the tensor viewer (node id or parameter name). */
  readonly tensor: string | null;
  readonly examplesOpen: boolean;
  readonly autogradOpen: boolean;
  /** The welcome view (first start, or from the help). */
  readonly welcomeOpen: boolean;
  /** The help sheet: shortcuts and glossary. */
  readonly helpOpen: boolean;
  /** The PyTorch code panel beside the canvas. */
  readonly codeOpen: boolean;
  /** Tensors pinned into the comparison strip, in order. */
  readonly pins: readonly Pin[];
}

/** The whole state. */
export interface AppState {
  readonly doc: GraphDocument;
  /** Bumped on every document change. */
  readonly revision: number;
  /** Bumped when the whole document is replaced (new, open, example, restore). */
  readonly epoch: number;
  /** Revision last saved or opened; the document is dirty when they differ. */
  readonly savedRevision: number;
  readonly fileName: string | null;
  readonly filePath: string | null;
  readonly history: {
    readonly canUndo: boolean;
    readonly canRedo: boolean;
    readonly undoLabel: string | null;
    readonly redoLabel: string | null;
  };
  readonly engine: EngineSlice;
  readonly ui: UiSlice;
}

/** The renames a command makes (inside batches too), in order. */
function renamesOf(cmd: Command): [string, string][] {
  if (cmd.type === 'renameNode') return [[cmd.from, cmd.to]];
  if (cmd.type === 'batch') return cmd.commands.flatMap(renamesOf);
  return [];
}

/** A tensor name (`id` or `id.param`) after the renames. */
function renamed(name: string | null, renames: readonly [string, string][]): string | null {
  let n = name;
  for (const [from, to] of renames) {
    if (n === from) n = to;
    else if (n?.startsWith(`${from}.`)) n = `${to}${n.slice(from.length)}`;
  }
  return n;
}

const initialUi: UiSlice = {
  selection: { nodes: [], edges: [] },
  toast: null,
  tensor: null,
  examplesOpen: false,
  autogradOpen: false,
  welcomeOpen: false,
  helpOpen: false,
  codeOpen: false,
  pins: [],
};

/** The store and every way to change it. */
export class Studio {
  readonly store: StoreApi<AppState>;
  readonly history = new UndoManager();
  /** Params the user typed in this document (`id:param`): the canvas never fills those in from the input's shape. */
  readonly typed = new Set<string>();
  private toastId = 0;

  constructor(doc: GraphDocument = emptyDocument()) {
    this.store = createStore<AppState>(() => ({
      doc: withPositions(doc),
      revision: 0,
      epoch: 0,
      savedRevision: 0,
      fileName: null,
      filePath: null,
      history: { canUndo: false, canRedo: false, undoLabel: null, redoLabel: null },
      engine: initialEngine,
      ui: initialUi,
    }));
  }

  /** The current state. */
  get state(): AppState {
    return this.store.getState();
  }

  /** The current document. */
  get doc(): GraphDocument {
    return this.store.getState().doc;
  }

  private syncHistory(): AppState['history'] {
    const h = this.history;
    return { canUndo: h.canUndo, canRedo: h.canRedo, undoLabel: h.undoLabel, redoLabel: h.redoLabel };
  }

  /** Writes a changed document; the selection and the viewed tensor follow renames and forget what is gone. */
  private commit(doc: GraphDocument, cmds: readonly Command[] = []): void {
    const s = this.state;
    const ids = new Set(doc.nodes.map((n) => n.id));
    const renames = cmds.flatMap(renamesOf);
    const sel = renames.length
      ? { ...s.ui.selection, nodes: s.ui.selection.nodes.map((n) => renamed(n, renames)!) }
      : s.ui.selection;
    const selection = sel.nodes.every((n) => ids.has(n)) ? sel : { ...sel, nodes: sel.nodes.filter((n) => ids.has(n)) };
    const t = renamed(s.ui.tensor, renames);
    const tensor = t !== null && ids.has(t.split('.')[0]!) ? t : null;
    this.store.setState({
      doc,
      revision: s.revision + 1,
      history: this.syncHistory(),
      ui: { ...s.ui, selection, tensor },
    });
  }

  /**
   * Applies a command as one undoable step (or as part of the open group).
   * `key` merges repeated edits of the same field into one step.
   * Returns false (and shows why) when the command cannot apply.
   */
  dispatch(cmd: Command, label: string, key?: string): boolean {
    let r;
    try {
      r = applyCommand(this.doc, cmd);
    } catch (e) {
      if (e instanceof CommandError) {
        this.toast('error', e.message);
        return false;
      }
      throw e;
    }
    this.history.record(label, r.inverse, key);
    this.commit(r.doc, [cmd]);
    return true;
  }

  /** Runs `fn` so that every command it dispatches is one undo step. */
  transact<T>(label: string, fn: () => T): T {
    this.history.begin(label);
    try {
      return fn();
    } finally {
      this.history.end();
      this.store.setState({ history: this.syncHistory() });
    }
  }

  private applyAll(cmds: readonly Command[]): Command[] {
    let doc = this.doc;
    const back: Command[] = [];
    for (const c of cmds) {
      const r = applyCommand(doc, c);
      doc = r.doc;
      back.unshift(r.inverse);
    }
    this.commit(doc, cmds);
    return back;
  }

  /** Takes back the last step. */
  undo(): void {
    const e = this.history.undo((inv) => this.applyAll(inv));
    this.store.setState({ history: this.syncHistory() });
    if (e) this.toast('info', `Undo: ${e.label}`);
  }

  /** Does again the last step undone. */
  redo(): void {
    const e = this.history.redo((cmds) => this.applyAll(cmds));
    this.store.setState({ history: this.syncHistory() });
    if (e) this.toast('info', `Redo: ${e.label}`);
  }

  /** Replaces the whole document (new, open, example); forgets history. */
  replaceDocument(
    doc: GraphDocument,
    file: { name?: string | null; path?: string | null; dirty?: boolean } = {},
  ): void {
    this.history.clear();
    this.typed.clear();
    const s = this.state;
    const revision = s.revision + 1;
    this.store.setState({
      doc: withPositions(doc),
      revision,
      epoch: s.epoch + 1,
      savedRevision: file.dirty ? -1 : revision,
      fileName: file.name ?? null,
      filePath: file.path ?? null,
      history: this.syncHistory(),
      ui: { ...s.ui, selection: { nodes: [], edges: [] }, tensor: null },
    });
  }

  /** Records that the document was saved (under a path, in Electron). */
  markSaved(name: string | null, path: string | null = this.state.filePath): void {
    this.store.setState({ savedRevision: this.state.revision, fileName: name ?? this.state.fileName, filePath: path });
  }

  /** True when the document has changes not saved. */
  get dirty(): boolean {
    return this.state.revision !== this.state.savedRevision;
  }

  /** Updates the engine slice. */
  setEngine(fn: (e: EngineSlice) => EngineSlice): void {
    this.store.setState({ engine: fn(this.state.engine) });
  }

  /** Updates UI state. */
  setUi(patch: Partial<UiSlice>): void {
    this.store.setState({ ui: { ...this.state.ui, ...patch } });
  }

  /** Sets the selection; a new selection also shows its node in the tensor viewer (not an older click's tensor). */
  select(nodes: readonly string[], edges: readonly string[] = []): void {
    const cur = this.state.ui.selection;
    const same = nodes.join() === cur.nodes.join() && edges.join() === cur.edges.join();
    this.setUi({ selection: { nodes, edges }, ...(same ? {} : { tensor: null }) });
  }

  /** Shows a short message. */
  toast(kind: Toast['kind'], text: string): void {
    this.setUi({ toast: { id: ++this.toastId, kind, text } });
  }
}
