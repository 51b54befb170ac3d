/**
 * Locating and reading the parity fixtures: `NAME.graph.json` documents with the
 * results real PyTorch 1.13 gave for them (`NAME.expected.json`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installNodeDatasets } from '../../engine/host/node/datasets';
import { parseJsonNaN } from './json';

// Fixtures with a Dataset node read data/datasets/ as the CLI does.
installNodeDatasets();

/** The repository root (this file is test/helpers/fixtures.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/**
 * The reference cases that came with the format's first specification (computed by
 * real PyTorch 1.13; copied in, see test/fixtures/README.md).
 */
export const REFERENCE_PARITY_DIR = resolve(REPO_ROOT, 'test', 'fixtures', 'reference');
/** The fixtures generated with real PyTorch by test/fixtures/generate.py. */
export const LOCAL_PARITY_DIR = resolve(REPO_ROOT, 'test', 'fixtures', 'parity');

/** One parity case. */
export interface ParityCase {
  readonly name: string;
  readonly dir: string;
  readonly graphPath: string;
  readonly expectedPath: string;
}

/** Reads a JSON file that may hold NaN / Infinity tokens (Python's json writes them). */
export function readJson(path: string): unknown {
  return parseJsonNaN(readFileSync(path, 'utf8'));
}

/**
 * The cases of a fixture directory, sorted by name. Throws (does not skip) when the
 * directory is missing, empty, or a graph has no expected result or vice versa.
 */
export function listCases(dir: string): ParityCase[] {
  if (!existsSync(dir)) throw new Error(`parity fixture directory ${dir} does not exist`);
  const files = readdirSync(dir);
  const graphs = files.filter((f) => f.endsWith('.graph.json')).map((f) => f.slice(0, -'.graph.json'.length));
  const expected = files.filter((f) => f.endsWith('.expected.json')).map((f) => f.slice(0, -'.expected.json'.length));
  if (graphs.length === 0) throw new Error(`parity fixture directory ${dir} holds no *.graph.json`);
  const orphans = [
    ...graphs.filter((g) => !expected.includes(g)).map((g) => `${g}.graph.json has no .expected.json`),
    ...expected.filter((e) => !graphs.includes(e)).map((e) => `${e}.expected.json has no .graph.json`),
  ];
  if (orphans.length > 0) throw new Error(`${dir}: ${orphans.join('; ')}`);
  return graphs.sort().map((name) => ({
    name,
    dir,
    graphPath: join(dir, `${name}.graph.json`),
    expectedPath: join(dir, `${name}.expected.json`),
  }));
}

/** Every valid fixture document of both directories (used as fuzzing seeds). */
export function allFixtureDocuments(): { name: string; doc: unknown }[] {
  return [REFERENCE_PARITY_DIR, LOCAL_PARITY_DIR].flatMap((d) =>
    listCases(d).map((c) => ({ name: c.name, doc: readJson(c.graphPath) })),
  );
}
