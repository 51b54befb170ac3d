"""The Dataset node on PyTorch: the bundled data (data/datasets/, build/scripts/gen-datasets.py)
and the engine's batch order (Note [Dataset batch order] in engine/ops/dataset/batches.ts):
mulberry32 seeded with (seed mod 2^32) XOR 0x9e3779b9, one Fisher-Yates shuffle of 0..N-1 per
epoch drawn in turn from that one generator; iteration k takes batch k mod ceil(N/B) of epoch
k // ceil(N/B), the last batch of an epoch keeping the remainder (drop_last=False)."""

import gzip
import math
import os

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "datasets")
# name: ((C, H, W), scale, {split: count}) as engine/protocol/datasets.ts declares them
INFO = {
    "digits": ((1, 8, 8), 16, {"train": 1437, "test": 360}),
    "fashion-mnist": ((1, 28, 28), 255, {"train": 6000, "test": 1000}),
}
OUTPUTS = ("images", "labels")
M32 = 0xFFFFFFFF


class Mulberry32:
    """engine/core/random.ts's Random: next() is uniform in [0, 1)."""

    def __init__(self, seed):
        self.state = ((int(seed) & M32) ^ 0x9E3779B9) & M32

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0


_arrays, _orders = {}, {}


def arrays(name, split):
    """(images uint8 [N, C, H, W], labels int64 [N]) of a split."""
    key = (name, split)
    if key not in _arrays:
        shape, _, count = INFO[name]
        with gzip.open(os.path.join(ROOT, name, split + ".u8.gz"), "rb") as fh:
            raw = torch.frombuffer(bytearray(fh.read()), dtype=torch.uint8)
        size = count[split] * math.prod(shape)
        _arrays[key] = (raw[:size].reshape(count[split], *shape), raw[size:].to(torch.int64))
    return _arrays[key]


def epoch_order(count, shuffle, seed, epoch):
    if not shuffle:
        return list(range(count))
    gen, orders = _orders.setdefault((count, seed), (Mulberry32(seed), []))
    while len(orders) <= epoch:
        order = list(range(count))
        for i in range(count - 1, 0, -1):
            j = math.floor(gen.next() * (i + 1))
            order[i], order[j] = order[j], order[i]
        orders.append(order)
    return orders[epoch]


def batch_rows(p, k):
    """The rows iteration k takes."""
    count = INFO[p["name"]][2][p["split"]]
    per = -(-count // p["batch_size"])
    order = epoch_order(count, p["shuffle"], p["seed"], k // per)
    start = (k % per) * p["batch_size"]
    return order[start:start + p["batch_size"]]


def batch(p, k, device="cpu"):
    """{"images", "labels"} of iteration k: pixels / scale (ToTensor), then Normalize."""
    images, labels = arrays(p["name"], p["split"])
    rows = torch.tensor(batch_rows(p, k), dtype=torch.int64)
    x = images[rows].float() / INFO[p["name"]][1]
    if p["normalize"] is not None:
        x = (x - p["normalize"]["mean"]) / p["normalize"]["std"]
    return {"images": x.to(device), "labels": labels[rows].to(device)}


def _mean_std(v):
    return v is None or (isinstance(v, dict) and sorted(v) == ["mean", "std"]
                         and all(isinstance(v[k], (int, float)) and not isinstance(v[k], bool)
                                 and math.isfinite(v[k]) for k in v) and v["std"] > 0)


NAME = (lambda v: isinstance(v, str) and v in INFO, " or ".join('"%s"' % n for n in INFO))
SPLIT = (lambda v: isinstance(v, str) and v in ("train", "test"), '"train" or "test"')
SEED = (lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0, "a non-negative integer")
MEAN_STD = (_mean_std, 'null or {"mean": number, "std": positive number}')
