/**
 * The editor of a Dataset's `normalize` (torchvision's `Normalize(mean, std)`
 * after ToTensor): none, or a mean and a std, with the selected dataset's usual
 * values and (0.5, 0.5) offered with one click each.
 */
import { useEffect, useState } from 'react';
import { DATASETS, type DatasetName } from '../../engine/protocol/datasets';
import type { MeanStd } from '../../engine/protocol/op-spec';
import { useApp } from '../app/context';
import { checkValue } from '../document/params';

const isMeanStd = (v: unknown): v is MeanStd =>
  typeof v === 'object' && v !== null && 'mean' in v && 'std' in v && checkValue('mean_std|null', v) === null;

/** The values offered: the dataset's usual ones, and 0.5/0.5 (pixels to [-1, 1]). */
function offers(name: string | undefined): { label: string; value: MeanStd }[] {
  const info = DATASETS[name as DatasetName] ?? null;
  const half = { label: '0.5, 0.5: pixels to [-1, 1]', value: { mean: 0.5, std: 0.5 } };
  if (!info) return [half];
  const { mean, std } = info.normalize;
  return [{ label: `${mean}, ${std}: the usual values of ${info.name}`, value: info.normalize }, half];
}

/** The editor: a select (none or Normalize), then mean and std with the offered values. */
export function NormalizeField(props: {
  value: unknown;
  onChange: (v: unknown) => void;
  onReset: () => void;
}): React.JSX.Element {
  const name = useApp((s) => {
    const id = s.ui.selection.nodes[0];
    const v = s.doc.nodes.find((n) => n.id === id)?.params.name;
    return typeof v === 'string' ? v : 'digits';
  });
  const set = isMeanStd(props.value) ? props.value : null;
  const choices = offers(name);
  const [text, setText] = useState({ mean: '', std: '' });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(set ? { mean: String(set.mean), std: String(set.std) } : { mean: '', std: '' });
    setError(null);
  }, [set?.mean, set?.std]);
  const commit = (next: { mean: string; std: string }): void => {
    const v = { mean: Number(next.mean), std: Number(next.std) };
    const numbers = next.mean.trim() !== '' && next.std.trim() !== '' && [v.mean, v.std].every(Number.isFinite);
    const m = numbers ? checkValue('mean_std|null', v) : 'mean and std are numbers (std positive)';
    setError(m);
    if (!m && (v.mean !== set?.mean || v.std !== set?.std)) props.onChange(v);
  };
  const box = (key: 'mean' | 'std') => (
    <label className="normalize-box">
      {key}{' '}
      <input
        type="text"
        inputMode="decimal"
        data-testid={`normalize-${key}`}
        value={text[key]}
        onChange={(e) => setText({ ...text, [key]: e.target.value })}
        onBlur={() => commit(text)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit(text);
        }}
      />
    </label>
  );
  return (
    <div className="normalize-field" data-testid="normalize-field">
      <select
        data-testid="normalize-kind"
        value={set ? 'normalize' : 'none'}
        onChange={(e) => (e.target.value === 'none' ? props.onReset() : props.onChange(choices[0]!.value))}
      >
        <option value="none">none: pixels in [0, 1] (ToTensor)</option>
        <option value="normalize">Normalize(mean, std)</option>
      </select>
      {set && (
        <>
          <div className="row">
            {box('mean')}
            {box('std')}
          </div>
          {error && (
            <div className="field-error" data-testid="param-error">
              {error}
            </div>
          )}
          <div className="normalize-offers">
            {choices.map((c) => (
              <button
                key={c.label}
                className="link"
                data-testid="normalize-offer"
                disabled={c.value.mean === set.mean && c.value.std === set.std}
                onClick={() => props.onChange(c.value)}
              >
                {c.label}
              </button>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
