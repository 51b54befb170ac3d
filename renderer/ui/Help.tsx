/**
 * The help sheet (the toolbar's "?"): keyboard shortcuts, what the mouse does
 * on the canvas, and a short glossary of the autograd words.
 */
import { useApp, useServices } from '../app/context';
import { SHORTCUTS } from '../app/shortcuts';
import { GLOSSARY } from './glossary';

const isMac = typeof navigator !== 'undefined' && /Mac/.test(navigator.platform);
const keys = (chord: string): string =>
  chord
    .split('+')
    .map((k) =>
      k === 'mod'
        ? isMac
          ? '⌘'
          : 'Ctrl'
        : k === 'shift'
          ? 'Shift'
          : k.length === 1
            ? k.toUpperCase()
            : k[0]!.toUpperCase() + k.slice(1),
    )
    .join('+');

/** What the mouse does on the canvas. */
const GESTURES: readonly [string, string][] = [
  ['Click a palette item', 'adds the op beside the selected node (drag it to place it yourself)'],
  ['Drag from out (right dot) to an input (left dot)', 'connects; dropped on a used input it replaces that edge'],
  ['Click an edge, or Tab to it', 'selects it; Delete removes it'],
  ['Drag an edge’s input end away', 'disconnects it; drop it on another input to move it'],
  ['Right-click a node or an edge', 'delete, duplicate, disconnect, insert Detach or Clone'],
  [
    'Drag an output onto a Tensor’s ↺ handle (or right-click a node: Feed back into…)',
    'feeds it back: its value becomes that Tensor’s value in the next iteration (a dashed edge; Delete removes it)',
  ],
  ['Shift+drag on the canvas', 'selects a group; Ctrl+click adds to the selection'],
  [
    'Drop a PNG or JPEG on the canvas (or Load image… in the palette)',
    'adds a Tensor holding it as torchvision’s ToTensor() does: float32 [1, 3, H, W] (greyscale [1, 1, H, W]), pixel/255',
  ],
  [
    'Pin to compare (tensor viewer)',
    'puts the tensor or its .grad in the strip under the canvas; equal shapes are compared: a − b and max |a − b|',
  ],
  ['Drag the iteration slider (strip under the canvas)', 'shows the loop after iteration k of n: values, grads, loss'],
  [
    'PyTorch code › (top right of the canvas)',
    'the graph as the script “Export PyTorch script” downloads; a forward step marks the statement that ran',
  ],
];

/** The help dialog. */
export function Help(): React.JSX.Element | null {
  const { studio } = useServices();
  const open = useApp((s) => s.ui.helpOpen);
  if (!open) return null;
  const close = (): void => studio.setUi({ helpOpen: false });
  const seen = new Set<string>();
  const rows = SHORTCUTS.filter(([, label]) => !seen.has(label) && seen.add(label));
  return (
    <div className="modal-backdrop" onClick={close}>
      <div
        className="modal help-sheet"
        data-testid="help-sheet"
        role="dialog"
        aria-label="Help"
        onClick={(e) => e.stopPropagation()}
      >
        <h2>
          Help{' '}
          <button className="link" onClick={close}>
            close
          </button>
        </h2>
        <div className="help-columns">
          <section>
            <h3>Keyboard</h3>
            <table className="shortcuts" data-testid="shortcut-sheet">
              <tbody>
                {rows.map(([chord, label]) => (
                  <tr key={label}>
                    <td>
                      <kbd>{keys(chord)}</kbd>
                      {label === 'Delete' ? (
                        <>
                          {' '}
                          or <kbd>Backspace</kbd>
                        </>
                      ) : null}
                    </td>
                    <td>{label}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <h3>Mouse</h3>
            <table className="shortcuts">
              <tbody>
                {GESTURES.map(([what, does]) => (
                  <tr key={what}>
                    <td>{what}</td>
                    <td>{does}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section>
            <h3>Glossary</h3>
            <dl className="glossary" data-testid="glossary">
              {GLOSSARY.map((g) => (
                <div key={g.term} data-term={g.term}>
                  <dt>
                    <code>{g.term}</code>
                  </dt>
                  <dd>{g.text}</dd>
                </div>
              ))}
            </dl>
            <button data-testid="help-welcome" onClick={() => studio.setUi({ helpOpen: false, welcomeOpen: true })}>
              Show the welcome and the walkthrough again
            </button>
          </section>
        </div>
      </div>
    </div>
  );
}
