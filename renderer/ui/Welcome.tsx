/**
 * The welcome view, shown on first start (no autosave) and from the help:
 * the examples as cards and a three-step walkthrough to a first graph.
 */
import { useApp, useServices } from '../app/context';
import { ExampleCards } from './ExamplesGallery';

/** The three steps of a first graph: x → ReLU → Sum, backward from the sum. */
export const WALKTHROUGH: readonly { readonly title: string; readonly text: string }[] = [
  {
    title: 'Add nodes',
    text: 'Click Tensor, then ReLU, then Sum in the palette on the left: each lands beside the one before. Select the Tensor and tick requires_grad in the inspector on the right.',
  },
  {
    title: 'Wire them',
    text: 'Drag from a node’s out dot (right) to the next node’s input dot (left): Tensor → ReLU → Sum. An edge can be clicked and deleted, or dragged off its input.',
  },
  {
    title: 'Run backward',
    text: 'Click empty canvas, choose the Sum node as backward in the Graph settings, and press ▶ Run. The badges now say which tensors are leaves, which require grad, their grad_fn, and where .grad was filled.',
  },
];

/** The welcome dialog. */
export function Welcome(): React.JSX.Element | null {
  const app = useServices();
  const open = useApp((s) => s.ui.welcomeOpen);
  if (!open) return null;
  const close = (): void => app.studio.setUi({ welcomeOpen: false });
  return (
    <div className="modal-backdrop" onClick={close}>
      <div
        className="modal welcome"
        data-testid="welcome"
        role="dialog"
        aria-label="Welcome"
        onClick={(e) => e.stopPropagation()}
      >
        <h2>Welcome to Autograd Studio</h2>
        <p className="muted">
          Wire PyTorch ops on a canvas and watch autograd work: which tensors are leaves, where gradient flows and where
          it stops, one backward step at a time.
        </p>
        <h3>Build your first graph</h3>
        <ol className="walkthrough" data-testid="walkthrough">
          {WALKTHROUGH.map((s) => (
            <li key={s.title}>
              <b>{s.title}.</b> {s.text}
            </li>
          ))}
        </ol>
        <div className="row">
          <button className="primary" data-testid="welcome-start" onClick={close}>
            Start with an empty canvas
          </button>
          <span className="muted">
            Press the <b>?</b> button for shortcuts and a glossary.
          </span>
        </div>
        <h3>Or open an example</h3>
        <ExampleCards testid={(slug) => `welcome-example-${slug}`} onOpened={close} />
      </div>
    </div>
  );
}
