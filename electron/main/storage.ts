/**
 * Small JSON and text files: the user's documents (written atomically) and the
 * app's own state in its data folder (recent files, window bounds, autosave).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

let writes = 0;

/** Writes through a temporary file and a rename, so a crash never leaves half a document. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++writes}.tmp`);
  await writeFile(temp, text, 'utf8');
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The parsed JSON of `file`, or undefined when it is missing or not JSON. */
export async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export interface StateStore {
  read(name: string): Promise<unknown>;
  write(name: string, value: unknown): Promise<void>;
  remove(name: string): Promise<void>;
}

/** JSON files in one folder (the app's userData). */
export function folderStore(folder: string): StateStore {
  const at = (name: string) => path.join(folder, name);
  return {
    read: (name) => readJson(at(name)),
    async write(name, value) {
      await mkdir(folder, { recursive: true });
      await writeFileAtomic(at(name), JSON.stringify(value));
    },
    remove: (name) => rm(at(name), { force: true }),
  };
}
