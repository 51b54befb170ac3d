"""Import a PyTorch model as an Autograd Studio graph document, with torch.fx.

usage:
    python3 build/torch/import_fx.py MODEL.py [--out GRAPH.json] [--no-loss]

MODEL.py defines the model and its example inputs:
  - the model: a function `build_model()` returning an nn.Module, or else an nn.Module
    subclass defined in the file and constructible without arguments (the last one defined
    when there are several);
  - the example inputs: a module-level `EXAMPLE_INPUTS = [torch.randn(...), ...]`, or a
    function `example_inputs()` returning a list (or one tensor). Their values become the
    graph's input Tensor nodes (float32, or int64 for class targets).

The model is traced with torch.fx (symbolic_trace) and run once on the example inputs, so
every shape is known (`x.view(x.size(0), -1)` becomes a Reshape to the concrete shape). The
supported ops are those of the graph format: nn.Conv2d, nn.Linear, nn.MaxPool2d,
nn.AvgPool2d, nn.ReLU, nn.Sigmoid, nn.Tanh, nn.LeakyReLU, nn.GELU, nn.Flatten, nn.LogSoftmax, nn.Softmax, nn.CrossEntropyLoss,
nn.NLLLoss, nn.MSELoss, nn.L1Loss, nn.BCEWithLogitsLoss,
nn.Identity, their F.* equivalents, torch.flatten/reshape, view, + - * /,
sum/mean, clamp, exp/log/neg/sign, relu, sigmoid/tanh, ** and pow with a number,
detach, clone. Parameters are embedded as values;
python numbers in arithmetic become 0-d Tensor nodes. Unless --no-loss is given, a single
non-scalar output gets a `loss = output.sum()` node so the graph has a backward pass.

Prints the document on stdout (or writes --out). Exit status 0, or 2 with a message naming
the file and the unsupported op (or what else is missing) on stderr.
"""
import argparse
import importlib.util
import inspect
import json
import operator
import os
import sys

import torch
import torch.fx as fx
import torch.nn as nn
import torch.nn.functional as F

from fx_ops import FUNCTIONS, METHODS, SUPPORTED, ImportFailure, _pair

DTYPES = {torch.float32: "float32", torch.int64: "int64"}


# ----------------------------------------------------------------------------------------
# Loading the model file
# ----------------------------------------------------------------------------------------

def load_model_file(path):
    """(module, example inputs as a list of tensors) from a model file."""
    path = os.path.abspath(path)
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location("autograd_studio_model", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # so inspect (and pickling, dataclasses) can find it
    spec.loader.exec_module(mod)
    if callable(getattr(mod, "build_model", None)):
        model = mod.build_model()
    else:
        classes = [c for c in vars(mod).values() if inspect.isclass(c)
                   and issubclass(c, nn.Module) and c.__module__ == mod.__name__]
        if not classes:
            raise ImportFailure("no build_model() function and no nn.Module subclass defined")
        cls = max(classes, key=lambda c: inspect.getsourcelines(c)[1])
        model = cls()
    if hasattr(mod, "EXAMPLE_INPUTS"):
        inputs = mod.EXAMPLE_INPUTS
    elif callable(getattr(mod, "example_inputs", None)):
        inputs = mod.example_inputs()
    else:
        raise ImportFailure("no EXAMPLE_INPUTS = [torch.randn(...)] and no example_inputs() "
                            "to give the input shapes")
    inputs = [inputs] if isinstance(inputs, torch.Tensor) else list(inputs)
    if not all(isinstance(t, torch.Tensor) for t in inputs):
        raise ImportFailure("the example inputs must be tensors")
    return model, inputs


class ValueRecorder(fx.Interpreter):
    """Runs the traced module and keeps every node's value."""

    def __init__(self, gm):
        super().__init__(gm)
        self.values = {}

    def run_node(self, n):
        out = super().run_node(n)
        self.values[n] = out
        return out


# ----------------------------------------------------------------------------------------
# Building the document
# ----------------------------------------------------------------------------------------

class Builder:
    """Turns the fx graph into graph-format nodes and edges."""

    def __init__(self, gm, values, add_loss):
        self.gm, self.values, self.add_loss = gm, values, add_loss
        self.nodes, self.edges = [], []
        self.ids = {}      # fx node -> graph node id (tensor-valued nodes)
        self.const = {}    # fx node -> python value (sizes, shapes)
        self.params = {}   # "<node>.<weight|bias>" -> model parameter name
        self.output = None  # the node of the model's output (when it is one tensor)
        self.taken = set()

    def fresh(self, base):
        name, k = base, 1
        while name in self.taken:
            k += 1
            name = "%s_%d" % (base, k)
        self.taken.add(name)
        return name

    def add(self, nid, op, params, inputs=()):
        self.nodes.append({"id": nid, "op": op, "params": params})
        for port, src in inputs:
            self.edges.append({"source": src, "sourceHandle": "out", "target": nid, "targetHandle": port})
        return nid

    def tensor_node(self, base, t, requires_grad=False):
        if t.dtype not in DTYPES:
            raise ImportFailure("tensor %s has dtype %s; the graph format has float32 and int64"
                                % (base, t.dtype))
        return self.add(self.fresh(base), "Tensor", {
            "shape": list(t.shape), "dtype": DTYPES[t.dtype], "requires_grad": requires_grad,
            "init": {"kind": "values", "data": t.detach().cpu().reshape(-1).tolist()}})

    def operand(self, n, arg, like=None):
        """The graph node id of an argument: an fx node, or a number made a 0-d Tensor node."""
        if isinstance(arg, fx.Node):
            if arg not in self.ids:
                raise ImportFailure("node %r uses %r, which is not a tensor" % (n.name, arg.name))
            return self.ids[arg]
        if isinstance(arg, (int, float)) and not isinstance(arg, bool):
            dtype = torch.int64 if isinstance(arg, int) and like is not None and like.dtype == torch.int64 \
                else torch.float32
            return self.tensor_node("%s_const" % n.name, torch.tensor(arg, dtype=dtype))
        raise ImportFailure("node %r: unsupported argument %r" % (n.name, arg))

    def concrete(self, v):
        """A python value with fx nodes replaced by their recorded (non-tensor) values."""
        if isinstance(v, fx.Node):
            return self.const[v] if v in self.const else self.values[v]
        if isinstance(v, (list, tuple)):
            return [self.concrete(e) for e in v]
        return v

    def build(self):
        for n in self.gm.graph.nodes:
            if n.op == "output":
                return self.finish(n)
            value = self.values.get(n)
            if n.op == "placeholder":
                self.ids[n] = self.tensor_node(n.name, value, value.requires_grad)
            elif n.op == "get_attr":
                if not isinstance(value, torch.Tensor):
                    self.const[n] = value
                    continue
                rg = isinstance(value, nn.Parameter) and value.requires_grad
                self.ids[n] = self.tensor_node(n.name, value, rg)
                if isinstance(value, nn.Parameter):
                    self.params[self.ids[n]] = n.target
            elif not isinstance(value, torch.Tensor):
                self.const[n] = value  # x.size(0), x.shape, ...: known from the example run
            else:
                self.ids[n] = self.op_node(n)
        raise ImportFailure("the traced graph has no output")

    def op_node(self, n):
        if n.op == "call_module":
            return self.module_node(n, self.gm.get_submodule(n.target))
        key = n.target if n.op == "call_method" else FUNCTIONS.get(n.target)
        handler = METHODS.get(key) if key is not None else None
        if handler is None:
            what = ("method Tensor.%s" % n.target if n.op == "call_method"
                    else "function %s" % function_name(n.target))
            raise ImportFailure("unsupported op %s at node %r (supported: %s)"
                                % (what, n.name, SUPPORTED))
        return handler(self, n)

    def module_node(self, n, m):
        x = [("input", self.operand(n, n.args[0]))]
        nid = self.fresh(n.name)
        if isinstance(m, nn.Identity):
            self.taken.discard(nid)
            return x[0][1]
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            init = {"weight": {"kind": "values", "data": m.weight.detach().reshape(-1).tolist()}}
            self.params[nid + ".weight"] = n.target + ".weight"
            if m.bias is not None:
                init["bias"] = {"kind": "values", "data": m.bias.detach().reshape(-1).tolist()}
                self.params[nid + ".bias"] = n.target + ".bias"
            rg = m.weight.requires_grad
            if isinstance(m, nn.Linear):
                return self.add(nid, "Linear", {"in_features": m.in_features, "out_features": m.out_features,
                                                "bias": m.bias is not None, "requires_grad": rg, "init": init}, x)
            return self.add(nid, "Conv2d", {
                "in_channels": m.in_channels, "out_channels": m.out_channels,
                "kernel_size": _pair(m.kernel_size), "stride": _pair(m.stride),
                "padding": _pair(m.padding), "dilation": _pair(m.dilation), "groups": m.groups,
                "bias": m.bias is not None, "padding_mode": m.padding_mode, "requires_grad": rg,
                "init": init}, x)
        if isinstance(m, nn.BatchNorm2d):
            return self.add(nid, "BatchNorm2d", self.batch_norm_params(nid, n, m), x)
        if isinstance(m, nn.MaxPool2d) and not m.return_indices:
            return self.add(nid, "MaxPool2d", {"kernel_size": _pair(m.kernel_size), "stride": _pair(m.stride),
                                               "padding": _pair(m.padding), "dilation": _pair(m.dilation),
                                               "ceil_mode": m.ceil_mode}, x)
        if isinstance(m, nn.AvgPool2d):
            return self.add(nid, "AvgPool2d", {
                "kernel_size": _pair(m.kernel_size), "stride": _pair(m.stride), "padding": _pair(m.padding),
                "ceil_mode": m.ceil_mode, "count_include_pad": m.count_include_pad,
                "divisor_override": m.divisor_override}, x)
        if isinstance(m, nn.AdaptiveAvgPool2d):
            return self.add(nid, "AdaptiveAvgPool2d", {"output_size": _pair(m.output_size)}, x)
        if isinstance(m, nn.ReLU):
            return self.add(nid, "ReLU", {"inplace": m.inplace}, x)
        if isinstance(m, (nn.Sigmoid, nn.Tanh)):
            return self.add(nid, type(m).__name__, {}, x)
        if isinstance(m, nn.LeakyReLU):
            return self.add(nid, "LeakyReLU", {"negative_slope": m.negative_slope, "inplace": m.inplace}, x)
        if isinstance(m, nn.GELU):
            return self.add(nid, "GELU", {"approximate": m.approximate}, x)
        if isinstance(m, nn.Flatten):
            return self.add(nid, "Flatten", {"start_dim": m.start_dim, "end_dim": m.end_dim}, x)
        if isinstance(m, (nn.LogSoftmax, nn.Softmax)):
            return self.add(nid, type(m).__name__, {"dim": m.dim}, x)
        if isinstance(m, (nn.CrossEntropyLoss, nn.NLLLoss)):
            x.append(("target", self.operand(n, n.args[1])))
            if m.weight is not None:
                x.append(("weight", self.tensor_node(nid + "_weight", m.weight)))
            p = {"reduction": m.reduction, "ignore_index": m.ignore_index}
            if isinstance(m, nn.CrossEntropyLoss):
                p["label_smoothing"] = m.label_smoothing
            return self.add(nid, type(m).__name__, p, x)
        if isinstance(m, (nn.MSELoss, nn.L1Loss, nn.BCEWithLogitsLoss)):
            x.append(("target", self.operand(n, n.args[1])))
            for port in ("weight", "pos_weight") if isinstance(m, nn.BCEWithLogitsLoss) else ():
                if getattr(m, port) is not None:
                    x.append((port, self.tensor_node("%s_%s" % (nid, port), getattr(m, port))))
            return self.add(nid, type(m).__name__, {"reduction": m.reduction}, x)
        self.taken.discard(nid)
        raise ImportFailure("unsupported op module %s at node %r (supported: %s)"
                            % (type(m).__name__, n.name, SUPPORTED))

    def batch_norm_params(self, nid, n, m):
        """nn.BatchNorm2d's arguments; its buffers must be the fresh ones the graph starts from
        (running_mean 0, running_var 1, num_batches_tracked 0): a document cannot set them."""
        if m.track_running_stats:
            fresh = (m.num_batches_tracked.item() == 0 and bool((m.running_mean == 0).all())
                     and bool((m.running_var == 1).all()))
            if not fresh:
                raise ImportFailure("BatchNorm2d at node %r has running statistics already (a graph "
                                    "starts from running_mean 0, running_var 1, num_batches_tracked 0)"
                                    % n.name)
        p = {"num_features": m.num_features, "eps": m.eps, "momentum": m.momentum,
             "affine": m.affine, "track_running_stats": m.track_running_stats}
        if m.affine:
            p["requires_grad"] = m.weight.requires_grad
            p["init"] = {w: {"kind": "values", "data": getattr(m, w).detach().reshape(-1).tolist()}
                         for w in ("weight", "bias")}
            for w in ("weight", "bias"):
                self.params["%s.%s" % (nid, w)] = "%s.%s" % (n.target, w)
        return p

    def finish(self, out):
        """The run section: backward on a single output that requires grad (on its sum,
        added as a `loss` node, when it is not a scalar and add_loss is set)."""
        result = out.args[0]
        if not (isinstance(result, fx.Node) and result in self.ids):
            return {}
        self.output = self.ids[result]
        value = self.values[result]
        if not value.requires_grad:
            return {}
        if value.numel() == 1:
            return {"backward": self.ids[result]}
        if not self.add_loss:
            return {}
        return {"backward": self.add(self.fresh("loss"), "Sum", {}, [("input", self.ids[result])]),
                "added_loss": True}


def function_name(fn):
    """How PyTorch code spells a function: torch.tanh, F.gelu, operator.pow, ..."""
    name = getattr(fn, "__name__", str(fn))
    for prefix, mod in (("torch", torch), ("F", F), ("operator", operator)):
        if getattr(mod, name, None) is fn:
            return "%s.%s" % (prefix, name)
    return "%s.%s" % (getattr(fn, "__module__", None) or "?", getattr(fn, "__qualname__", name))


def layout(nodes, edges):
    """Left to right by depth (longest path from an input), top to bottom within a column."""
    depth, rows = {}, {}
    sources = {}
    for e in edges:
        sources.setdefault(e["target"], []).append(e["source"])
    for node in nodes:  # nodes are in topological order
        d = max((depth[s] + 1 for s in sources.get(node["id"], [])), default=0)
        depth[node["id"]] = d
        row = rows.get(d, 0)
        rows[d] = row + 1
        node["position"] = {"x": 40 + 220 * d, "y": 40 + 130 * row}


def import_model(path, no_loss=False):
    """The graph document of the model defined in path."""
    model, inputs = load_model_file(path)
    return graph_document(model, inputs, os.path.basename(path), no_loss)


def graph_document(model, inputs, file_name, no_loss=False):
    """The graph document of a model traced on example inputs (the model is not changed)."""
    gm = fx.symbolic_trace(model)
    # The example run updates BatchNorm2d's running statistics in train mode: the graph
    # starts from the model's own buffers, which are restored afterwards.
    buffers = [(b, b.clone()) for b in model.buffers()]
    recorder = ValueRecorder(gm)
    recorder.run(*inputs)
    with torch.no_grad():
        for b, saved in buffers:
            b.copy_(saved)
    builder = Builder(gm, recorder.values, not no_loss)
    run = builder.build()
    if not model.training:
        run["mode"] = "eval"
    layout(builder.nodes, builder.edges)
    name = type(model).__name__
    description = "Imported from %s (%s) with torch.fx." % (file_name, name)
    if run.pop("added_loss", False):
        description += " A loss = output.sum() node was added so the graph has a backward pass."
    return {"format": "autograd-studio/graph", "version": 1,
            "meta": {"name": name, "description": description,
                     "source": {"file": file_name, "output": builder.output, "parameters": builder.params}},
            "nodes": builder.nodes, "edges": builder.edges, "run": dict(run, iterations=1)}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Import a PyTorch model as a graph document.")
    parser.add_argument("model", metavar="MODEL.py")
    parser.add_argument("--out", help="write the document here instead of stdout")
    parser.add_argument("--no-loss", action="store_true", help="do not add loss = output.sum()")
    args = parser.parse_args(argv)
    try:
        doc = import_model(args.model, args.no_loss)
    except ImportFailure as exc:
        print("%s: %s" % (args.model, exc), file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - loading or tracing user code can raise anything
        print("%s: cannot import the model: %s: %s" % (args.model, type(exc).__name__, exc), file=sys.stderr)
        return 2
    text = json.dumps(doc, indent=1)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
