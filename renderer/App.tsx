/** The window: toolbar, palette, canvas, side panels, problems and dialogs. */
import { useEffect } from 'react';
import { useShortcuts } from './app/shortcuts';
import { useApp, useServices } from './app/context';
import type { AutosaveRecord } from './app/autosave';
import { Canvas } from './canvas/Canvas';
import type { GraphDocument } from './document/types';
import { AutogradView } from './ui/AutogradView';
import { CodePanel, CodeTab } from './ui/CodePanel';
import { ComparePanel } from './ui/ComparePanel';
import { ErrorPanel } from './ui/ErrorPanel';
import { ExamplesGallery } from './ui/ExamplesGallery';
import { Help } from './ui/Help';
import { Inspector } from './ui/Inspector';
import { Palette } from './ui/Palette';
import { RestoreBanner } from './ui/RestoreBanner';
import { RunPanel } from './ui/RunPanel';
import { StepPanel } from './ui/StepPanel';
import { TensorViewer } from './ui/TensorViewer';
import { Toasts } from './ui/Toasts';
import { Toolbar } from './ui/Toolbar';
import { TrainingPanel } from './ui/TrainingPanel';
import { Welcome } from './ui/Welcome';

/** The title bar text. */
function useTitle(): void {
  const { host } = useServices();
  const title = useApp(
    (s) =>
      `${s.revision !== s.savedRevision ? '• ' : ''}${s.doc.meta.name ?? s.fileName ?? 'Untitled'} — Autograd Studio`,
  );
  useEffect(() => host.setTitle(title), [host, title]);
}

/** The app. */
export function App({
  restore,
}: {
  restore: { record: AutosaveRecord; doc: GraphDocument } | null;
}): React.JSX.Element {
  useShortcuts();
  useTitle();
  return (
    <div className="app">
      <Toolbar />
      <RestoreBanner found={restore} />
      <div className="main">
        <Palette />
        <div className="centre">
          <Canvas />
          <CodeTab />
          <ComparePanel />
          <TrainingPanel />
          <ErrorPanel />
        </div>
        <CodePanel />
        <aside className="side">
          <Inspector />
          <TensorViewer />
          <StepPanel />
          <RunPanel />
        </aside>
      </div>
      <Toasts />
      <ExamplesGallery />
      <AutogradView />
      <Help />
      <Welcome />
    </div>
  );
}
