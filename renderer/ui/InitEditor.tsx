/**
 * A Tensor's initial values edited as values (issue 13): a kind picker
 * (PyTorch's constructors), the kind's numbers, and for `values` a grid of
 * cells (last dimension across) with paste from CSV or NumPy/PyTorch text.
 * The raw JSON stays available under "JSON". Every change is one undo step.
 */
import { useEffect, useState } from 'react';
import type { ParamSpec } from '../../engine/protocol/ops';
import {
  GRID_MAX,
  gridOf,
  INIT_FIELDS,
  INIT_KINDS,
  initOfKind,
  numel,
  parseNumbers,
  type InitKind,
} from '../document/init-values';
import { ParamField } from './ParamField';

/** Props: the init param, its value, the tensor's shape, and how to set or reset it. */
export interface InitEditorProps {
  readonly spec: ParamSpec;
  readonly value: unknown;
  readonly shape: readonly number[];
  readonly onChange: (v: unknown) => void;
  readonly onReset: () => void;
}

function Cell({
  value,
  index,
  onCommit,
}: {
  value: number;
  index: number;
  onCommit: (i: number, v: number) => void;
}): React.JSX.Element {
  const [text, setText] = useState(String(value));
  useEffect(() => setText(String(value)), [value]);
  const commit = (): void => {
    const v = Number(text);
    if (text.trim() !== '' && Number.isFinite(v)) {
      if (v !== value) onCommit(index, v);
    } else setText(String(value));
  };
  return (
    <input
      className="init-cell"
      data-testid="init-cell"
      data-index={index}
      value={text}
      aria-label={`element ${index}`}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}

/** The editor. */
export function InitEditor({ spec, value, shape, onChange, onReset }: InitEditorProps): React.JSX.Element {
  const init = (value ?? spec.default ?? { kind: 'zeros' }) as Record<string, unknown>;
  const kind = (INIT_KINDS as readonly string[]).includes(String(init.kind)) ? (init.kind as InitKind) : 'zeros';
  const count = numel(shape);
  const [pasting, setPasting] = useState(false);
  const [paste, setPaste] = useState('');
  const [pasteError, setPasteError] = useState<string | null>(null);
  const data = Array.isArray(init.data) ? (init.data as number[]) : [];
  const { rows, cols } = gridOf(shape);
  const setCell = (i: number, v: number): void =>
    onChange({ kind: 'values', data: Array.from({ length: count }, (_, j) => (j === i ? v : (data[j] ?? 0))) });
  const applyPaste = (): void => {
    const r = parseNumbers(paste);
    if (typeof r === 'string') return setPasteError(r);
    if (r.length !== count) return setPasteError(`${r.length} numbers for ${count} elements of [${shape.join(', ')}]`);
    setPasteError(null);
    setPaste('');
    setPasting(false);
    onChange({ kind: 'values', data: r });
  };
  return (
    <div className="param-field init-editor" data-param="init" data-testid="init-editor">
      <label>
        <span className="param-name">init</span>
        <span className="param-default">initial values</span>
      </label>
      <div className="row">
        <select
          aria-label="init"
          data-testid="init-kind"
          value={kind}
          onChange={(e) => onChange(initOfKind(e.target.value as InitKind, count, init))}
        >
          {INIT_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        {Object.keys(INIT_FIELDS[kind]).map((f) => (
          <label key={f} className="init-number">
            {f}
            <input
              type="number"
              data-testid={`init-field-${f}`}
              value={typeof init[f] === 'number' ? (init[f] as number) : INIT_FIELDS[kind][f]}
              onChange={(e) => {
                const v = Number(e.target.value);
                if (e.target.value !== '' && Number.isFinite(v)) onChange({ ...init, kind, [f]: v });
              }}
            />
          </label>
        ))}
      </div>
      {kind === 'values' &&
        (count <= GRID_MAX ? (
          <>
            {data.length !== count && (
              <div className="field-error">
                {data.length} values for {count} elements: the cells fill the rest with 0 when edited
              </div>
            )}
            <div
              className="init-grid"
              data-testid="init-grid"
              style={{ gridTemplateColumns: `repeat(${cols}, minmax(38px, 1fr))` }}
              data-rows={rows}
              data-cols={cols}
            >
              {Array.from({ length: count }, (_, i) => (
                <Cell key={i} index={i} value={data[i] ?? 0} onCommit={setCell} />
              ))}
            </div>
            {pasting ? (
              <>
                <textarea
                  rows={2}
                  data-testid="init-paste"
                  placeholder="1, 2, 3 or [[1., 2.], [3., 4.]]"
                  value={paste}
                  onChange={(e) => setPaste(e.target.value)}
                />
                <button data-testid="init-paste-apply" disabled={!paste.trim()} onClick={applyPaste}>
                  Use pasted numbers
                </button>
              </>
            ) : (
              <button className="link" data-testid="init-paste-open" onClick={() => setPasting(true)}>
                paste numbers…
              </button>
            )}
            {pasteError && (
              <div className="field-error" data-testid="init-paste-error">
                {pasteError}
              </div>
            )}
          </>
        ) : (
          <p className="muted">{count} elements: too many for the grid; paste them or use the JSON view.</p>
        ))}
      <details data-testid="init-json">
        <summary>JSON</summary>
        <ParamField spec={spec} value={value} onChange={onChange} onReset={onReset} />
      </details>
    </div>
  );
}
