/**
 * The run settings' editors for `run.mode` and `run.optimizer`: the mode as
 * `model.train()` / `model.eval()`, and the optimizer's kind and each of its
 * fields with torch.optim's default. Every change is one undoable command. The
 * values are checked by the engine when it loads the document (torch.optim's
 * constructor messages, engine/graph/optimizer.ts); each field shows the
 * engine's issues at its path (`run.optimizer.lr`).
 */
import { useEffect, useId, useState } from 'react';
import type { DocumentIssue } from '../../engine/protocol/result';
import {
  isOptimizerKind,
  OPTIMIZER_DEFAULTS,
  OPTIMIZER_FIELD_DOCS,
  OPTIMIZER_KINDS,
} from '../../engine/protocol/optimizer';
import { useApp, useServices } from '../app/context';
import {
  optimizerOf,
  runMode,
  switchOptimizer,
  withOptimizerField,
  withRunExtra,
  type OptimizerJson,
} from '../document/run-extra';
import type { RunSpec } from '../document/types';
import { OptimizerLine } from './OptimizerLine';

const AT = 'run.optimizer';
const EMPTY: readonly DocumentIssue[] = [];

/** Python's spelling of a default: `True`, `(0.9, 0.999)`, `1e-08` is shown as JSON has it. */
const pyText = (v: unknown): string =>
  typeof v === 'boolean' ? (v ? 'True' : 'False') : Array.isArray(v) ? `(${v.join(', ')})` : String(v);

/** A number typed in a field: a number when it reads as one, else the text (the engine reports it). */
function typed(text: string): unknown {
  const t = text.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

/** One number box: commits on Enter or leaving it; empty means torch.optim's default. */
function NumberBox(props: {
  id?: string;
  value: unknown;
  placeholder: string;
  testid: string;
  onCommit: (v: unknown) => void;
}): React.JSX.Element {
  const shown = props.value === undefined ? '' : String(props.value);
  const [text, setText] = useState(shown);
  useEffect(() => setText(shown), [shown]);
  const commit = (): void => {
    if (text !== shown) props.onCommit(typed(text));
  };
  return (
    <input
      id={props.id}
      type="text"
      inputMode="decimal"
      spellCheck={false}
      data-testid={props.testid}
      value={text}
      placeholder={props.placeholder}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}

/** The editor of one field of the optimizer (a number, the two betas, or a flag). */
function FieldEditor(props: {
  id: string;
  field: string;
  value: unknown;
  fallback: unknown;
  set: (v: unknown) => void;
}): React.JSX.Element {
  const { id, field, value, fallback, set } = props;
  const testid = `optimizer-${field}`;
  if (typeof fallback === 'boolean') {
    const on = typeof value === 'boolean' ? value : fallback;
    return <input id={id} type="checkbox" data-testid={testid} checked={on} onChange={(e) => set(e.target.checked)} />;
  }
  if (Array.isArray(fallback)) {
    const pair: readonly unknown[] = Array.isArray(value) ? value : [];
    const setAt = (i: number, v: unknown): void => {
      const next = fallback.map((d: unknown, j) => (j === i ? (v ?? d) : (pair[j] ?? d)));
      set(next.every((x, j) => x === fallback[j]) && v === undefined ? undefined : next);
    };
    return (
      <div className="row">
        {fallback.map((d: unknown, i) => (
          <NumberBox
            key={i}
            id={i === 0 ? id : undefined}
            testid={`${testid}-${i}`}
            value={pair[i]}
            placeholder={String(d)}
            onCommit={(v) => setAt(i, v)}
          />
        ))}
      </div>
    );
  }
  return (
    <NumberBox
      id={id}
      testid={testid}
      value={value}
      placeholder={fallback === undefined ? 'required' : String(fallback)}
      onCommit={set}
    />
  );
}

/** A field with its name, default, reset, editor and the engine's messages for it. */
function OptimizerField(props: {
  spec: OptimizerJson;
  field: string;
  fallback: unknown;
  issues: readonly DocumentIssue[];
  set: (spec: OptimizerJson, label: string) => void;
}): React.JSX.Element {
  const { spec, field, fallback, issues, set } = props;
  const mine = issues.filter((i) => i.path === `${AT}.${field}` || i.path.startsWith(`${AT}.${field}[`));
  const setValue = (v: unknown): void => set(withOptimizerField(spec, field, v), `Set optimizer ${field}`);
  const id = useId(); // the editor's (a pair of numbers is two editors: the label names the first)
  return (
    <div className={`param-field ${mine.length ? 'invalid' : ''}`} data-optimizer-field={field}>
      <label title={OPTIMIZER_FIELD_DOCS[field]} htmlFor={id}>
        <span className="param-name">{field}</span>
        <span className="param-default">{fallback === undefined ? 'required' : `default ${pyText(fallback)}`}</span>
        {spec[field] !== undefined && fallback !== undefined && (
          <button className="link" title="reset to torch.optim's default" onClick={() => setValue(undefined)}>
            reset
          </button>
        )}
      </label>
      <FieldEditor id={id} field={field} value={spec[field]} fallback={fallback} set={setValue} />
      {mine.length ? (
        mine.map((i, k) => (
          <div key={k} className="field-error" data-testid="optimizer-error">
            {i.message}
          </div>
        ))
      ) : (
        <div className="param-doc">{OPTIMIZER_FIELD_DOCS[field]}</div>
      )}
    </div>
  );
}

/** `run.mode`: model.train() or model.eval(). */
function ModeField({ run, setRun }: { run: RunSpec; setRun: (r: RunSpec, label: string) => void }) {
  const id = useId();
  return (
    <div className="param-field">
      <label title="nn.Module's training flag: what Dropout and BatchNorm2d do" htmlFor={id}>
        <span className="param-name">mode</span>
        <span className="param-default">default train</span>
      </label>
      <select
        id={id}
        data-testid="run-mode"
        value={runMode(run)}
        onChange={(e) => setRun(withRunExtra(run, 'mode', e.target.value), 'Set run mode')}
      >
        <option value="train">train — model.train()</option>
        <option value="eval">eval — model.eval()</option>
      </select>
      <div className="param-doc">Dropout and BatchNorm2d behave differently in the two modes.</div>
    </div>
  );
}

/** The run's mode and optimizer, edited in place. */
export function OptimizerEditor({ run }: { run: RunSpec }): React.JSX.Element {
  const { studio } = useServices();
  const issues = useApp((s) => s.engine.load?.issues ?? EMPTY).filter((i) => i.path.startsWith(AT));
  const spec = optimizerOf(run);
  const kind = spec && isOptimizerKind(spec.kind) ? spec.kind : null;
  const setRun = (r: RunSpec, label: string): void => void studio.dispatch({ type: 'setRun', run: r }, label);
  const setSpec = (o: OptimizerJson | undefined, label: string): void =>
    setRun(withRunExtra(run, 'optimizer', o), label);
  const fields: Readonly<Record<string, unknown>> = kind ? OPTIMIZER_DEFAULTS[kind] : {};
  const fieldPath = (p: string): boolean => Object.keys(fields).some((f) => p.startsWith(`${AT}.${f}`));
  const id = useId();
  return (
    <>
      <ModeField run={run} setRun={setRun} />
      <div className="param-field optimizer-editor" data-testid="optimizer-editor">
        <label title="the torch.optim optimizer whose step() runs after every backward pass" htmlFor={id}>
          <span className="param-name">optimizer</span>
          <span className="param-default">default none</span>
        </label>
        <select
          id={id}
          data-testid="optimizer-kind-select"
          value={kind ?? (spec ? String(spec.kind) : '')}
          onChange={(e) => {
            const k = e.target.value;
            setSpec(isOptimizerKind(k) ? switchOptimizer(spec, k) : undefined, 'Set optimizer');
          }}
        >
          <option value="">none — only backward, no step()</option>
          {spec && !kind && <option value={String(spec.kind)}>{String(spec.kind)}</option>}
          {OPTIMIZER_KINDS.map((k) => (
            <option key={k} value={k}>
              torch.optim.{k}
            </option>
          ))}
        </select>
      </div>
      {spec &&
        Object.entries(fields).map(([field, fallback]) => (
          <OptimizerField key={field} spec={spec} field={field} fallback={fallback} issues={issues} set={setSpec} />
        ))}
      {issues
        .filter((i) => !fieldPath(i.path))
        .map((i, k) => (
          <div key={k} className="field-error" data-testid="optimizer-error" data-path={i.path}>
            {i.path}: {i.message}
          </div>
        ))}
      <OptimizerLine run={run} />
    </>
  );
}
