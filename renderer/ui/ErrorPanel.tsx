/**
 * The error panel: the engine's error with PyTorch's message, where it
 * happened (node, phase, iteration), the document's issues and the lint
 * warnings. An `InternalError` (a bug in the engine) has its own look and
 * asks to be reported.
 */
import { useMemo } from 'react';
import { useApp, useServices } from '../app/context';
import { lint } from '../lint/lint';
import { iterationText } from '../state/engine-state';
import { versionError } from '../state/inplace';
import { FeedbackFix } from './FeedbackFix';

/** What the panel says under an engine bug (an `InternalError`), which is no fault of the graph. */
export const INTERNAL_ERROR_HINT = 'This is a bug in Autograd Studio, not in your graph: please report it.';

/** The error and problems panel. */
export function ErrorPanel(): React.JSX.Element | null {
  const { studio } = useServices();
  const error = useApp((s) => s.engine.error);
  const issues = useApp((s) => s.engine.load?.issues ?? []);
  const doc = useApp((s) => s.doc);
  const warnings = useMemo(() => lint(doc), [doc]);
  const of = doc.run?.iterations ?? 1;
  const engine = useApp((s) => s.engine);
  const ve = useMemo(() => versionError(doc, engine), [doc, engine]);
  if (!error && !issues.length && !warnings.length) return null;
  const internal = error?.type === 'InternalError';
  return (
    <section className="problems" data-testid="problems">
      {error && (
        <div
          className={`error-panel${internal ? ' error-internal' : ''}`}
          data-testid="error-panel"
          data-error-type={error.type}
          role="alert"
        >
          <div className="error-type">
            {error.type}
            {error.node ? ` at “${error.node}”` : ''}
            {error.phase
              ? ` (${error.phase}${error.iteration !== null ? `, ${iterationText(error.iteration, of)}` : ''})`
              : ''}
          </div>
          {internal && (
            <p className="error-hint" data-testid="internal-error-hint">
              {INTERNAL_ERROR_HINT}
            </p>
          )}
          <pre className="error-message">{error.message}</pre>
          {ve && (
            <p className="error-explain" data-testid="error-explain">
              {ve.sentence}
            </p>
          )}
          <FeedbackFix error={error} />
        </div>
      )}
      {issues.length > 0 && (
        <ul className="issues" data-testid="document-issues">
          {issues.map((i, k) => (
            <li key={k}>
              <button className="link" onClick={() => i.node && studio.select([i.node])}>
                {i.path}
              </button>
              : {i.message}
            </li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul className="lint" data-testid="lint-warnings">
          {warnings.map((w, k) => (
            <li key={k} data-code={w.code}>
              ⚠{' '}
              <button className="link" onClick={() => studio.select([w.node])}>
                {w.node}
              </button>
              : {w.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
