/**
 * `run.optimizer` in an exported script: `opt = torch.optim.SGD([...], lr=...)`
 * before the loop, `opt.zero_grad(set_to_none=True)` and `opt.step()` in it, and
 * the bookkeeping that adds `opt.state` to the printed result (as
 * build/torch/optimizer.py does for the PyTorch runner).
 */
import { optimizerParamNames } from '../graph/optimizer';
import type { OptimizerSpec } from '../graph/document';
import { pyNumber } from './literals';
import type { ExportPlan } from './plan';

/** torch.optim's defaults: an argument equal to its default is left out. */
const DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  SGD: { momentum: 0, dampening: 0, weight_decay: 0, nesterov: false },
  Adam: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0, amsgrad: false },
  AdamW: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false },
};

/** An argument's value: a bool, a tuple of numbers or a number. */
function py(v: unknown): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (Array.isArray(v)) return `(${v.map(py).join(', ')})`;
  return pyNumber(Number(v));
}

/** The constructor's arguments by name (the spec without kind and params). */
function argsOf({ kind: _kind, params: _params, ...args }: OptimizerSpec): Readonly<Record<string, unknown>> {
  return args;
}

/** The constructor's keyword arguments that differ from torch.optim's defaults (SGD's lr always). */
function keywords(spec: OptimizerSpec): string[] {
  const defaults = DEFAULTS[spec.kind]!;
  const fields = spec.kind === 'SGD' ? ['lr', ...Object.keys(defaults)] : Object.keys(defaults);
  const args = argsOf(spec);
  const out: string[] = [];
  for (const f of fields) {
    const v = args[f];
    if (f in defaults && JSON.stringify(v) === JSON.stringify(defaults[f])) continue;
    out.push(`${f}=${py(v)}`);
  }
  return out;
}

/** A parameter name as the script spells it: `model.fc.weight`, or a Tensor node's variable. */
function expression(plan: ExportPlan, name: string): string {
  const [id = '', which] = name.split('.');
  return which ? `model.${plan.names.attr(id)}.${which}` : plan.names.v(id);
}

/** Every owned parameter, weight before bias, in document order: then `model.parameters()` says the same. */
function allOwned(plan: ExportPlan): string[] {
  return plan.layers.flatMap((l) => plan.owned.get(l.id)!.map((w) => `${l.id}.${w}`));
}

/** `opt = torch.optim.<kind>(params, ...)`, before the loop (nothing without run.optimizer). */
export function optimizerLines(plan: ExportPlan): string[] {
  const spec = plan.doc.run.optimizer;
  if (!spec) return [];
  const names = optimizerParamNames(plan);
  const owned = allOwned(plan);
  // model.parameters() lists every parameter of the layers, a wired one's unused weight too.
  const whole = plan.layers.every((l) => {
    const { weight, bias } = l.impl.layer!.shapes;
    return plan.owned.get(l.id)!.length === (weight ? 1 : 0) + (bias ? 1 : 0);
  });
  let params: string;
  if (whole && owned.length > 0 && owned.every((n, i) => names[i] === n)) {
    const rest = names.slice(owned.length).map((n) => expression(plan, n));
    params = rest.length === 0 ? 'model.parameters()' : `[*model.parameters(), ${rest.join(', ')}]`;
  } else params = `[${names.map((n) => expression(plan, n)).join(', ')}]`;
  const args = [params, ...keywords(spec)].join(', ');
  return [`    opt = torch.optim.${spec.kind}(${args})`];
}

/**
 * The loop's zero_grad with an optimizer: `opt.zero_grad(set_to_none=True)`, then
 * what it does not cover (a layer or Tensor node outside `params`, a Tensor node
 * that feedback gives a new tensor). Null without run.optimizer.
 */
export function zeroGradLines(plan: ExportPlan): string[] | null {
  if (!plan.doc.run.optimizer) return null;
  const names = new Set(optimizerParamNames(plan));
  const lines = ['opt.zero_grad(set_to_none=True)'];
  if (!allOwned(plan).every((n) => names.has(n))) lines.push('model.zero_grad(set_to_none=True)');
  for (const leaf of plan.leaves) {
    if (leaf.impl.leaf!.requiresGrad && (!names.has(leaf.id) || plan.fed.has(leaf.id)))
      lines.push(`${plan.names.v(leaf.id)}.grad = None`);
  }
  return lines;
}

/** Bookkeeping that adds `opt.state` to the printed result (before the script's `if __name__` line). */
export const OPTIMIZER_RECORDER = String.raw`
def optimizer_state(opt, leaves):
    """The result's "optimizer": kind, params and optimizer.state by parameter name."""
    params = opt.param_groups[0]["params"]
    names = [leaves[id(p)][1] for p in params]
    state = {}
    for name, p in zip(names, params):
        if p in opt.state:
            state[name] = {k: None if v is None else v.item() if v.dim() == 0 else {
                "shape": list(v.shape), "data": v.detach().cpu().reshape(-1).tolist()}
                for k, v in opt.state[p].items()}
    return {"kind": type(opt).__name__, "params": names, "state": state}


def with_optimizer(result_of):
    """Recorder.result, plus main()'s optimizer opt."""
    def result(self, error):
        out = result_of(self, error)
        opt = self.scopes.get("main", {}).get("opt")
        if opt is not None:
            out["optimizer"] = optimizer_state(opt, self.leaves)
        return out
    return result


Recorder.result = with_optimizer(Recorder.result)
`;
