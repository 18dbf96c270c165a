#!/usr/bin/python3
"""Train LeNet-5 on Fashion-MNIST (CPU) and export it to ONNX.

Outputs (next to this script):
  lenet5_fashion.pt    state_dict (used by torch_accuracy.py)
  lenet5_fashion.onnx  opset 13, input "image" [1,1,28,28] float32,
                       output "logits" [1,10] float32

Input normalisation is done OUTSIDE the model: the ONNX input must already be
    x = (pixel / 255 - 0.2860) / 0.3530
(pixel is the raw uint8 value).  classify.c and torch_accuracy.py do this.

Usage: /usr/bin/python3 train.py [--epochs N]
"""
import argparse
import os
import sys
import random
import time

import numpy as np
import torch

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
import torch.nn.functional as F

from common import HERE, LeNet5, load_split


def evaluate(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], 1000):
            correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    return correct / x.shape[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(2)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)

    x_train, y_train = load_split("train")
    x_test, y_test = load_split("t10k")

    model = LeNet5()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(
        opt, T_max=args.epochs * ((x_train.shape[0] + args.batch_size - 1) // args.batch_size))
    gen = torch.Generator().manual_seed(args.seed)

    t0 = time.time()
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(x_train.shape[0], generator=gen)
        total_loss = 0.0
        for i in range(0, x_train.shape[0], args.batch_size):
            idx = perm[i:i + args.batch_size]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total_loss += loss.item() * idx.shape[0]
        acc = evaluate(model, x_test, y_test)
        print(f"epoch {epoch + 1}: loss {total_loss / x_train.shape[0]:.4f} "
              f"test acc {acc:.4f} ({time.time() - t0:.1f} s)", flush=True)

    print(f"training time: {time.time() - t0:.1f} s")
    model.eval()
    torch.save(model.state_dict(), os.path.join(HERE, "lenet5_fashion.pt"))
    onnx_path = os.path.join(HERE, "lenet5_fashion.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 28, 28), onnx_path,
                      opset_version=13, input_names=["image"], output_names=["logits"],
                      do_constant_folding=True)
    print(f"wrote {onnx_path}")
    print(f"final test accuracy: {evaluate(model, x_test, y_test):.4f}")


if __name__ == "__main__":
    main()
