#!/usr/bin/python3
"""Model-language examples against torch.

Usage: dsl_torch_check.py NNC WORKDIR [--only a,b] [--opt N]

For each example in examples/dsl/, builds the equivalent torch model (random
weights, fixed seed; BatchNorm statistics randomised), writes its state_dict
to a safetensors file with the small writer below, writes a random input and
torch's output as an ONNX test_data_set, and runs
`nnc verify examples/dsl/NAME.nn DATASET --safetensors NAME.safetensors`.
LeNet-5's weights are also written as F16 and BF16 (torch's reference then
uses the rounded weights) to check the conversions. Also checks that
`nnc info` gives torch's parameter count for every example (at --opt 0 and
2; with BatchNorm's running statistics added and at --opt 0 only when the
model has BatchNorm, as nnc folds it), and for
LeNet-5 and AlexNet the parameter and FLOP totals of the ONNX export of the
same torch model (the zoo's definitions).
"""
import json
import os
import re
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "models"))
import export_zoo  # noqa: E402
import export_seq_zoo  # noqa: E402
import torchvision  # noqa: E402


def write_safetensors(path, tensors, dtype="F32"):
    """tensors: name -> torch tensor. Writes F32, F16 or BF16."""
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        if t.is_floating_point():
            t = {"F32": t.float(), "F16": t.half(), "BF16": t.bfloat16()}[dtype]
            dt = dtype
        else:
            t, dt = t.long(), "I64"
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for b in blobs:
            f.write(b)


class DCGAN(nn.Module):   # the zoo's DCGANGenerator
    def __init__(self):
        super().__init__()
        self.main = export_zoo.DCGANGenerator().main

    def forward(self, z):
        return self.main(z)


def models():
    # name -> (constructor, input shape, input kind)
    return {
        "lenet5": (export_zoo.LeNet5, [1, 1, 28, 28], "normal"),
        "resnet18": (lambda: torchvision.models.resnet18(weights=None), [1, 3, 224, 224], "normal"),
        "text_classifier": (export_seq_zoo.TextClassifier, [1, 20], ("int", 100)),
        "gpt_decoder": (export_seq_zoo.GPTDecoder, [1, 16], ("int", 64)),
        "dcgan_generator": (DCGAN, [1, 100, 1, 1], "normal"),
    }


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def info_totals(nnc, path, extra=()):
    rc, out = run([nnc, "info", path, *extra])
    if rc:
        raise SystemExit("nnc info failed:\n" + out)
    params = int(re.search(r"^parameters (\d+)", out, re.M).group(1))
    flops = int(re.search(r"^FLOPs (\d+)", out, re.M).group(1))
    return params, flops


def check_model(nnc, work, name, opt, failures):
    ctor, shape, kind = models()[name]
    torch.manual_seed(1234)
    gen = torch.Generator().manual_seed(1234)
    model = ctor().eval()
    x = export_zoo.make_input(shape, kind, gen)
    if any(isinstance(m, nn.BatchNorm2d) for m in model.modules()):
        calib = torch.randn(export_zoo.CALIB_BATCH, *shape[1:], generator=gen)
        export_zoo.randomize_bn(model, gen, [calib])
    model.eval()
    d = os.path.join(work, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    nn_file = os.path.join(ROOT, "examples", "dsl", name + ".nn")
    variants = [("F32", 1e-3, 1e-4)]
    if name == "lenet5":
        variants += [("F16", 1e-3, 1e-4), ("BF16", 1e-3, 1e-4)]
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    for dtype, rtol, atol in variants:
        if dtype != "F32":   # torch computes with the rounded weights
            cast = torch.float16 if dtype == "F16" else torch.bfloat16
            model.load_state_dict({k: (v.to(cast).float() if v.is_floating_point() else v) for k, v in sd.items()})
        with torch.no_grad():
            y = model(x)
        ds = os.path.join(d, "test_data_set_0")
        with open(os.path.join(ds, "input_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(x.numpy()).SerializeToString())
        with open(os.path.join(ds, "output_0.pb"), "wb") as f:
            f.write(numpy_helper.from_array(y.numpy()).SerializeToString())
        w = os.path.join(d, "weights_%s.safetensors" % dtype)
        write_safetensors(w, model.state_dict(), dtype)
        rc, out = run([nnc, "verify", nn_file, ds, "--safetensors", w, "--opt", str(opt),
                       "--rtol", str(rtol), "--atol", str(atol)])
        tag = "%s %s opt%d" % (name, dtype, opt)
        if rc:
            failures.append(tag)
            print("FAIL %s\n%s" % (tag, out))
        else:
            err = re.findall(r"max abs err [^\n]*", out)
            print("ok   %s %s" % (tag, err[0] if err else out.strip().splitlines()[-1]))
    model.load_state_dict(sd)
    # parameters as torch counts them: model.parameters(), and BatchNorm's
    # running statistics before nnc folds them (--opt 0). The constants the
    # lowering makes (a causal mask, 1/sqrt(d), GELU's scalars) are not
    # parameters; without BatchNorm the count is the same at every opt level.
    torch_params = sum(p.numel() for p in model.parameters())
    running = sum(b.numel() for n, b in model.named_buffers() if n.endswith(("running_mean", "running_var")))
    for opt_level in ("0", "2") if not running else ("0",):
        got, _ = info_totals(nnc, nn_file, ["--opt", opt_level])
        want = torch_params + running
        if got != want:
            failures.append("%s params opt%s" % (name, opt_level))
            print("FAIL %s: nnc info --opt %s counts %d parameters, torch %d" % (name, opt_level, got, want))
        else:
            print("ok   %s parameters %d at --opt %s (torch: %d parameters%s)" % (
                name, got, opt_level, torch_params, " + %d running statistics" % running if running else ""))


def check_info_vs_onnx(nnc, work, failures):
    """LeNet-5 and AlexNet: the DSL's totals equal those of torch's ONNX export."""
    alex = os.path.join(work, "alexnet.nn")
    with open(os.path.join(HERE, "alexnet_small.nn")) as f:
        src = f.read()
    with open(alex, "w") as f:
        f.write(src)
    for name, nn_path, ctor, shape in [
            ("lenet5", os.path.join(ROOT, "examples", "dsl", "lenet5.nn"), export_zoo.LeNet5, [1, 1, 28, 28]),
            ("alexnet", alex, export_zoo.AlexNetSmall, [1, 3, 224, 224])]:
        onnx_path = os.path.join(work, name + ".onnx")
        torch.manual_seed(0)
        m = ctor().eval()
        torch.onnx.export(m, torch.randn(*shape), onnx_path, opset_version=13,
                          input_names=["x"], output_names=["logits"])
        for opt in ("0", "2"):
            a = info_totals(nnc, nn_path, ["--opt", opt])
            b = info_totals(nnc, onnx_path, ["--opt", opt])
            if a != b:
                failures.append("%s info opt%s" % (name, opt))
                print("FAIL %s opt %s: .nn params/FLOPs %s, ONNX %s" % (name, opt, a, b))
            else:
                print("ok   %s opt %s: params %d FLOPs %d as the ONNX export" % (name, opt, a[0], a[1]))


def main():
    nnc, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    only = None
    opt = 2
    args = sys.argv[3:]
    while args:
        if args[0] == "--only":
            only = args[1].split(",")
        elif args[0] == "--opt":
            opt = int(args[1])
        args = args[2:]
    os.makedirs(work, exist_ok=True)
    torch.set_num_threads(1)
    failures = []
    for name in models():
        if only and name not in only:
            continue
        check_model(nnc, work, name, opt, failures)
    if not only or "info" in only:
        check_info_vs_onnx(nnc, work, failures)
    if failures:
        print("FAILED: " + ", ".join(failures))
        return 1
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
