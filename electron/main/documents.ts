/**
 * Pure document rules for the shell: the recent list, what a saved file is
 * (graph, SVG, JSON) and its extension, the graph document gate applied
 * before a file reaches the page, command-line files and saved window bounds.
 * No Electron, no disk: session.ts does the I/O.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDocumentJson, MAX_DOCUMENT_BYTES } from '../../engine/protocol/document';
import { FORMAT as GRAPH_FORMAT } from '../../engine/protocol/format';

/** Largest document main reads, writes or autosaves (the renderer's reader refuses larger ones too). */
export { GRAPH_FORMAT, MAX_DOCUMENT_BYTES };
export const GRAPH_EXTENSION = '.graph.json';
export const MAX_RECENT = 10;

/** Most recent first, no duplicates, at most `max`. */
export function pushRecent(list: readonly string[], file: string, max = MAX_RECENT): string[] {
  return [file, ...list.filter((p) => p !== file)].slice(0, max);
}

export function removeRecent(list: readonly string[], file: string): string[] {
  return list.filter((p) => p !== file);
}

/** Keeps the string entries of a stored recent list. */
export function parseRecent(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.filter((p): p is string => typeof p === 'string' && path.isAbsolute(p)).slice(0, MAX_RECENT);
}

export type DocumentKind = 'graph' | 'svg' | 'json' | 'text';

/** What the page is saving (saveFile also carries exports): decides the dialog's filter and extension. */
export function documentKind(text: string): DocumentKind {
  const head = text.trimStart().slice(0, 512);
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  if (!head.startsWith('{') && !head.startsWith('[')) return 'text';
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) && value.format === GRAPH_FORMAT ? 'graph' : 'json';
  } catch {
    return 'text';
  }
}

const EXTENSIONS: Record<DocumentKind, string | null> = {
  graph: GRAPH_EXTENSION,
  svg: '.svg',
  json: '.json',
  text: null,
};

/** Adds the kind's extension when the chosen name lacks it (`model` -> `model.graph.json`). */
export function ensureExtension(file: string, kind: DocumentKind): string {
  const ext = EXTENSIONS[kind];
  if (ext === null) return file;
  const accepted = kind === 'graph' ? '.json' : ext;
  return file.toLowerCase().endsWith(accepted) ? file : `${file}${ext}`;
}

/** A file name for the Save dialog: a graph's `meta.name`, else a plain default. */
export function suggestedFileName(text: string, kind: DocumentKind): string {
  if (kind === 'graph') {
    let name = '';
    try {
      const meta = (JSON.parse(text) as { meta?: { name?: unknown } }).meta;
      name = typeof meta?.name === 'string' ? meta.name : '';
    } catch {
      // not reached: kind 'graph' parsed
    }
    const cleaned = name
      .replace(/[^A-Za-z0-9 _-]+/g, ' ')
      .trim()
      .replace(/\s+/g, '_');
    return `${cleaned || 'untitled'}${GRAPH_EXTENSION}`;
  }
  return { svg: 'graph.svg', json: 'export.json', text: 'untitled.txt' }[kind];
}

export function isGraphFileName(file: string): boolean {
  return file.toLowerCase().endsWith('.json');
}

/**
 * The document a command line names (double-click, `autograd-studio x.graph.json`,
 * a second instance): the first argument after the app's own that is not a
 * switch and ends in `.json`, as a path or a file: URL (a desktop entry's %U),
 * resolved against `cwd`.
 */
export function graphFileFromArgv(argv: readonly string[], isPackaged: boolean, cwd: string): string | null {
  const args = argv.slice(isPackaged ? 1 : 2);
  const arg = args.find((a) => !a.startsWith('-') && isGraphFileName(a));
  if (arg === undefined) return null;
  if (arg.startsWith('file:')) {
    try {
      return fileURLToPath(arg);
    } catch {
      return null;
    }
  }
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(arg) ? null : path.resolve(cwd, arg);
}

// ---------------------------------------------------------------------------
// The graph document gate.

export type GraphCheck =
  | { readonly ok: true; readonly document: Record<string, unknown> }
  | { readonly ok: false; readonly field: string; readonly message: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(field: string, message: string): GraphCheck {
  return { ok: false, field, message };
}

/** Line and column of a character offset (1-based). */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

function jsonErrorPlace(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(message);
  if (position) return ` at ${lineColumn(text, Number(position[1]))}`;
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return ` at line ${lc[1]}, column ${lc[2]}`;
  return /end of JSON input/.test(message) ? ` at ${lineColumn(text, text.length)} (the file ends too early)` : '';
}

/**
 * Whether `text` is a graph document (format version 1) in its structure, as
 * `engine/protocol/document.ts` declares it for the engine and the renderer
 * alike: the top level, each node and edge, `run`, unique ids and edges
 * between existing nodes. The engine checks ops and params on load; this gate
 * refuses files that are not graph documents at all, naming the first field
 * at fault. The message quotes no file content.
 */
export function checkGraphDocument(text: string): GraphCheck {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    return fail('(file)', `not valid JSON${jsonErrorPlace(text, error)}`);
  }
  const checked = checkDocumentJson(doc);
  if (!checked.ok) return fail(checked.issue.path === '$' ? '(file)' : checked.issue.path, checked.issue.message);
  return { ok: true, document: checked.document };
}

// ---------------------------------------------------------------------------
// Window bounds.

export interface WindowState {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
  readonly maximized: boolean;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function intersects(a: Rect, b: Rect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Saved bounds made safe to reuse: numbers only, at least the minimum size,
 * and a position only if at least 100x50 pixels of the title area lies on a
 * current display (a monitor may have been unplugged); else null or centred.
 */
export function sanitizeWindowState(
  raw: unknown,
  workAreas: readonly Rect[],
  min = { width: 800, height: 560 },
): WindowState | null {
  if (!isObject(raw) || !Number.isFinite(raw.width) || !Number.isFinite(raw.height)) return null;
  const width = Math.max(min.width, Math.round(raw.width as number));
  const height = Math.max(min.height, Math.round(raw.height as number));
  const maximized = raw.maximized === true;
  if (Number.isFinite(raw.x) && Number.isFinite(raw.y)) {
    const x = Math.round(raw.x as number);
    const y = Math.round(raw.y as number);
    const titleArea = { x: x + 20, y, width: Math.min(100, width), height: 50 };
    if (workAreas.some((area) => intersects(titleArea, area))) return { x, y, width, height, maximized };
  }
  return { width, height, maximized };
}
