/**
 * The graph document's structure, declared once (engine/protocol/document.ts):
 * the messages and JSON paths every reader reports, and that the schema
 * library evaluates no code (the app's CSP forbids eval).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkDocumentJson,
  DocumentSchema,
  EnvelopeSchema,
  NodeSchema,
  RunSchema,
  structureIssues,
} from '../../../engine/protocol/document';

const doc = (extra: Record<string, unknown> = {}) => ({
  format: 'autograd-studio/graph',
  version: 1,
  nodes: [
    { id: 'x', op: 'Tensor', params: { shape: [2] } },
    { id: 'r', op: 'ReLU' },
  ],
  edges: [{ source: 'x', target: 'r' }],
  ...extra,
});

describe('the document structure', () => {
  it('accepts a document whose edge leaves targetHandle out (the format allows it for one-port ops)', () => {
    expect(structureIssues(DocumentSchema, doc())).toEqual([]);
    expect(checkDocumentJson(doc()).ok).toBe(true);
  });

  it('refuses what is not an object, arrays included, at $', () => {
    for (const d of [null, 3, 'graph', [], true, undefined])
      expect(structureIssues(EnvelopeSchema, d)).toEqual([{ path: '$', message: 'expected a JSON object' }]);
  });

  it('names every top-level fault, a newer version in the words of docs/graph-format.md', () => {
    expect(structureIssues(EnvelopeSchema, { format: 'onnx', version: 2, meta: [], nodes: {} })).toEqual([
      { path: 'format', message: 'expected "autograd-studio/graph"' },
      { path: 'version', message: 'version 2 is newer than this engine understands (1)' },
      { path: 'meta', message: 'expected an object' },
      { path: 'nodes', message: 'expected an array' },
      { path: 'edges', message: 'expected an array' },
    ]);
    expect(structureIssues(EnvelopeSchema, doc({ version: '1' }))).toEqual([
      { path: 'version', message: 'expected 1' },
    ]);
  });

  it('names the field of a node, a missing one with the message of a wrong one', () => {
    const node = { id: 'conv.1', params: [1], position: { x: 'left', y: 0 }, label: 3, retain_grad: 'yes' };
    expect(structureIssues(NodeSchema, node, 'nodes[3]')).toEqual([
      { path: 'nodes[3].id', message: 'expected 1 to 64 characters of A-Z a-z 0-9 _ - (no ".")' },
      { path: 'nodes[3].op', message: 'expected an op name' },
      { path: 'nodes[3].params', message: 'expected an object' },
      { path: 'nodes[3].position', message: 'expected {x, y} numbers' },
      { path: 'nodes[3].label', message: 'expected a string' },
      { path: 'nodes[3].retain_grad', message: 'expected true or false' },
    ]);
  });

  it('checks run: its fields only, iterations from 1 to 100000, feedback pairs', () => {
    const run = { backward: 3, iterations: 100_001, zero_grad: null, feedback: [7, { from: 'a' }], iteration: 2 };
    expect(structureIssues(RunSchema, run, 'run')).toEqual([
      { path: 'run.backward', message: 'expected a node id' },
      { path: 'run.iterations', message: 'expected an integer from 1 to 100000' },
      { path: 'run.feedback[0]', message: 'expected {"from": node, "to": Tensor node}' },
      { path: 'run.feedback[1].to', message: 'expected a node id' },
      { path: 'run.zero_grad', message: 'expected true or false' },
      { path: 'run.iteration', message: 'unknown field of run' },
    ]);
    expect(structureIssues(RunSchema, [], 'run')).toEqual([{ path: 'run', message: 'expected an object' }]);
    expect(structureIssues(RunSchema, { backward: null }, 'run')).toEqual([]);
  });

  it('the app gate returns the first fault: structure, then duplicate ids, then edge ends', () => {
    const first = (d: unknown) => {
      const c = checkDocumentJson(d);
      return c.ok ? null : c.issue;
    };
    // an output's name is the op's business (engine/graph/validate.ts); its type is structure
    expect(first(doc({ edges: [{ source: 'x', target: 'r', sourceHandle: 'out2' }] }))).toBeNull();
    expect(first(doc({ edges: [{ source: 'x', target: 'r', sourceHandle: 5 }] }))).toEqual({
      path: 'edges[0].sourceHandle',
      message: 'expected an output name',
    });
    expect(
      first(
        doc({
          nodes: [
            { id: 'x', op: 'A' },
            { id: 'x', op: 'B' },
          ],
          edges: [],
        }),
      ),
    ).toEqual({
      path: 'nodes[1].id',
      message: 'duplicate node id "x"',
    });
    expect(first(doc({ edges: [{ source: 'x', target: 'ghost' }] }))).toEqual({
      path: 'edges[0].target',
      message: 'no node with id "ghost"',
    });
  });

  it('never throws on a value nested 100000 deep', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(structureIssues(DocumentSchema, doc({ nodes: [{ id: deep, op: deep, params: deep }] }))).toHaveLength(3);
  });
});

describe('valibot under the CSP', () => {
  it('its bundled code evaluates no strings (no eval, no new Function)', () => {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('valibot'));
    for (const file of ['index.mjs', 'index.cjs']) {
      const code = readFileSync(join(dist, file), 'utf8');
      expect(code.length).toBeGreaterThan(10_000);
      expect(code).not.toMatch(/\beval\s*\(|\bFunction\s*\(/);
    }
  });
});
