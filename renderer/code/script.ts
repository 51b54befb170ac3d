/**
 * The document as a PyTorch script, made in the page by the bridge's exporter
 * (loaded on first use, a chunk of its own): what the toolbar's "Export
 * PyTorch script" downloads and the code panel shows. Seeded values are the
 * engine's own (`seeded: 'engine'`, as `cli export-python --seeded engine`),
 * so the script prints the numbers the canvas shows.
 */
import { fileNameFor } from '../app/actions';
import type { AppServices } from '../app/context';
import { toJson } from '../document/serialize';
import type { GraphDocument } from '../document/types';

/** A script, or why the document cannot be exported. */
export type ScriptResult =
  | { readonly ok: true; readonly script: string }
  | { readonly ok: false; readonly why: string };

/** The PyTorch script of a document. */
export async function pythonScript(doc: GraphDocument): Promise<ScriptResult> {
  const { exportPython, ExportError, fetchDatasetsFor } = await import('../../engine/host/web/export-python');
  const json = toJson(doc);
  await fetchDatasetsFor({ type: 'load', document: json });
  try {
    return { ok: true, script: exportPython(json, { seeded: 'engine' }) };
  } catch (e) {
    if (!(e instanceof ExportError)) throw e;
    return { ok: false, why: e.issues.map((i) => `${i.path}: ${i.message}`).join('\n') };
  }
}

/** `name.graph.json` -> `name.py`. */
export function scriptFileName(doc: GraphDocument, current: string | null): string {
  return fileNameFor(doc, current).replace(/\.graph\.json$/, '.py');
}

/** Downloads the open document as a runnable `.py` (or says why it cannot). */
export async function exportPythonScript(app: AppServices): Promise<void> {
  const s = app.studio.state;
  const r = await pythonScript(s.doc);
  if (!r.ok) {
    app.studio.toast('error', `Cannot export: ${r.why.split('\n')[0]}`);
    return;
  }
  await app.host.download(new Blob([r.script], { type: 'text/x-python' }), scriptFileName(s.doc, s.fileName));
  app.studio.toast('info', 'Exported the PyTorch script: run it with python3 to print the result JSON on PyTorch');
}
