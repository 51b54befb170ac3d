/**
 * The toolbar: file (new, open, save, export JSON/PNG/SVG/PyTorch script), edit
 * (undo, redo), learn (examples, autograd view) and engine controls (run, step forward,
 * step backward, reset) with the engine status.
 */
import { useReactFlow } from '@xyflow/react';
import { useRef } from 'react';
import { exportJson, newDocument, openText, confirmDiscard, save, tidyLayout } from '../app/actions';
import { useApp, useServices } from '../app/context';
import { fitReadable } from '../canvas/Canvas';
import { sizeOfFlow } from '../canvas/flow-model';
import type { GradFlowEdge, OpFlowNode } from '../canvas/types';
import { exportPythonScript } from '../code/script';
import { exportImage } from './export-image';
import { canStep } from '../state/engine-state';

/** The toolbar. */
export function Toolbar(): React.JSX.Element {
  const app = useServices();
  const { studio, session } = app;
  const rf = useReactFlow<OpFlowNode, GradFlowEdge>();
  const fileRef = useRef<HTMLInputElement>(null);
  const history = useApp((s) => s.history);
  const status = useApp((s) => s.engine.status);
  const available = useApp((s) => s.engine.available);
  const kernels = useApp((s) => s.engine.kernels);
  const dirty = useApp((s) => s.revision !== s.savedRevision);
  const name = useApp((s) => s.doc.meta.name ?? s.fileName ?? 'Untitled');
  const running = status === 'running';
  const canForward = useApp((s) => canStep(s.engine, 'forward'));
  const canBackward = useApp((s) => canStep(s.engine, 'backward'));
  const finished = useApp((s) => s.engine.phase === 'done');
  const view = (): { x: number; y: number; zoom: number } => rf.getViewport();

  return (
    <header className="toolbar" data-testid="toolbar">
      <span className="brand">Autograd Studio</span>
      <span className="doc-name" data-testid="doc-name" title={dirty ? 'unsaved changes' : 'saved'}>
        {dirty ? '• ' : ''}
        {name}
      </span>
      <div className="group">
        <button data-testid="new" onClick={() => newDocument(app)} title="New">
          New
        </button>
        <label className="button" title="Open a .graph.json (Ctrl+O)">
          Open
          <input
            ref={fileRef}
            type="file"
            accept=".json,application/json"
            data-testid="open-file"
            id="open-file-input"
            className="visually-hidden"
            onClick={(e) => {
              if (!confirmDiscard(app)) e.preventDefault();
            }}
            onChange={async (e) => {
              const f = e.target.files?.[0];
              if (f) openText(app, await f.text(), f.name);
              e.target.value = '';
            }}
          />
        </label>
        <button onClick={() => void save(app, view())} title="Save (Ctrl+S)">
          Save
        </button>
        <button
          data-testid="export-json"
          onClick={() => void exportJson(app, view())}
          title="Download the document as .graph.json"
        >
          <span className="wide-only">Export </span>JSON
        </button>
        <button data-testid="export-png" onClick={() => void exportImage(app, 'png')}>
          PNG
        </button>
        <button data-testid="export-svg" onClick={() => void exportImage(app, 'svg')}>
          SVG
        </button>
        <button
          data-testid="export-python"
          onClick={() => void exportPythonScript(app)}
          title="Download the graph as a runnable PyTorch script (.py) that prints the same result JSON"
        >
          <span className="wide-only">Export </span>PyTorch<span className="wide-only"> script</span>
        </button>
      </div>
      <div className="group">
        <button
          data-testid="undo"
          disabled={!history.canUndo}
          onClick={() => studio.undo()}
          title={`Undo ${history.undoLabel ?? ''} (Ctrl+Z)`}
        >
          Undo
        </button>
        <button
          data-testid="redo"
          disabled={!history.canRedo}
          onClick={() => studio.redo()}
          title={`Redo ${history.redoLabel ?? ''} (Ctrl+Shift+Z)`}
        >
          Redo
        </button>
        <button
          data-testid="tidy"
          onClick={() => {
            tidyLayout(app, sizeOfFlow(rf));
            setTimeout(() => fitReadable(rf, document.querySelector('[data-testid=canvas]')), 50);
          }}
          title="Lay the graph out left to right"
        >
          Tidy
        </button>
      </div>
      <div className="group">
        <button data-testid="open-examples" onClick={() => studio.setUi({ examplesOpen: true })}>
          Examples
        </button>
        <button data-testid="open-autograd-view" onClick={() => studio.setUi({ autogradOpen: true })}>
          Autograd view
        </button>
        <button
          data-testid="help"
          className="help-button"
          onClick={() => studio.setUi({ helpOpen: true })}
          title="Help: shortcuts and glossary"
          aria-label="Help"
        >
          ?
        </button>
      </div>
      <div className="group engine-controls">
        <button
          data-testid="run"
          className="primary"
          disabled={running || !session}
          onClick={() => void session?.run()}
          title="Run all (Ctrl+Enter)"
        >
          ▶ Run
        </button>
        <button
          data-testid="step-forward"
          disabled={running || !session || !canForward}
          onClick={() => void session?.stepForward()}
          title={
            finished
              ? 'The run is finished: Reset to step it again'
              : canForward
                ? 'Run the next node of the forward pass (Ctrl+.)'
                : 'The backward pass comes next: use Backward step'
          }
        >
          Forward step
        </button>
        <button
          data-testid="step-backward"
          disabled={running || !session || !canBackward}
          onClick={() => void session?.stepBackward()}
          title={
            canBackward
              ? 'Run the next grad_fn of the backward pass, in PyTorch’s order (Ctrl+,); the forward pass finishes first'
              : 'The run is finished: Reset to step it again'
          }
        >
          Backward step
        </button>
        <button
          data-testid="reset"
          disabled={!session}
          onClick={() => void session?.reset()}
          title="Back to before the first iteration"
        >
          Reset
        </button>
        <span
          className={`engine-status state-${status}`}
          data-testid="engine-status"
          data-state={status}
          data-kernels={kernels ?? ''}
          title={available ? `engine${kernels ? `, kernels: ${kernels}` : ''}` : 'engine not available'}
        >
          {available ? status : 'no engine'}
        </span>
      </div>
    </header>
  );
}
