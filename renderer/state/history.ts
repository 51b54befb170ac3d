/**
 * The undo manager: a stack of entries, each the inverse commands of one user
 * action. Grouping turns several commands (a drag, a paste, an edit with
 * several fields) into one step; coalescing merges repeated edits of the same
 * field typed in quick succession.
 */
import type { Command } from './commands';

/** One undoable step. */
export interface HistoryEntry {
  readonly label: string;
  /** Inverse commands, in the order they must be applied to undo. */
  readonly inverse: readonly Command[];
  /** Merge key: consecutive entries with the same key within `coalesceMs` become one. */
  readonly key?: string;
  readonly time: number;
}

/** Undo/redo stacks with grouping. Pure data structure: it never touches the document itself. */
export class UndoManager {
  private past: HistoryEntry[] = [];
  private future: HistoryEntry[] = [];
  private group: { label: string; inverse: Command[]; depth: number } | null = null;

  constructor(
    private readonly limit = 500,
    private readonly coalesceMs = 1000,
  ) {}

  /** Starts a group; nested groups join the outer one. */
  begin(label: string): void {
    if (this.group) this.group.depth++;
    else this.group = { label, inverse: [], depth: 1 };
  }

  /** Ends a group; the outermost end records one entry (if anything happened). */
  end(): void {
    if (!this.group) return;
    if (--this.group.depth > 0) return;
    const g = this.group;
    this.group = null;
    if (g.inverse.length) this.push({ label: g.label, inverse: g.inverse, time: Date.now() });
  }

  /** Records the inverse of a command just applied. */
  record(label: string, inverse: Command, key?: string): void {
    if (this.group) {
      this.group.inverse.unshift(inverse);
      return;
    }
    const now = Date.now();
    const last = this.past[this.past.length - 1];
    if (key && last && last.key === key && now - last.time < this.coalesceMs && this.future.length === 0) {
      // keep the oldest inverse: undo goes back to before the first edit
      this.past[this.past.length - 1] = { ...last, time: now };
      return;
    }
    this.push({ label, inverse: [inverse], time: now, ...(key ? { key } : {}) });
  }

  private push(e: HistoryEntry): void {
    this.past.push(e);
    if (this.past.length > this.limit) this.past.shift();
    this.future = [];
  }

  /** Takes the entry to undo; `apply` runs its inverses and returns the redo commands. */
  undo(apply: (inverse: readonly Command[]) => Command[]): HistoryEntry | null {
    const e = this.past.pop();
    if (!e) return null;
    const redo = apply(e.inverse);
    this.future.push({ label: e.label, inverse: redo, time: Date.now() });
    return e;
  }

  /** Takes the entry to redo; `apply` runs it and returns the undo commands. */
  redo(apply: (commands: readonly Command[]) => Command[]): HistoryEntry | null {
    const e = this.future.pop();
    if (!e) return null;
    const undo = apply(e.inverse);
    this.past.push({ label: e.label, inverse: undo, time: Date.now() });
    return e;
  }

  /** Forgets everything (a new or opened document). */
  clear(): void {
    this.past = [];
    this.future = [];
    this.group = null;
  }

  get canUndo(): boolean {
    return this.past.length > 0;
  }
  get canRedo(): boolean {
    return this.future.length > 0;
  }
  /** Label of the step undo would take back. */
  get undoLabel(): string | null {
    return this.past[this.past.length - 1]?.label ?? null;
  }
  get redoLabel(): string | null {
    return this.future[this.future.length - 1]?.label ?? null;
  }
  /** Number of undo steps. */
  get depth(): number {
    return this.past.length;
  }
}
