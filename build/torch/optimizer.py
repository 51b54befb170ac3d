"""run.optimizer on real PyTorch, for build/torch/runner.py: torch.optim's SGD, Adam and AdamW
made with the document's arguments (PyTorch's own checks and messages), and optimizer.state in
the result's form (docs/graph-format.md, "Run" and "Result")."""
import re

import torch

KINDS = ("SGD", "Adam", "AdamW")
FIELDS = {
    "SGD": ("lr", "momentum", "dampening", "weight_decay", "nesterov"),
    "Adam": ("lr", "betas", "eps", "weight_decay", "amsgrad"),
    "AdamW": ("lr", "betas", "eps", "weight_decay", "amsgrad"),
}
AT = "run.optimizer"

# Where each of the constructor's messages points in the document.
_MESSAGE_FIELDS = (
    (r"Invalid learning rate|required optimization parameter lr", "lr"),
    (r"Invalid momentum", "momentum"),
    (r"Invalid weight_decay", "weight_decay"),
    (r"Nesterov", "nesterov"),
    (r"Invalid epsilon", "eps"),
    (r"Invalid beta parameter at index (\d)", "betas[%s]"),
)


def arguments(spec):
    """The keyword arguments of the constructor (betas as a tuple)."""
    kwargs = {k: v for k, v in spec.items() if k not in ("kind", "params")}
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    return kwargs


def check(spec, fail):
    """Checks run.optimizer as the constructor does, on a stand-in parameter; `fail(path, text)`
    raises the runner's DocumentError."""
    if spec is None:
        return
    if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
        fail(AT + ".kind", "expected %s" % ", ".join('"%s"' % k for k in KINDS))
    for field in spec:
        if field not in ("kind", "params") + FIELDS[spec["kind"]]:
            fail("%s.%s" % (AT, field), "unknown field of %s" % spec["kind"])
    try:
        getattr(torch.optim, spec["kind"])([torch.zeros(1, requires_grad=True)], **arguments(spec))
    except ValueError as exc:
        message = str(exc)
        for pattern, field in _MESSAGE_FIELDS:
            m = re.search(pattern, message)
            if m:
                fail("%s.%s" % (AT, field % m.groups() if m.groups() else field), message)
        fail(AT, message)


def make(spec, named):
    """(optimizer, names) over the document's parameters: `named` maps every parameter name
    and Tensor node id to its tensor; the default set is given by `named_default`."""
    names = list(spec["params"]) if "params" in spec else named["default"]
    params = [named["all"][n] for n in names]
    return getattr(torch.optim, spec["kind"])(params, **arguments(spec)), names


def state(opt, names, values):
    """The result's "optimizer" section: kind, params and optimizer.state by parameter name."""
    out = {}
    params = opt.param_groups[0]["params"]
    for name, p in zip(names, params):
        if p not in opt.state:
            continue
        entry = {}
        for key, v in opt.state[p].items():
            if v is None:
                entry[key] = None
            elif v.dim() == 0:
                entry[key] = v.item()
            else:
                entry[key] = {"shape": list(v.shape), "data": values(v)}
        out[name] = entry
    return {"kind": type(opt).__name__, "params": names, "state": out}
