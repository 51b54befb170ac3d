"""Converts the bundled datasets into the files the engine reads (data/datasets/<name>/).

Sources (Debian packages, no network):
  digits         python3-sklearn: sklearn/datasets/data/digits.csv.gz (UCI optical recognition
                 of handwritten digits, 1,797 8x8 images, values 0-16); train = the first 1,437
                 rows, test = the last 360.
  fashion-mnist  dataset-fashion-mnist: /usr/share/datasets/fashion-mnist/*-idx?-ubyte.gz;
                 train = the first 6,000 images of its training set, test = the first 1,000 of
                 its test set.

Each split is one file, <split>.u8.gz: gzip (mtime 0, so the bytes are reproducible) of the
images, N*C*H*W uint8 values in [N, C, H, W] order, followed by the N labels as uint8. The shapes
and counts are declared in engine/protocol/datasets.ts.

Usage: /usr/bin/python3 build/scripts/gen-datasets.py
"""

import gzip
import os

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "data", "datasets")
DIGITS = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
FASHION = "/usr/share/datasets/fashion-mnist"


def write(name, split, images, labels):
    assert images.dtype == np.uint8 and labels.dtype == np.uint8 and images.ndim == 4
    path = os.path.join(OUT, name, split + ".u8.gz")
    with open(path, "wb") as f:
        f.write(gzip.compress(images.tobytes() + labels.tobytes(), compresslevel=9, mtime=0))
    print(f"{path}: {images.shape[0]} images {list(images.shape[1:])}")


def digits():
    rows = np.loadtxt(DIGITS, delimiter=",", dtype=np.float64)  # as sklearn's load_digits reads it
    images = rows[:, :-1].astype(np.uint8).reshape(-1, 1, 8, 8)
    labels = rows[:, -1].astype(np.uint8)
    assert images.shape[0] == 1797 and images.max() == 16
    write("digits", "train", images[:1437], labels[:1437])
    write("digits", "test", images[1437:], labels[1437:])


def idx(file, offset):
    with gzip.open(os.path.join(FASHION, file), "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def fashion():
    for split, prefix, count in (("train", "train", 6000), ("test", "t10k", 1000)):
        images = idx(prefix + "-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)[:count]
        labels = idx(prefix + "-labels-idx1-ubyte.gz", 8)[:count]
        write("fashion-mnist", split, images, labels)


if __name__ == "__main__":
    digits()
    fashion()
