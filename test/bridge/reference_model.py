"""Test helper: imports a model file as a graph document and computes PyTorch's own
answer for it, from the same model object (so the same parameter values).

usage: python3 test/bridge/reference_model.py MODEL.py
Prints {"document": ..., "reference": {"output": [...], "grads": {graph name: [...]}}}:
the output of the model on its example inputs, and the .grad of every parameter after
backward() on the graph's run.backward (the output, or output.sum() when the importer
added a loss node).
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build", "torch"))
import import_fx  # noqa: E402  (the path is set just above)


def main(path):
    model, inputs = import_fx.load_model_file(path)
    doc = import_fx.graph_document(model, inputs, os.path.basename(path))
    out = model(*inputs)
    if doc["run"].get("backward") is not None:
        (out if out.numel() == 1 else out.sum()).backward()
    named = dict(model.named_parameters())
    grads = {}
    for graph_name, model_name in doc["meta"]["source"]["parameters"].items():
        g = named[model_name].grad
        grads[graph_name] = None if g is None else g.reshape(-1).tolist()
    print(json.dumps({"document": doc, "reference": {"output": out.detach().reshape(-1).tolist(), "grads": grads}}))


if __name__ == "__main__":
    main(sys.argv[1])
