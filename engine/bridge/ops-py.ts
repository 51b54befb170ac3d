/**
 * The PyTorch of each graph op comes from its module (`python` in
 * engine/ops/<op>/op.ts), written as a person writes it: layers through their
 * modules (`self.conv(x)`), the rest with `F.*`, tensor methods and operators,
 * each call matching build/torch/runner.py's (same aten ops, so the same
 * grad_fns, values and error messages). This file hands the modules the
 * bridge's literals and names.
 */
import type { PyCode, PyContext, PyLiterals } from '../ops/index';
import type { GraphNode } from '../graph/document';
import { pyFloat, pyNumber, pyPair, pyStr, pyTuple } from './literals';

/** Variables of a node's wired inputs, by port. */
export type PortVars = ReadonlyMap<string, string>;

const LITERALS: PyLiterals = { pair: pyPair, str: pyStr, float: pyFloat, number: pyNumber, tuple: pyTuple };

/** `nn.Conv2d(...)` / `nn.Linear(...)` for a layer node, with PyTorch's defaults left out. */
export function layerConstructor(node: GraphNode): string {
  if (!node.impl.layer) throw new Error(`exportPython: ${node.op} is not a layer`);
  return node.impl.layer.module(LITERALS);
}

/**
 * The code computing `node`'s output from its inputs' variables. `layer` is the
 * module expression of a layer node (`self.conv`); `sourceOf` gives the node id
 * wired to a port. Tensor nodes are written by the caller.
 */
export function opCode(
  node: GraphNode,
  x: PortVars,
  layer: string,
  sourceOf: (port: string) => string,
  run: Pick<PyContext, 'iterations' | 'mode' | 'inputNumel'>,
): PyCode {
  return node.impl.python({ ...LITERALS, ...run, id: node.id, layer, sourceOf }, x);
}
