import { classifyError } from '../core/errors';
import type { PortMeta } from '../ops/define';
import { outputName, outputNames } from '../protocol/op-spec';
import type { CompiledGraph } from './compile';
import type { GraphNode } from './document';
import { withOwned, type Owned } from './ops';

export type { PortMeta } from '../ops/define';

/** Shapes of every node output and parameter, and the problems found on the way. */
export interface ShapeReport {
  readonly ports: Map<string, PortMeta>;
  readonly problems: Map<string, string>;
}

const UNKNOWN: PortMeta = { shape: null, dtype: null, requiresGrad: false, isLeaf: true };

/**
 * Infers the shape, dtype and requires_grad of every port of the first
 * iteration without computing anything, so the canvas can show shapes and mark
 * leaves as the graph is edited. Each op infers with its own module
 * (`BoundOp.infer`), which runs the same checks as its execution on shapes
 * alone, so a problem is the message the run would raise. A node whose shape
 * cannot be inferred gets a problem message and an unknown output; nodes after
 * it are unknown too.
 */
export function inferShapes(g: CompiledGraph): ShapeReport {
  const ports = new Map<string, PortMeta>();
  const problems = new Map<string, string>();
  for (const n of [...g.forward, ...g.update]) {
    const ins = new Map<string, PortMeta>();
    for (const [port, src] of g.inputs.get(n.id)!) ins.set(port, ports.get(src) ?? UNKNOWN);
    const unknown = () => {
      for (const name of outputNames(n.id, n.impl.spec)) ports.set(name, UNKNOWN);
    };
    if (n.impl.spec.ports.some((p) => !p.optional && !ins.has(p.name))) {
      unknown(); // still being wired (partial documents)
      continue;
    }
    try {
      const all = withOwned(ins, ownedMeta(n, ins, ports));
      if ([...all.values()].some((i) => i.shape === null)) unknown();
      else
        for (const [out, m] of n.impl.inferOutputs(all, g.doc.run.mode))
          ports.set(outputName(n.id, n.impl.spec, out), m);
    } catch (e) {
      const c = classifyError(e); // an engine bug says so (InternalError), a PyTorch error is PyTorch's text
      problems.set(n.id, c.type === 'InternalError' ? `InternalError: ${c.message}` : c.message);
      unknown();
    }
  }
  return { ports, problems };
}

/** A layer's owned parameters that no wire replaces (also reported as ports `<id>.weight`, `<id>.bias`). */
function ownedMeta(n: GraphNode, ins: Map<string, PortMeta>, ports: Map<string, PortMeta>): Owned<PortMeta> | null {
  const layer = n.impl.layer;
  if (!layer) return null;
  layer.check();
  const meta = (shape: readonly number[]): PortMeta => ({
    shape,
    dtype: 'float32',
    requiresGrad: layer.requiresGrad,
    isLeaf: true,
  });
  const weight = layer.shapes.weight && !ins.has('weight') ? meta(layer.shapes.weight) : null;
  const bias = layer.shapes.bias && !ins.has('bias') ? meta(layer.shapes.bias) : null;
  if (weight) ports.set(`${n.id}.weight`, weight);
  if (bias) ports.set(`${n.id}.bias`, bias);
  return { weight, bias };
}
