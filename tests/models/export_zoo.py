#!/usr/bin/python3
"""Export a zoo of small/medium PyTorch models to ONNX, with reference data.

Usage:
    /usr/bin/python3 tests/models/export_zoo.py OUTDIR [--only a,b] [--opset 13] [--force]

Default set: every model below except resnet50 (only with --only resnet50).

For every model NAME this writes (ONNX backend-test layout):

    OUTDIR/NAME/model.onnx
    OUTDIR/NAME/test_data_set_0/input_0.pb [input_1.pb ...]
    OUTDIR/NAME/test_data_set_0/output_0.pb
    OUTDIR/NAME/info.txt

Weights are random (fixed per-model seed, no pretrained weights), BatchNorm
running statistics and affine parameters are randomised so that BN really
matters, and output_*.pb holds torch's output (model.eval(), no_grad) on a
fixed random input.  Re-running skips models whose files are all newer than
this script (and were made with the same --opset).  Output is deterministic
(per-model seeds, single-threaded torch): same script -> byte-identical files.  Needs torch, torchvision, onnx, numpy (Debian's /usr/bin/python3).
"""

import argparse
import os
import sys
import time
import warnings
import zlib

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

OPSET_DEFAULT = 13
CALIB_BATCH = 8      # batch of random inputs used to calibrate BN running stats


# --------------------------------------------------------------------------
# Model definitions
# --------------------------------------------------------------------------

class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 256)
        self.fc2 = nn.Linear(256, 128)
        self.fc3 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class LeNet5(nn.Module):
    """Classic LeNet-5 (tanh + average pooling), 28x28 input padded by 2."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.pool1 = nn.AvgPool2d(2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool2 = nn.AvgPool2d(2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool1(torch.tanh(self.conv1(x)))
        x = self.pool2(torch.tanh(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = torch.tanh(self.fc1(x))
        x = torch.tanh(self.fc2(x))
        return self.fc3(x)


class MnistCNN(nn.Module):
    """The pytorch/examples MNIST net (ends in log_softmax like the original)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def conv_bn_relu(cin, cout):
    return [nn.Conv2d(cin, cout, 3, padding=1, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class CifarBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *conv_bn_relu(3, 32), *conv_bn_relu(32, 32), nn.MaxPool2d(2),   # 16x16
            *conv_bn_relu(32, 64), *conv_bn_relu(64, 64), nn.MaxPool2d(2),  # 8x8
            *conv_bn_relu(64, 128), nn.MaxPool2d(2),                        # 4x4
        )
        self.fc = nn.Linear(128 * 4 * 4, 10)

    def forward(self, x):
        return self.fc(torch.flatten(self.features(x), 1))


class AlexNetSmall(nn.Module):
    """torchvision AlexNet features + avgpool, but a smaller classifier.

    DEVIATION: torchvision's classifier is 9216->4096->4096->1000 (~58.6M of
    its 61M params).  Here it is 9216->1024->1024->10 to keep the model at
    ~12M params; the convolutional part is identical.
    """

    def __init__(self):
        super().__init__()
        ref = torchvision.models.alexnet(weights=None)
        self.features = ref.features
        self.avgpool = ref.avgpool
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(256 * 6 * 6, 1024), nn.ReLU(inplace=True),
            nn.Dropout(0.5), nn.Linear(1024, 1024), nn.ReLU(inplace=True),
            nn.Linear(1024, 10),
        )

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


class InceptionBlock(nn.Module):
    """GoogLeNet inception(3a): 192 -> 64 + 128 + 32 + 32 = 256 channels."""

    def __init__(self, cin=192, c1=64, c3r=96, c3=128, c5r=16, c5=32, cp=32):
        super().__init__()
        self.b1 = nn.Sequential(nn.Conv2d(cin, c1, 1), nn.ReLU(inplace=True))
        self.b2 = nn.Sequential(nn.Conv2d(cin, c3r, 1), nn.ReLU(inplace=True),
                                nn.Conv2d(c3r, c3, 3, padding=1), nn.ReLU(inplace=True))
        self.b3 = nn.Sequential(nn.Conv2d(cin, c5r, 1), nn.ReLU(inplace=True),
                                nn.Conv2d(c5r, c5, 5, padding=2), nn.ReLU(inplace=True))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1),
                                nn.Conv2d(cin, cp, 1), nn.ReLU(inplace=True))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


class VGG11Cifar(nn.Module):
    CFG = [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for v in self.CFG:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += conv_bn_relu(cin, v)
                cin = v
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(512, 10)

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class TiedAutoencoder(nn.Module):
    """784->256->64 sigmoid encoder; decoder reuses W^T with its own biases."""

    def __init__(self):
        super().__init__()
        self.enc1 = nn.Linear(784, 256)
        self.enc2 = nn.Linear(256, 64)
        self.dec2_bias = nn.Parameter(torch.empty(256).uniform_(-0.1, 0.1))
        self.dec1_bias = nn.Parameter(torch.empty(784).uniform_(-0.1, 0.1))

    def forward(self, x):
        h = torch.sigmoid(self.enc1(x))
        h = torch.sigmoid(self.enc2(h))
        h = torch.sigmoid(F.linear(h, self.enc2.weight.t(), self.dec2_bias))
        return torch.sigmoid(F.linear(h, self.enc1.weight.t(), self.dec1_bias))


class ConvDenoisingAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(inplace=True),   # 14x14
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(inplace=True),  # 7x7
        )
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1),  # 14x14
            nn.ReLU(inplace=True),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1),   # 28x28
            nn.Sigmoid(),
        )

    def forward(self, x):
        return self.decoder(self.encoder(x))


class GanMLPGenerator(nn.Module):
    def __init__(self, nz=100):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(nz, 256), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(256, 512), nn.BatchNorm1d(512), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 784), nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z)


class DCGANGenerator(nn.Module):
    def __init__(self, nz=100, ngf=64, nc=3):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),        # 4x4
            nn.BatchNorm2d(ngf * 8), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 4, 4, 2, 1, bias=False),   # 8x8
            nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),   # 16x16
            nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),       # 32x32
            nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),            # 64x64
            nn.Tanh(),
        )

    def forward(self, z):
        return self.main(z)


class DCGANDiscriminator(nn.Module):
    def __init__(self, nc=3, ndf=64):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),          # 32
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, True),                                                   # 16
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4),
            nn.LeakyReLU(0.2, True),                                                   # 8
            nn.Conv2d(ndf * 4, ndf * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 8),
            nn.LeakyReLU(0.2, True),                                                   # 4
            nn.Conv2d(ndf * 8, 1, 4, 1, 0, bias=False), nn.Sigmoid(),                  # 1
        )

    def forward(self, x):
        return self.main(x)


class CGANGenerator(nn.Module):
    def __init__(self, nz=100, n_classes=10):
        super().__init__()
        self.label_emb = nn.Embedding(n_classes, n_classes)
        self.net = nn.Sequential(
            nn.Linear(nz + n_classes, 256), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(256, 512), nn.BatchNorm1d(512), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(512, 1024), nn.BatchNorm1d(1024), nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(1024, 784), nn.Tanh(),
        )

    def forward(self, z, label):
        x = torch.cat([self.label_emb(label), z], 1)
        return self.net(x).view(-1, 1, 28, 28)


# --------------------------------------------------------------------------
# Zoo table
# --------------------------------------------------------------------------
# name -> (constructor, [(input_name, shape, kind)], opts)
#   kind: "normal" (std 1), "uniform" ([0,1)), ("int", high) (int64 in [0, high))
#   opts: keep_bn -> export with TrainingMode.PRESERVE so torch does not fold
#         Conv+BatchNorm (the model is still in eval mode: inference-mode BN).
#         kaiming -> He-normal re-init of conv/linear weights (shallow BN-free
#         nets whose sigmoid output would otherwise sit at ~0.5 +- 0.01).
#         explicit_only -> only exported when named in --only.

ZOO = {
    "mlp": (MLP, [("input", [1, 784], "normal")], {}),
    "lenet5": (LeNet5, [("input", [1, 1, 28, 28], "normal")], {}),
    "mnist_cnn": (MnistCNN, [("input", [1, 1, 28, 28], "normal")], {}),
    "cifar_bn": (CifarBN, [("input", [1, 3, 32, 32], "normal")], {"keep_bn": True}),
    "alexnet": (AlexNetSmall, [("input", [1, 3, 224, 224], "normal")], {"kaiming": True}),
    "resnet18": (lambda: torchvision.models.resnet18(weights=None, num_classes=1000),
                 [("input", [1, 3, 224, 224], "normal")], {}),
    "mobilenetv2": (lambda: torchvision.models.mobilenet_v2(weights=None),
                    [("input", [1, 3, 224, 224], "normal")], {}),
    "inception_block": (InceptionBlock, [("input", [1, 192, 28, 28], "normal")], {}),
    "vgg11": (VGG11Cifar, [("input", [1, 3, 32, 32], "normal")], {}),
    "tied_autoencoder": (TiedAutoencoder, [("input", [1, 784], "uniform")], {"kaiming": True}),
    "conv_denoising_ae": (ConvDenoisingAE, [("input", [1, 1, 28, 28], "uniform")],
                          {"kaiming": True}),
    "gan_mlp_generator": (GanMLPGenerator, [("z", [1, 100], "normal")], {}),
    "dcgan_generator": (DCGANGenerator, [("z", [1, 100, 1, 1], "normal")], {}),
    "dcgan_discriminator": (DCGANDiscriminator, [("input", [1, 3, 64, 64], "normal")], {}),
    "cgan_generator": (CGANGenerator,
                       [("z", [1, 100], "normal"), ("label", [1], ("int", 10))], {}),
    "resnet50": (lambda: torchvision.models.resnet50(weights=None),
                 [("input", [1, 3, 224, 224], "normal")], {"explicit_only": True}),
}


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def model_seed(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def randomize_bn(model, gen, calib_inputs):
    """Give every BatchNorm non-trivial statistics and affine parameters.

    1. gamma ~ U[0.5, 1.5), beta ~ N(0, 0.1).
    2. Calibrate running stats on a batch of random inputs (train-mode forward,
       cumulative average), so BN really normalises and activations stay O(1)
       through deep nets (pure random stats blow resnet50's logits up ~100x).
    3. Perturb the stats -- var *= U[0.5, 1.5), mean += N(0, 0.2) * std -- and
       compensate in gamma/beta so each channel's affine map is unchanged:
       all four BN tensors are then "random" while outputs stay sane.
    """
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not bns:
        return
    for m in bns:
        n = m.num_features
        with torch.no_grad():
            m.weight.copy_(torch.rand(n, generator=gen) + 0.5)
            m.bias.copy_(torch.randn(n, generator=gen) * 0.1)
        m.reset_running_stats()
        m.momentum = None            # cumulative moving average
    model.train()
    with torch.no_grad():
        model(*calib_inputs)
    model.eval()
    for m in bns:
        n = m.num_features
        with torch.no_grad():
            var, eps = m.running_var.clone(), m.eps
            scale = m.weight / torch.sqrt(var + eps)
            new_var = var * (torch.rand(n, generator=gen) + 0.5)
            delta = torch.randn(n, generator=gen) * 0.2 * torch.sqrt(var + eps)
            m.running_var.copy_(new_var)
            m.weight.copy_(scale * torch.sqrt(new_var + eps))
            m.running_mean.add_(delta)
            m.bias.add_(scale * delta)
        m.momentum = 0.1


def kaiming_init(model):
    """He-normal init for Conv/ConvTranspose/Linear (keeps signals O(1) in
    shallow BN-free nets, where torch's default init shrinks them)."""
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            if m.bias is not None:
                nn.init.uniform_(m.bias, -0.1, 0.1)


def make_input(shape, kind, gen):
    if kind == "normal":
        return torch.randn(*shape, generator=gen)
    if kind == "uniform":
        return torch.rand(*shape, generator=gen)
    if isinstance(kind, tuple) and kind[0] == "int":
        return torch.randint(0, kind[1], tuple(shape), generator=gen, dtype=torch.int64)
    raise ValueError(kind)


def expected_files(outdir, name):
    d = os.path.join(outdir, name)
    n_in = len(ZOO[name][1])
    files = [os.path.join(d, "model.onnx"), os.path.join(d, "info.txt"),
             os.path.join(d, "test_data_set_0", "output_0.pb")]
    files += [os.path.join(d, "test_data_set_0", "input_%d.pb" % i) for i in range(n_in)]
    return files


def up_to_date(outdir, name, opset):
    """All files exist, are newer than this script, and used the same opset."""
    script_mtime = os.path.getmtime(os.path.abspath(__file__))
    try:
        if not all(os.path.getmtime(f) > script_mtime for f in expected_files(outdir, name)):
            return False
        return read_info(outdir, name).get("opset") == str(opset)
    except OSError:
        return False


def write_file(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def read_info(outdir, name):
    info = {}
    with open(os.path.join(outdir, name, "info.txt")) as f:
        for line in f:
            if ":" in line:
                k, v = line.split(":", 1)
                info[k.strip()] = v.strip()
    return info


def save_case(d, name, inputs, in_names, outputs, out_names, n_params, opset, seed, extra):
    """Check the exported d/model.onnx.tmp, move it into place, and write the
    test_data_set_0 TensorProto files and info.txt (extra: more info lines)."""
    onnx_path = os.path.join(d, "model.onnx")
    tmp_path = onnx_path + ".tmp"
    td = os.path.join(d, "test_data_set_0")
    m = onnx.load(tmp_path)
    onnx.checker.check_model(m, full_check=True)
    os.replace(tmp_path, onnx_path)

    for i, (t, n) in enumerate(zip(inputs, in_names)):
        tp = numpy_helper.from_array(t.numpy(), name=n)
        write_file(os.path.join(td, "input_%d.pb" % i), tp.SerializeToString())
    for i, (t, n) in enumerate(zip(outputs, out_names)):
        arr = t.detach().numpy()
        if not np.all(np.isfinite(arr)):
            raise RuntimeError("%s: non-finite reference output" % name)
        tp = numpy_helper.from_array(arr, name=n)
        write_file(os.path.join(td, "output_%d.pb" % i), tp.SerializeToString())

    lines = ["name: %s" % name,
             "params: %d" % n_params,
             "input_shape: %s" % "; ".join("%s %s %s" % (n, list(t.shape), str(t.dtype).replace("torch.", ""))
                                           for n, t in zip(in_names, inputs)),
             "output_shape: %s" % "; ".join("%s %s" % (n, list(t.shape))
                                            for n, t in zip(out_names, outputs)),
             "opset: %d" % opset,
             "seed: %d" % seed] + list(extra) + [
             "ops: %s" % " ".join(sorted({n.op_type for n in m.graph.node}))]
    write_file(os.path.join(d, "info.txt"), ("\n".join(lines) + "\n").encode())


def export_one(outdir, name, opset):
    ctor, in_specs, opts = ZOO[name]
    seed = model_seed(name)
    torch.manual_seed(seed)
    model = ctor()
    if opts.get("kaiming"):
        kaiming_init(model)
    gen_in = torch.Generator().manual_seed(seed + 2)
    inputs = tuple(make_input(shape, kind, gen_in) for _, shape, kind in in_specs)
    gen_cal = torch.Generator().manual_seed(seed + 3)
    calib = tuple(make_input([CALIB_BATCH] + shape[1:], kind, gen_cal) for _, shape, kind in in_specs)
    gen = torch.Generator().manual_seed(seed + 1)
    randomize_bn(model, gen, calib)
    model.eval()

    in_names = [n for n, _, _ in in_specs]
    with torch.no_grad():
        out = model(*inputs)
    outputs = out if isinstance(out, (tuple, list)) else (out,)
    out_names = ["output"] if len(outputs) == 1 else ["output_%d" % i for i in range(len(outputs))]
    n_params = sum(p.numel() for p in model.parameters())

    d = os.path.join(outdir, name)
    td = os.path.join(d, "test_data_set_0")
    os.makedirs(td, exist_ok=True)

    onnx_path = os.path.join(d, "model.onnx")
    tmp_path = onnx_path + ".tmp"
    training = (torch.onnx.TrainingMode.PRESERVE if opts.get("keep_bn")
                else torch.onnx.TrainingMode.EVAL)
    with torch.no_grad(), warnings.catch_warnings():
        # PRESERVE + constant folding warns even though the model is in eval
        # mode (then PRESERVE == inference export without the BN folding pass).
        warnings.filterwarnings("ignore", message="It is recommended that constant folding")
        torch.onnx.export(model, inputs, tmp_path, export_params=True,
                          opset_version=opset, do_constant_folding=True,
                          input_names=in_names, output_names=out_names,
                          training=training, dynamic_axes=None)
    save_case(d, name, inputs, in_names, outputs, out_names, n_params, opset, seed,
              ["exporter_conv_bn_fusion: %s" % ("off" if opts.get("keep_bn") else "on")])
    return n_params


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--only", default=None,
                    help="comma-separated model names (resnet50 only exported this way)")
    ap.add_argument("--opset", type=int, default=OPSET_DEFAULT)
    ap.add_argument("--force", action="store_true", help="re-export even if up to date")
    args = ap.parse_args(argv)

    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        bad = [n for n in names if n not in ZOO]
        if bad:
            ap.error("unknown model(s): %s (known: %s)" % (", ".join(bad), ", ".join(ZOO)))
    else:
        names = [n for n, (_, _, o) in ZOO.items() if not o.get("explicit_only")]

    torch.set_num_threads(1)          # bit-reproducible reference outputs
    failed = []
    for name in names:
        t0 = time.time()
        if not args.force and up_to_date(args.outdir, name, args.opset):
            params = read_info(args.outdir, name).get("params", "?")
            print("%-20s params=%-10s %7.2fs (up to date, skipped)" % (name, params, time.time() - t0),
                  flush=True)
            continue
        try:
            params = export_one(args.outdir, name, args.opset)
        except Exception as e:  # keep going, report at the end
            print("%-20s FAILED: %s: %s" % (name, type(e).__name__, e), flush=True)
            failed.append(name)
            continue
        print("%-20s params=%-10d %7.2fs" % (name, params, time.time() - t0), flush=True)
    if failed:
        print("failed: %s" % ", ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
