/**
 * A graph node on the canvas (a compact face of fixed width, styles.css): op
 * and id, labelled ports, the output shape, the params that differ from
 * PyTorch's defaults,
 * autograd flags (leaf, requires_grad, grad_fn, .grad), owned parameters as
 * leaves, storage sharing for Detach/Clone, and problems outlined in red.
 */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { memo } from 'react';
import { useApp, useServices } from '../app/context';
import { specOf } from '../document/graph';
import { shownParams } from '../document/params';
import { flagsOf } from '../state/engine-state';
import { isInPlace, versionError, writtenBy } from '../state/inplace';
import { NodePicture } from '../images/NodePicture';
import { FeedbackPort } from './FeedbackPort';
import { NodeFlagRows } from './Flags';
import { fmt } from '../viz/scales';
import { InferHint } from './InferHint';
import { ModeMark } from './ModeMark';
import type { OpFlowNode } from './types';
import { own } from '../../engine/protocol/dict';

export type { OpFlowNode, OpNodeData } from './types';

const shapeText = (s: readonly number[] | null | undefined): string => (s ? `[${s.join(', ')}]` : '?');
const bool = (v: boolean | undefined): 'true' | 'false' => (v ? 'true' : 'false');

/** Two overlapping sheets: a copy (an SVG, since no glyph for it is in every system font). */
function CopyIcon(): React.JSX.Element {
  return (
    <svg className="icon" width="11" height="11" viewBox="0 0 11 11" aria-hidden="true">
      <rect x="0.5" y="0.5" width="7" height="7" rx="1" fill="none" stroke="currentColor" />
      <rect x="3.5" y="3.5" width="7" height="7" rx="1" fill="currentColor" opacity="0.35" stroke="currentColor" />
    </svg>
  );
}

/** In-place writes into this node's storage, and the version-counter error's two ends. */
function InPlaceMarks({ id, storage }: { id: string; storage: number | null }): React.JSX.Element | null {
  const inPlace = useApp((s) => isInPlace(s.doc, id));
  const writers = useApp((s) => writtenBy(s.doc, s.engine, id).join(', '));
  const change = useApp((s) => {
    const was = own(s.engine.overwritten, id);
    const now = own(s.engine.tensors, id)?.stats;
    return was && now ? `min ${fmt(was.min)} → ${fmt(now.min)}, max ${fmt(was.max)} → ${fmt(now.max)}` : '';
  });
  const ve = useApp((s) => {
    const v = versionError(s.doc, s.engine);
    return v && (v.saved === id || v.modifier === id) ? `${v.saved}\u0000${v.modifier}` : '';
  });
  const [saved, modifier] = ve.split('\u0000');
  return (
    <>
      {inPlace && storage !== null && (
        <div
          className="storage-mark storage-inplace"
          data-testid="inplace-write"
          title="inplace=True: the op writes its result over its input (relu_(), leaky_relu_())"
        >
          writes in place into storage #{storage}
        </div>
      )}
      {writers && (
        <div
          className="storage-mark storage-changed"
          data-testid="storage-changed"
          data-by={writers}
          title="an in-place op wrote into this tensor's storage after it was computed"
        >
          changed in place by {writers}
          {change && (
            <div className="storage-change" data-testid="storage-change">
              {change}
            </div>
          )}
        </div>
      )}
      {ve && saved === id && (
        <div className="node-error" data-testid="saved-modified">
          saved for backward, then changed in place by “{modifier}”
        </div>
      )}
      {ve && modifier === id && (
        <div className="node-error" data-testid="modified-saved">
          changed “{saved}” in place after autograd saved it
        </div>
      )}
    </>
  );
}

function ParamChip({ name, owner }: { name: string; owner: string }): React.JSX.Element {
  const { studio } = useServices();
  const f = useApp((s) => flagsOf(s.engine, `${owner}.${name}`));
  return (
    <button
      className="param-chip nodrag"
      data-param={`${owner}.${name}`}
      data-leaf={bool(f?.leaf ?? true)}
      data-has-grad={bool(f?.hasGrad)}
      title={`${owner}.${name}: a leaf parameter of this node${f?.hasGrad ? ' (.grad populated)' : ''}`}
      onClick={(e) => {
        e.stopPropagation();
        studio.setUi({ tensor: `${owner}.${name}` });
      }}
    >
      <span className="param-chip-name">{name}</span> {shapeText(f?.shape)}{' '}
      <span className="badge badge-leaf">leaf</span>
      {f?.hasGrad && <span className="badge badge-grad">.grad</span>}
    </button>
  );
}

/** The ops whose output shares its input's storage, and why (in PyTorch's words). */
const SHARES_STORAGE: Readonly<Record<string, string>> = {
  Detach: 'detach() returns a tensor that shares storage with its input',
  Transpose: 'transpose() returns a view: the same storage read with two strides swapped',
  Permute: 'permute() returns a view: the same storage read with the strides reordered',
};

/**
 * One output handle with its shape: `out`, or each output of an op with several
 * (a Dataset's `images` and `labels`, reported as `<id>.images`, `<id>.labels`).
 */
function OutputPort({ name, tensor }: { name: string; tensor: string }): React.JSX.Element {
  const flags = useApp((s) => flagsOf(s.engine, tensor));
  return (
    <div
      className="port port-out"
      data-testid={`output-${name}`}
      title={`${name}: ${shapeText(flags?.shape)} ${flags?.dtype ?? ''}`}
    >
      <span className="port-type">{shapeText(flags?.shape)}</span>
      <span>{name}</span>
      <Handle type="source" position={Position.Right} id={name} className="handle-out" />
    </div>
  );
}

function OpNodeImpl({ id, data, selected }: NodeProps<OpFlowNode>): React.JSX.Element | null {
  const node = useApp((s) => s.doc.nodes.find((n) => n.id === id));
  const flags = useApp((s) => flagsOf(s.engine, id));
  const active = useApp((s) => s.engine.active === id);
  const inputOf = useApp((s) => s.doc.edges.find((e) => e.target === id && e.targetHandle === 'input')?.source ?? null);
  const inputStorage = useApp((s) => (inputOf ? (own(s.engine.tensors, inputOf)?.storage ?? null) : null));
  const related = useApp((s) => versionError(s.doc, s.engine)?.modifier === id);
  const savedModified = useApp((s) => versionError(s.doc, s.engine)?.saved === id);
  if (!node) return null;
  const storage = flags?.storage != null && flags.storage >= 0 ? flags.storage : null;
  const spec = specOf(node);
  const { errors, warnings } = data.problems;
  const shown = shownParams(spec, node.params);
  const hasOwnParams =
    node.op === 'Conv2d' || node.op === 'Linear' || (node.op === 'BatchNorm2d' && node.params.affine !== false);
  const classes = [
    'op-node',
    `cat-${spec?.category ?? 'unknown'}`,
    errors.length || savedModified ? 'has-error' : '',
    related ? 'has-error-related' : '',
    warnings.length ? 'has-warning' : '',
    active ? 'is-active' : '',
    selected ? 'is-selected' : '',
  ];
  return (
    <div
      className={classes.filter(Boolean).join(' ')}
      data-testid={`node-${id}`}
      data-leaf={bool(flags?.leaf)}
      data-requires-grad={bool(flags?.requiresGrad)}
      data-has-grad={bool(flags?.hasGrad)}
      data-active={bool(active)}
      data-error={bool(errors.length > 0 || savedModified)}
      data-error-related={bool(related)}
      data-grad-fn={flags?.gradFn ?? ''}
      data-storage={storage ?? ''}
    >
      <div
        className="op-node-head"
        data-testid="node-title"
        title={`${node.op} “${id}”${node.label ? ` (${node.label})` : ''}`}
      >
        <span className="op-node-op">{node.op}</span>
        <span className="op-node-id">{node.label ?? id}</span>
      </div>
      <div className="op-node-body">
        <div className="op-node-ports">
          {(spec?.ports ?? []).map((p) => (
            <div
              key={p.name}
              className={`port port-in ${p.optional ? 'optional' : ''}`}
              title={`${p.name}: ${p.doc}${p.optional ? ' (optional)' : ''}`}
            >
              <Handle type="target" position={Position.Left} id={p.name} className="handle-in" />
              <span>{p.name}</span>
              <span className="port-type">Tensor</span>
            </div>
          ))}
          {node.op === 'Tensor' && <FeedbackPort id={id} />}
          {(spec?.outputs ?? [{ name: 'out', doc: '' }]).map((o, _, all) => (
            <OutputPort key={o.name} name={o.name} tensor={all.length === 1 ? id : `${id}.${o.name}`} />
          ))}
        </div>
        {shown.length > 0 && (
          <div className="op-node-params">
            {shown.map(([name, text]) => (
              <div key={name} data-param={name}>
                {name}=<b>{text}</b>
              </div>
            ))}
          </div>
        )}
        <NodeFlagRows id={id} outputs={spec?.outputs} flags={flags} />
        <NodePicture id={id} />
        {hasOwnParams && (
          <div className="op-node-owned">
            <ParamChip name="weight" owner={id} />
            {node.params.bias !== false && <ParamChip name="bias" owner={id} />}
          </div>
        )}
        {SHARES_STORAGE[node.op] && (
          <div className="storage-mark storage-shared" data-storage="shared" title={SHARES_STORAGE[node.op]}>
            ⇄ shares storage with {inputOf ?? 'its input'}
            {flags?.storage != null &&
              inputStorage != null &&
              flags.storage >= 0 &&
              ` (#${flags.storage}${flags.storage === inputStorage ? ' = ' : ' ≠ '}#${inputStorage})`}
          </div>
        )}
        {node.op === 'Clone' && (
          <div
            className="storage-mark storage-copy"
            data-storage="copy"
            title="clone() copies into new storage and stays in the graph"
          >
            <CopyIcon /> copy (new storage
            {storage !== null && inputStorage !== null && inputStorage >= 0 ? ` #${storage} ≠ #${inputStorage}` : ''})
          </div>
        )}
        <ModeMark node={node} />
        <InPlaceMarks id={id} storage={storage} />
        {node.retain_grad && <div className="storage-mark">retain_grad()</div>}
        <InferHint id={id} />
        {errors.map((m, i) => (
          <div key={`e${i}`} className="node-error" data-testid="node-error">
            {m}
          </div>
        ))}
        {warnings.map((m, i) => (
          <div key={`w${i}`} className="node-warning" data-testid="node-warning">
            ⚠ {m}
          </div>
        ))}
      </div>
    </div>
  );
}

/** The node component registered as type `op`. */
export const OpNode = memo(OpNodeImpl);
