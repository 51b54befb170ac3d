/**
 * What the graph layer adds to an op module when it runs a node: a layer's
 * owned parameters, made once at setup and handed to the op as its `weight` and
 * `bias` inputs. Everything else about an op is in its module (engine/ops/).
 */
import { internalError, runtimeError } from '../core/errors';
import { formatShape, numel } from '../core/shape';
import type { Tensor } from '../tensor/tensor';
import type { BufferSpec } from '../ops/define';
import type { GraphNode } from './document';
import { defaultParam, makeTensor } from './init';

/** A layer node's owned parameters (null where a wire replaces one, or for bias=False) and buffers by name. */
export interface Owned<T> {
  readonly weight: T | null;
  readonly bias: T | null;
  /** BatchNorm2d's running statistics (See Note [BatchNorm2d buffers]); absent or empty for other layers. */
  readonly buffers?: ReadonlyMap<string, T>;
}

/** Creates a layer node's parameters (iteration 0's setup), after the module constructor's checks. */
export function createParams(node: GraphNode, wired: ReadonlyMap<string, string> = new Map()): Owned<Tensor> {
  const layer = node.impl.layer;
  if (!layer) throw internalError(`${node.op} owns no parameters`);
  layer.check();
  const { shapes, init } = layer;
  const make = (which: 'weight' | 'bias', shape: readonly number[]) => {
    const spec = init[which];
    if (spec && spec.kind === 'values' && spec.data.length !== numel(shape)) {
      throw runtimeError(
        `init.${which} of ${node.id} has ${spec.data.length} values, but ${node.id}.${which} has shape ${formatShape(shape)}`,
      );
    }
    const t = spec ? makeTensor(spec, shape, 'float32') : defaultParam(`${node.id}.${which}`, shape, shapes.fanIn);
    t.name = `${node.id}.${which}`;
    if (layer.requiresGrad) t.setRequiresGrad(true);
    return t;
  };
  return {
    weight: shapes.weight && !wired.has('weight') ? make('weight', shapes.weight) : null,
    bias: shapes.bias && !wired.has('bias') ? make('bias', shapes.bias) : null,
    buffers: createBuffers(node.id, layer.buffers ?? []),
  };
}

/** A layer's buffers, named `<id>.<buffer>`: they never require grad. */
function createBuffers(id: string, specs: readonly BufferSpec[]): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const b of specs) {
    const t = makeTensor(b.init, b.shape, b.dtype);
    t.name = `${id}.${b.name}`;
    out.set(b.name, t);
  }
  return out;
}

/** A node's inputs with its owned parameters added as `weight` and `bias` (See Note [An op is one folder]). */
export function withOwned<T>(inputs: ReadonlyMap<string, T>, owned: Owned<T> | null | undefined): Map<string, T> {
  const all = new Map(inputs);
  if (owned?.weight && !all.has('weight')) all.set('weight', owned.weight);
  if (owned?.bias && !all.has('bias')) all.set('bias', owned.bias);
  for (const [name, t] of owned?.buffers ?? []) all.set(name, t);
  return all;
}
