/**
 * Node host side of the bundled datasets: reads data/datasets/<name>/<split>.u8.gz
 * (made by build/scripts/gen-datasets.py) from the checkout, or from `datasets/`
 * beside the bundle in the desktop app (build/scripts/build-electron.mjs copies
 * it there), the first time a Dataset node asks, and keeps it.
 * AUTOGRAD_STUDIO_DATA=DIR names another data/datasets folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { installDatasets, type DatasetArrays } from '../../core/datasets';
import { DATASETS, datasetFile, type DatasetName, type DatasetSplit } from '../../protocol/datasets';

/** The folder this code runs from: the source file, or the CommonJS bundle. */
function hereDir(): string | null {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return typeof __filename === 'string' ? dirname(__filename) : null;
  }
}

/** The data/datasets folder: beside the bundle, else searched upward from here; null when there is none. */
export function findDatasetDir(): string | null {
  const env = process.env.AUTOGRAD_STUDIO_DATA;
  if (env) return existsSync(env) ? env : null;
  let dir = hereDir();
  for (let i = 0; dir !== null && i < 8; i++) {
    for (const p of [join(dir, 'datasets'), join(dir, 'data', 'datasets')]) {
      if (existsSync(join(p, 'digits'))) return p;
    }
    const up = dirname(dir);
    dir = up === dir ? null : up;
  }
  return null;
}

/** Splits a split file's bytes into images and labels. */
export function splitArrays(name: DatasetName, split: DatasetSplit, bytes: Uint8Array): DatasetArrays {
  const info = DATASETS[name];
  const n = info.count[split];
  const size = n * info.image[0] * info.image[1] * info.image[2];
  if (bytes.length !== size + n) {
    throw new Error(`${datasetFile(name, split)} holds ${bytes.length} bytes, expected ${size + n}`);
  }
  return { images: bytes.subarray(0, size), labels: bytes.subarray(size) };
}

/** Installs the provider that reads the datasets from `dir` (default: {@link findDatasetDir}). */
export function installNodeDatasets(dir: string | null = findDatasetDir()): void {
  const cache = new Map<string, DatasetArrays>();
  installDatasets((name, split) => {
    if (dir === null || !Object.hasOwn(DATASETS, name) || (split !== 'train' && split !== 'test')) return null;
    const key = `${name}/${split}`;
    let data = cache.get(key);
    if (!data) {
      const file = join(dir, datasetFile(name as DatasetName, split));
      if (!existsSync(file)) return null;
      const bytes = new Uint8Array(gunzipSync(readFileSync(file)));
      cache.set(key, (data = splitArrays(name as DatasetName, split, bytes)));
    }
    return data;
  });
}
