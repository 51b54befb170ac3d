/**
 * The inspector: the selected node's id, label, retain_grad and params with
 * PyTorch's names, defaults and validation; with nothing selected, the
 * document's name and run settings.
 */
import { useEffect, useState } from 'react';
import { useApp, useServices } from '../app/context';
import { InferHint } from '../canvas/InferHint';
import { specOf } from '../document/graph';
import { ImageTools } from '../images/ImageTools';
import type { OutputSpec } from '../../engine/protocol/op-spec';
import { flagsOf, type NodeFlags } from '../state/engine-state';
import { BADGE_HELP } from './glossary';
import { BufferState } from './BufferState';
import { FedNote } from './FedNote';
import { OptimizerState } from './OptimizerState';
import { InitEditor } from './InitEditor';
import { ParamField } from './ParamField';
import { RunSettings } from './RunSettings';

function IdField({ id }: { id: string }): React.JSX.Element {
  const { studio } = useServices();
  const [text, setText] = useState(id);
  useEffect(() => setText(id), [id]);
  const commit = (): void => {
    if (text !== id && !studio.dispatch({ type: 'renameNode', from: id, to: text }, `Rename ${id} → ${text}`))
      setText(id);
    else if (text !== id) studio.select([text]);
  };
  return (
    <input
      aria-label="id"
      type="text"
      value={text}
      data-testid="inspector-id"
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
    />
  );
}

/** A tensor's shape and autograd flags, as PyTorch prints them. */
function AutogradFacts({ flags, output }: { flags: NodeFlags; output?: string }): React.JSX.Element {
  return (
    <dl className="autograd-facts" data-output={output}>
      <dt>shape</dt>
      <dd>{flags.shape ? `[${flags.shape.join(', ')}]` : '?'}</dd>
      {output && flags.dtype && (
        <>
          <dt>dtype</dt>
          <dd>torch.{flags.dtype}</dd>
        </>
      )}
      <dt>is_leaf</dt>
      <dd>{flags.leaf ? 'True' : 'False'}</dd>
      <dt>requires_grad</dt>
      <dd>{flags.requiresGrad ? 'True' : 'False'}</dd>
      <dt>grad_fn</dt>
      <dd>{flags.gradFn ?? 'None'}</dd>
      <dt>.grad</dt>
      <dd>{flags.hasGrad ? 'populated' : 'None'}</dd>
      {flags.storage !== null && flags.storage >= 0 && (
        <>
          <dt>storage</dt>
          <dd data-testid="inspector-storage">#{flags.storage}</dd>
        </>
      )}
      {flags.version !== null && (
        <>
          <dt>_version</dt>
          <dd data-testid="inspector-version" title={BADGE_HELP.version(flags.version)}>
            {flags.version}
            {flags.version > 0 && <span className="muted"> (changed in place)</span>}
          </dd>
        </>
      )}
    </dl>
  );
}

/** The facts of each output of a node with several (a Dataset's `<id>.images`, `<id>.labels`). */
function OutputFacts({ id, outputs }: { id: string; outputs: readonly OutputSpec[] }): React.JSX.Element {
  const engine = useApp((s) => s.engine);
  return (
    <>
      {outputs.map((o) => {
        const f = flagsOf(engine, `${id}.${o.name}`);
        return (
          f && (
            <div key={o.name}>
              <h4 className="output-facts">{o.name}</h4>
              <AutogradFacts flags={f} output={o.name} />
            </div>
          )
        );
      })}
    </>
  );
}

/** The inspector panel. */
export function Inspector(): React.JSX.Element {
  const { studio } = useServices();
  const selected = useApp((s) => (s.ui.selection.nodes.length === 1 ? s.ui.selection.nodes[0]! : null));
  const count = useApp((s) => s.ui.selection.nodes.length);
  const node = useApp((s) => s.doc.nodes.find((n) => n.id === selected) ?? null);
  const flags = useApp((s) => (selected ? flagsOf(s.engine, selected) : null));
  if (!node) {
    return (
      <section className="inspector" data-testid="inspector">
        {count > 1 ? (
          <p className="muted">{count} nodes selected. Ctrl+D duplicates, Delete removes them (one undo step).</p>
        ) : (
          <RunSettings />
        )}
      </section>
    );
  }
  const spec = specOf(node);
  return (
    <section className="inspector" data-testid="inspector">
      <header>
        <h2>{node.op}</h2>
        {spec && <code>{spec.torch}</code>}
        {spec && <p className="muted">{spec.doc}</p>}
      </header>
      <div className="param-field">
        <label>
          <span className="param-name">id</span>
        </label>
        <IdField id={node.id} />
      </div>
      <div className="param-field">
        <label>
          <span className="param-name">label</span>
        </label>
        <input
          aria-label="label"
          type="text"
          value={node.label ?? ''}
          placeholder={node.id}
          onChange={(e) =>
            studio.dispatch(
              { type: 'setNodeProps', id: node.id, label: e.target.value || null },
              'Edit label',
              `label:${node.id}`,
            )
          }
        />
      </div>
      {node.op !== 'Tensor' && (
        <div className="param-field">
          <label title="keep .grad on this non-leaf (tensor.retain_grad())">
            <input
              type="checkbox"
              checked={node.retain_grad === true}
              onChange={(e) =>
                studio.dispatch(
                  { type: 'setNodeProps', id: node.id, retain_grad: e.target.checked || null },
                  'Toggle retain_grad',
                )
              }
            />
            <span className="param-name"> retain_grad</span>
          </label>
        </div>
      )}
      {spec?.params.map((p) => {
        const props = {
          spec: p,
          value: node.params[p.name],
          onChange: (v: unknown): void => {
            // a typed value is the user's: connecting an input no longer fills it in (InferHint offers the inferred one)
            studio.typed.add(`${node.id}:${p.name}`);
            studio.dispatch(
              { type: 'setParams', id: node.id, set: { [p.name]: v }, unset: [] },
              `Set ${node.id}.${p.name}`,
              `param:${node.id}:${p.name}`,
            );
          },
          onReset: (): void =>
            void studio.dispatch(
              { type: 'setParams', id: node.id, set: {}, unset: [p.name] },
              `Reset ${node.id}.${p.name}`,
            ),
        };
        const shape = node.params.shape;
        return p.kind === 'init' && Array.isArray(shape) ? (
          <InitEditor key={`${node.id}.${p.name}`} {...props} shape={shape as number[]} />
        ) : (
          <ParamField key={`${node.id}.${p.name}`} {...props} />
        );
      })}
      <ImageTools node={node} />
      <InferHint id={node.id} />
      <FedNote id={node.id} />
      {flags && <AutogradFacts flags={flags} />}
      {!flags && spec && spec.outputs.length > 1 && <OutputFacts id={node.id} outputs={spec.outputs} />}
      <BufferState id={node.id} />
      <OptimizerState id={node.id} />
    </section>
  );
}
