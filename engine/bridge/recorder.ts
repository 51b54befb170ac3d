/**
 * The helper section at the bottom of an exported script: the tables that name
 * each variable's graph node, and the recorder that turns a run of main() into
 * the graph format's result JSON (tensors, backward_steps, iterations_run,
 * error). It follows build/torch/runner.py: grad_fns are attributed to the node
 * that created them, and post-hooks on them (kept alive) record the backward pass.
 */
import { pyStr } from './literals';

/** The metadata tables the recorder reads, one Python assignment each. */
export interface RecorderTables {
  readonly leaves: readonly string[];
  readonly requiresGrad: readonly string[];
  readonly retainGrad: readonly string[];
  readonly layers: readonly (readonly [string, readonly string[]])[];
  readonly forward: readonly string[];
  readonly update: readonly string[];
  /** variable (or attribute) -> node id, where they differ. */
  readonly nodeIds: readonly (readonly [string, string])[];
  readonly backward: string | null;
  /** Python expressions of the traced functions with their phase. */
  readonly phases: readonly (readonly [string, string])[];
}

const list = (xs: readonly string[]) => `[${xs.map(pyStr).join(', ')}]`;

/** Writes a Python list, wrapped when long. */
function wrapList(name: string, xs: readonly string[], comment: string): string {
  const one = `${name} = ${list(xs)}  # ${comment}`;
  if (one.length <= 99) return one;
  const lines = [`${name} = [  # ${comment}`];
  let line = '';
  for (const x of xs) {
    const piece = `${pyStr(x)},`;
    if (line !== '' && 4 + line.length + 1 + piece.length > 99) {
      lines.push(`    ${line}`);
      line = piece;
    } else line = line === '' ? piece : `${line} ${piece}`;
  }
  if (line !== '') lines.push(`    ${line}`);
  return `${lines.join('\n')}\n]`;
}

function wrapDict(name: string, entries: readonly string[], comment: string): string {
  const one = `${name} = {${entries.join(', ')}}  # ${comment}`;
  if (one.length <= 99) return one;
  return `${name} = {  # ${comment}\n${entries.map((e) => `    ${e},`).join('\n')}\n}`;
}

/** The tables section. */
export function recorderTables(t: RecorderTables): string {
  return [
    wrapList('LEAVES', t.leaves, 'Tensor nodes, in document order'),
    wrapList('REQUIRES_GRAD', t.requiresGrad, 'Tensor nodes with requires_grad: true'),
    wrapList('RETAIN_GRAD', t.retainGrad, 'nodes with retain_grad: true'),
    wrapDict(
      'LAYERS',
      t.layers.map(([a, ps]) => `${pyStr(a)}: ${list(ps)}`),
      'Model attribute -> parameters it owns',
    ),
    wrapList('FORWARD', t.forward, 'forward phase, in run order'),
    wrapList('UPDATE', t.update, 'update phase, in run order'),
    wrapDict(
      'NODE_IDS',
      t.nodeIds.map(([v, id]) => `${pyStr(v)}: ${pyStr(id)}`),
      'variable -> graph node id, where they differ',
    ),
    `BACKWARD = ${t.backward === null ? 'None' : pyStr(t.backward)}  # the variable backward() is called on`,
    `PHASES = {${t.phases.map(([f, p]) => `${f}: ${pyStr(p)}`).join(', ')}}`,
  ].join('\n');
}

/** The recorder: fixed Python code, the same in every script. */
export const RECORDER = String.raw`
def node_id(var):
    return NODE_IDS.get(var, var)


def leaf_value(scope, var):
    """A Tensor node's value: a local of main(), or a module-level tensor no op uses."""
    return scope[var] if var in scope else globals().get(var)


class Recorder:
    """Follows main() and the functions in PHASES with sys.settrace."""

    def __init__(self):
        self.codes = {f.__code__: phase for f, phase in PHASES.items()}
        self.scopes = {}  # phase -> locals of its last frame, kept when it returns or raises
        self.main = None  # the frame of main()
        self.iteration = None  # the iteration whose setup is recorded
        self.outputs = {}  # variable -> tensor, for the current iteration
        self.owner = {}  # grad_fn -> node id (this also keeps the grad_fns alive)
        self.leaves = {}  # id(tensor) -> (tensor, name) of Tensor-node values and parameters
        self.hooked = set()
        self.steps = []  # grad_fn executions of the last backward

    def trace(self, frame, event, arg):
        if frame.f_code is torch.Tensor.backward.__code__:
            self.start_iteration()
            self.record_backward(frame.f_locals["self"])
            return None
        phase = self.codes.get(frame.f_code)
        if phase == "main":
            self.main = frame
        elif phase in ("forward", "update"):
            self.start_iteration()
        return None if phase is None else self.trace_lines

    def trace_lines(self, frame, event, arg):
        phase = self.codes[frame.f_code]
        if event in ("line", "return"):
            scope = frame.f_locals
            for var in {"forward": FORWARD, "update": UPDATE}.get(phase, ()):
                if var in scope and var not in self.outputs:
                    self.outputs[var] = scope[var]
                    self.attribute(node_id(var), scope[var])
        if event == "return":
            self.scopes[phase] = dict(frame.f_locals)
            if phase == "setup":
                for name, param in self.parameters(frame.f_locals["self"], None):
                    self.leaves[id(param)] = (param, name)
        return self.trace_lines

    def start_iteration(self):
        """Once per iteration, after setup: the Tensor nodes' values, as main() holds them."""
        scope = self.main.f_locals
        if scope.get("iteration", 0) == self.iteration:
            return
        self.iteration, self.outputs = scope.get("iteration", 0), {}
        for var in LEAVES:
            t = self.outputs[var] = leaf_value(scope, var)
            if t.is_leaf:
                self.leaves[id(t)] = (t, node_id(var))
            self.attribute(node_id(var), t)

    def parameters(self, model, stop):
        """(name, parameter) of the layers built before layer "stop"."""
        for attr, names in LAYERS.items():
            if attr == stop or attr not in model._modules:
                return
            for name in names:
                yield "%s.%s" % (node_id(attr), name), getattr(model._modules[attr], name)

    def attribute(self, node, tensor):
        """Every grad_fn behind tensor that no earlier node created was created by node."""
        stack = [tensor.grad_fn]
        while stack:
            fn = stack.pop()
            if fn is None or fn in self.owner:
                continue
            self.owner[fn] = node
            stack.extend(nxt for nxt, _ in fn.next_functions)

    def record_backward(self, root):
        """Hooks every grad_fn reachable from root (once) and starts a new list of steps."""
        self.steps = []
        stack = [root_function(root)]
        while stack:
            fn = stack.pop()
            if fn is None or fn in self.hooked:
                continue
            self.hooked.add(fn)
            fn.register_hook(self.hook(fn))
            stack.extend(nxt for nxt, _ in fn.next_functions)

    def hook(self, fn):
        def post_hook(grad_inputs, grad_outputs):
            self.steps.append({"grad_fn": grad_fn_name(fn), "node": self.label(fn)})
        return post_hook

    def label(self, fn):
        if type(fn).__name__ == "AccumulateGrad":
            entry = self.leaves.get(id(fn.variable))
            if entry is not None and entry[0] is fn.variable:
                return entry[1]
        return self.owner.get(fn)

    def error(self, exc):
        """The error entry: the node, phase and iteration of the statement that raised."""
        codes, tb = [], exc.__traceback__
        while tb is not None:
            codes.append(tb.tb_frame.f_code)
            tb = tb.tb_next
        main_scope = self.scopes.get("main", {})
        ours = [c for c in codes if c in self.codes]
        phase, var = self.codes[ours[-1]] if ours else "main", None
        if torch.Tensor.backward.__code__ in codes:
            phase, var = "backward", BACKWARD
        elif phase == "setup":  # in Model.__init__: a layer's constructor, or loading its values
            model = self.scopes["setup"]["self"]
            built = [a for a in LAYERS if a in model._modules]
            inside = codes.index(ours[-1]) < len(codes) - 1
            var = next(a for a in LAYERS if a not in built) if inside or not built else built[-1]
        elif phase in ("forward", "update"):
            scope, order = self.scopes[phase], FORWARD if phase == "forward" else UPDATE
            done = [v for v in order if v in scope]
            if done and done[-1] in RETAIN_GRAD and not scope[done[-1]].requires_grad:
                var = done[-1]  # its retain_grad() raised; its output was computed and is reported
            else:
                var = order[len(done)] if len(done) < len(order) else None
        else:  # in main(): creating a Tensor node's value, or setting its flags
            phase, var = "setup", self.failed_leaf(main_scope)
        iteration = main_scope.get("iteration", 0)
        return {"type": type(exc).__name__, "message": str(exc),
                "node": node_id(var) if var else None, "phase": phase, "iteration": iteration,
                "var": var}

    def failed_leaf(self, scope):
        for var in LEAVES:
            t = leaf_value(scope, var)
            if t is None:
                return var
            floating = t.is_floating_point() or t.is_complex()
            if var in REQUIRES_GRAD and not (t.is_leaf and floating):
                return var
            if var in RETAIN_GRAD and not t.requires_grad:
                return var
        return None

    def result(self, error):
        outputs, stop = self.outputs, None
        if error is not None and error["phase"] == "setup":
            # Only the Tensor nodes set up before the one that raised (and the layers built).
            scope, stop = self.scopes.get("main", {}), error["var"]
            before = LEAVES[:LEAVES.index(stop)] if stop in LEAVES else []
            outputs = {var: leaf_value(scope, var) for var in before}
        tensors = {node_id(var): describe_tensor(t) for var, t in outputs.items()}
        if "setup" in self.scopes:
            for name, param in self.parameters(self.scopes["setup"]["self"], stop):
                tensors[name] = describe_tensor(param)
        if error is None:
            done = self.scopes.get("main", {}).get("iteration", 0) + 1
        else:
            del error["var"]
            done = error["iteration"]
        return {"tensors": tensors, "backward_steps": self.steps, "iterations_run": done,
                "error": error}


def root_function(root):
    """root.grad_fn, or the AccumulateGrad that backward() runs for a leaf root."""
    if root.grad_fn is not None or not root.requires_grad:
        return root.grad_fn
    return root.view_as(root).grad_fn.next_functions[0][0]


def grad_fn_name(fn):
    return "AccumulateGrad" if type(fn).__name__ == "AccumulateGrad" else fn.name()


def describe_tensor(t):
    grad = t.grad if t.is_leaf or t.retains_grad else None
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "data": t.detach().cpu().reshape(-1).tolist(),
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "grad_fn": None if t.grad_fn is None else type(t.grad_fn).__name__,
        "grad": None if grad is None else {"shape": list(grad.shape),
                                           "data": grad.detach().cpu().reshape(-1).tolist()},
    }


def report():
    """Runs main() and prints the result JSON; exit status 1 if the graph raised an error."""
    recorder, error = Recorder(), None
    sys.settrace(recorder.trace)
    try:
        main()
        recorder.start_iteration()  # a graph of Tensor nodes only has nothing else that starts one
    except Exception as exc:  # the graph's error is reported in the result, as the engine does
        sys.settrace(None)
        error = recorder.error(exc)
    sys.settrace(None)
    print(json.dumps(recorder.result(error)))
    return 0 if error is None else 1


if __name__ == "__main__":
    sys.exit(report())
`;
