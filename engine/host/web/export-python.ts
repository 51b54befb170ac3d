/**
 * The PyTorch exporter as the app reaches it: the renderer may import only
 * engine/protocol and engine/host/web, so this re-exports the bridge's public
 * entry point (engine/bridge/index.ts) for the toolbar's "Export PyTorch
 * script" and the code panel. The app loads it with `import()`, so the
 * exporter (and the engine code it validates with) is a chunk of its own,
 * fetched the first time a script is needed. A script embeds the rows of the
 * bundled datasets its Dataset nodes use, so the page fetches those splits
 * first (`fetchDatasetsFor`, the worker's loader, installed here in the page's
 * own copy of the engine).
 */
export { exportPython, ExportError, type ExportOptions } from '../../bridge/index';
export { fetchDatasetsFor } from './datasets';
