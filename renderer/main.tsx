/**
 * Entry of the renderer: picks the host (Electron or browser), connects the
 * engine, restores nothing silently (offers it), and renders the app.
 */
import { ReactFlowProvider } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { readAutosave, startAutosave } from './app/autosave';
import { AppContext, type AppServices } from './app/context';
import { createBrowserHost } from './platform/browser-host';
import { createElectronHost, hasElectronApi } from './platform/electron-host';
import type { Host } from './platform/host';
import { EngineSession } from './session/engine-session';
import { Studio } from './state/store';
import './styles.css';

async function start(): Promise<void> {
  const host: Host = hasElectronApi()
    ? createElectronHost(window.api!)
    : createBrowserHost(() => document.querySelector<HTMLInputElement>('[data-testid=open-file]'));
  const studio = new Studio();
  const found = readAutosave(host.storage);
  const restore = found && found.record.dirty && found.doc.nodes.length > 0 ? found : null;
  let session: EngineSession | null = null;
  try {
    session = new EngineSession(studio, await host.connectEngine());
  } catch (e) {
    studio.setEngine((s) => ({ ...s, available: false }));
    studio.toast('error', `The engine could not start: ${(e as Error).message}`);
  }
  host.onEngineReplaced?.(() => {
    host.connectEngine().then(
      (client) => session?.replaceClient(client),
      (e: unknown) => studio.toast('error', `The engine could not restart: ${(e as Error).message}`),
    );
  });
  // first start: nothing was ever autosaved, so say hello and show the way in
  if (!found) studio.setUi({ welcomeOpen: true });
  startAutosave(studio, host.storage);
  host.guardUnload(() => studio.dirty);
  const services: AppServices = { studio, host, session };
  // for the end-to-end tests and the curious: read-only access from devtools
  (window as unknown as { __studio?: Studio }).__studio = studio;
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <AppContext.Provider value={services}>
        <ReactFlowProvider>
          <App restore={restore} />
        </ReactFlowProvider>
      </AppContext.Provider>
    </StrictMode>,
  );
}

void start();
