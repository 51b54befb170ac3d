"""Run an Autograd Studio graph document on real PyTorch (the "torch backend").

usage:
    python3 build/torch/runner.py GRAPH.json [--device cpu|cuda]
    python3 build/torch/runner.py --out-dir DIR A.json B.json ... [--device cpu|cuda]
    (either form also takes --iterations N, which overrides run.iterations as the CLI's run
    and step, and --memory-limit MB: the process may use MB megabytes of address space
    beyond what it holds once torch is imported, enforced with setrlimit(RLIMIT_AS))

The first form prints the result JSON on stdout; the second writes DIR/<name>.result.json
for each input (<name> = file name without ".json"). Exit status: 0 when every run finished,
1 when a graph raised an error (its result, with "error", is still written), 2 when a
document is invalid or the usage is wrong (one line on stderr names the file and the JSON
path of the fault; a malformed document never gives a traceback), 3 when the process ran
out of memory (one line on stderr; the results written before stay).

The semantics are those of docs/graph-format.md: each iteration runs setup, forward,
backward, update and feedback; every op is the torch call a user would write; the result
lists every tensor of the last iteration reached, every parameter, and the grad_fn
executions of the last backward in the order PyTorch's engine ran them.

Standard library and torch only. The module is importable: `load_document`,
`validate_document`, `run_document` and `result_to_json` are the public functions.
"""
import argparse
import heapq
import json
import math
import os
import sys
import warnings

try:
    import resource
except ImportError:  # not on Windows: --memory-limit is then not enforced
    resource = None

import torch
import torch.nn as nn
import torch.nn.functional as F

import optimizer as optim_doc  # noqa: E402 - build/torch/optimizer.py, beside this file
import bundled_data  # noqa: E402 - build/torch/bundled_data.py: the Dataset node's data and order

FORMAT = "autograd-studio/graph"
VERSION = 1
DTYPES = {"float32": torch.float32, "int64": torch.int64}
MAX_ITERATIONS = 100000          # engine/graph/document.ts
MAX_TENSOR_ELEMENTS = 2 ** 25    # engine/core/limits.ts
MAX_RANK = 8                     # engine/core/limits.ts
OUT_OF_MEMORY = 3                # exit status


# ----------------------------------------------------------------------------------------
# Document schema and validation
# ----------------------------------------------------------------------------------------

class DocumentError(Exception):
    """An invalid graph document; the message starts with the JSON path of the fault."""


def _is_int(v):
    """An integer as JSON has them: 3, and also 3.0 or 1e300 (JavaScript reads no difference)."""
    if isinstance(v, float):
        return v.is_integer()
    return isinstance(v, int) and not isinstance(v, bool)


def _integral(v):
    """v with integral floats as ints (lists too), once a checker has accepted it."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return [_integral(e) for e in v] if isinstance(v, list) else v


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _int2(v, low):
    if _is_int(v):
        return v >= low
    return isinstance(v, list) and len(v) == 2 and all(_is_int(e) and e >= low for e in v)


def _reshape_shape(v):
    return (isinstance(v, list) and all(_is_int(e) and e >= -1 for e in v)
            and sum(1 for e in v if e == -1) <= 1)


# A checker is (predicate, description of what is expected).
POS_INT = (lambda v: _is_int(v) and v > 0, "a positive integer")
INT = (_is_int, "an integer")
BOOL = (lambda v: isinstance(v, bool), "true or false")
NUMBER = (_is_num, "a number")
OPT_NUMBER = (lambda v: v is None or _is_num(v), "a number or null")
OPT_INT = (lambda v: v is None or _is_int(v), "an integer or null")
INT2_POS = (lambda v: _int2(v, 1), "a positive integer or a pair")
INT2_NONNEG = (lambda v: _int2(v, 0), "a non-negative integer or a pair")
OPT_INT2_POS = (lambda v: v is None or _int2(v, 1), "a positive integer, a pair or null")
CONV_PADDING = (lambda v: (isinstance(v, str) and v in ("same", "valid")) or _int2(v, 0),
                'a non-negative integer, a pair, "same" or "valid"')
DIMS = (lambda v: v is None or _is_int(v) or (isinstance(v, list) and all(_is_int(e) for e in v)),
        "an integer, a list of integers or null")
DIM_LIST = (lambda v: isinstance(v, list) and len(v) <= MAX_RANK and all(_is_int(e) for e in v),
            "a list of integers")
OUTPUT_SIZE = (lambda v: _is_int(v) or (isinstance(v, list) and len(v) == 2
                                        and all(e is None or _is_int(e) for e in v)),
               "an integer or a pair of integers or nulls")
def _tensor_shape(v):
    return (isinstance(v, list) and len(v) <= MAX_RANK and all(_is_int(e) and e >= 0 for e in v)
            and math.prod(v) <= MAX_TENSOR_ELEMENTS)


SHAPE = (_tensor_shape, "a list of at most %d non-negative integers with at most 2^25 elements"
         % MAX_RANK)
RESHAPE = (_reshape_shape, "a list of integers with at most one -1")
DTYPE = (lambda v: isinstance(v, str) and v in DTYPES, '"float32" or "int64"')
REDUCTION = (lambda v: isinstance(v, str) and v in ("mean", "sum", "none"),
             '"mean", "sum" or "none"')
PADDING_MODE = (lambda v: isinstance(v, str)
                and v in ("zeros", "reflect", "replicate", "circular"),
                '"zeros", "reflect", "replicate" or "circular"')
INIT = ("init", None)          # checked by _check_init
PARAM_INIT = ("param_init", None)  # {weight?, bias?}, each an init

REQUIRED = object()
OUTPUTS = {"Dataset": bundled_data.OUTPUTS}  # ops with several outputs; every other op has "out"


def _op(ports=("input",), optional=(), **params):
    return {"ports": tuple(ports), "optional": tuple(optional), "params": params}


_UNARY = _op()
_BINARY = _op(ports=("a", "b"))
_LOSS = dict(reduction=("mean", REDUCTION), ignore_index=(-100, INT))

OPS = {
    "Tensor": _op(ports=(), shape=(REQUIRED, SHAPE), dtype=("float32", DTYPE),
                  requires_grad=(False, BOOL), init=({"kind": "zeros"}, INIT)),
    "Conv2d": _op(optional=("weight", "bias"), in_channels=(REQUIRED, POS_INT),
                  out_channels=(REQUIRED, POS_INT), kernel_size=(REQUIRED, INT2_POS),
                  stride=(1, INT2_POS), padding=(0, CONV_PADDING), dilation=(1, INT2_POS),
                  groups=(1, POS_INT), bias=(True, BOOL), padding_mode=("zeros", PADDING_MODE),
                  requires_grad=(True, BOOL), init=({}, PARAM_INIT)),
    "MaxPool2d": _op(kernel_size=(REQUIRED, INT2_POS), stride=(None, OPT_INT2_POS),
                     padding=(0, INT2_NONNEG), dilation=(1, INT2_POS), ceil_mode=(False, BOOL)),
    "AvgPool2d": _op(kernel_size=(REQUIRED, INT2_POS), stride=(None, OPT_INT2_POS),
                     padding=(0, INT2_NONNEG), ceil_mode=(False, BOOL),
                     count_include_pad=(True, BOOL), divisor_override=(None, OPT_INT)),
    "Linear": _op(optional=("weight", "bias"), in_features=(REQUIRED, POS_INT),
                  out_features=(REQUIRED, POS_INT), bias=(True, BOOL),
                  requires_grad=(True, BOOL), init=({}, PARAM_INIT)),
    "ReLU": _op(inplace=(False, BOOL)),
    "Sigmoid": _UNARY, "Tanh": _UNARY,
    "LeakyReLU": _op(negative_slope=(0.01, NUMBER), inplace=(False, BOOL)),
    "GELU": _op(approximate=("none", (lambda v: v in ("none", "tanh"), '"none" or "tanh"'))),
    "Pow": _op(exponent=(REQUIRED, NUMBER)),
    "Flatten": _op(start_dim=(1, INT), end_dim=(-1, INT)),
    "Reshape": _op(shape=(REQUIRED, RESHAPE)),
    "Transpose": _op(dim0=(REQUIRED, INT), dim1=(REQUIRED, INT)),
    "Permute": _op(dims=(REQUIRED, DIM_LIST)),
    "Cat": _op(ports=("a", "b"), optional=("c", "d"), dim=(0, INT)),
    "AdaptiveAvgPool2d": _op(output_size=(REQUIRED, OUTPUT_SIZE)),
    "LogSoftmax": _op(dim=(None, OPT_INT)),
    "Softmax": _op(dim=(None, OPT_INT)),
    "Log": _UNARY, "Exp": _UNARY, "Neg": _UNARY, "Sign": _UNARY,
    "Add": _BINARY, "Sub": _BINARY, "Mul": _BINARY, "Div": _BINARY,
    "MatMul": _BINARY,
    "Sum": _op(dim=(None, DIMS), keepdim=(False, BOOL)),
    "Mean": _op(dim=(None, DIMS), keepdim=(False, BOOL)),
    "Clamp": _op(min=(None, OPT_NUMBER), max=(None, OPT_NUMBER)),
    "NLLLoss": _op(ports=("input", "target"), optional=("weight",), **_LOSS),
    "CrossEntropyLoss": _op(ports=("input", "target"), optional=("weight",),
                            label_smoothing=(0.0, NUMBER), **_LOSS),
    "MSELoss": _op(ports=("input", "target"), reduction=("mean", REDUCTION)),
    "L1Loss": _op(ports=("input", "target"), reduction=("mean", REDUCTION)),
    "BCEWithLogitsLoss": _op(ports=("input", "target"), optional=("weight", "pos_weight"),
                             reduction=("mean", REDUCTION)),
    "Dataset": _op(ports=(), name=("digits", bundled_data.NAME), split=("train", bundled_data.SPLIT),
                   batch_size=(32, POS_INT), shuffle=(True, BOOL), seed=(0, bundled_data.SEED),
                   normalize=(None, bundled_data.MEAN_STD)),
    "Detach": _UNARY,
    "Clone": _UNARY,
    "Grad": _op(ports=("of",)),
    "Dropout": _op(p=(0.5, NUMBER), inplace=(False, BOOL), seed=(0, INT)),
    "BatchNorm2d": _op(num_features=(REQUIRED, POS_INT), eps=(1e-5, NUMBER),
                       momentum=(0.1, OPT_NUMBER), affine=(True, BOOL),
                       track_running_stats=(True, BOOL), requires_grad=(True, BOOL),
                       init=({}, PARAM_INIT)),
}
LAYER_OPS = ("Conv2d", "Linear", "BatchNorm2d")  # ops that own parameters
BUFFERS = ("running_mean", "running_var", "num_batches_tracked")  # BatchNorm2d's, when tracked

INIT_FIELDS = {  # kind -> {field: (default, checker)}
    "values": {"data": (REQUIRED, (lambda v: isinstance(v, list) and all(_is_num(e) for e in v),
                                   "a flat list of numbers"))},
    "zeros": {}, "ones": {},
    "full": {"value": (REQUIRED, NUMBER)},
    "arange": {"start": (0, NUMBER), "step": (1, NUMBER)},
    "rand": {"seed": (REQUIRED, INT)}, "randn": {"seed": (REQUIRED, INT)},
    "randint": {"low": (0, INT), "high": (REQUIRED, INT), "seed": (REQUIRED, INT)},
}

ID_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def _is_key(v, table):
    """v is a string key of table (a list or an object is never one, and never raises)."""
    return isinstance(v, str) and v in table


def _fail(path, expected):
    raise DocumentError("%s: expected %s" % (path, expected))


def _check_fields(obj, fields, path):
    """Checks obj (a dict) against {name: (default, checker)}; returns it with defaults."""
    if not isinstance(obj, dict):
        _fail(path, "an object")
    for key in obj:
        if key not in fields:
            raise DocumentError("%s.%s: unknown key" % (path, key))
    out = {}
    for key, (default, checker) in fields.items():
        if key not in obj:
            if default is REQUIRED:
                raise DocumentError("%s.%s: required" % (path, key))
            out[key] = default
            continue
        if checker is INIT:
            out[key] = _check_init(obj[key], "%s.%s" % (path, key))
        elif checker is PARAM_INIT:
            out[key] = _check_fields(obj[key], {"weight": (None, INIT), "bias": (None, INIT)},
                                     "%s.%s" % (path, key))
        elif not checker[0](obj[key]):
            _fail("%s.%s" % (path, key), checker[1])
        else:  # tensor values stay as they are; integers written 2.0 become 2
            out[key] = obj[key] if key == "data" else _integral(obj[key])
    return out


def _check_init(init, path):
    if not isinstance(init, dict) or not _is_key(init.get("kind"), INIT_FIELDS):
        _fail(path + ".kind", "one of " + ", ".join('"%s"' % k for k in INIT_FIELDS))
    fields = dict(INIT_FIELDS[init["kind"]], kind=(REQUIRED, (lambda v: True, "")))
    return _check_fields(init, fields, path)


def _check_tensor_values(params, path):
    """A values init must hold exactly prod(shape) numbers, integers for int64."""
    init = params["init"]
    if init.get("kind") != "values":
        return
    numel = math.prod(params["shape"])
    if len(init["data"]) != numel:
        _fail(path + ".init.data", "%d numbers for shape %s, got %d"
              % (numel, params["shape"], len(init["data"])))
    if params["dtype"] == "int64" and not all(_is_int(v) for v in init["data"]):
        _fail(path + ".init.data", "integers for dtype int64")


def _check_node(node, k):
    path = "nodes[%d]" % k
    if not isinstance(node, dict):
        _fail(path, "an object")
    nid = node.get("id")
    if not (isinstance(nid, str) and 1 <= len(nid) <= 64 and set(nid) <= ID_CHARS):
        _fail(path + ".id", "1 to 64 characters of A-Z a-z 0-9 _ -")
    if not _is_key(node.get("op"), OPS):
        _fail(path + ".op", "a known op (%s)" % ", ".join(OPS))
    params = _check_fields(node.get("params", {}), OPS[node["op"]]["params"], path + ".params")
    if node["op"] == "Tensor":
        _check_tensor_values(params, path + ".params")
    if "retain_grad" in node and not isinstance(node["retain_grad"], bool):
        _fail(path + ".retain_grad", "true or false")
    return params


def _check_edges(doc, index):
    """Returns {target id: {port: source id}} and {(target, port): the output it reads}."""
    inputs, keys = {nid: {} for nid in index}, {}
    for k, edge in enumerate(doc.get("edges", [])):
        path = "edges[%d]" % k
        if not isinstance(edge, dict):
            _fail(path, "an object")
        src, dst = edge.get("source"), edge.get("target")
        if not _is_key(src, index):
            _fail(path + ".source", "the id of a node")
        outputs = OUTPUTS.get(doc["nodes"][index[src]]["op"], ("out",))
        handle = edge.get("sourceHandle")
        if handle is None and len(outputs) == 1:
            handle = outputs[0]
        if handle not in outputs:
            _fail(path + ".sourceHandle", "an output of %s (%s)" % (src, ", ".join(outputs)))
        if not _is_key(dst, index):
            _fail(path + ".target", "the id of a node")
        spec = OPS[doc["nodes"][index[dst]]["op"]]
        ports = spec["ports"] + spec["optional"]
        # As the engine: an edge without targetHandle (or null) goes to the op's only port.
        port = edge.get("targetHandle")
        if port is None and len(ports) == 1:
            port = ports[0]
        if not (isinstance(port, str) and port in ports):
            _fail(path + ".targetHandle", "a port of %s (%s)"
                  % (dst, ", ".join(spec["ports"] + spec["optional"]) or "none"))
        if port in inputs[dst]:
            raise DocumentError("%s.targetHandle: port %s of %s already has an edge"
                                % (path, port, dst))
        inputs[dst][port] = src
        keys[(dst, port)] = src if len(outputs) == 1 else "%s.%s" % (src, handle)
    for k, node in enumerate(doc["nodes"]):
        for port in OPS[node["op"]]["ports"]:
            if port not in inputs[node["id"]]:
                raise DocumentError("nodes[%d]: required port %s has no edge" % (k, port))
    return inputs, keys


def _check_run(run, index, nodes, later):
    if not isinstance(run, dict):
        _fail("run", "an object")
    back = run.get("backward")
    if back is not None and not _is_key(back, index):
        _fail("run.backward", "the id of a node")
    if back in later:
        raise DocumentError("run.backward: %s depends on a Grad node, which runs after backward"
                            % back)
    if not (_is_int(run.get("iterations", 1)) and 1 <= run.get("iterations", 1) <= MAX_ITERATIONS):
        _fail("run.iterations", "an integer from 1 to %d" % MAX_ITERATIONS)
    if not isinstance(run.get("zero_grad", False), bool):
        _fail("run.zero_grad", "true or false")
    if not isinstance(run.get("update_no_grad", False), bool):
        _fail("run.update_no_grad", "true or false")
    if run.get("mode", "train") not in ("train", "eval"):
        _fail("run.mode", '"train" or "eval"')
    optim_doc.check(run.get("optimizer"), _raise_at)
    feedback = run.get("feedback", [])
    if not isinstance(feedback, list):
        _fail("run.feedback", "a list")
    targets = set()
    for k, fb in enumerate(feedback):
        path = "run.feedback[%d]" % k
        if not isinstance(fb, dict) or not _is_key(fb.get("from"), index):
            _fail(path + ".from", "the id of a node")
        to = fb.get("to")
        if not _is_key(to, index) or nodes[index[to]]["op"] != "Tensor":
            _fail(path + ".to", "the id of a Tensor node")
        if to in targets:
            raise DocumentError("%s.to: %s already receives feedback" % (path, to))
        targets.add(to)


def _raise_at(path, text):
    raise DocumentError("%s: %s" % (path, text))


def validate_document(doc):
    """Checks a document; returns a Graph. Raises DocumentError with the JSON path."""
    if not isinstance(doc, dict):
        _fail("$", "a JSON object")
    if doc.get("format") != FORMAT:
        _fail("format", '"%s"' % FORMAT)
    if doc.get("version") != VERSION:
        _fail("version", "%d (the only version this reader knows)" % VERSION)
    nodes = doc.get("nodes")
    if not isinstance(nodes, list):
        _fail("nodes", "a list")
    if not isinstance(doc.get("edges", []), list):
        _fail("edges", "a list")
    params, index = {}, {}
    for k, node in enumerate(nodes):
        p = _check_node(node, k)
        if node["id"] in index:
            raise DocumentError("nodes[%d].id: duplicate id %s" % (k, node["id"]))
        index[node["id"]], params[node["id"]] = k, p
    inputs, keys = _check_edges(doc, index)
    graph = Graph(nodes, params, inputs)
    graph.keys = keys  # a Dataset's outputs are "<id>.images" and "<id>.labels"
    _check_run(doc.get("run", {}), index, nodes, graph.update_ids)
    return graph


def params_with_defaults(op, params):
    """An op's params (checked) with the defaults filled in, e.g. for a single op call."""
    return _check_fields(params, OPS[op]["params"], "params")


def load_document(path):
    """Reads and validates a document file; returns (doc, graph)."""
    return read_document(path)


# ----------------------------------------------------------------------------------------
# Graph structure: evaluation order
# ----------------------------------------------------------------------------------------

class Graph:
    """The nodes of a valid document, their parameters with defaults, and run order."""

    def __init__(self, nodes, params, inputs):
        self.nodes = nodes
        self.params = params
        self.inputs = inputs
        self.index = {n["id"]: k for k, n in enumerate(nodes)}
        self.tensor_ids = [n["id"] for n in nodes if n["op"] == "Tensor"]
        self.consumers = {n["id"]: [] for n in nodes}  # source -> targets, once per edge
        for nid, ports in inputs.items():
            for src in ports.values():
                self.consumers[src].append(nid)
        ordered = self._kahn(set(self.tensor_ids))
        if len(ordered) + len(self.tensor_ids) != len(nodes):
            done = set(ordered)
            stuck = [n["id"] for n in nodes if n["id"] not in done and n["op"] != "Tensor"]
            raise DocumentError("edges: the graph has a cycle through %s" % stuck[0])
        self.update_ids = self._grad_dependents()
        self.forward_order = [i for i in ordered if i not in self.update_ids]
        self.update_order = [i for i in ordered if i in self.update_ids]

    def op(self, nid):
        return self.nodes[self.index[nid]]["op"]

    def _kahn(self, done):
        """Topological order of the non-Tensor nodes; ties go to the earliest in `nodes`
        (a heap of document indices: linear time up to the log)."""
        missing = {}
        for n in self.nodes:
            if n["id"] not in done:
                missing[n["id"]] = sum(1 for s in self.inputs[n["id"]].values() if s not in done)
        ready = [self.index[nid] for nid, m in missing.items() if m == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            nid = self.nodes[heapq.heappop(ready)]["id"]
            order.append(nid)
            for target in self.consumers[nid]:
                missing[target] -= 1
                if missing[target] == 0:
                    heapq.heappush(ready, self.index[target])
        return order

    def _grad_dependents(self):
        """Ids of the Grad nodes and of every node that depends on one."""
        later = {n["id"] for n in self.nodes if n["op"] == "Grad"}
        stack = list(later)
        while stack:
            for target in self.consumers[stack.pop()]:
                if target not in later:
                    later.add(target)
                    stack.append(target)
        return later


# ----------------------------------------------------------------------------------------
# Tensor construction
# ----------------------------------------------------------------------------------------

def build_init(init, shape, dtype, device):
    """A fresh tensor from an init spec ({"kind": ...}) with the given shape and dtype."""
    kind, shape = init["kind"], tuple(shape)
    if kind == "values":
        # clone(): a leaf of its own, not a view of the flat tensor (in-place ops on a view
        # of a leaf raise a different error than on the leaf itself).
        return torch.tensor(init["data"], dtype=dtype, device=device).reshape(shape).clone()
    if kind == "zeros":
        return torch.zeros(shape, dtype=dtype, device=device)
    if kind == "ones":
        return torch.ones(shape, dtype=dtype, device=device)
    if kind == "full":
        return torch.full(shape, init["value"], dtype=dtype, device=device)
    if kind == "arange":
        numel = math.prod(shape)
        step, start = init.get("step", 1), init.get("start", 0)
        values = torch.arange(numel, dtype=torch.float64) * step + start
        return values.to(dtype).reshape(shape).clone().to(device)
    gen = torch.Generator().manual_seed(init["seed"])
    if kind == "rand":
        return torch.rand(shape, generator=gen, dtype=dtype).to(device)
    if kind == "randn":
        return torch.randn(shape, generator=gen, dtype=dtype).to(device)
    low = init.get("low", 0)
    return torch.randint(low, init["high"], shape, generator=gen, dtype=dtype).to(device)


def make_module(op, p):
    """The nn.Module whose parameters a Conv2d/Linear/BatchNorm2d node owns (PyTorch's checks and
    init)."""
    if op == "BatchNorm2d":
        return nn.BatchNorm2d(p["num_features"], eps=p["eps"], momentum=p["momentum"],
                              affine=p["affine"], track_running_stats=p["track_running_stats"])
    if op == "Conv2d":
        return nn.Conv2d(p["in_channels"], p["out_channels"], _pair(p["kernel_size"]),
                         stride=_pair(p["stride"]), padding=_padding(p["padding"]),
                         dilation=_pair(p["dilation"]), groups=p["groups"], bias=p["bias"],
                         padding_mode=p["padding_mode"])
    return nn.Linear(p["in_features"], p["out_features"], bias=p["bias"])


def create_parameters(op, p, wired, device):
    """{"weight": Parameter, "bias": Parameter} for the ports that no edge replaces."""
    return create_layer(op, p, wired, device)[1]


def create_layer(op, p, wired, device):
    """(module, {"weight": Parameter, "bias": Parameter}) for the ports that no edge replaces.

    Without an init, a parameter keeps PyTorch's default initialisation (drawn from torch's
    global generator, which the Runner seeds)."""
    module = make_module(op, p).to(device)
    owned = {}
    for name in ("weight", "bias"):
        param = getattr(module, name)
        if param is None or name in wired:
            continue
        spec = p["init"].get(name)
        if spec is not None:
            with torch.no_grad():
                param.copy_(build_init(spec, param.shape, param.dtype, device))
        param.requires_grad = p["requires_grad"]
        owned[name] = param
    return module, owned


def _pair(v):
    return tuple(v) if isinstance(v, list) else (v, v)


def _padding(v):
    return v if isinstance(v, str) else _pair(v)


# ----------------------------------------------------------------------------------------
# Ops: each takes (params, inputs by port, owned parameters) and returns one tensor
# ----------------------------------------------------------------------------------------

def reversed_padding(p):
    """F.pad's padding list for a Conv2d, as nn.Conv2d's _reversed_padding_repeated_twice."""
    padding, kernel, dilation = p["padding"], _pair(p["kernel_size"]), _pair(p["dilation"])
    if padding == "valid":
        return [0, 0, 0, 0]
    if padding == "same":
        out = [0, 0, 0, 0]
        for d, k, i in zip(dilation, kernel, (1, 0)):
            total = d * (k - 1)
            out[2 * i], out[2 * i + 1] = total // 2, total - total // 2
        return out
    ph, pw = _pair(padding)
    return [pw, pw, ph, ph]


def op_conv2d(p, x, owned):
    """nn.Conv2d's forward; a wired weight/bias replaces the owned parameter."""
    w = x.get("weight", owned.get("weight"))
    b = x["bias"] if "bias" in x else owned.get("bias")
    inp, stride, dilation = x["input"], _pair(p["stride"]), _pair(p["dilation"])
    if p["padding_mode"] == "zeros":
        return F.conv2d(inp, w, b, stride, _padding(p["padding"]), dilation, p["groups"])
    padded = F.pad(inp, reversed_padding(p), mode=p["padding_mode"])
    return F.conv2d(padded, w, b, stride, (0, 0), dilation, p["groups"])


def op_linear(p, x, owned):
    w = x.get("weight", owned.get("weight"))
    b = x["bias"] if "bias" in x else owned.get("bias")
    return F.linear(x["input"], w, b)


def op_max_pool(p, x, _):
    return F.max_pool2d(x["input"], p["kernel_size"], p["stride"], p["padding"],
                        p["dilation"], ceil_mode=p["ceil_mode"])


def op_avg_pool(p, x, _):
    return F.avg_pool2d(x["input"], p["kernel_size"], p["stride"], p["padding"],
                        p["ceil_mode"], p["count_include_pad"], p["divisor_override"])


def op_reduce(method):
    """Sum/Mean: dim null reduces everything (x.sum(), or x.sum(dim=None, keepdim=True))."""
    def run(p, x, _):
        t, dim = x["input"], p["dim"]
        if dim is None and not p["keepdim"]:
            return getattr(t, method)()
        return getattr(t, method)(dim=tuple(dim) if isinstance(dim, list) else dim,
                                  keepdim=p["keepdim"])
    return run


def mulberry32(seed, skip=0):
    """The engine's generator (engine/core/random.ts), started after `skip` draws: yields
    uniforms in [0, 1). See Note [Dropout masks] in engine/nn/dropout.ts."""
    state = ((int(seed) & 0xFFFFFFFF) ^ 0x9E3779B9) + skip * 0x6D2B79F5
    while True:
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + ((t ^ (t >> 7)) * (t | 61))) & 0xFFFFFFFF
        yield ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296


def op_dropout(p, x, _, training=True, iteration=0):
    """F.dropout(x, p, training, inplace) as ATen's _dropout_impl on the CPU, with the mask
    drawn from the engine's generator (bernoulli(1 - p) there, u < 1 - p here)."""
    x, prob = x["input"], float(p["p"])
    if prob < 0 or prob > 1:
        raise ValueError("dropout probability has to be between 0 and 1, but got {}".format(prob))
    if prob == 0 or not training or x.numel() == 0:
        return x
    if prob == 1:
        noise = torch.zeros((), dtype=x.dtype)
    else:
        n, draws = x.numel(), mulberry32(p["seed"], iteration * x.numel())
        keep = [1.0 if next(draws) < 1 - prob else 0.0 for _ in range(n)]
        noise = torch.tensor(keep, dtype=torch.float32).reshape(x.shape).to(x.dtype)
        noise.div_(1 - prob)
    return x.mul_(noise) if p["inplace"] else x * noise


def op_grad(p, x, _, of_id=None):
    """Grad: `of.grad` after backward; None is an error at the Grad node."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        grad = x["of"].grad
    if grad is None:
        raise RuntimeError("%s.grad is None: backward did not give %s a gradient (only leaves "
                           "that require grad, and non-leaves with retain_grad, keep one)"
                           % (of_id, of_id))
    return grad


OP_FUNCS = {
    "Conv2d": op_conv2d,
    "Linear": op_linear,
    "MaxPool2d": op_max_pool,
    "AvgPool2d": op_avg_pool,
    "ReLU": lambda p, x, _: F.relu(x["input"], inplace=p["inplace"]),
    "Sigmoid": lambda p, x, _: torch.sigmoid(x["input"]),
    "Tanh": lambda p, x, _: torch.tanh(x["input"]),
    "LeakyReLU": lambda p, x, _: F.leaky_relu(x["input"], p["negative_slope"], inplace=p["inplace"]),
    "GELU": lambda p, x, _: F.gelu(x["input"], approximate=p["approximate"]),
    "Pow": lambda p, x, _: torch.pow(x["input"], p["exponent"]),
    "Flatten": lambda p, x, _: torch.flatten(x["input"], p["start_dim"], p["end_dim"]),
    "Reshape": lambda p, x, _: x["input"].reshape(p["shape"]),
    "Transpose": lambda p, x, _: x["input"].transpose(p["dim0"], p["dim1"]),
    "Permute": lambda p, x, _: x["input"].permute(p["dims"]),
    "Cat": lambda p, x, _: torch.cat([x[k] for k in "abcd" if k in x], p["dim"]),
    "AdaptiveAvgPool2d": lambda p, x, _: F.adaptive_avg_pool2d(
        x["input"], tuple(p["output_size"]) if isinstance(p["output_size"], list) else p["output_size"]),
    "LogSoftmax": lambda p, x, _: F.log_softmax(x["input"], p["dim"]),
    "Softmax": lambda p, x, _: F.softmax(x["input"], p["dim"]),
    "Log": lambda p, x, _: torch.log(x["input"]),
    "Exp": lambda p, x, _: torch.exp(x["input"]),
    "Neg": lambda p, x, _: torch.neg(x["input"]),
    "Sign": lambda p, x, _: torch.sign(x["input"]),
    "Add": lambda p, x, _: x["a"] + x["b"],
    "Sub": lambda p, x, _: x["a"] - x["b"],
    "Mul": lambda p, x, _: x["a"] * x["b"],
    "Div": lambda p, x, _: x["a"] / x["b"],
    "MatMul": lambda p, x, _: torch.matmul(x["a"], x["b"]),
    "Sum": op_reduce("sum"),
    "Mean": op_reduce("mean"),
    "Clamp": lambda p, x, _: torch.clamp(x["input"], p["min"], p["max"]),
    "NLLLoss": lambda p, x, _: F.nll_loss(x["input"], x["target"], x.get("weight"),
                                          ignore_index=p["ignore_index"],
                                          reduction=p["reduction"]),
    "CrossEntropyLoss": lambda p, x, _: F.cross_entropy(
        x["input"], x["target"], x.get("weight"), ignore_index=p["ignore_index"],
        reduction=p["reduction"], label_smoothing=p["label_smoothing"]),
    "MSELoss": lambda p, x, _: F.mse_loss(x["input"], x["target"], reduction=p["reduction"]),
    "L1Loss": lambda p, x, _: F.l1_loss(x["input"], x["target"], reduction=p["reduction"]),
    "BCEWithLogitsLoss": lambda p, x, _: F.binary_cross_entropy_with_logits(
        x["input"], x["target"], x.get("weight"), reduction=p["reduction"],
        pos_weight=x.get("pos_weight")),
    "Detach": lambda p, x, _: x["input"].detach(),
    "Clone": lambda p, x, _: x["input"].clone(),
    "Grad": op_grad,
    "Dropout": op_dropout,
}


# ----------------------------------------------------------------------------------------
# grad_fn attribution and backward recording
# ----------------------------------------------------------------------------------------

def grad_fn_name(fn):
    """The engine's name for a grad_fn (AccumulateGrad under its class name, as the spec)."""
    return "AccumulateGrad" if type(fn).__name__ == "AccumulateGrad" else fn.name()


class GradFnTracker:
    """Knows which graph node created each grad_fn, and records the backward's executions.

    grad_fn objects are kept alive here (as dict keys) for the whole run: their identity
    stays stable and hooks registered on them are not dropped."""

    def __init__(self):
        self.owner = {}      # grad_fn -> node id
        self.leaves = {}     # id(tensor) -> (tensor, name) of Tensor-node values and parameters
        self.hooked = set()  # grad_fns with our post-hook
        self.steps = []      # executions of the current backward

    def name_leaf(self, tensor, name):
        self.leaves[id(tensor)] = (tensor, name)

    def attribute(self, node_id, tensor):
        """Every grad_fn behind `tensor` not yet attributed was created by node_id."""
        stack = [tensor.grad_fn]
        while stack:
            fn = stack.pop()
            if fn is None or fn in self.owner:
                continue
            self.owner[fn] = node_id
            stack.extend(nxt for nxt, _ in fn.next_functions)

    def label(self, fn):
        """The node (or parameter) a grad_fn belongs to; AccumulateGrad names its leaf."""
        if type(fn).__name__ == "AccumulateGrad":
            entry = self.leaves.get(id(fn.variable))
            if entry is not None and entry[0] is fn.variable:
                return entry[1]
        return self.owner.get(fn)

    def record_backward(self, root):
        """Hooks every grad_fn reachable from root and clears the step list."""
        self.steps = []
        stack = [_root_function(root)]
        while stack:
            fn = stack.pop()
            if fn is None or fn in self.hooked:
                continue
            self.hooked.add(fn)
            fn.register_hook(self._hook(fn))
            stack.extend(nxt for nxt, _ in fn.next_functions)

    def _hook(self, fn):
        def post_hook(grad_inputs, grad_outputs):
            self.steps.append({"grad_fn": grad_fn_name(fn), "node": self.label(fn)})
        return post_hook


def _root_function(root):
    """root.grad_fn, or the AccumulateGrad the engine runs for a leaf root requiring grad."""
    if root.grad_fn is not None or not root.requires_grad:
        return root.grad_fn
    return root.view_as(root).grad_fn.next_functions[0][0]


# ----------------------------------------------------------------------------------------
# Running a graph
# ----------------------------------------------------------------------------------------

class OutOfMemory(Exception):
    """PyTorch could not allocate memory: a limit of the process, not an error of the graph."""


def is_out_of_memory(exc):
    """MemoryError, or PyTorch's allocator failing (CPU or CUDA)."""
    if isinstance(exc, MemoryError):
        return True
    text = str(exc) if isinstance(exc, RuntimeError) else ""
    return "can't allocate memory" in text or "out of memory" in text.lower()


def _first_line(text):
    lines = str(text).strip().splitlines()
    return lines[0] if lines else ""


class GraphError(Exception):
    """An exception that PyTorch (or a Grad node) raised while running the graph."""

    def __init__(self, exc, node, phase, iteration):
        super().__init__(str(exc))
        self.info = {"type": type(exc).__name__, "message": str(exc), "node": node,
                     "phase": phase, "iteration": iteration}


class Runner:
    """Runs one validated document; `run()` returns the result dict."""

    def __init__(self, doc, graph, device="cpu", lazy=False):
        self.graph, self.device, self.lazy = graph, device, lazy
        self.run_spec = doc.get("run", {})
        self.params = {}     # "<node>.weight" -> Parameter, in creation order
        self.owned = {}      # node id -> {"weight": ..., "bias": ...}
        self.norms = {}      # BatchNorm2d node id -> its nn.BatchNorm2d (buffers, training flag)
        self.values = {}     # Tensor node id -> its current tensor (persists)
        self.outputs = {}    # node id -> output of the current iteration
        self.tracker = GradFnTracker()
        self.optimizer = None  # (torch.optim optimizer, parameter names) with run.optimizer

    def run(self):
        iterations, done, error = int(self.run_spec.get("iterations", 1)), 0, None
        try:
            self._create_all_parameters()
            pending = {}
            for it in range(iterations):
                self.outputs, self.iteration = {}, it
                self._setup(it, pending)
                if it == 0 and "optimizer" in self.run_spec:
                    self._make_optimizer()
                self._evaluate(self.graph.forward_order, "forward", it)
                self._backward(it)
                self._optimizer_step(it)
                if self.run_spec.get("update_no_grad", False):
                    with torch.no_grad():
                        self._evaluate(self.graph.update_order, "update", it)
                else:
                    self._evaluate(self.graph.update_order, "update", it)
                pending = {fb["to"]: self.outputs[fb["from"]]
                           for fb in self.run_spec.get("feedback", [])}
                done = it + 1
        except GraphError as exc:
            if is_out_of_memory(exc.__cause__):
                info = exc.info
                raise OutOfMemory("%s (at node %s, %s phase, iteration %d)" % (
                    _first_line(info["message"]), info["node"], info["phase"], info["iteration"]))
            error = exc.info
        return self._result(done, error)

    def _make_optimizer(self):
        spec = self.run_spec["optimizer"]
        tensors = [nid for nid in self.graph.tensor_ids if self.graph.params[nid]["requires_grad"]]
        named = {"all": dict(self.params, **self.values), "default": list(self.params) + tensors}
        try:
            self.optimizer = optim_doc.make(spec, named)
        except KeyError as exc:
            raise DocumentError("run.optimizer.params: no parameter or Tensor node named %s" % exc)
        except ValueError as exc:  # optimizer got an empty parameter list
            raise DocumentError("run.optimizer%s: %s" % (".params" if "params" in spec else "", exc))

    def _optimizer_step(self, it):
        if self.optimizer is None:
            return
        try:
            self.optimizer[0].step()
        except Exception as exc:  # noqa: BLE001
            raise GraphError(exc, None, "update", it) from exc

    def _create_all_parameters(self):
        """Creates the owned parameters in document order. Default initialisations draw
        from torch's generator seeded with 0 inside fork_rng (the caller's random state is
        untouched), so they are reproducible, as the spec asks of seeded inits."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            for node in self.graph.nodes:
                self._create_parameters_of(node)

    def _create_parameters_of(self, node):
        if node["op"] not in LAYER_OPS:
            return
        nid, wired = node["id"], self.graph.inputs[node["id"]]
        try:
            module, owned = create_layer(node["op"], self.graph.params[nid], wired, self.device)
        except Exception as exc:  # noqa: BLE001 - any PyTorch error is the graph's error
            raise GraphError(exc, nid, "setup", 0) from exc
        self.owned[nid] = owned
        if node["op"] == "BatchNorm2d":
            module.train(self.run_spec.get("mode", "train") == "train")
            self.norms[nid] = module
        for name, param in owned.items():
            self.params["%s.%s" % (nid, name)] = param
            self.tracker.name_leaf(param, "%s.%s" % (nid, name))

    def _setup(self, it, pending):
        for nid in self.graph.tensor_ids:
            try:
                self._setup_tensor(nid, it, pending)
            except Exception as exc:  # noqa: BLE001
                raise GraphError(exc, nid, "setup", it) from exc
        if self.run_spec.get("zero_grad", False):
            for t in list(self.params.values()) + list(self.values.values()):
                if t.is_leaf:
                    t.grad = None

    def _setup_tensor(self, nid, it, pending):
        p = self.graph.params[nid]
        if it == 0:
            t = build_init(p["init"], p["shape"], DTYPES[p["dtype"]], self.device)
        else:
            t = pending.get(nid, self.values[nid])
        self.values[nid] = t
        if p["requires_grad"]:
            t.requires_grad = True
        if self.graph.nodes[self.graph.index[nid]].get("retain_grad"):
            t.retain_grad()
        if t.is_leaf:
            self.tracker.name_leaf(t, nid)
        self.tracker.attribute(nid, t)
        self.outputs[nid] = t

    def _evaluate(self, order, phase, it):
        self.iteration = it
        for nid in order:
            try:
                self._run_node(nid)
            except Exception as exc:  # noqa: BLE001
                raise GraphError(exc, nid, phase, it) from exc

    def _run_node(self, nid):
        node, p = self.graph.nodes[self.graph.index[nid]], self.graph.params[nid]
        inputs = {port: self.outputs[self.graph.keys[(nid, port)]] for port in self.graph.inputs[nid]}
        if node["op"] == "Dataset":
            for name, out in bundled_data.batch(p, self.iteration, self.device).items():
                self.outputs["%s.%s" % (nid, name)] = out
                self.tracker.attribute(nid, out)
            return
        if node["op"] == "Dropout":
            out = op_dropout(p, inputs, None, self.run_spec.get("mode", "train") == "train",
                             self.iteration)
        elif node["op"] == "BatchNorm2d":
            out = self.norms[nid](inputs["input"])
        elif node["op"] == "Grad":
            out = op_grad(p, inputs, None, of_id=self.graph.inputs[nid]["of"])
        else:
            out = OP_FUNCS[node["op"]](p, inputs, self.owned.get(nid, {}))
        self.outputs[nid] = out  # computed, so reported even if retain_grad() raises below
        self.tracker.attribute(nid, out)
        if node.get("retain_grad"):
            out.retain_grad()

    def _backward(self, it):
        root_id = self.run_spec.get("backward")
        if root_id is None:
            return
        root = self.outputs[root_id]
        try:
            self.tracker.record_backward(root)
            root.backward()
        except Exception as exc:  # noqa: BLE001
            raise GraphError(exc, root_id, "backward", it) from exc

    def _result(self, done, error):
        tensors = {nid: describe_tensor(t, self.lazy) for nid, t in self.outputs.items()}
        tensors.update((name, describe_tensor(t, self.lazy)) for name, t in self.params.items())
        for nid, module in self.norms.items():
            for name in BUFFERS:
                if getattr(module, name) is not None:
                    tensors["%s.%s" % (nid, name)] = describe_tensor(getattr(module, name), self.lazy)
        result = {"tensors": tensors, "backward_steps": self.tracker.steps,
                  "iterations_run": done, "error": error}
        if self.optimizer is not None:
            values = FlatValues if self.lazy else (lambda x: x.detach().cpu().reshape(-1).tolist())
            result["optimizer"] = optim_doc.state(*self.optimizer, values)
        return result


class FlatValues:
    """A tensor's values, flattened, for write_result to write in chunks (no list of them all)."""

    def __init__(self, t):
        self.flat = t.detach().cpu().reshape(-1)

    def tolist(self):
        return self.flat.tolist()


def describe_tensor(t, lazy=False):
    """The result entry of one tensor: value, flags, grad_fn class name and .grad. With lazy,
    "data" holds FlatValues instead of a list."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # reading .grad of a non-leaf warns
        grad = t.grad
    values = FlatValues if lazy else (lambda x: x.detach().cpu().reshape(-1).tolist())
    return {
        "shape": list(t.shape),
        "dtype": str(t.dtype).replace("torch.", ""),
        "data": values(t),
        "requires_grad": t.requires_grad,
        "is_leaf": t.is_leaf,
        "grad_fn": None if t.grad_fn is None else type(t.grad_fn).__name__,
        "grad": None if grad is None else {"shape": list(grad.shape), "data": values(grad)},
    }


def run_document(doc, device="cpu"):
    """Validates and runs a document (a dict); returns the result dict.

    Raises DocumentError for an invalid document."""
    return Runner(doc, validate_document(doc), device).run()


def result_to_json(result):
    """The result as JSON text; NaN and Infinity as Python's json writes them."""
    return json.dumps(result, default=FlatValues.tolist)


CHUNK = 1 << 16  # values per piece of text write_result builds


def write_result(result, fh):
    """Writes result_to_json(result) to fh piece by piece: a tensor's values go in chunks, so
    the text of a large result is never built whole (nor a list of all its values)."""
    fh.write('{"tensors": {')
    for k, (name, entry) in enumerate(result["tensors"].items()):
        fh.write("%s%s: " % (", " if k else "", json.dumps(name)))
        _write_object(entry, fh)
    fh.write("}")
    for key in ("backward_steps", "iterations_run", "error"):
        fh.write(", %s: %s" % (json.dumps(key), json.dumps(result[key])))
    if "optimizer" in result:
        fh.write(', "optimizer": %s' % json.dumps(result["optimizer"], default=FlatValues.tolist))
    fh.write("}")


def _write_object(obj, fh):
    fh.write("{")
    for k, (key, value) in enumerate(obj.items()):
        fh.write("%s%s: " % (", " if k else "", json.dumps(key)))
        if isinstance(value, FlatValues):
            _write_values(value.flat, fh)
        elif isinstance(value, dict):
            _write_object(value, fh)
        else:
            fh.write(json.dumps(value))
    fh.write("}")


def _write_values(flat, fh):
    fh.write("[")
    for start in range(0, flat.numel(), CHUNK):
        text = json.dumps(flat[start:start + CHUNK].tolist())
        fh.write(("" if start == 0 else ", ") + text[1:-1])
    fh.write("]")


# ----------------------------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------------------------

def _parse_args(argv):
    parser = argparse.ArgumentParser(description="Run graph documents on PyTorch.")
    parser.add_argument("graphs", nargs="+", metavar="GRAPH.json")
    parser.add_argument("--out-dir", help="write DIR/<name>.result.json for each graph")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    parser.add_argument("--iterations", type=int,
                        help="override run.iterations (as the CLI's run and step)")
    parser.add_argument("--memory-limit", type=int, metavar="MB",
                        help="address space the process may use beyond torch's own, in megabytes")
    args = parser.parse_args(argv)
    if args.iterations is not None and not 1 <= args.iterations <= MAX_ITERATIONS:
        parser.error("--iterations takes an integer from 1 to %d" % MAX_ITERATIONS)
    if args.memory_limit is not None and args.memory_limit < 1:
        parser.error("--memory-limit takes a positive number of megabytes")
    if args.out_dir is None and len(args.graphs) != 1:
        parser.error("several graphs need --out-dir DIR")
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: CUDA is not available")
    return args


def _address_space():
    """Bytes of address space this process holds now (0 where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def limit_memory(megabytes):
    """Caps the address space at what the process holds now plus `megabytes` (RLIMIT_AS):
    past it, allocations fail with MemoryError or PyTorch's allocator error, and the runner
    exits with status 3 instead of the system's OOM killer ending it (or the machine)."""
    if resource is None:
        return
    soft = _address_space() + megabytes * (1 << 20)
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def with_iterations(doc, iterations):
    """The document with run.iterations set (a missing run becomes {"iterations": N}), as
    the CLI's run and step; a run that is not an object is left for validation to refuse."""
    if iterations is None or not isinstance(doc, dict):
        return doc
    run = doc.get("run", {})
    return dict(doc, run=dict(run, iterations=iterations)) if isinstance(run, dict) else doc


def read_document(path, iterations=None):
    """Reads and validates a document file; returns (doc, graph). Every fault of the file is
    a DocumentError with a one-line message (malformed JSON, nesting too deep, wrong types)."""
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as exc:
        raise DocumentError("$: cannot read JSON (%s)" % _first_line(exc)) from None
    except RecursionError:
        raise DocumentError("$: cannot read JSON (nested too deeply)") from None
    doc = with_iterations(doc, iterations)
    try:
        return doc, validate_document(doc)
    except DocumentError:
        raise
    except (RecursionError, TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        # A shape of document the checks above do not foresee: still one line, never a traceback.
        raise DocumentError("$: malformed document (%s: %s)"
                            % (type(exc).__name__, _first_line(exc))) from None


def _run_file(path, device, iterations=None):
    """(result dict, exit status) for one file; prints document errors on stderr."""
    try:
        doc, graph = read_document(path, iterations)
    except DocumentError as exc:
        print("%s: %s" % (path, exc), file=sys.stderr)
        return None, 2
    result = Runner(doc, graph, device, lazy=True).run()
    return result, (0 if result["error"] is None else 1)


def _write(result, path, out_dir):
    if out_dir is None:
        write_result(result, sys.stdout)
        sys.stdout.write("\n")
        sys.stdout.flush()
        return
    os.makedirs(out_dir, exist_ok=True)
    name = os.path.basename(path)
    name = name[: -len(".json")] if name.endswith(".json") else name
    with open(os.path.join(out_dir, name + ".result.json"), "w", encoding="utf-8") as fh:
        write_result(result, fh)


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    if args.memory_limit is not None:
        limit_memory(args.memory_limit)
    limit = ("" if args.memory_limit is None
             else "; the limit is --memory-limit %d MB" % args.memory_limit)
    status = 0
    for path in args.graphs:
        try:
            result, code = _run_file(path, args.device, args.iterations)
            if result is not None:
                _write(result, path, args.out_dir)
        except OSError as exc:  # --out-dir names a file, a folder we may not write, a full disk
            code = 2
            print("%s: cannot write the result: %s" % (args.out_dir or "stdout", _first_line(exc)),
                  file=sys.stderr)
        except (OutOfMemory, MemoryError) as exc:
            code = OUT_OF_MEMORY
            print("%s: out of memory: %s%s" % (path, _first_line(exc) or "MemoryError", limit),
                  file=sys.stderr)
        status = max(status, code)
    return status


if __name__ == "__main__":
    sys.exit(main())
