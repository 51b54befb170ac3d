/**
 * The error panel: the engine's error with PyTorch's message, where it
 * happened (node, phase, iteration), the document's issues and the lint
 * warnings.
 */
import { useMemo } from 'react';
import { useApp, useServices } from '../app/context';
import { lint } from '../lint/lint';

/** The error and problems panel. */
export function ErrorPanel(): React.JSX.Element | null {
  const { studio } = useServices();
  const error = useApp((s) => s.engine.error);
  const issues = useApp((s) => s.engine.load?.issues ?? []);
  const doc = useApp((s) => s.doc);
  const warnings = useMemo(() => lint(doc), [doc]);
  if (!error && !issues.length && !warnings.length) return null;
  return (
    <section className="problems">
      {error && (
        <div className="error-panel" data-testid="error-panel" role="alert">
          <div className="error-type">{error.type}{error.node ? ` at “${error.node}”` : ''}{error.phase ? ` (${error.phase}${error.iteration !== null ? `, iteration ${error.iteration}` : ''})` : ''}</div>
          <pre className="error-message">{error.message}</pre>
        </div>
      )}
      {issues.length > 0 && (
        <ul className="issues" data-testid="document-issues">
          {issues.map((i, k) => (
            <li key={k}><button className="link" onClick={() => i.node && studio.select([i.node])}>{i.path}</button>: {i.message}</li>
          ))}
        </ul>
      )}
      {warnings.length > 0 && (
        <ul className="lint" data-testid="lint-warnings">
          {warnings.map((w, k) => (
            <li key={k} data-code={w.code}>⚠ <button className="link" onClick={() => studio.select([w.node])}>{w.node}</button>: {w.message}</li>
          ))}
        </ul>
      )}
    </section>
  );
}
