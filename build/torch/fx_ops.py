"""The call_function / call_method ops that build/torch/import_fx.py understands.

Each handler takes the Builder and an fx node and returns the id of the graph node it
added (or of the node it aliases). METHODS is keyed by Tensor method name; FUNCTIONS maps
the torch / F / operator functions to the same keys.
"""
import operator

import torch
import torch.fx as fx
import torch.nn.functional as F


class ImportFailure(Exception):
    """The model cannot become a graph document; the message says why."""


def _pair(v):
    return list(v) if isinstance(v, (tuple, list)) else v


def _arg(n, i, name, default=None):
    if len(n.args) > i:
        return n.args[i]
    return n.kwargs.get(name, default)


def _unary(op, **fixed):
    def handler(b, n):
        return b.add(b.fresh(n.name), op, dict(fixed), [("input", b.operand(n, n.args[0]))])
    return handler


def _binary(op):
    def handler(b, n):
        a, c = _arg(n, 0, "input"), _arg(n, 1, "other")
        if n.kwargs.get("alpha", 1) != 1:
            raise ImportFailure("node %r: %s with alpha is not supported" % (n.name, op))
        like = b.values.get(a if isinstance(a, fx.Node) else c)
        return b.add(b.fresh(n.name), op, {}, [("a", b.operand(n, a, like)), ("b", b.operand(n, c, like))])
    return handler


def _binary_ports(op):
    """An op of two tensors on ports a and b (no Python numbers: both must be tensors)."""
    def handler(b, n):
        return b.add(b.fresh(n.name), op, {}, [("a", b.operand(n, _arg(n, 0, "input"))),
                                                ("b", b.operand(n, _arg(n, 1, "other")))])
    return handler


def _reduce(op):
    def handler(b, n):
        dim = b.concrete(_arg(n, 1, "dim"))
        if _arg(n, 3, "dtype") is not None:
            raise ImportFailure("node %r: %s with dtype is not supported" % (n.name, op.lower()))
        return b.add(b.fresh(n.name), op, {"dim": dim, "keepdim": bool(_arg(n, 2, "keepdim", False))},
                     [("input", b.operand(n, n.args[0]))])
    return handler


def _softmax(op):
    def handler(b, n):
        if n.kwargs.get("dtype") is not None:
            raise ImportFailure("node %r: %s with dtype is not supported" % (n.name, op))
        return b.add(b.fresh(n.name), op, {"dim": b.concrete(_arg(n, 1, "dim"))}, [("input", b.operand(n, n.args[0]))])
    return handler


def _reshape(b, n):
    shape = b.concrete(list(n.args[1:]) if n.op == "call_method" else _arg(n, 1, "shape"))
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = list(shape[0])
    return b.add(b.fresh(n.name), "Reshape", {"shape": [int(s) for s in shape]}, [("input", b.operand(n, n.args[0]))])


def _flatten(b, n):
    return b.add(b.fresh(n.name), "Flatten", {"start_dim": b.concrete(_arg(n, 1, "start_dim", 0)),
                                              "end_dim": b.concrete(_arg(n, 2, "end_dim", -1))},
                 [("input", b.operand(n, n.args[0]))])


def _relu(b, n):
    inplace = bool(n.kwargs.get("inplace", False)) or n.target == "relu_"
    return b.add(b.fresh(n.name), "ReLU", {"inplace": inplace}, [("input", b.operand(n, n.args[0]))])


def _leaky_relu(b, n):
    inplace = bool(b.concrete(_arg(n, 2, "inplace", False))) or n.target is F.leaky_relu_
    p = {"negative_slope": b.concrete(_arg(n, 1, "negative_slope", 0.01)), "inplace": inplace}
    return b.add(b.fresh(n.name), "LeakyReLU", p, [("input", b.operand(n, n.args[0]))])


def _gelu(b, n):
    p = {"approximate": b.concrete(_arg(n, 1, "approximate", "none"))}
    return b.add(b.fresh(n.name), "GELU", p, [("input", b.operand(n, n.args[0]))])


def _pow(b, n):
    base, exponent = n.args[0], b.concrete(_arg(n, 1, "exponent"))
    if not isinstance(base, fx.Node) or isinstance(exponent, bool) or not isinstance(exponent, (int, float)):
        raise ImportFailure("node %r: pow is supported for a tensor raised to a number only" % n.name)
    return b.add(b.fresh(n.name), "Pow", {"exponent": exponent}, [("input", b.operand(n, base))])


def _clamp(b, n):
    lo, hi = b.concrete(_arg(n, 1, "min")), b.concrete(_arg(n, 2, "max"))
    return b.add(b.fresh(n.name), "Clamp", {"min": lo, "max": hi}, [("input", b.operand(n, n.args[0]))])


def _pool(op):
    def handler(b, n):
        p = {"kernel_size": _pair(b.concrete(_arg(n, 1, "kernel_size"))),
             "stride": _pair(b.concrete(_arg(n, 2, "stride"))) or None,
             "padding": _pair(b.concrete(_arg(n, 3, "padding", 0)))}
        if op == "MaxPool2d":
            if _arg(n, 6, "return_indices", False):
                raise ImportFailure("node %r: max_pool2d with return_indices is not supported" % n.name)
            p.update(dilation=_pair(b.concrete(_arg(n, 4, "dilation", 1))),
                     ceil_mode=bool(_arg(n, 5, "ceil_mode", False)))
        else:
            p.update(ceil_mode=bool(_arg(n, 4, "ceil_mode", False)),
                     count_include_pad=bool(_arg(n, 5, "count_include_pad", True)),
                     divisor_override=_arg(n, 6, "divisor_override"))
        return b.add(b.fresh(n.name), op, p, [("input", b.operand(n, n.args[0]))])
    return handler


def _layer(op):
    def handler(b, n):
        w = b.values[_arg(n, 1, "weight")]
        bias = _arg(n, 2, "bias")
        ports = [("input", b.operand(n, n.args[0])), ("weight", b.operand(n, _arg(n, 1, "weight")))]
        if bias is not None:
            ports.append(("bias", b.operand(n, bias)))
        if op == "Linear":
            p = {"in_features": w.shape[1], "out_features": w.shape[0], "bias": bias is not None}
        else:
            groups = b.concrete(_arg(n, 6, "groups", 1))
            p = {"in_channels": w.shape[1] * groups, "out_channels": w.shape[0],
                 "kernel_size": list(w.shape[2:]), "stride": _pair(b.concrete(_arg(n, 3, "stride", 1))),
                 "padding": _pair(b.concrete(_arg(n, 4, "padding", 0))),
                 "dilation": _pair(b.concrete(_arg(n, 5, "dilation", 1))), "groups": groups,
                 "bias": bias is not None}
        return b.add(b.fresh(n.name), op, p, ports)
    return handler


def _loss(op):
    def handler(b, n):
        ports = [("input", b.operand(n, n.args[0])), ("target", b.operand(n, _arg(n, 1, "target")))]
        if _arg(n, 2, "weight") is not None:
            ports.append(("weight", b.operand(n, _arg(n, 2, "weight"))))
        if n.kwargs.get("size_average") is not None or n.kwargs.get("reduce") is not None:
            raise ImportFailure("node %r: size_average/reduce are deprecated; use reduction" % n.name)
        p = {"reduction": n.kwargs.get("reduction", "mean"), "ignore_index": n.kwargs.get("ignore_index", -100)}
        if op == "CrossEntropyLoss":
            p["label_smoothing"] = n.kwargs.get("label_smoothing", 0.0)
        return b.add(b.fresh(n.name), op, p, ports)
    return handler


def _transpose(b, n):
    x = n.args[0]
    if n.target in ("t", torch.t):
        if b.values[x].dim() < 2:
            return b.operand(n, x)  # t() of a 0-D or 1-D tensor is the tensor itself
        dims = (0, 1)
    else:
        dims = (b.concrete(_arg(n, 1, "dim0")), b.concrete(_arg(n, 2, "dim1")))
    return b.add(b.fresh(n.name), "Transpose", {"dim0": dims[0], "dim1": dims[1]}, [("input", b.operand(n, x))])


def _permute(b, n):
    dims = b.concrete(list(n.args[1:]) if n.op == "call_method" else _arg(n, 1, "dims"))
    if n.op == "call_method" and not dims:
        dims = b.concrete(n.kwargs.get("dims", []))
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        dims = list(dims[0])
    return b.add(b.fresh(n.name), "Permute", {"dims": [int(d) for d in dims]}, [("input", b.operand(n, n.args[0]))])


def _pointwise_loss(op):
    """F.mse_loss / F.l1_loss (input, target, size_average, reduce, reduction) and
    F.binary_cross_entropy_with_logits (input, target, weight, size_average, reduce,
    reduction, pos_weight)."""
    bce = op == "BCEWithLogitsLoss"

    def handler(b, n):
        if _arg(n, 3 if bce else 2, "size_average") is not None or _arg(n, 4 if bce else 3, "reduce") is not None:
            raise ImportFailure("node %r: size_average/reduce are deprecated; use reduction" % n.name)
        ports = [("input", b.operand(n, n.args[0])), ("target", b.operand(n, _arg(n, 1, "target")))]
        for i, name in ((2, "weight"), (6, "pos_weight")) if bce else ():
            if _arg(n, i, name) is not None:
                ports.append((name, b.operand(n, _arg(n, i, name))))
        return b.add(b.fresh(n.name), op, {"reduction": _arg(n, 5 if bce else 4, "reduction", "mean")}, ports)
    return handler


def _cat(b, n):
    xs = _arg(n, 0, "tensors")
    if not 2 <= len(xs) <= 4:
        raise ImportFailure("node %r: cat of %d tensors is not supported (2 to 4)" % (n.name, len(xs)))
    ports = [(port, b.operand(n, x)) for port, x in zip("abcd", xs)]
    return b.add(b.fresh(n.name), "Cat", {"dim": b.concrete(_arg(n, 1, "dim", 0))}, ports)


def _adaptive_avg_pool(b, n):
    size = b.concrete(_arg(n, 1, "output_size"))
    return b.add(b.fresh(n.name), "AdaptiveAvgPool2d", {"output_size": _pair(size)},
                 [("input", b.operand(n, n.args[0]))])


def _alias(b, n):
    return b.operand(n, n.args[0])


METHODS = {  # call_method name (or FUNCTIONS key) -> handler
    "relu": _relu, "relu_": _relu, "flatten": _flatten, "reshape": _reshape, "view": _reshape,
    "sum": _reduce("Sum"), "mean": _reduce("Mean"), "clamp": _clamp, "clip": _clamp,
    "exp": _unary("Exp"), "log": _unary("Log"), "neg": _unary("Neg"), "sign": _unary("Sign"),
    "sigmoid": _unary("Sigmoid"), "tanh": _unary("Tanh"), "leaky_relu": _leaky_relu, "gelu": _gelu,
    "pow": _pow,
    "detach": _unary("Detach"), "clone": _unary("Clone"), "contiguous": _alias,
    "softmax": _softmax("Softmax"), "log_softmax": _softmax("LogSoftmax"),
    "add": _binary("Add"), "sub": _binary("Sub"), "mul": _binary("Mul"), "div": _binary("Div"),
    "max_pool2d": _pool("MaxPool2d"), "avg_pool2d": _pool("AvgPool2d"),
    "conv2d": _layer("Conv2d"), "linear": _layer("Linear"),
    "cross_entropy": _loss("CrossEntropyLoss"), "nll_loss": _loss("NLLLoss"),
    "mse_loss": _pointwise_loss("MSELoss"), "l1_loss": _pointwise_loss("L1Loss"),
    "binary_cross_entropy_with_logits": _pointwise_loss("BCEWithLogitsLoss"),
    "transpose": _transpose, "t": _transpose, "permute": _permute,
    "matmul": _binary_ports("MatMul"),
    "cat": _cat,
    "adaptive_avg_pool2d": _adaptive_avg_pool,
}
FUNCTIONS = {  # call_function target -> METHODS key
    torch.sigmoid: "sigmoid", F.sigmoid: "sigmoid", torch.tanh: "tanh", F.tanh: "tanh",
    F.leaky_relu: "leaky_relu", F.leaky_relu_: "leaky_relu", F.gelu: "gelu", torch.pow: "pow",
    operator.pow: "pow",
    F.relu: "relu", torch.relu: "relu", F.max_pool2d: "max_pool2d", torch.max_pool2d: "max_pool2d",
    F.avg_pool2d: "avg_pool2d", F.conv2d: "conv2d", F.linear: "linear", torch.flatten: "flatten",
    torch.reshape: "reshape", F.softmax: "softmax", torch.softmax: "softmax",
    F.log_softmax: "log_softmax", torch.log_softmax: "log_softmax", torch.sum: "sum",
    torch.mean: "mean", torch.clamp: "clamp", torch.clip: "clamp", torch.exp: "exp",
    torch.log: "log", torch.neg: "neg", operator.neg: "neg", torch.sign: "sign",
    torch.detach: "detach", torch.clone: "clone", operator.add: "add", torch.add: "add",
    operator.sub: "sub", torch.sub: "sub", operator.mul: "mul", torch.mul: "mul",
    operator.truediv: "div", torch.div: "div", F.cross_entropy: "cross_entropy",
    F.nll_loss: "nll_loss",
    F.mse_loss: "mse_loss", F.l1_loss: "l1_loss",
    F.binary_cross_entropy_with_logits: "binary_cross_entropy_with_logits",
    torch.transpose: "transpose", torch.t: "t", torch.permute: "permute",
    torch.matmul: "matmul", operator.matmul: "matmul",
    torch.cat: "cat", torch.concat: "cat",
    F.adaptive_avg_pool2d: "adaptive_avg_pool2d",
}
SUPPORTED = ("nn.Conv2d, nn.Linear, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d, nn.ReLU, nn.Sigmoid, nn.Tanh, "
             "nn.LeakyReLU, nn.GELU, nn.Flatten, nn.LogSoftmax, "
             "nn.Softmax, nn.CrossEntropyLoss, nn.NLLLoss, nn.MSELoss, nn.L1Loss, nn.BCEWithLogitsLoss, "
             "nn.Identity, their F.* forms, "
             "torch.flatten/reshape, view, + - * /, ** and pow with a number, sum, mean, clamp, exp, log, "
             "neg, sign, sigmoid, tanh, "
             "detach, clone, transpose/t, permute, matmul/@, cat, adaptive_avg_pool2d")
