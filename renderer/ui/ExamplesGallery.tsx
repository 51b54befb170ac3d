/** The examples gallery: pick one to open it (asks first when there are unsaved changes). */
import { confirmDiscard, openText } from '../app/actions';
import { useApp, useServices } from '../app/context';
import { EXAMPLES } from '../examples';

/** The gallery dialog. */
export function ExamplesGallery(): React.JSX.Element | null {
  const app = useServices();
  const open = useApp((s) => s.ui.examplesOpen);
  if (!open) return null;
  const close = (): void => app.studio.setUi({ examplesOpen: false });
  return (
    <div className="modal-backdrop" onClick={close}>
      <div
        className="modal examples"
        data-testid="examples-gallery"
        role="dialog"
        aria-label="Examples"
        onClick={(e) => e.stopPropagation()}
      >
        <h2>
          Examples{' '}
          <button className="link" onClick={close}>
            close
          </button>
        </h2>
        <ExampleCards testid={(slug) => `example-${slug}`} onOpened={close} />
      </div>
    </div>
  );
}

/**
 * The bundled examples as cards (the gallery and the welcome view): a click opens
 * one, asking first when there are unsaved changes, then calls `onOpened`.
 */
export function ExampleCards(props: {
  readonly testid: (slug: string) => string;
  readonly onOpened: () => void;
}): React.JSX.Element {
  const app = useServices();
  return (
    <div className="example-grid">
      {EXAMPLES.map((ex) => (
        <button
          key={ex.slug}
          className="example-card"
          data-testid={props.testid(ex.slug)}
          onClick={() => {
            if (!confirmDiscard(app)) return;
            if (openText(app, JSON.stringify(ex.document), `${ex.slug}.graph.json`)) props.onOpened();
          }}
        >
          <b>{ex.name}</b>
          <span>{ex.description}</span>
        </button>
      ))}
    </div>
  );
}
