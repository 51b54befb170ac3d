/**
 * The data of the bundled datasets, as the host hands it to the engine. The
 * engine has no file system or network: each host installs a provider
 * (engine/host/node/datasets.ts reads data/datasets/ from disk, the web worker
 * fetches the files bundled as assets before it loads a document that uses
 * them), and the Dataset op asks it for a split's arrays when it runs.
 */
import { runtimeError } from './errors';

/** One split of a dataset: every image's uint8 values ([N, C, H, W], row-major) and labels. */
export interface DatasetArrays {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** Gives a split's arrays, or null when this host has no such data. */
export type DatasetProvider = (name: string, split: string) => DatasetArrays | null;

let provider: DatasetProvider | null = null;

/** Installs the host's provider (replacing any before it). */
export function installDatasets(p: DatasetProvider | null): void {
  provider = p;
}

/** A split's arrays; a RuntimeError naming the dataset when the host could not give them. */
export function datasetArrays(name: string, split: string): DatasetArrays {
  const data = provider?.(name, split) ?? null;
  if (!data) throw runtimeError(`the ${split} split of dataset "${name}" is not available in this engine`);
  return data;
}
