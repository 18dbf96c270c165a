"""Shared helpers for the Fashion-MNIST LeNet-5 example.

Input normalisation is NOT part of the model/ONNX graph.  Callers must feed
    x = (pixel / 255 - MEAN) / STD
as float32 of shape [N, 1, 28, 28].
"""
import gzip
import os

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.environ.get("FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")
MEAN = 0.2860
STD = 0.3530


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(400, 120), nn.ReLU(),
            nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def _read_idx(path, magic, ndim):
    with gzip.open(path, "rb") as f:
        data = f.read()
    if int.from_bytes(data[0:4], "big") != magic:
        raise ValueError(f"{path}: bad magic")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    off = 4 + 4 * ndim
    arr = np.frombuffer(data, dtype=np.uint8, offset=off)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: size mismatch")
    return arr.reshape(dims)


def load_split(split):
    """split: 'train' or 't10k'. Returns (normalised float32 [N,1,28,28], int64 labels [N])."""
    images = _read_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"), 0x00000803, 3)
    labels = _read_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"), 0x00000801, 1)
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError("image/label mismatch")
    x = (images.astype(np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(x[:, None, :, :].copy()), torch.from_numpy(labels.astype(np.int64))
