#!/usr/bin/python3
"""Print the PyTorch reference accuracy of lenet5_fashion.pt on the 10,000
Fashion-MNIST test images, as exactly one line: "torch accuracy: 0.XXXX".

Uses the same normalisation as train.py / classify.c (outside the model):
    x = (pixel / 255 - 0.2860) / 0.3530
"""
import os
import sys

import torch

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__

from common import HERE, LeNet5, load_split


def main():
    torch.set_num_threads(2)
    model = LeNet5()
    model.load_state_dict(torch.load(os.path.join(HERE, "lenet5_fashion.pt"), map_location="cpu"))
    model.eval()
    x, y = load_split("t10k")
    correct = 0
    with torch.no_grad():
        for i in range(0, x.shape[0], 1000):
            correct += (model(x[i:i + 1000]).argmax(1) == y[i:i + 1000]).sum().item()
    print(f"torch accuracy: {correct / x.shape[0]:.4f}")


if __name__ == "__main__":
    main()
