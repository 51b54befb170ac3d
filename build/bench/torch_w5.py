"""PyTorch peer of W5 (docs/workloads.md): the LeNet-style digits CNN, batch 32, SGD(lr=0.05, momentum=0.9).

usage: /usr/bin/python3 build/bench/torch_w5.py [ITERATIONS]   (default 500)

One thread. Each step: optimizer.zero_grad(set_to_none=True), forward, loss.backward(), optimizer.step(),
on the batches of a shuffled epoch of the 1,437 training digits (torch's own shuffle and init: W5 compares
time, not numbers). Prints one JSON object: the median ms per step after 5 warm-up steps, the wall ms of
all iterations, the last loss and the accuracy on the 360 test digits after training (eval mode, no_grad).
"""
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(1)
torch.manual_seed(0)
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "datasets", "digits")


def split(name, n):
    with gzip.open(os.path.join(DATA, name + ".u8.gz"), "rb") as f:
        b = np.frombuffer(f.read(), dtype=np.uint8)
    x = torch.from_numpy((b[: n * 64].astype(np.float32) / 16).reshape(n, 1, 8, 8))
    return x, torch.from_numpy(b[n * 64 :].astype(np.int64))


def main(iterations):
    x, y = split("train", 1437)
    tx, ty = split("test", 360)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10),
    )
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    per = (1437 + 31) // 32
    order = torch.randperm(1437)
    times = []
    start = time.perf_counter()
    for k in range(iterations):
        if k % per == 0:
            order = torch.randperm(1437)
        rows = order[(k % per) * 32 : (k % per) * 32 + 32]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[rows]), y[rows])
        loss.backward()
        opt.step()
        if k >= 5:
            times.append((time.perf_counter() - t0) * 1000.0)
    total = (time.perf_counter() - start) * 1000.0
    model.eval()
    with torch.no_grad():
        acc = float((model(tx).argmax(1) == ty).double().mean())
    times.sort()
    print(json.dumps({"ms": times[len(times) // 2], "total_ms": total, "last_loss": float(loss), "test_accuracy": acc}))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
