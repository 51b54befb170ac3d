/** Pure document rules: the graph document gate, recent files, file kinds, command lines, window bounds. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkGraphDocument,
  documentKind,
  ensureExtension,
  graphFileFromArgv,
  parseRecent,
  pushRecent,
  removeRecent,
  sanitizeWindowState,
  suggestedFileName,
} from '../../electron/main/documents';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'parity');

const doc = (patch: Record<string, unknown> = {}) =>
  JSON.stringify({
    format: 'autograd-studio/graph',
    version: 1,
    meta: { name: 'tiny' },
    nodes: [
      { id: 'x', op: 'Tensor', params: { shape: [2] }, position: { x: 0, y: 0 } },
      { id: 'y', op: 'ReLU' },
    ],
    edges: [{ source: 'x', target: 'y', targetHandle: 'input' }],
    run: { backward: null, iterations: 1 },
    ...patch,
  });

describe('checkGraphDocument', () => {
  it('accepts every graph document of the parity fixtures', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.graph.json'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const check = checkGraphDocument(readFileSync(path.join(FIXTURES, f), 'utf8'));
      expect(check.ok, `${f}: ${check.ok ? '' : `${check.field}: ${check.message}`}`).toBe(true);
    }
  });

  it('accepts a minimal document and keeps unknown top-level keys', () => {
    const check = checkGraphDocument(doc({ view: { zoom: 2 } }));
    expect(check.ok && check.document.view).toEqual({ zoom: 2 });
  });

  it.each([
    ['not JSON', '{"format": ', '(file)', /not valid JSON at line 1, column \d+/],
    ['an array', '[]', '(file)', /JSON object/],
    ['another format', doc({ format: 'onnx' }), 'format', /autograd-studio\/graph/],
    ['a newer version', doc({ version: 2 }), 'version', /^version 2 is newer than this engine understands \(1\)$/],
    ['no nodes', doc({ nodes: undefined }), 'nodes', /array/],
    ['a bad node id', doc({ nodes: [{ id: 'conv.1', op: 'ReLU' }] }), 'nodes[0].id', /no "\."/],
    [
      'a duplicate id',
      doc({
        nodes: [
          { id: 'a', op: 'ReLU' },
          { id: 'a', op: 'ReLU' },
        ],
        edges: [],
      }),
      'nodes[1].id',
      /duplicate/,
    ],
    ['a node without op', doc({ nodes: [{ id: 'a' }], edges: [] }), 'nodes[0].op', /op name/],
    [
      'params that are not an object',
      doc({ nodes: [{ id: 'a', op: 'ReLU', params: [1] }], edges: [] }),
      'nodes[0].params',
      /object/,
    ],
    [
      'a bad position',
      doc({ nodes: [{ id: 'a', op: 'ReLU', position: { x: 'left' } }], edges: [] }),
      'nodes[0].position',
      /x, y/,
    ],
    [
      'an edge to a missing node',
      doc({ edges: [{ source: 'x', target: 'nope' }] }),
      'edges[0].target',
      /^no node with id "nope"$/,
    ],
    ['a bad handle', doc({ edges: [{ source: 'x', target: 'y', targetHandle: 3 }] }), 'edges[0].targetHandle', /port/],
    ['zero iterations', doc({ run: { iterations: 0 } }), 'run.iterations', /^expected an integer from 1 to 100000$/],
    ['an unknown run field', doc({ run: { iteration: 3 } }), 'run.iteration', /^unknown field of run$/],
    ['run as an array', doc({ run: [] }), 'run', /^expected an object$/],
    ['a bad zero_grad', doc({ run: { zero_grad: 'yes' } }), 'run.zero_grad', /true or false/],
  ])('names the field for %s', (_name, text, field, message) => {
    const check = checkGraphDocument(text);
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.field).toBe(field);
      expect(check.message).toMatch(message);
    }
  });

  it('quotes no file content in a JSON error', () => {
    const check = checkGraphDocument('root:x:0:0:root:/root:/bin/bash\n');
    expect(!check.ok && check.message).not.toContain('root:x');
  });

  it('reports the line of a JSON error', () => {
    const check = checkGraphDocument('{\n  "format": "autograd-studio/graph",\n  "version": 1,\n  oops\n}');
    expect(!check.ok && check.message).toMatch(/line 4/);
  });
});

describe('recent files', () => {
  it('puts the latest first, without duplicates, at most ten', () => {
    let list: string[] = [];
    for (let i = 0; i < 12; i++) list = pushRecent(list, `/d/${i}.graph.json`);
    expect(list).toHaveLength(10);
    expect(list[0]).toBe('/d/11.graph.json');
    list = pushRecent(list, '/d/5.graph.json');
    expect(list[0]).toBe('/d/5.graph.json');
    expect(list.filter((p) => p === '/d/5.graph.json')).toHaveLength(1);
    expect(removeRecent(list, '/d/5.graph.json')).not.toContain('/d/5.graph.json');
  });

  it('reads only absolute paths back from disk', () => {
    expect(parseRecent(['/a.graph.json', 3, 'relative.json', null])).toEqual(['/a.graph.json']);
    expect(parseRecent({ not: 'a list' })).toEqual([]);
    expect(parseRecent(undefined)).toEqual([]);
  });
});

describe('what is being saved', () => {
  it('tells graphs, other JSON, SVG and text apart', () => {
    expect(documentKind(doc())).toBe('graph');
    expect(documentKind('{"tensors": {}}')).toBe('json');
    expect(documentKind('<svg xmlns="http://www.w3.org/2000/svg"></svg>')).toBe('svg');
    expect(documentKind('<?xml version="1.0"?>\n<svg></svg>')).toBe('svg');
    expect(documentKind('hello')).toBe('text');
  });

  it('adds the missing extension', () => {
    expect(ensureExtension('/d/model', 'graph')).toBe('/d/model.graph.json');
    expect(ensureExtension('/d/model.graph.json', 'graph')).toBe('/d/model.graph.json');
    expect(ensureExtension('/d/model.json', 'graph')).toBe('/d/model.json');
    expect(ensureExtension('/d/canvas', 'svg')).toBe('/d/canvas.svg');
    expect(ensureExtension('/d/notes', 'text')).toBe('/d/notes');
  });

  it("suggests a name from the graph's meta.name", () => {
    expect(suggestedFileName(doc(), 'graph')).toBe('tiny.graph.json');
    expect(suggestedFileName(doc({ meta: { name: 'LogSoftmax + NLLLoss' } }), 'graph')).toBe(
      'LogSoftmax_NLLLoss.graph.json',
    );
    expect(suggestedFileName(doc({ meta: {} }), 'graph')).toBe('untitled.graph.json');
    expect(suggestedFileName('<svg/>', 'svg')).toBe('graph.svg');
  });
});

describe('graphFileFromArgv', () => {
  it('finds the document on a packaged command line', () => {
    expect(graphFileFromArgv(['/opt/Autograd Studio/autograd-studio', '/home/u/a.graph.json'], true, '/')).toBe(
      '/home/u/a.graph.json',
    );
    expect(graphFileFromArgv(['/opt/x/autograd-studio', '--no-sandbox', 'b.graph.json'], true, '/home/u')).toBe(
      '/home/u/b.graph.json',
    );
    expect(graphFileFromArgv(['/opt/x/autograd-studio', 'file:///home/u/My%20Graph.graph.json'], true, '/')).toBe(
      '/home/u/My Graph.graph.json',
    );
  });

  it('skips electron and the app folder in development', () => {
    expect(graphFileFromArgv(['/repo/node_modules/electron/dist/electron', '/repo'], false, '/repo')).toBeNull();
    expect(graphFileFromArgv(['/e/electron', '.', 'x.graph.json'], false, '/repo')).toBe('/repo/x.graph.json');
  });

  it('ignores switches, other files and remote URLs', () => {
    expect(graphFileFromArgv(['/x/app', '--inspect=x.json', 'notes.txt'], true, '/')).toBeNull();
    expect(graphFileFromArgv(['/x/app', 'https://evil.example/a.json'], true, '/')).toBeNull();
  });
});

describe('sanitizeWindowState', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('keeps bounds that are on a display', () => {
    expect(sanitizeWindowState({ x: 100, y: 50, width: 1200, height: 800, maximized: true }, screen)).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
      maximized: true,
    });
  });

  it('drops the position of a window on a display that is gone', () => {
    expect(sanitizeWindowState({ x: 3000, y: 50, width: 1200, height: 800 }, screen)).toEqual({
      width: 1200,
      height: 800,
      maximized: false,
    });
  });

  it('enforces the minimum size and rejects junk', () => {
    expect(sanitizeWindowState({ width: 10, height: 10 }, screen)).toEqual({
      width: 800,
      height: 560,
      maximized: false,
    });
    expect(sanitizeWindowState({ width: 'big', height: 600 }, screen)).toBeNull();
    expect(sanitizeWindowState(undefined, screen)).toBeNull();
    expect(sanitizeWindowState({ x: Number.NaN, y: 0, width: 900, height: 600 }, screen)).toEqual({
      width: 900,
      height: 600,
      maximized: false,
    });
  });
});
