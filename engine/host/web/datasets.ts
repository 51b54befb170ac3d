/**
 * Web host side of the bundled datasets: each split is an asset of the web build
 * (vite emits the data/datasets/ files it finds in the `new URL(...)` below), fetched
 * from the app's own origin and gunzipped with DecompressionStream the first time
 * a loaded document uses it, so a document without a Dataset node loads nothing.
 */
import { installDatasets, type DatasetArrays } from '../../core/datasets';
import { DATASETS, type DatasetName, type DatasetSplit } from '../../protocol/datasets';

/** The asset of each split (literal URLs: vite bundles exactly these files). */
const FILES: Record<DatasetName, Record<DatasetSplit, URL>> = {
  digits: {
    train: new URL('../../../data/datasets/digits/train.u8.gz', import.meta.url),
    test: new URL('../../../data/datasets/digits/test.u8.gz', import.meta.url),
  },
  'fashion-mnist': {
    train: new URL('../../../data/datasets/fashion-mnist/train.u8.gz', import.meta.url),
    test: new URL('../../../data/datasets/fashion-mnist/test.u8.gz', import.meta.url),
  },
};

const loaded = new Map<string, DatasetArrays>();

installDatasets((name, split) => loaded.get(`${name}/${split}`) ?? null);

async function fetchSplit(name: DatasetName, split: DatasetSplit): Promise<void> {
  const res = await fetch(FILES[name][split]);
  if (!res.ok || !res.body) throw new Error(`${name}/${split}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
  const info = DATASETS[name];
  const size = info.count[split] * info.image[0] * info.image[1] * info.image[2];
  loaded.set(`${name}/${split}`, { images: bytes.subarray(0, size), labels: bytes.subarray(size) });
}

/** The splits a document's Dataset nodes use that are not loaded yet. */
function missingSplits(message: unknown): [DatasetName, DatasetSplit][] {
  const m = message as { type?: unknown; document?: { nodes?: unknown } } | null;
  if (m?.type !== 'load' || !Array.isArray(m.document?.nodes)) return [];
  const out = new Map<string, [DatasetName, DatasetSplit]>();
  for (const n of m.document.nodes as { op?: unknown; params?: { name?: unknown; split?: unknown } }[]) {
    if (n?.op !== 'Dataset') continue;
    const name = n.params?.name ?? 'digits';
    const split = n.params?.split ?? 'train';
    if (!Object.hasOwn(DATASETS, name as string) || (split !== 'train' && split !== 'test')) continue;
    // the test split too: the training view's `evaluate` reads it (engine/graph/training.ts)
    for (const sp of new Set([split, 'test'] as const)) {
      const key = `${String(name)}/${sp}`;
      if (!loaded.has(key)) out.set(key, [name as DatasetName, sp]);
    }
  }
  return [...out.values()];
}

/**
 * Fetches what a `load` message's document needs before the engine sees it; null
 * when nothing is missing. A split that cannot be fetched stays missing: the run
 * then raises the engine's "not available" error at the Dataset node.
 */
export function fetchDatasetsFor(message: unknown): Promise<void> | null {
  const missing = missingSplits(message);
  if (missing.length === 0) return null;
  return Promise.all(missing.map(([name, split]) => fetchSplit(name, split).catch(() => undefined))).then(() => {});
}
