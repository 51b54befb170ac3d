/**
 * Every repository path the documentation names exists, so a renamed or deleted
 * file cannot leave the docs stale without a failing test. Checked: inline code
 * spans (`engine/autograd/engine.ts`, `build/wasm/src/*.c`, `engine/nn/`) whose
 * first segment is a top-level folder of the repository, and relative Markdown
 * links. Paths of generated output (dist/, test-results/) are not in a fresh
 * clone and are not checked; neither are placeholders (`DIR/<name>.json`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '../..');
const DOCS = [
  'README.md',
  'docs/architecture.md',
  'docs/graph-format.md',
  'docs/pytorch-bridge.md',
  'docs/workloads.md',
  'test/README.md',
  'test/fixtures/README.md',
  'build/bench/README.md',
];
const GENERATED = new Set(['dist', 'node_modules', 'test-results', 'coverage']);
const TOP = new Set(
  readdirSync(ROOT).filter((n) => !GENERATED.has(n) && !n.startsWith('.git') && statSync(join(ROOT, n)).isDirectory()),
);

/** The Markdown without fenced code blocks (their contents are commands, not references). */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, '');
}

/** Repository paths in inline code spans. */
function codePaths(text: string): string[] {
  const out: string[] = [];
  for (const m of prose(text).matchAll(/`([^`\s]+)`/g)) {
    const p = m[1]!.replace(/[.,:;)]+$/, '');
    const first = p.split('/')[0]!;
    if (p.includes('/') && TOP.has(first) && !/[<>{}$]/.test(p)) out.push(p);
  }
  return out;
}

/** Relative link targets of Markdown links, resolved against the document's folder. */
function linkPaths(doc: string, text: string): string[] {
  const out: string[] = [];
  for (const m of prose(text).matchAll(/\]\(([^)\s#]+)(#[^)]*)?\)/g)) {
    const target = m[1]!;
    if (/^[a-z]+:/i.test(target)) continue;
    out.push(relative(ROOT, join(ROOT, dirname(doc), target)));
  }
  return out;
}

/** True if `p` names a file or folder, or (with `*`) matches at least one entry of its folder. */
function exists(p: string): boolean {
  if (!p.includes('*')) return existsSync(join(ROOT, p));
  const dir = dirname(p);
  if (dir.includes('*') || !existsSync(join(ROOT, dir))) return false;
  const base = p.slice(dir.length + 1);
  const re = new RegExp(`^${base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
  return readdirSync(join(ROOT, dir)).some((n) => re.test(n));
}

/** The distinct paths a document names. */
function pathsOf(doc: string): string[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  return [...new Set([...codePaths(text), ...linkPaths(doc, text)])];
}

describe('paths named in the documentation exist', () => {
  for (const doc of DOCS) {
    it(doc, () => {
      expect(pathsOf(doc).filter((p) => !exists(p))).toEqual([]);
    });
  }

  it('the README and the architecture page name many paths (the check is not vacuous)', () => {
    expect(pathsOf('README.md').length).toBeGreaterThan(20);
    expect(pathsOf('docs/architecture.md').length).toBeGreaterThan(40);
  });
});

describe('the path extraction', () => {
  it('finds code spans and links, and skips fenced blocks, placeholders and generated output', () => {
    const text = [
      'See `engine/core/errors.ts`, `build/wasm/src/*.c`, `dist/web/` and `DIR/<name>.json`, or [the format](docs/graph-format.md).',
      '```sh',
      'ls `engine/nowhere.ts`',
      '```',
    ].join('\n');
    expect(codePaths(text)).toEqual(['engine/core/errors.ts', 'build/wasm/src/*.c']);
    expect(linkPaths('README.md', text)).toEqual(['docs/graph-format.md']);
    expect(exists('build/wasm/src/*.c')).toBe(true);
    expect(exists('engine/core/no-such-file.ts')).toBe(false);
    expect(exists('engine/*/no-such-*.ts')).toBe(false);
  });
});
