/**
 * A tensor's autograd badges on its node: leaf or not, requires_grad, grad_fn,
 * .grad and storage. A node with several outputs (a Dataset's `images` and
 * `labels`, reported as `<id>.images`, `<id>.labels`) shows one row per output,
 * named, with its dtype.
 */
import { useApp } from '../app/context';
import type { OutputSpec } from '../../engine/protocol/op-spec';
import { flagsOf, type NodeFlags } from '../state/engine-state';
import { BADGE_HELP } from '../ui/glossary';

/** The badges of one tensor; `output` names it on a node with several outputs (and adds its dtype). */
export function Flags({ f, output }: { f: NodeFlags | null; output?: string }): React.JSX.Element | null {
  if (!f) return null;
  return (
    <div className="node-flags" data-output={output}>
      {output && <span className="flags-output">{output}</span>}
      <span
        className={`badge ${f.leaf ? 'badge-leaf' : 'badge-nonleaf'}`}
        data-badge="leaf"
        title={f.leaf ? BADGE_HELP.leaf : BADGE_HELP.nonleaf}
      >
        {f.leaf ? 'leaf' : 'non-leaf'}
      </span>
      <span
        className={`badge ${f.requiresGrad ? 'badge-rg' : 'badge-norg'}`}
        data-badge="requires_grad"
        title={f.requiresGrad ? BADGE_HELP.requiresGrad : BADGE_HELP.noGrad}
      >
        {f.requiresGrad ? 'requires_grad' : 'no grad'}
      </span>
      {output && f.dtype && (
        <span className="badge badge-dtype" data-badge="dtype" title={`dtype torch.${f.dtype}`}>
          {f.dtype}
        </span>
      )}
      {f.gradFn && (
        <span className="badge badge-gradfn" data-badge="grad_fn" title={BADGE_HELP.gradFn(f.gradFn)}>
          {f.gradFn}
        </span>
      )}
      {f.hasGrad && (
        <span className="badge badge-grad" data-testid="grad-badge" data-badge="grad" title={BADGE_HELP.grad}>
          .grad
        </span>
      )}
      {f.storage !== null && f.storage >= 0 && (
        <span className="badge badge-storage" data-badge="storage" title={BADGE_HELP.storage(f.storage)}>
          storage #{f.storage}
        </span>
      )}
    </div>
  );
}

function OutputFlags({ tensor, output }: { tensor: string; output: string }): React.JSX.Element | null {
  const f = useApp((s) => flagsOf(s.engine, tensor));
  return <Flags f={f} output={output} />;
}

/** The badges of node `id`: its own, or one named row per output when it has several. */
export function NodeFlagRows({
  id,
  outputs,
  flags,
}: {
  id: string;
  outputs: readonly OutputSpec[] | undefined;
  flags: NodeFlags | null;
}): React.JSX.Element | null {
  if (!outputs || outputs.length < 2) return <Flags f={flags} />;
  return (
    <>
      {outputs.map((o) => (
        <OutputFlags key={o.name} tensor={`${id}.${o.name}`} output={o.name} />
      ))}
    </>
  );
}
