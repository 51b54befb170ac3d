/**
 * One parameter in the inspector: an editor that fits its kind (checkbox,
 * select, text), PyTorch's default as placeholder, validation on the spot,
 * and a reset to the default.
 */
import { useEffect, useId, useState } from 'react';
import type { ParamSpec } from '../../engine/protocol/ops';
import { checkValue, formatValue, parseText } from '../document/params';
import { NormalizeField } from './NormalizeField';

/** Props of a param field. */
export interface ParamFieldProps {
  readonly spec: ParamSpec;
  /** The node's own value, or undefined when it uses the default. */
  readonly value: unknown;
  readonly onChange: (v: unknown) => void;
  readonly onReset: () => void;
}

const JSON_KINDS = new Set(['init', 'param_init']);

/** The field. */
export function ParamField({ spec, value, onChange, onReset }: ParamFieldProps): React.JSX.Element {
  const isSet = value !== undefined;
  const effective = isSet ? value : spec.default;
  const [text, setText] = useState(formatValue(value));
  const [error, setError] = useState<string | null>(null);
  // The label names the editor (click the name to tick a flag; screen readers and getByLabel find it).
  const id = useId();
  useEffect(() => {
    setText(
      JSON_KINDS.has(spec.kind) ? (value === undefined ? '' : JSON.stringify(value, null, 1)) : formatValue(value),
    );
    setError(null);
  }, [value, spec.kind]);

  const commit = (raw: string): void => {
    const v = parseText(raw);
    if (v === undefined) {
      if (spec.default === undefined) setError(`${spec.name} is required`);
      else onReset();
      return;
    }
    const m = checkValue(spec.kind, v, spec.values);
    setError(m);
    if (!m) onChange(v);
  };

  let editor: React.JSX.Element;
  if (spec.kind === 'bool') {
    editor = (
      <input id={id} type="checkbox" checked={effective === true} onChange={(e) => onChange(e.target.checked)} />
    );
  } else if (spec.kind === 'enum' || spec.kind === 'dtype') {
    const values = spec.kind === 'dtype' ? ['float32', 'int64'] : (spec.values ?? []);
    editor = (
      <select id={id} value={String(effective)} onChange={(e) => onChange(e.target.value)}>
        {values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    );
  } else if (spec.kind === 'mean_std|null') {
    editor = <NormalizeField value={value} onChange={onChange} onReset={onReset} />;
  } else if (JSON_KINDS.has(spec.kind)) {
    editor = (
      <textarea
        id={id}
        rows={3}
        spellCheck={false}
        value={text}
        placeholder={JSON.stringify(spec.default)}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => commit(text)}
      />
    );
  } else {
    editor = (
      <input
        id={id}
        type="text"
        spellCheck={false}
        value={text}
        placeholder={spec.default === undefined ? 'required' : formatValue(spec.default)}
        onChange={(e) => {
          setText(e.target.value);
          const v = parseText(e.target.value);
          setError(v === undefined ? null : checkValue(spec.kind, v, spec.values));
        }}
        onBlur={() => commit(text)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit(text);
        }}
      />
    );
  }
  return (
    <div className={`param-field ${error ? 'invalid' : ''}`} data-param={spec.name}>
      <label title={spec.doc} htmlFor={spec.kind === 'mean_std|null' ? undefined : id}>
        <span className="param-name">{spec.name}</span>
        {spec.default !== undefined && <span className="param-default">default {formatValue(spec.default)}</span>}
        {isSet && spec.default !== undefined && (
          <button className="link" title="reset to PyTorch's default" onClick={onReset}>
            reset
          </button>
        )}
      </label>
      {editor}
      {error ? (
        <div className="field-error" data-testid="param-error">
          {error}
        </div>
      ) : (
        <div className="param-doc">{spec.doc}</div>
      )}
    </div>
  );
}
