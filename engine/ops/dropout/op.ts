import { checkDropoutP, dropout, dropoutKeep } from '../../nn/dropout';
import type { ParamsOf } from '../../protocol/op-spec';
import { defineOp, derived, port, pyCall, shapeOf, type Ports, type PyCode, type PyContext } from '../define';
import { DROPOUT } from './spec';

type P = ParamsOf<(typeof DROPOUT)['params']>;

/** The exporter's helper for Dropout in train mode: the masks the engine drew, one per forward call. */
const DROPOUT_HELPER = `DROPOUT_MASKS = {}  # Dropout node -> the masks the engine drew, one per iteration ("1": kept)


def dropout(x, p, masks, inplace=False):
    """Dropout in training mode with the next of the engine's masks: x * noise with
    noise = mask / (1 - p), as ATen's _dropout_impl computes it (MulBackward0).
    (No F-dot in this text: the exporter imports torch.nn.functional only when used.)"""
    noise = torch.tensor([float(c) for c in masks.pop(0)]).reshape(x.shape).to(x.dtype)
    noise.div_(1 - p)
    return x.mul_(noise) if inplace else x * noise`;

/** `DROPOUT_MASKS["d"] = [...]`: iteration k's mask as a string of 0s and 1s. See Note [Dropout masks]. */
function maskLines(py: PyContext, p: P): string {
  const n = py.inputNumel('input');
  const rows: string[] = [];
  for (let k = 0; k < py.iterations; k++) rows.push(`    "${Array.from(dropoutKeep(p.seed, k, n, p.p)).join('')}",`);
  return [`DROPOUT_MASKS[${py.str(py.id)}] = [`, ...rows, ']'].join('\n');
}

/** The Python of a Dropout node: the engine's masks in train mode with 0 < p < 1, else F.dropout as is. */
function python(py: PyContext, x: Ports<string>, p: P): PyCode {
  const input = port(x, 'input');
  if (py.mode === 'eval') return pyCall('F.dropout', input, py.float(p.p), 'training=False');
  if (p.p <= 0 || p.p >= 1) return pyCall('F.dropout', input, py.float(p.p), p.inplace ? 'inplace=True' : null);
  const call = pyCall(
    'dropout',
    input,
    py.float(p.p),
    `DROPOUT_MASKS[${py.str(py.id)}]`,
    p.inplace ? 'inplace=True' : null,
  );
  return { lines: [], expr: call, defs: [DROPOUT_HELPER, maskLines(py, p)] };
}

export const dropoutOp = defineOp(DROPOUT, {
  readsMode: true,
  infer: (ins, p, mode) => {
    checkDropoutP(p.p);
    const x = port(ins, 'input');
    // p == 0 and eval mode return x itself (its flags, no grad_fn of its own), as `dropout` does
    if (p.p === 0 || mode === 'eval' || x.shape?.includes(0)) return x;
    return derived(shapeOf(x), x.dtype ?? 'float32', [x]);
  },
  execute: (ctx, ins, p) => dropout(port(ins, 'input'), p.p, ctx.mode === 'train', p.inplace, p.seed, ctx.iteration),
  python,
});
