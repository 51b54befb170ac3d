/**
 * Where each graph node lives in an exported PyTorch script, read from the
 * script's own text (engine/bridge names every variable after its node, and
 * lists the exceptions in `NODE_IDS`): the lines of its statement in
 * `Model.forward`, `update` or `main`. The code panel highlights them while
 * stepping.
 */

/** A statement's lines, 0-based, end exclusive. */
export interface LineRange {
  readonly start: number;
  readonly end: number;
}

/** `NODE_IDS = {"var": "id", ...}` of the script: variable -> node id where they differ. */
export function nodeIdsOf(lines: readonly string[]): Map<string, string> {
  const line = lines.find((l) => l.startsWith('NODE_IDS = '));
  const literal = line?.slice('NODE_IDS = '.length).replace(/\s+#.*$/, '');
  const out = new Map<string, string>();
  if (!literal) return out;
  try {
    for (const [v, id] of Object.entries(JSON.parse(literal) as Record<string, string>)) out.set(v, id);
  } catch {
    /* not JSON after all: names equal ids */
  }
  return out;
}

/** The function (`forward`, `update`, `main`) each line belongs to, or null outside them. */
function functionOf(lines: readonly string[]): (string | null)[] {
  let current: string | null = null;
  return lines.map((l) => {
    const def = /^(?: {4})?def (\w+)\(/.exec(l);
    if (def) current = def[1]!;
    else if (/^\S/.test(l)) current = null;
    return current;
  });
}

const INDENT = /^( *)/;

/** The end (exclusive) of the statement starting at `start`: the lines indented deeper, or closing its brackets. */
function statementEnd(lines: readonly string[], start: number): number {
  const indent = INDENT.exec(lines[start]!)![1]!.length;
  let end = start + 1;
  while (end < lines.length) {
    const l = lines[end]!;
    const own = INDENT.exec(l)![1]!.length;
    if (l.trim() === '' || own < indent) break;
    if (own === indent && !/^\s*[\])}]/.test(l)) break;
    end++;
  }
  return end;
}

/**
 * Each node's statement: the first assignment to its variable in `forward` or
 * `update` (an op), else in `main` (a Tensor node's value, set up before the loop).
 */
export function nodeLines(script: string): Map<string, LineRange> {
  const lines = script.split('\n');
  const ids = nodeIdsOf(lines);
  const fn = functionOf(lines);
  const found = new Map<string, LineRange>();
  for (const wanted of ['forward', 'update', 'main']) {
    lines.forEach((l, i) => {
      if (fn[i] !== wanted) return;
      const m = /^ +(\w+) = /.exec(l);
      if (!m) return;
      const id = ids.get(m[1]!) ?? m[1]!;
      if (!found.has(id)) found.set(id, { start: i, end: statementEnd(lines, i) });
    });
  }
  return found;
}

/** The `loss.backward()` line(s) of the script, highlighted during the backward phase. */
export function backwardLines(script: string): LineRange | null {
  const i = script.split('\n').findIndex((l) => /^ +\w+\.backward\(\)/.test(l));
  return i < 0 ? null : { start: i, end: i + 1 };
}

/** A row of a spelled-out tensor: numbers, brackets and commas only. */
const VALUES_ROW = /^\s*[[\]\d.,eE+\-\s]*\d[[\]\d.,eE+\-\s]*$|^\s*[[\]]+,?\s*$/;

/**
 * The runs of value rows longer than `keep + 4` lines, each as the lines to
 * fold away: all but the first `keep` and the last one. A learner reads the
 * statement, not a thousand numbers; the panel opens a fold on a click.
 */
export function foldRanges(script: string, keep = 3): LineRange[] {
  const lines = script.split('\n');
  const out: LineRange[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!VALUES_ROW.test(lines[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (j < lines.length && VALUES_ROW.test(lines[j]!)) j++;
    if (j - i > keep + 4) out.push({ start: i + keep, end: j - 1 });
    i = j;
  }
  return out;
}
