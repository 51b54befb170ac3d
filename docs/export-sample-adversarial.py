# A PyTorch script exported from Autograd Studio.
#
# Graph: adversarial_loop_detached
#
# The same loop with Detach runs all iterations
#
"""The graph runs for 3 iterations: setup, forward (Model), backward, update, feedback. Running
this file prints the graph format's result JSON on stdout: every tensor, the backward steps
recorded from PyTorch's engine, iterations_run and the error PyTorch raised, if any (the
bookkeeping for that is at the bottom of the file).
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class Model(nn.Module):
    """The forward phase of the graph; its layers are named after their nodes."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, padding=1)
        with torch.no_grad():
            self.conv.weight.copy_(torch.tensor([
                [[
                    [0.120063, -0.101289704, 0.37694168],
                    [-0.21959086, 0.19806947, -0.105261564],
                    [-0.28183, -0.14680116, -0.24137734],
                ]],
                [[
                    [-0.06380929, -0.101742074, 0.09365098],
                    [0.1695458, -0.044226076, -0.007771601],
                    [0.08672826, -0.16196372, 0.212448],
                ]],
            ]))
            self.conv.bias.copy_(torch.tensor([0.08422247, 0.02035808]))
        self.fc = nn.Linear(18, 3)
        with torch.no_grad():
            self.fc.weight.copy_(torch.tensor([
                [
                    0.47894073, 0.18349178, -0.022454495, -0.07243609, -0.04643645, -0.10034578,
                    0.22575703, -0.13956201, -0.016224436, -0.10585921, 0.20923658, -0.2837112,
                    -0.072499834, -0.024381138, 0.06387129, 0.09218058, -0.04315798, 0.1978145,
                ],
                [
                    0.06295075, 0.4935302, -0.3016643, 0.12412013, -0.2090265, -0.15960176,
                    0.3970169, 0.34896284, -0.3712371, -0.04455474, -0.01316957, -0.42634243,
                    -0.009766102, 0.078668244, 0.04345303, -0.39887875, 0.22154164, 0.048908796,
                ],
                [
                    -0.012382406, -0.15077859, 0.1423918, 0.18365383, -0.09641863, 0.017917523,
                    0.16539973, -0.39090243, 0.023495132, -0.38149136, -0.18458185, 0.09395029,
                    -0.028873352, -0.08002767, -0.05919677, 0.16964172, 0.1413661, -0.15745379,
                ],
            ]))
            self.fc.bias.copy_(torch.tensor([0.029294072, -0.047080725, 0.24043256]))

    def forward(self, image, delta, target):
        adv = image + delta
        conv = self.conv(adv)
        pool = F.max_pool2d(conv, 2)
        flat = torch.flatten(pool, 1)
        fc = self.fc(flat)
        loss = F.cross_entropy(fc, target)
        return loss


def update(delta, alpha):
    """The update phase: runs after backward and reads the gradients."""
    if delta.grad is None:
        raise RuntimeError(
            "delta.grad is None: backward did not give delta a gradient "
            "(only leaves that require grad, and non-leaves with retain_grad, keep one)")
    grad = delta.grad
    sign = torch.sign(grad)
    step = sign * alpha
    delta_next = delta + step
    detached = delta_next.detach()
    return detached


def main():
    model = Model()
    image = torch.tensor([[[
        [1.3315865, 0.715279, -1.5454003, -0.00838385, 0.621336, -0.72008556],
        [0.26551157, 0.10854852, 0.004291431, -0.17460021, 0.4330262, 1.2030374],
        [-0.96506566, 1.028274, 0.22863013, 0.44513762, -1.1366022, 0.13513687],
        [1.484537, -1.0798049, -1.9777282, -1.7433723, 0.26607016, 2.3849673],
        [1.1236912, 1.6726222, 0.09914921, 1.3979964, -0.27124798, 0.6132042],
        [-0.26731718, -0.549309, 0.1327083, -0.47614202, 1.3084731, 0.19501328],
    ]]])
    delta = torch.zeros(1, 1, 6, 6)
    target = torch.tensor([1])
    alpha = torch.tensor([0.05])

    for iteration in range(3):
        delta.requires_grad = True
        loss = model(image, delta, target)
        loss.backward()
        delta = update(delta, alpha)


# -------------------------------------------------------------------------------------------------
# Result recording: bookkeeping for the graph format's result JSON, not part of the model.
# report() runs main() under sys.settrace: it names every tensor after the graph node (the
# variable) that computed it, records the backward pass with post-hooks on the grad_fn nodes
# (kept alive, so the hooks stay), finds the node, phase and iteration of an error, and prints
# {"tensors", "backward_steps", "iterations_run", "error"}.
# -------------------------------------------------------------------------------------------------

LEAVES = ["image", "delta", "target", "alpha"]  # Tensor nodes, in document order
REQUIRES_GRAD = ["delta"]  # Tensor nodes with requires_grad: true
RETAIN_GRAD = []  # nodes with retain_grad: true
LAYERS = {  # Model attribute -> parameters it owns
    "conv": ["weight", "bias"],
    "fc": ["weight", "bias"],
}
FORWARD = ["adv", "conv", "pool", "flat", "fc", "loss"]  # forward phase, in run order
UPDATE = ["grad", "sign", "step", "delta_next", "detached"]  # update phase, in run order
NODE_IDS = {}  # variable -> graph node id, where they differ
BACKWARD = "loss"  # the variable backward() is called on
PHASES = {main: "main", Model.__init__: "setup", Model.forward: "forward", update: "update"}


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
