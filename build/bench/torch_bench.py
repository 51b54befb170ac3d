"""PyTorch peer of `npm run bench`: runs W1-W4 of docs/workloads.md on one thread.

usage: /usr/bin/python3 build/bench/torch_bench.py [--only W2,W3] [--min-time S] [--max-reps N]
       /usr/bin/python3 build/bench/torch_bench.py --serve   (reads "W2 1.5 [THREADS]" lines, answers one JSON line each)

One thread unless a --serve request names another count (the bench's torch-Nt: as many threads as
the engine uses); each request sets its own count.

Each step: grads set to None (the engine's run.zero_grad), forward, backward; nothing is
updated. Prints one JSON object: per workload the median ms per step after warm-up (wall
clock, and process CPU time as cpu_ms), the
loss, per-parameter grad checksums (sum and sum of absolute values), and the process's
peak RSS in KiB (resource.getrusage; run with --only W2 for W2's own peak).
"""
import json
import math
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)


def det(n, seed, scale):
    i = np.arange(n, dtype=np.float64)
    return (scale * np.sin(0.7071 * i + seed)).astype(np.float32)


def t(shape, seed, scale=1.0):
    n = int(np.prod(shape))
    return torch.from_numpy(det(n, seed, scale).reshape(shape).copy())


def conv(cin, cout, k, wseed, bseed, **kw):
    m = nn.Conv2d(cin, cout, k, **kw)
    groups = kw.get("groups", 1)
    s = 1.0 / math.sqrt(cin // groups * k * k)
    with torch.no_grad():
        m.weight.copy_(t(tuple(m.weight.shape), wseed, s))
        m.bias.copy_(t((cout,), bseed, s))
    return m


def build(name):
    """Returns (module dict, x, step function returning the loss tensor)."""
    if name == "W1":
        x = t((1, 1, 8, 8), 1.0)
        m = nn.ModuleDict({"conv1": conv(1, 2, 3, 2.0, 3.0, padding=1)})
        target = torch.tensor([3])
        f = lambda: F.nll_loss(F.log_softmax(torch.flatten(F.max_pool2d(m["conv1"](x), 2), 1), 1), target)
    elif name == "W2":
        x = t((32, 1, 28, 28), 1.0)
        fc = nn.Linear(1568, 10)
        s = 1.0 / math.sqrt(1568)
        with torch.no_grad():
            fc.weight.copy_(t((10, 1568), 6.0, s))
            fc.bias.copy_(t((10,), 7.0, s))
        m = nn.ModuleDict({"conv1": conv(1, 16, 3, 2.0, 3.0, padding=1), "conv2": conv(16, 32, 3, 4.0, 5.0, padding=1), "fc": fc})
        target = torch.tensor([(3 * n + 1) % 10 for n in range(32)])

        def f():
            h = F.max_pool2d(F.relu(m["conv1"](x)), 2)
            h = F.max_pool2d(F.relu(m["conv2"](h)), 2)
            return F.nll_loss(F.log_softmax(m["fc"](torch.flatten(h, 1)), 1), target)
    elif name == "W3":
        x = t((8, 16, 64, 64), 1.0)
        m = nn.ModuleDict({"conv1": conv(16, 32, 3, 2.0, 3.0, padding=1, padding_mode="reflect")})
        f = lambda: F.avg_pool2d(m["conv1"](x), 2).mean()
    elif name == "W4":
        x = t((4, 8, 32, 32), 1.0)
        m = nn.ModuleDict({"conv1": conv(8, 16, 3, 2.0, 3.0, padding=2, dilation=2, groups=2)})
        f = lambda: F.max_pool2d(m["conv1"](x), 3, stride=2, padding=1).sum()
    else:
        raise SystemExit("unknown workload %s" % name)
    return m, f


def run(name, min_time, max_reps):
    m, f = build(name)
    params = list(m.named_parameters())

    def step():
        for _, p in params:
            p.grad = None
        loss = f()
        loss.backward()
        return loss

    for _ in range(5):
        step()
    times, cpu = [], []
    start = time.perf_counter()
    while len(times) < max_reps and (len(times) < 10 or time.perf_counter() - start < min_time):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = step()
        times.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    times.sort()
    cpu.sort()
    grads = {}
    for n, p in params:
        g = p.grad.double()
        grads[n] = [float(g.sum()), float(g.abs().sum())]
    return {"ms": times[len(times) // 2], "cpu_ms": cpu[len(cpu) // 2], "reps": len(times), "loss": float(loss), "grads": grads}


def main(argv):
    only = ["W1", "W2", "W3", "W4"]
    min_time, max_reps = 2.0, 2000
    i = 0
    while i < len(argv):
        if argv[i] == "--only":
            only = argv[i + 1].split(",")
            i += 1
        elif argv[i] == "--min-time":
            min_time = float(argv[i + 1])
            i += 1
        elif argv[i] == "--max-reps":
            max_reps = int(argv[i + 1])
            i += 1
        i += 1
    if "--serve" in argv:
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads()}), flush=True)
        for line in sys.stdin:
            parts = line.split()
            if not parts:
                continue
            torch.set_num_threads(int(parts[2]) if len(parts) > 2 else 1)
            r = run(parts[0], float(parts[1]) if len(parts) > 1 else min_time, max_reps)
            r["threads"] = torch.get_num_threads()
            print(json.dumps(r), flush=True)
        return
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "workloads": {}}
    for w in only:
        out["workloads"][w] = run(w, min_time, max_reps)
    out["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
