// `npm run lint:cycles`: fails when source files import each other in a cycle. It calls dpdm's
// parser directly rather than its command line, whose progress spinner redraws forever on a
// terminal that reports zero columns (a CI pseudo-terminal), so the check prints two plain lines
// whatever the terminal is.
//
//   node build/scripts/check-cycles.mjs        exit 0 when there is no cycle, 1 (listing them) otherwise
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCircular, parseDependencyTree, prettyCircular } from 'dpdm';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const SOURCES = ['engine/**/*.ts', 'renderer/**/*.{ts,tsx}', 'electron/**/*.ts', 'build/**/*.ts'];

/** The import cycles among `globs` (paths relative to `cwd`), each a list of files. */
export async function findCycles(globs, cwd = ROOT) {
  const tree = await parseDependencyTree(globs, { cwd, context: cwd });
  // Files outside the globs (packages, CSS) are in the tree with no dependencies listed (null).
  const files = Object.values(tree).filter((deps) => deps !== null).length;
  if (files === 0) throw new Error(`no source files match ${globs.join(' ')}`);
  return { files, cycles: parseCircular(tree).map(startAtSmallest).sort(byText) };
}

// dpdm reads files concurrently, so a cycle may be reported from any of its files and the list in
// any order; rotated to start at its smallest path and sorted, the answer is the same every run.
function startAtSmallest(cycle) {
  const first = cycle.indexOf([...cycle].sort()[0]);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

function byText(a, b) {
  return a.join(' ').localeCompare(b.join(' '));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { files, cycles } = await findCycles(SOURCES);
  if (cycles.length === 0) {
    console.log(`lint:cycles: no import cycle among ${files} files`);
  } else {
    console.error(`lint:cycles: ${cycles.length} import cycle(s):\n${prettyCircular(cycles)}`);
    process.exit(1);
  }
}
