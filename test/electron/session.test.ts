/** Documents as main handles them: open, save, recent files, hand-over, the unsaved-changes question, and the state files. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DocumentSession, HANDOVER_TTL_MS, RECENT_FILE, type SaveChoice } from '../../electron/main/session';
import { folderStore, writeFileAtomic, type StateStore } from '../../electron/main/storage';

const GRAPH = JSON.stringify({
  format: 'autograd-studio/graph',
  version: 1,
  meta: { name: 'tiny' },
  nodes: [{ id: 'x', op: 'Tensor' }],
  edges: [],
});
const NOT_A_GRAPH = JSON.stringify({ format: 'autograd-studio/graph', version: 1, nodes: [{ id: 'x' }], edges: [] });

function memoryStore(initial: Record<string, unknown> = {}): StateStore & { data: Map<string, unknown> } {
  const data = new Map(Object.entries(initial));
  return {
    data,
    read: async (name) => data.get(name),
    write: async (name, value) => void data.set(name, value),
    remove: async (name) => void data.delete(name),
  };
}

function setup(options: { files?: Record<string, string>; store?: Record<string, unknown>; choice?: SaveChoice } = {}) {
  const disk = new Map(Object.entries(options.files ?? {}));
  let clock = 1_000;
  const dialogs = {
    chooseFileToOpen: vi.fn(async (): Promise<string | null> => null),
    chooseFileToSave: vi.fn(async (_suggested: string, _kind: string): Promise<string | null> => null),
    askSaveChangesSync: vi.fn((): SaveChoice => options.choice ?? 'cancel'),
    showError: vi.fn(),
  };
  const win = { command: vi.fn(), close: vi.fn() };
  const files = {
    read: vi.fn(async (file: string) => {
      const text = disk.get(file);
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${file}'`);
      return text;
    }),
    write: vi.fn(async (file: string, text: string) => void disk.set(file, text)),
  };
  const store = memoryStore(options.store);
  const onRecentChanged = vi.fn();
  const session = new DocumentSession({ dialogs, files, store, window: () => win, onRecentChanged, now: () => clock });
  return { session, dialogs, win, files, disk, store, onRecentChanged, advance: (ms: number) => (clock += ms) };
}

describe('opening', () => {
  it('opens the file chosen in the dialog and remembers it', async () => {
    const t = setup({ files: { '/d/a.graph.json': GRAPH } });
    t.dialogs.chooseFileToOpen.mockResolvedValueOnce('/d/a.graph.json');
    await expect(t.session.openFile()).resolves.toEqual({ path: '/d/a.graph.json', text: GRAPH });
    expect(t.session.recent).toEqual(['/d/a.graph.json']);
    expect(t.store.data.get(RECENT_FILE)).toEqual(['/d/a.graph.json']);
    expect(t.onRecentChanged).toHaveBeenLastCalledWith(['/d/a.graph.json']);
  });

  it('returns null when the dialog is cancelled', async () => {
    const t = setup();
    await expect(t.session.openFile()).resolves.toBeNull();
    expect(t.files.read).not.toHaveBeenCalled();
  });

  it('shows which field of an invalid document is wrong, and hands the page nothing', async () => {
    const t = setup({ files: { '/d/bad.graph.json': NOT_A_GRAPH } });
    t.dialogs.chooseFileToOpen.mockResolvedValueOnce('/d/bad.graph.json');
    await expect(t.session.openFile()).resolves.toBeNull();
    expect(t.dialogs.showError).toHaveBeenCalledWith(
      'bad.graph.json is not a valid graph document',
      expect.stringContaining('nodes[0].op: expected an op name'),
    );
    expect(t.session.recent).toEqual([]);
    expect(t.win.command).not.toHaveBeenCalled();
  });

  it('drops a recent file that is gone', async () => {
    const t = setup({
      store: { [RECENT_FILE]: ['/d/gone.graph.json', '/d/a.graph.json'] },
      files: { '/d/a.graph.json': GRAPH },
    });
    await t.session.init();
    t.session.handOver('/d/gone.graph.json');
    await expect(t.session.openFile()).resolves.toBeNull();
    expect(t.dialogs.showError).toHaveBeenCalledWith(
      'Could not open gone.graph.json',
      expect.stringContaining('ENOENT'),
    );
    expect(t.session.recent).toEqual(['/d/a.graph.json']);
  });
});

describe('files handed over (Open Recent, a drop, the OS)', () => {
  it("ask the page to open, and the page's openFile gets the file without a dialog", async () => {
    const t = setup({ files: { '/d/dropped.graph.json': GRAPH } });
    t.session.handOver('/d/dropped.graph.json');
    expect(t.win.command).toHaveBeenCalledWith('open');
    await expect(t.session.openFile()).resolves.toEqual({ path: '/d/dropped.graph.json', text: GRAPH });
    expect(t.dialogs.chooseFileToOpen).not.toHaveBeenCalled();
    // used once: the next Open shows the dialog
    await t.session.openFile();
    expect(t.dialogs.chooseFileToOpen).toHaveBeenCalledTimes(1);
  });

  it('a drop opens after the gate, but Save writes it only through the Save dialog', async () => {
    const t = setup({ files: { '/d/dropped.graph.json': GRAPH, '/d/bad.graph.json': NOT_A_GRAPH } });
    t.session.openDropped('/d/bad.graph.json');
    await expect(t.session.openFile()).resolves.toBeNull();
    t.session.openDropped('/d/dropped.graph.json');
    expect(t.win.command).toHaveBeenCalledWith('open');
    await expect(t.session.openFile()).resolves.toEqual({ path: '/d/dropped.graph.json', text: GRAPH });
    expect(t.dialogs.chooseFileToOpen).not.toHaveBeenCalled();
    // main has only the page's word that this file was dropped: no silent write to it
    await expect(
      t.session.saveFile({ text: GRAPH.replace('tiny', 'v2'), path: '/d/dropped.graph.json' }),
    ).resolves.toBeNull();
    expect(t.dialogs.chooseFileToSave).toHaveBeenCalledWith('/d/dropped.graph.json', 'graph');
    expect(t.disk.get('/d/dropped.graph.json')).toBe(GRAPH);
    // once the user confirms it in the dialog, it is the document's file
    t.dialogs.chooseFileToSave.mockResolvedValueOnce('/d/dropped.graph.json');
    await t.session.saveFile({ text: GRAPH.replace('tiny', 'v2'), path: '/d/dropped.graph.json' });
    await t.session.saveFile({ text: GRAPH.replace('tiny', 'v3'), path: '/d/dropped.graph.json' });
    expect(t.dialogs.chooseFileToSave).toHaveBeenCalledTimes(2);
    expect(t.disk.get('/d/dropped.graph.json')).toContain('v3');
  });

  it('a drop forgets the files of the document open before', async () => {
    const t = setup({ files: { '/d/a.graph.json': GRAPH, '/d/dropped.graph.json': GRAPH } });
    t.dialogs.chooseFileToOpen.mockResolvedValueOnce('/d/a.graph.json');
    await t.session.openFile();
    t.session.openDropped('/d/dropped.graph.json');
    await t.session.openFile();
    await expect(t.session.saveFile({ text: '{}', path: '/d/a.graph.json' })).resolves.toBeNull();
    expect(t.disk.get('/d/a.graph.json')).toBe(GRAPH);
  });

  it('expire when the page never asks', async () => {
    const t = setup({ files: { '/d/dropped.graph.json': GRAPH } });
    t.session.handOver('/d/dropped.graph.json');
    t.advance(HANDOVER_TTL_MS + 1);
    await expect(t.session.openFile()).resolves.toBeNull();
    expect(t.dialogs.chooseFileToOpen).toHaveBeenCalledTimes(1);
  });
});

describe('saving', () => {
  it('writes a file the user opened without asking', async () => {
    const t = setup({ files: { '/d/a.graph.json': GRAPH } });
    t.dialogs.chooseFileToOpen.mockResolvedValueOnce('/d/a.graph.json');
    await t.session.openFile();
    await expect(t.session.saveFile({ text: GRAPH.replace('tiny', 'v2'), path: '/d/a.graph.json' })).resolves.toBe(
      '/d/a.graph.json',
    );
    expect(t.dialogs.chooseFileToSave).not.toHaveBeenCalled();
    expect(t.disk.get('/d/a.graph.json')).toContain('v2');
  });

  it("forgets the previous document's file once another is open", async () => {
    const t = setup({ files: { '/d/a.graph.json': GRAPH, '/d/b.graph.json': GRAPH } });
    t.dialogs.chooseFileToOpen.mockResolvedValueOnce('/d/a.graph.json').mockResolvedValueOnce('/d/b.graph.json');
    await t.session.openFile();
    await t.session.openFile();
    await expect(t.session.saveFile({ text: '{"not":"a graph"}', path: '/d/a.graph.json' })).resolves.toBeNull();
    expect(t.dialogs.chooseFileToSave).toHaveBeenCalledWith('/d/a.graph.json', 'json');
    expect(t.disk.get('/d/a.graph.json')).toBe(GRAPH);
    await expect(t.session.saveFile({ text: GRAPH, path: '/d/b.graph.json' })).resolves.toBe('/d/b.graph.json');
    expect(t.dialogs.chooseFileToSave).toHaveBeenCalledTimes(1);
  });

  it('asks before writing to a path the user never chose', async () => {
    const t = setup();
    t.dialogs.chooseFileToSave.mockResolvedValueOnce('/d/elsewhere');
    await expect(t.session.saveFile({ text: GRAPH, path: '/home/u/.bashrc.json' })).resolves.toBe(
      '/d/elsewhere.graph.json',
    );
    expect(t.dialogs.chooseFileToSave).toHaveBeenCalledWith('/home/u/.bashrc.json', 'graph');
    expect(t.disk.has('/home/u/.bashrc.json')).toBe(false);
  });

  it('Save As suggests a name from the document and adds the extension', async () => {
    const t = setup();
    t.dialogs.chooseFileToSave.mockResolvedValueOnce('/d/mine');
    await expect(t.session.saveFile({ text: GRAPH, path: null })).resolves.toBe('/d/mine.graph.json');
    expect(t.dialogs.chooseFileToSave).toHaveBeenCalledWith('tiny.graph.json', 'graph');
    expect(t.session.recent).toEqual(['/d/mine.graph.json']);
    // now approved: the next save goes straight there
    await t.session.saveFile({ text: GRAPH, path: '/d/mine.graph.json' });
    expect(t.dialogs.chooseFileToSave).toHaveBeenCalledTimes(1);
  });

  it('exports (SVG) get their own extension and stay out of recent files', async () => {
    const t = setup();
    t.dialogs.chooseFileToSave.mockResolvedValueOnce('/d/canvas');
    await expect(t.session.saveFile({ text: '<svg xmlns="http://www.w3.org/2000/svg"/>', path: null })).resolves.toBe(
      '/d/canvas.svg',
    );
    expect(t.dialogs.chooseFileToSave).toHaveBeenCalledWith('graph.svg', 'svg');
    expect(t.session.recent).toEqual([]);
  });

  it('returns null when cancelled and reports write errors', async () => {
    const t = setup();
    await expect(t.session.saveFile({ text: GRAPH, path: null })).resolves.toBeNull();
    t.dialogs.chooseFileToSave.mockResolvedValueOnce('/ro/x.graph.json');
    t.files.write.mockRejectedValueOnce(new Error('EACCES: permission denied'));
    await expect(t.session.saveFile({ text: GRAPH, path: null })).rejects.toThrow('EACCES');
    expect(t.dialogs.showError).toHaveBeenCalledWith('Could not save x.graph.json', 'EACCES: permission denied');
    expect(t.session.recent).toEqual([]);
  });
});

describe('closing with unsaved changes', () => {
  it("Don't Save closes", () => {
    expect(setup({ choice: 'discard' }).session.confirmUnload()).toBe(true);
  });

  it('Cancel keeps the window', () => {
    const t = setup({ choice: 'cancel' });
    expect(t.session.confirmUnload()).toBe(false);
    expect(t.win.command).not.toHaveBeenCalled();
  });

  it('Save asks the page to save and closes once the save succeeds', async () => {
    const t = setup({ choice: 'save' });
    expect(t.session.confirmUnload()).toBe(false);
    expect(t.win.command).toHaveBeenCalledWith('save');
    t.dialogs.chooseFileToSave.mockResolvedValueOnce('/d/kept.graph.json');
    await t.session.saveFile({ text: GRAPH, path: null });
    expect(t.win.close).toHaveBeenCalledTimes(1);
  });

  it('Save, then cancelling the Save dialog, keeps the window', async () => {
    const t = setup({ choice: 'save' });
    t.session.confirmUnload();
    await t.session.saveFile({ text: GRAPH, path: null });
    expect(t.win.close).not.toHaveBeenCalled();
    // a later, unrelated save does not close either
    t.dialogs.chooseFileToSave.mockResolvedValueOnce('/d/x.graph.json');
    await t.session.saveFile({ text: GRAPH, path: null });
    expect(t.win.close).not.toHaveBeenCalled();
  });
});

describe('recent files on disk', () => {
  it('come back on the next start and can be cleared', async () => {
    const t = setup({ store: { [RECENT_FILE]: ['/d/a.graph.json', 'junk', 5] } });
    await t.session.init();
    expect(t.session.recent).toEqual(['/d/a.graph.json']);
    expect(t.onRecentChanged).toHaveBeenCalledWith(['/d/a.graph.json']);
    t.session.clearRecent();
    expect(t.store.data.get(RECENT_FILE)).toEqual([]);
  });
});

describe('storage', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'studio-storage-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes documents atomically, leaving no temporary file', async () => {
    const file = path.join(dir, 'a.graph.json');
    await writeFileAtomic(file, GRAPH);
    await writeFileAtomic(file, GRAPH.replace('tiny', 'v2'));
    expect(readFileSync(file, 'utf8')).toContain('v2');
    expect(readdirSync(dir)).toEqual(['a.graph.json']);
  });

  it('keeps JSON state in the data folder', async () => {
    const store = folderStore(path.join(dir, 'userData'));
    await expect(store.read('window-state.json')).resolves.toBeUndefined();
    await store.write('window-state.json', { width: 900, height: 600 });
    await expect(store.read('window-state.json')).resolves.toEqual({ width: 900, height: 600 });
    await store.remove('window-state.json');
    await expect(store.read('window-state.json')).resolves.toBeUndefined();
  });
});
