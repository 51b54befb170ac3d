/**
 * A Tensor's init edited as values: the kinds (PyTorch's constructors), the
 * fields each kind has, a fresh init when the kind changes, the grid's rows
 * and columns, and numbers pasted as CSV or NumPy/PyTorch text.
 */

/** The init kinds, in the order the picker lists them. */
export const INIT_KINDS = ['values', 'zeros', 'ones', 'full', 'arange', 'rand', 'randn', 'randint'] as const;
export type InitKind = (typeof INIT_KINDS)[number];

/** The number fields of each kind (besides `data` of values), with their starting values. */
export const INIT_FIELDS: Readonly<Record<InitKind, Readonly<Record<string, number>>>> = {
  values: {},
  zeros: {},
  ones: {},
  full: { value: 1 },
  arange: { start: 0, step: 1 },
  rand: { seed: 0 },
  randn: { seed: 0 },
  randint: { low: 0, high: 10, seed: 0 },
};

/** Largest tensor the grid editor shows cell by cell. */
export const GRID_MAX = 400;

/** Number of elements of a shape (1 for a scalar). */
export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** The init after switching to `kind`: values keep what fits of the current data (zeros otherwise). */
export function initOfKind(
  kind: InitKind,
  count: number,
  prev: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  if (kind === 'values') {
    const old = Array.isArray(prev?.data) ? (prev.data as number[]) : [];
    return { kind, data: Array.from({ length: count }, (_, i) => old[i] ?? 0) };
  }
  const fields: Record<string, unknown> = { ...INIT_FIELDS[kind] };
  for (const k of Object.keys(fields)) if (typeof prev?.[k] === 'number') fields[k] = prev[k];
  return { kind, ...fields };
}

/** Rows and columns of the grid: the last dimension across, everything before it down. */
export function gridOf(shape: readonly number[]): { rows: number; cols: number } {
  const cols = shape.length ? shape[shape.length - 1]! : 1;
  return { rows: cols ? numel(shape) / cols : 0, cols };
}

/**
 * Numbers from pasted text: CSV, whitespace-separated columns, or NumPy and
 * PyTorch reprs like `tensor([[1., 2.], [3., 4.]])`. Returns the numbers in
 * row-major order, or a message naming the first piece that is not a number.
 */
export function parseNumbers(text: string): number[] | string {
  const body = text
    .replace(/\b(tensor|array|np\.array|torch\.tensor)\s*\(/g, '')
    .replace(/,?\s*dtype\s*=\s*[\w.]+/g, '')
    .replace(/[[\]()]/g, ' ');
  const parts = body.split(/[\s,;]+/).filter(Boolean);
  const out: number[] = [];
  for (const p of parts) {
    const v = Number(p.replace(/\.$/, '.0'));
    if (!Number.isFinite(v)) return `“${p}” is not a number`;
    out.push(v);
  }
  return out.length ? out : 'no numbers found';
}
