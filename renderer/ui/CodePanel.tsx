/**
 * The PyTorch code panel: the script "Export PyTorch script" downloads, made
 * from the document as it is now, highlighted, with the statement of the node
 * the engine just ran marked (and the statements already run this iteration
 * tinted), so stepping forward walks through the code line by line; during
 * the backward phase the `.backward()` call is marked too.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useApp, useServices } from '../app/context';
import { highlightPython } from '../code/highlight';
import { pythonScript, type ScriptResult } from '../code/script';
import { backwardLines, foldRanges, nodeLines, type LineRange } from '../code/script-lines';
import { semanticKey } from '../session/engine-session';
import './compare-code.css';

const inRange = (i: number, r: LineRange | null | undefined): boolean => !!r && i >= r.start && i < r.end;

/** The script of the open document, remade (debounced) when its meaning changes. */
function useScript(): ScriptResult | null {
  const { studio } = useServices();
  const key = useApp((s) => semanticKey(s.doc));
  const [result, setResult] = useState<ScriptResult | null>(null);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      pythonScript(studio.doc).then(
        (r) => live && setResult(r),
        (e: Error) => live && setResult({ ok: false, why: e.message }),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [key, studio]);
  return result;
}

/** The tab at the canvas's top right that opens the panel (while it is closed). */
export function CodeTab(): React.JSX.Element | null {
  const { studio } = useServices();
  const open = useApp((s) => s.ui.codeOpen);
  if (open) return null;
  return (
    <button
      className="code-tab"
      data-testid="toggle-code"
      onClick={() => studio.setUi({ codeOpen: true })}
      title="Show the graph as PyTorch code beside the canvas; stepping marks the statement that ran"
    >
      PyTorch code ›
    </button>
  );
}

/** The panel (the tab above opens it, its close button closes it). */
export function CodePanel(): React.JSX.Element | null {
  const { studio } = useServices();
  const open = useApp((s) => s.ui.codeOpen);
  const active = useApp((s) => s.engine.active);
  const phase = useApp((s) => s.engine.phase);
  const done = useApp((s) => s.engine.forwardExecuted);
  const backwardStepped = useApp((s) => s.engine.stepResults.length > 0);
  const result = useScript();
  const script = result?.ok ? result.script : null;
  const html = useMemo(() => (script ? highlightPython(script) : []), [script]);
  const where = useMemo(() => (script ? nodeLines(script) : new Map<string, LineRange>()), [script]);
  const backward = useMemo(() => (script ? backwardLines(script) : null), [script]);
  const current = active ? where.get(active) : undefined;
  const inBackward = backwardStepped && (phase === 'backward' || phase === 'update' || phase === 'done');
  const ranLines = useMemo(() => done.map((n) => where.get(n)).filter((r): r is LineRange => !!r), [done, where]);
  const folds = useMemo(() => (script ? foldRanges(script) : []), [script]);
  const [opened, setOpened] = useState<ReadonlySet<number>>(new Set());
  const body = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = body.current?.querySelector('[data-current="true"]');
    el?.scrollIntoView?.({ block: 'center' });
  }, [current, html]);

  if (!open) return null;
  return (
    <section className="code-panel" data-testid="code-panel" data-node={active && current ? active : ''}>
      <h3>
        PyTorch code
        <button className="link" data-testid="toggle-code" onClick={() => studio.setUi({ codeOpen: false })}>
          close
        </button>
      </h3>
      <p className="muted">
        The script “Export PyTorch script” downloads. While you step, the statement that just ran is marked.
      </p>
      {result && !result.ok && <pre className="field-error">{result.why}</pre>}
      {!result && <p className="muted">Writing the script…</p>}
      <div className="code-body hljs" ref={body}>
        {html.map((line, i) => {
          const fold = folds.find((f) => i >= f.start && i < f.end && !opened.has(f.start));
          if (fold && i > fold.start) return null;
          if (fold)
            return (
              <button
                key={i}
                className="code-fold"
                data-testid="code-fold"
                onClick={() => setOpened(new Set([...opened, fold.start]))}
                title="Show these lines"
              >
                ⋯ {fold.end - fold.start} more lines of values
              </button>
            );
          return (
            <div
              key={i}
              className={`code-line${inRange(i, current) ? ' current' : ''}${inBackward && inRange(i, backward) ? ' backward' : ''}${ranLines.some((r) => inRange(i, r)) ? ' ran' : ''}`}
              data-line={i + 1}
              data-current={inRange(i, current) || (inBackward && inRange(i, backward)) ? 'true' : undefined}
            >
              <span className="code-no">{i + 1}</span>
              <code dangerouslySetInnerHTML={{ __html: line || ' ' }} />
            </div>
          );
        })}
      </div>
    </section>
  );
}
