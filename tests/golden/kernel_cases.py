#!/usr/bin/python3
"""Write the kernel check models: Gemm, MatMul and Conv cases at sizes equal
to, below and above the SIMD register tiles (avx512 8x32, avx2 6x16) and
cache blocks (KC 256, NC 128), with and without fused epilogues, each with
a numpy reference output in test_data_set_0. One model per family holds
every case as an independent branch, so one compilation checks them all.

Usage: /usr/bin/python3 tests/golden/kernel_cases.py OUTDIR [FAMILY...]
(default: every family; each family draws from its own seeded generator, so
its data does not depend on which others are written)
"""
import math
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(1234)


def rand(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


class Model:
    def __init__(self):
        self.nodes, self.inputs, self.outputs, self.inits = [], [], [], []
        self.in_data, self.out_data = [], []
        self.n = 0

    def name(self, s):
        self.n += 1
        return f"{s}{self.n}"

    def input(self, arr):
        nm = self.name("x")
        self.inputs.append(helper.make_tensor_value_info(nm, TensorProto.FLOAT, arr.shape))
        self.in_data.append((nm, arr))
        return nm

    def const(self, arr):
        nm = self.name("w")
        self.inits.append(numpy_helper.from_array(arr, nm))
        return nm

    def node(self, op, ins, **attrs):
        out = self.name("t")
        self.nodes.append(helper.make_node(op, ins, [out], **attrs))
        return out

    def epilogue(self, t, ref, epi):
        """Apply an activation/residual tail that the fusion pass folds into the producer."""
        act_first = epi.startswith("res") is False and "res" in epi  # "act+res": residual after
        if "res" in epi and not act_first:
            r = rand(*ref.shape)
            t = self.node("Add", [t, self.input(r)])
            ref = ref + r
        act = epi.replace("res", "").strip("+")
        if act == "relu":
            t, ref = self.node("Relu", [t]), np.maximum(ref, 0)
        elif act == "leaky":
            t, ref = self.node("LeakyRelu", [t], alpha=0.1), np.where(ref < 0, ref * np.float32(0.1), ref)
        elif act == "clip":
            lo, hi = self.const(np.array(-0.5, np.float32)), self.const(np.array(0.75, np.float32))
            t, ref = self.node("Clip", [t, lo, hi]), np.clip(ref, -0.5, 0.75)
        elif act == "sigmoid":
            t, ref = self.node("Sigmoid", [t]), sigmoid(ref)
        elif act == "tanh":
            t, ref = self.node("Tanh", [t]), np.tanh(ref)
        elif act == "elu":
            t, ref = self.node("Elu", [t], alpha=0.7), np.where(ref < 0, np.float32(0.7) * np.expm1(ref), ref)
        elif act == "silu":  # y * Sigmoid(y), fused as SiLU
            t = self.node("Mul", [t, self.node("Sigmoid", [t])])
            ref = ref * sigmoid(ref)
        elif act == "gelu":  # the erf form, recognised as Gelu
            e = self.node("Erf", [self.node("Div", [t, self.const(np.array(np.sqrt(2.0), np.float32))])])
            a = self.node("Add", [e, self.const(np.array(1.0, np.float32))])
            t = self.node("Mul", [self.node("Mul", [t, a]), self.const(np.array(0.5, np.float32))])
            ref = 0.5 * ref * (1 + np.vectorize(math.erf)(ref / np.sqrt(2.0)))
        if act_first and "res" in epi:
            r = rand(*ref.shape)
            t = self.node("Add", [t, self.input(r)])
            ref = ref + r
        return t, ref

    def output(self, t, ref):
        self.outputs.append(helper.make_tensor_value_info(t, TensorProto.FLOAT, ref.shape))
        self.out_data.append((t, ref.astype(np.float32)))

    def save(self, path):
        os.makedirs(os.path.join(path, "test_data_set_0"), exist_ok=True)
        g = helper.make_graph(self.nodes, os.path.basename(path), self.inputs, self.outputs, self.inits)
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(path, "model.onnx"))
        for kind, data in (("input", self.in_data), ("output", self.out_data)):
            for i, (nm, arr) in enumerate(data):
                with open(os.path.join(path, "test_data_set_0", f"{kind}_{i}.pb"), "wb") as f:
                    f.write(numpy_helper.from_array(arr, nm).SerializeToString())


def gemm_cases(m):
    epis = ["", "relu", "leaky", "clip", "sigmoid", "res+relu"]
    sizes = [(1, 20, 10), (1, 300, 33), (5, 7, 31), (8, 128, 32), (9, 129, 33), (6, 16, 16), (7, 17, 17),
             (13, 260, 257), (2, 64, 600)]
    for i, (M, K, N) in enumerate(sizes):  # linear layers: transB, constant B, C[N]
        a, b, c = rand(M, K), rand(N, K), rand(N)
        t = m.node("Gemm", [m.input(a), m.const(b), m.const(c)], transB=1)
        m.output(*m.epilogue(t, a @ b.T + c, epis[i % len(epis)]))
    # the transcendental activations, applied in the register tile's epilogue
    for (M, K, N), epi in zip([(1, 20, 10), (9, 129, 33), (7, 17, 17), (3, 40, 70), (13, 30, 40), (2, 9, 33)],
                              ["tanh", "elu", "gelu", "silu", "res+tanh", "sigmoid+res"]):
        a, b, c = rand(M, K), rand(N, K), rand(N)
        t = m.node("Gemm", [m.input(a), m.const(b), m.const(c)], transB=1)
        m.output(*m.epilogue(t, a @ b.T + c, epi))
    # transA, alpha, beta, a full C, constant B not transposed
    a, b, c = rand(19, 11), rand(19, 40), rand(11, 40)
    t = m.node("Gemm", [m.input(a), m.const(b), m.input(c)], transA=1, alpha=0.5, beta=2.0)
    m.output(t, 0.5 * a.T @ b + 2.0 * c)
    # C per row [M, 1], no bias / scalar C, B an input
    a, b, c = rand(10, 33), rand(33, 18), rand(10, 1)
    t = m.node("Gemm", [m.input(a), m.input(b), m.const(c)])
    m.output(t, a @ b + c)
    a, b = rand(3, 5), rand(7, 5)
    t = m.node("Gemm", [m.input(a), m.input(b)], transB=1, alpha=1.5)
    m.output(*m.epilogue(t, 1.5 * a @ b.T, "res"))


def matmul_cases(m):
    # attention-style batched products, both operands computed
    for shape_a, shape_b, epi in [((2, 3, 5), (2, 5, 7), ""), ((4, 9, 33), (4, 33, 17), "relu"),
                                  ((2, 2, 17, 64), (2, 2, 64, 17), "res"), ((3, 40, 130), (130, 300), ""),
                                  ((1, 1, 8), (8, 33), "sigmoid")]:
        a, b = rand(*shape_a), rand(*shape_b)
        t = m.node("MatMul", [m.input(a), m.input(b)])
        m.output(*m.epilogue(t, a @ b, epi))
    # constant weights: linear layers over a batch of rows (+ bias add fused)
    for shape_a, K, N, epi in [((1, 300), 300, 10, "relu"), ((2, 5, 33), 33, 65, ""), ((7, 129), 129, 32, "clip"),
                               ((1, 4, 6), 6, 1, "leaky"), ((3, 9, 16), 16, 48, "res+relu"),
                               ((2, 7, 20), 20, 40, "gelu"), ((5, 12), 12, 9, "elu+res")]:
        a, b, c = rand(*shape_a), rand(K, N), rand(N)
        t = m.node("MatMul", [m.input(a), m.const(b)])
        t = m.node("Add", [t, m.const(c)])
        m.output(*m.epilogue(t, a @ b + c, epi))
    a, b = rand(6), rand(6, 40)  # 1-D A
    m.output(m.node("MatMul", [m.input(a), m.const(b)]), a @ b)


def conv_ref(x, w, b, stride, pad, dil, group):
    n, c, h, wd = x.shape
    mo, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh = (h + 2 * pad - (kh - 1) * dil - 1) // stride + 1
    ow = (wd + 2 * pad - (kw - 1) * dil - 1) // stride + 1
    y = np.zeros((n, mo, oh, ow), np.float64)
    mg = mo // group
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, g * cg:(g + 1) * cg, i * dil:i * dil + stride * (oh - 1) + 1:stride,
                           j * dil:j * dil + stride * (ow - 1) + 1:stride]
                y[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, w[g * mg:(g + 1) * mg, :, i, j])
    return (y + b.reshape(1, -1, 1, 1)).astype(np.float32)


def conv_cases(m):
    # (N, C, M, H, k, stride, pad, dil, group, epilogue)
    cases = [(1, 3, 8, 9, 3, 1, 1, 1, 1, "relu"), (1, 5, 13, 11, 3, 2, 1, 1, 1, ""),
             (1, 4, 9, 12, 3, 1, 2, 2, 1, "leaky"), (1, 16, 33, 7, 1, 1, 0, 1, 1, "res+relu"),
             (2, 6, 7, 10, 5, 1, 2, 1, 1, "clip"), (1, 8, 12, 9, 3, 1, 1, 1, 2, "sigmoid"),
             (1, 20, 17, 17, 3, 1, 1, 1, 1, "res"), (1, 3, 16, 23, 7, 2, 3, 1, 1, "relu"),
             (1, 64, 6, 6, 3, 1, 1, 1, 1, ""), (1, 7, 8, 16, 1, 2, 0, 1, 1, ""),
             # depthwise 3x3 and 5x5, strides 1 and 2, a dilation, tails
             (1, 8, 8, 17, 3, 1, 1, 1, 8, "clip"), (2, 5, 5, 19, 3, 2, 1, 1, 5, "res+relu"),
             (1, 6, 6, 33, 5, 1, 2, 1, 6, "sigmoid"), (1, 4, 4, 20, 5, 2, 2, 1, 4, ""),
             (1, 3, 3, 14, 3, 1, 2, 2, 3, "leaky"), (1, 4, 4, 9, 3, 3, 1, 1, 4, "relu"),
             # transcendental activations in the tile epilogue
             (1, 3, 10, 12, 5, 1, 0, 1, 1, "tanh"), (1, 6, 9, 10, 3, 2, 1, 1, 1, "elu"),
             (1, 4, 17, 9, 3, 1, 1, 1, 1, "gelu"), (2, 5, 8, 8, 3, 1, 1, 1, 1, "silu"),
             (1, 8, 8, 7, 3, 1, 1, 1, 1, "res+tanh"), (1, 6, 12, 8, 3, 1, 1, 1, 2, "tanh+res")]
    for (N, C, M, H, k, s, p, d, g, epi) in cases:
        x, w, b = rand(N, C, H, H), rand(M, C // g, k, k) * 0.3, rand(M)
        t = m.node("Conv", [m.input(x), m.const(w), m.const(b)], kernel_shape=[k, k], strides=[s, s],
                   pads=[p] * 4, dilations=[d, d], group=g)
        m.output(*m.epilogue(t, conv_ref(x, w, b, s, p, d, g), epi))
    x, w = rand(1, 5, 40), rand(9, 5, 3)  # 1-D, no bias
    t = m.node("Conv", [m.input(x), m.const(w)], kernel_shape=[3], pads=[1, 1])
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1)))
    ref = np.stack([np.einsum("nck,mck->nm", xp[:, :, i:i + 3], w) for i in range(40)], axis=-1)
    m.output(t, ref.astype(np.float32))
    conv_direct_dw_cases(m)


def conv_direct_dw_cases(m):
    """1x1 stride-1 convs whose full panels the tile reads in place (conv_gemm
    DIRECT): planes below, equal to and above a panel (NR 32 avx512, 16
    avx2), a tail panel, two NC blocks, K past KC, groups, batch 2; and
    depthwise convs through the column-phase planes of conv_dw: strides 1-3,
    even and odd pads, widths past one and two vectors, an even kernel, a
    dilation with a stride, every vectorised activation."""
    # (N, C, M, H, k, stride, pad, dil, group, epilogue)
    cases = [(1, 300, 20, 9, 1, 1, 0, 1, 1, "res+relu"), (1, 8, 40, 4, 1, 1, 0, 1, 1, "clip"),
             (2, 12, 9, 8, 1, 1, 0, 1, 1, "silu"), (1, 16, 24, 12, 1, 1, 0, 1, 2, "tanh"),
             (1, 20, 10, 13, 1, 1, 0, 1, 1, "leaky"), (1, 5, 3, 6, 1, 1, 0, 1, 1, "gelu+res"),
             (1, 4, 4, 20, 3, 2, 0, 1, 4, "gelu"), (1, 3, 3, 37, 5, 2, 2, 1, 3, "elu"),
             (1, 5, 5, 33, 3, 2, 1, 1, 5, "res+relu"), (1, 4, 4, 21, 3, 2, 2, 2, 4, "silu"),
             (1, 3, 3, 22, 3, 3, 0, 1, 3, "tanh"), (1, 16, 16, 7, 3, 1, 1, 1, 16, "clip"),
             (1, 4, 4, 16, 4, 2, 1, 1, 4, "leaky"), (2, 2, 2, 64, 3, 2, 1, 1, 2, "sigmoid"),
             (1, 6, 6, 14, 3, 1, 1, 1, 6, "tanh+res"), (1, 3, 3, 5, 3, 1, 1, 1, 3, ""),
             # planes past 4096 floats (rows copied just before use): strides 1 and 2, a
             # dilation, a 5x5 kernel, a width past four vectors with a tail
             (1, 3, 3, 70, 3, 1, 1, 1, 3, "clip"), (1, 2, 2, 66, 5, 2, 2, 1, 2, "res+relu"),
             (1, 2, 2, 68, 3, 1, 2, 2, 2, "silu"), (1, 2, 2, 80, 5, 1, 2, 1, 2, ""),
             # narrow planes: a residual, a dilation with rows past one vector, a 5x5 kernel
             (1, 4, 4, 7, 3, 1, 1, 1, 4, "res+relu"), (1, 3, 3, 20, 3, 1, 1, 2, 3, "tanh"),
             (1, 2, 2, 9, 5, 1, 2, 1, 2, "res+elu"),
             # small planes with many channels: avx512's transposed conv_gemm (channels in the
             # vectors), K past KC, MG not a multiple of 32, groups, two position blocks
             (1, 20, 64, 8, 3, 2, 1, 1, 1, "leaky"), (1, 64, 40, 8, 4, 2, 1, 1, 1, ""),
             (1, 16, 48, 5, 2, 1, 0, 1, 2, "tanh"), (2, 24, 64, 13, 3, 2, 1, 1, 1, "relu"),
             (1, 8, 512, 13, 3, 2, 1, 1, 1, "sigmoid"), (1, 300, 96, 3, 1, 1, 0, 1, 1, "clip"),
             # ... with a residual (transposed into the tile's layout): K past KC, groups, an
             # activation first, MG not a multiple of 16, batch 2, two position blocks
             (1, 12, 64, 7, 3, 1, 1, 1, 1, "res+relu"), (2, 40, 96, 13, 3, 2, 1, 1, 1, "res+leaky"),
             (1, 16, 64, 4, 2, 1, 0, 1, 2, "tanh+res"), (1, 10, 40, 3, 3, 1, 1, 1, 1, "res+elu"),
             (1, 4, 1024, 7, 3, 1, 1, 1, 1, "res+relu"),
             # strided convs through the phase-split pack: strides 2-4, even and odd pads, a
             # dilation, rows wider than one and two vectors, position blocks crossing rows
             (1, 3, 10, 23, 11, 4, 2, 1, 1, "relu"), (1, 4, 6, 15, 3, 3, 1, 2, 1, "leaky"),
             (1, 2, 5, 40, 4, 2, 0, 1, 1, ""), (1, 2, 4, 70, 3, 2, 1, 1, 1, "clip"),
             (1, 5, 9, 31, 5, 2, 2, 1, 1, "res+relu")]
    for (N, C, M, H, k, s, p, d, g, epi) in cases:
        x, w, b = rand(N, C, H, H), rand(M, C // g, k, k) * 0.3, rand(M)
        t = m.node("Conv", [m.input(x), m.const(w), m.const(b)], kernel_shape=[k, k], strides=[s, s],
                   pads=[p] * 4, dilations=[d, d], group=g)
        m.output(*m.epilogue(t, conv_ref(x, w, b, s, p, d, g), epi))


def convt_ref(x, w, b, stride, pad, dil, group, opad):
    n, c, h, wd = x.shape
    _, mg, kh, kw = w.shape
    cg = c // group
    fh, fw = stride * (h - 1) + opad + (kh - 1) * dil + 1, stride * (wd - 1) + opad + (kw - 1) * dil + 1
    y = np.zeros((n, mg * group, fh, fw), np.float64)
    for g in range(group):
        for i in range(kh):
            for j in range(kw):
                y[:, g * mg:(g + 1) * mg, i * dil:i * dil + stride * (h - 1) + 1:stride,
                  j * dil:j * dil + stride * (wd - 1) + 1:stride] += np.einsum(
                      "nchw,cm->nmhw", x[:, g * cg:(g + 1) * cg], w[g * cg:(g + 1) * cg, :, i, j])
    y = y[:, :, pad:fh - pad, pad:fw - pad]
    return (y + b.reshape(1, -1, 1, 1)).astype(np.float32)


def conv_transpose_cases(m):
    # (N, C, M, H, W, k, stride, pad, dil, group, output_padding, epilogue)
    cases = [(1, 4, 8, 5, 6, 3, 1, 1, 1, 1, 0, ""), (1, 16, 8, 4, 4, 4, 2, 1, 1, 1, 0, "relu"),
             (2, 6, 9, 7, 5, 3, 2, 1, 1, 1, 1, "tanh"), (1, 8, 12, 6, 6, 4, 2, 1, 1, 2, 0, "res+leaky"),
             (1, 5, 3, 9, 8, 5, 2, 2, 1, 1, 1, "sigmoid"), (1, 3, 5, 6, 7, 3, 1, 0, 2, 1, 0, "elu"),
             (1, 40, 33, 3, 3, 4, 1, 0, 1, 1, 0, "clip"), (1, 12, 6, 10, 10, 2, 2, 0, 1, 3, 0, "silu"),
             (1, 300, 4, 2, 3, 3, 2, 1, 1, 1, 1, "gelu"), (1, 7, 7, 11, 13, 3, 3, 1, 1, 7, 2, "tanh+res"),
             (1, 20, 10, 1, 1, 4, 1, 0, 1, 1, 0, "relu"), (1, 9, 17, 12, 10, 3, 2, 1, 2, 1, 1, ""),
             # a 1x1 input as a matrix product (gemm_packed): batch 3, a residual; then
             # padding, dilation and a group, which it does not take
             (3, 33, 7, 1, 1, 3, 2, 0, 1, 1, 0, "res+leaky"), (1, 10, 5, 1, 1, 4, 2, 1, 1, 1, 0, "tanh"),
             (1, 6, 4, 1, 1, 3, 1, 0, 2, 1, 0, ""), (2, 8, 6, 1, 1, 2, 1, 0, 1, 2, 0, "relu")]
    for (N, C, M, H, W, k, s, p, d, g, op, epi) in cases:
        x, w, b = rand(N, C, H, W), rand(C, M // g, k, k) * 0.3, rand(M)
        attrs = dict(kernel_shape=[k, k], strides=[s, s], pads=[p] * 4, dilations=[d, d], group=g)
        if op:
            attrs["output_padding"] = [op, op]
        t = m.node("ConvTranspose", [m.input(x), m.const(w), m.const(b)], **attrs)
        m.output(*m.epilogue(t, convt_ref(x, w, b, s, p, d, g, op), epi))
    # auto_pad SAME_UPPER, no bias: output H * stride
    x, w = rand(1, 6, 5, 5), rand(6, 4, 3, 3) * 0.3
    t = m.node("ConvTranspose", [m.input(x), m.const(w)], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")
    full = convt_ref(x, w, np.zeros(4, np.float32), 2, 0, 1, 1, 0)  # 11x11; total pad 1: begin 0, end 1
    m.output(t, full[:, :, 0:10, 0:10])
    # a 1x1 input, no bias, rectangular kernel (gemm_packed)
    x, w = rand(2, 70, 1, 1), rand(70, 9, 3, 5) * 0.3
    t = m.node("ConvTranspose", [m.input(x), m.const(w)], kernel_shape=[3, 5])
    m.output(*m.epilogue(t, convt_ref(x, w, np.zeros(9, np.float32), 1, 0, 1, 1, 0), "sigmoid"))
    # 1-D
    x, w, b = rand(1, 5, 9), rand(5, 6, 4) * 0.3, rand(6)
    t = m.node("ConvTranspose", [m.input(x), m.const(w), m.const(b)], kernel_shape=[4], strides=[2], pads=[1, 1])
    ref = convt_ref(x[:, :, None, :], w[:, :, None, :], b, 2, 0, 1, 1, 0)[:, :, 0, 1:-1]
    m.output(t, ref)


def wino_cases(m):
    """3x3 stride-1 convolutions for the Winograd F(4x4, 3x3) and F(2x2, 3x3)
    paths of the SIMD targets (conv_winograd): planes below, equal to and above
    the output tile and the tile blocks (8 or 16 avx512 / 6 or 12 avx2 tiles),
    odd H and W, pads 0-2,
    C and M not multiples of 16, the input transform held whole per tile block or per channel block,
    large tile blocks when the transformed weights do not fit the L2, on channel-blocked
    inputs and outputs, channel counts past the channel blocks and up
    to 512, batch 2, fused epilogues. Weights are He-scaled as in trained
    networks, so outputs are O(1)."""
    # (N, C, M, H, W, pad, epilogue)
    cases = [(1, 16, 16, 8, 8, 1, ""), (1, 17, 33, 9, 11, 1, "relu"), (2, 24, 40, 13, 7, 0, "res+relu"),
             (1, 40, 100, 16, 16, 1, "res"), (1, 130, 20, 10, 10, 1, "leaky"), (1, 32, 16, 4, 4, 1, "sigmoid"),
             (1, 16, 20, 5, 30, 2, "clip"), (1, 512, 32, 12, 12, 1, ""), (1, 256, 72, 23, 23, 1, "tanh+res"),
             (1, 64, 64, 28, 28, 1, "res+relu"), (1, 48, 24, 6, 9, 0, "silu"),
             # F(2x2, 3x3): few 4x4 tiles and C M > 128 * 128
             (1, 136, 130, 7, 7, 1, "relu"), (2, 200, 100, 5, 9, 1, "res+relu"), (1, 256, 72, 10, 13, 2, "clip"),
             (1, 512, 40, 8, 8, 1, ""),
             # ... in one block of 49 tiles (7x7, AlexNet's 13x13) and in two of 36 (72 tiles)
             (1, 192, 96, 13, 13, 1, "relu"), (2, 136, 136, 11, 11, 1, "res+relu"),
             # F(4x4) whose U (36 C M floats) is past the L2 (wino_f4_big_u): even blocks of up
             # to 7 MR tiles, here 2 of 41 (81 tiles), and 2 of 25 straddling the batch's images
             (1, 80, 128, 36, 36, 1, "relu"), (2, 96, 112, 20, 20, 1, "res+relu"),
             # a tile block's whole input transform past WINO_FULL_V (16 * 700 * 49 floats):
             # V per input-channel block, redone per output-channel block
             (1, 700, 40, 13, 13, 1, "relu")]
    for (N, C, M, H, W, p, epi) in cases:
        x, w, b = rand(N, C, H, W), rand(M, C, 3, 3) * np.float32(math.sqrt(2 / (9 * C))), rand(M)
        t = m.node("Conv", [m.input(x), m.const(w), m.const(b)], kernel_shape=[3, 3], pads=[p] * 4)
        ref = conv_ref(x.astype(np.float64), w.astype(np.float64), b, 1, p, 1, 1)  # float64 sums
        m.output(*m.epilogue(t, ref, epi))

    # channel-blocked Winograd: the input blocked by a heavy strided conv before it (1152 and
    # 1224 multiply-adds an output), the output blocked, residuals blocked (a blocked tensor,
    # and a plain graph input the layout pass converts); F(4x4) with channel tails (40 of 48
    # lanes), batch 2, an activation before the residual; F(2x2) on 13x13
    def conv(t, ref, M, s=1, epi=""):
        C = ref.shape[1]
        w, b = rand(M, C, 3, 3) * np.float32(math.sqrt(2 / (9 * C))), rand(M)
        t = m.node("Conv", [t, m.const(w), m.const(b)], kernel_shape=[3, 3], strides=[s, s], pads=[1] * 4)
        return m.epilogue(t, conv_ref(ref.astype(np.float64), w.astype(np.float64), b, s, 1, 1, 1), epi)
    x = rand(2, 128, 34, 30) * 0.5
    a, ra = conv(m.input(x), x, 48, 2)  # 17x15, blocked
    t, r = conv(a, ra, 40, epi="relu")
    t, r = conv(t, r, 48)
    m.output(m.node("Relu", [m.node("Add", [t, a])]), np.maximum(r + ra, 0))  # residual: blocked
    m.output(*conv(a, ra, 24, epi="tanh+res"))  # residual: plain, converted
    x = rand(1, 136, 26, 26) * 0.5
    a, ra = conv(m.input(x), x, 136, 2)  # 13x13, blocked
    m.output(*conv(a, ra, 130, epi="res+relu"))

def nchwc_cases(m):
    """Chains of convolutions that the layout pass keeps channel-blocked
    (NCHW16c on avx512, NCHW8c on avx2; conv_nchwc): a plain input read by
    the first conv, blocked tensors between convs, depthwise convs on blocked
    inputs (strides 1-2, pads 0-2, a dilation, 5x5), residuals from blocked
    and from plain tensors, every fused activation, channels below, at and
    above the block (3, 8, 16, 24, 40, 200), a tail in the register tile's
    positions and blocks, several input-channel chunks (512 in), row strips
    (a wide plane), batch 2, a blocked tensor that is also a graph output and
    one that a plain op reads too; ConvTranspose chains run as stride phases;
    convs to 1-3 output channels.
    References in float64."""
    def conv(t, ref, M, k, s=1, p=0, d=1, g=1, bias=True, epi=""):
        C = ref.shape[1]
        w = rand(M, C // g, k, k) * np.float32(math.sqrt(2.0 / (C // g * k * k)))
        b = rand(M) if bias else np.zeros(M, np.float32)
        ins = [t, m.const(w)] + ([m.const(b)] if bias else [])
        t = m.node("Conv", ins, kernel_shape=[k, k], strides=[s, s], pads=[p] * 4, dilations=[d, d], group=g)
        return m.epilogue(t, conv_ref(ref.astype(np.float64), w.astype(np.float64), b, s, p, d, g), epi)

    # MobileNet-like: plain 3-channel input, 3x3 s2, depthwise, 1x1 project with a residual
    x = rand(2, 3, 21, 19)
    t, r = conv(m.input(x), x, 24, 3, 2, 1, epi="clip")
    t, r = conv(t, r, 24, 3, 1, 1, g=24, epi="clip")
    a, ra = conv(t, r, 40, 1)
    t, r = conv(a, ra, 40, 3, 2, 1, g=40, epi="relu")
    t, r = conv(t, r, 40, 1, epi="res")  # residual: a plain graph input
    t2, r2 = conv(t, r, 200, 1, epi="leaky")
    m.output(*conv(t2, r2, 16, 3, 1, 1, bias=False))
    # ResNet-like basic block on a 7x7 plane with 512 channels (several input chunks)
    x = rand(1, 512, 7, 7) * 0.5
    t, r = conv(m.input(x), x, 512, 3, 1, 1, epi="relu")
    w = rand(512, 512, 3, 3) * np.float32(math.sqrt(2 / 4608))
    y = m.node("Conv", [t, m.const(w)], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    ry = conv_ref(r.astype(np.float64), w.astype(np.float64), np.zeros(512), 1, 1, 1, 1) + r
    y = m.node("Relu", [m.node("Add", [y, t])])  # residual: a blocked tensor
    m.output(y, np.maximum(ry, 0))
    # every activation after a blocked conv, residual before and after it
    x = rand(1, 8, 9, 11)
    t, r = conv(m.input(x), x, 16, 3, 1, 1)
    m.output(t, r)  # a blocked tensor that is also a graph output ...
    for epi in ("relu", "leaky", "clip", "sigmoid", "tanh", "elu", "gelu", "silu", "res+tanh", "elu+res"):
        m.output(*conv(t, r, 24, 3, 1, 1, epi=epi))
    m.output(m.node("Sigmoid", [t]), sigmoid(r))  # ... and one a plain op reads
    # depthwise variants on blocked inputs, batch 2, wide rows (strips)
    x = rand(2, 16, 30, 37)
    t, r = conv(m.input(x), x, 40, 1)
    for (k, s, p, d, epi) in ((3, 1, 0, 1, ""), (5, 1, 2, 2, "relu"), (5, 2, 2, 1, "res+relu"), (3, 2, 1, 1, "silu")):
        m.output(*conv(t, r, 40, k, s, p, d, g=40, epi=epi))
    x = rand(1, 64, 90, 90) * 0.5
    t, r = conv(m.input(x), x, 64, 3, 2, 1, epi="relu")
    m.output(*conv(t, r, 64, 3, 1, 1, g=64))
    # 1x1 stride 2 and 5x5 on blocked inputs, odd channel counts
    x = rand(1, 24, 15, 13)
    t, r = conv(m.input(x), x, 17, 5, 1, 2)
    m.output(*conv(t, r, 33, 1, 2, 0, epi="res+relu"))

    # planes narrower than the register tile (several rows per tile, a short last row group):
    # widths 3, 2 and 1, in place and padded, residual, batch 2
    x = rand(2, 64, 5, 3)
    t, r = conv(m.input(x), x, 40, 3, 1, 1, epi="relu")  # 5x3
    a, ra = conv(t, r, 72, 1)
    t, r = conv(a, ra, 72, 1, epi="res+relu")
    t, r = conv(t, r, 48, 3, 2, 1, epi="leaky")  # 3x2
    t, r = conv(t, r, 40, 3, 2, 1)  # 2x1
    t, r = conv(t, r, 200, 3, 2, 1, epi="tanh")  # 1x1
    m.output(*conv(t, r, 20, 1))

    # ConvTranspose as stride phases (conv_nchwc per phase), DCGAN-like: a plain 1x1 latent,
    # strides 1-3, pads 0-2, an output_padding, channel tails, a residual, batch 2, a
    # ConvTranspose the phases cannot take (kernel 3, stride 2) and a Conv in the chain
    def convt(t, ref, M, k, s, p, op=0, bias=True, epi=""):
        C = ref.shape[1]
        w = rand(C, M, k, k) * np.float32(math.sqrt(s * s / (C * k * k)))
        b = rand(M) if bias else np.zeros(M, np.float32)
        attrs = dict(kernel_shape=[k, k], strides=[s, s], pads=[p] * 4)
        if op:
            attrs["output_padding"] = [op, op]
        t = m.node("ConvTranspose", [t, m.const(w)] + ([m.const(b)] if bias else []), **attrs)
        return m.epilogue(t, convt_ref(ref.astype(np.float64), w.astype(np.float64), b, s, p, 1, 1, op), epi)

    z = rand(2, 100, 1, 1)
    t, r = convt(m.input(z), z, 40, 4, 1, 0, epi="relu")  # 1x1 -> 4x4
    t, r = convt(t, r, 24, 4, 2, 1, epi="relu")  # -> 8x8
    t, r = convt(t, r, 17, 4, 2, 1, epi="res+relu")  # -> 16x16, the residual a plain graph input
    t, r = convt(t, r, 16, 6, 3, 2, op=1, epi="leaky")  # -> 48x48
    t, r = conv(t, r, 16, 3, 2, 1, epi="relu")  # -> 24x24
    t, r = convt(t, r, 9, 3, 2, 1, op=1)  # -> 48x48 (not by phases: plain)
    t, r = conv(t, r, 16, 1, epi="relu")
    t, r = convt(t, r, 8, 2, 2, 0)  # -> 96x96
    m.output(*convt(t, r, 3, 4, 2, 1, bias=False, epi="tanh"))  # -> 192x192

    # few output channels (at most a quarter of a block: FEWM, the lanes take input
    # channels): 1-4 outputs from blocked inputs with a short last block, wide rows (a
    # short last tile), stride 2 and 5x5, a residual, several input chunks (640 in), and
    # a plain input of more than one block read through the copy buffer
    x = rand(1, 40, 13, 30)
    t, r = conv(m.input(x), x, 40, 1)
    m.output(*conv(t, r, 1, 3, 1, 1, epi="res+relu"))
    m.output(*conv(t, r, 2, 5, 2, 2, bias=False))
    m.output(*conv(t, r, 3, 3, 1, 0, epi="sigmoid"))
    x = rand(1, 640, 6, 7) * 0.5
    t, r = conv(m.input(x), x, 640, 1)
    m.output(*conv(t, r, 3, 3, 1, 1, epi="tanh"))
    m.output(*conv(t, r, 4, 3, 1, 1, epi="sigmoid"))  # 4: on AVX-512 only; 6 positions a tile, a tail of 1
    x = rand(2, 130, 9, 10)
    m.output(*conv(m.input(x), x, 2, 3, 1, 1, epi="leaky"))


def pool_ref(x, op, k, s=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1), ceil_mode=0, count_include_pad=0, auto_pad="NOTSET"):
    """2-D MaxPool / AveragePool by the ONNX definition, in float64; pads are
    [h_begin, w_begin, h_end, w_end]. With ceil_mode, a last window that
    would start past the image and its leading padding is dropped."""
    n, c = x.shape[:2]
    geo = []
    for i in range(2):
        size, eff = x.shape[2 + i], (k[i] - 1) * dil[i] + 1
        pb, pe = pads[i], pads[2 + i]
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            out = -(-size // s[i])
            total = max(0, (out - 1) * s[i] + eff - size)
            pb = total // 2 if auto_pad == "SAME_UPPER" else total - total // 2
            pe = total - pb
        else:
            if auto_pad == "VALID":
                pb = pe = 0
            span = size + pb + pe - eff
            out = (-(-span // s[i]) if ceil_mode else span // s[i]) + 1
            if ceil_mode and (out - 1) * s[i] >= size + pb:
                out -= 1
        geo.append((size, out, pb, pe))
    (ih, oh, ph, eh), (iw, ow, pw, ew) = geo
    y = np.zeros((n, c, oh, ow), np.float64)
    xd = x.astype(np.float64)
    for a in range(oh):
        rows = [a * s[0] - ph + t * dil[0] for t in range(k[0])]
        for b in range(ow):
            cols = [b * s[1] - pw + t * dil[1] for t in range(k[1])]
            taps = [xd[:, :, r, q] for r in rows for q in cols if 0 <= r < ih and 0 <= q < iw]
            if op == "MaxPool":
                y[:, :, a, b] = np.max(taps, axis=0) if taps else -np.inf
                continue
            if count_include_pad:
                cnt = sum(1 for r in rows for q in cols if -ph <= r < ih + eh and -pw <= q < iw + ew)
            else:
                cnt = len(taps)
            y[:, :, a, b] = np.sum(taps, axis=0) / cnt if taps else 0.0
    return y


def nchwc_pool_cases(m):
    """Pools and Concat between blocked convolutions (NCHW16c on avx512,
    NCHW8c on avx2; pool_nchwc, global_pool_nchwc, the blocked concat):
    Conv -> MaxPool / AveragePool -> Conv with every pooling attribute
    (strides, asymmetric pads, dilations, ceil_mode, each auto_pad,
    count_include_pad), Conv -> GlobalAveragePool / GlobalMaxPool, and Conv,
    Conv -> Concat -> Conv / MaxPool / GlobalAveragePool; channel counts
    below, at, above and between multiples of 8 and 16 (3, 17, 24, 40, ...),
    odd planes, batch 2. Also what must stay plain or be converted: MaxPool
    with Indices, a blocked pool read by a plain op, Concat along H or with
    an input that does not fill whole blocks, a plain graph input in a
    Concat, an Inception block over a plain input. References in float64."""
    def conv(t, ref, cout, k=3, relu=False):
        cin = ref.shape[1]
        w = rand(cout, cin, k, k) * np.float32(math.sqrt(2 / (k * k * cin)))
        b = rand(cout) * np.float32(0.1)
        t = m.node("Conv", [t, m.const(w), m.const(b)], kernel_shape=[k, k], pads=[k // 2] * 4)
        ref = conv_ref(ref.astype(np.float64), w.astype(np.float64), b, 1, k // 2, 1, 1)
        return m.epilogue(t, ref, "relu") if relu else (t, ref)

    # (N, C, H, W, conv channels, op, attributes, channels of the conv after it; 0: the pool is a graph output)
    pools = [(2, 3, 15, 13, 24, "MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1]), 16),
             (2, 8, 11, 11, 40, "MaxPool", dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1), 24),
             (1, 16, 9, 9, 32, "AveragePool", dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1]), 40),
             (2, 5, 10, 7, 24, "AveragePool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 0, 1],
                                                   count_include_pad=1), 8),
             (1, 4, 13, 12, 16, "MaxPool", dict(kernel_shape=[3, 3], dilations=[2, 2], pads=[2, 1, 1, 2]), 3),
             (2, 6, 9, 11, 40, "MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER"), 24),
             (1, 3, 8, 9, 24, "AveragePool", dict(kernel_shape=[2, 2], auto_pad="SAME_LOWER", count_include_pad=1), 16),
             (2, 8, 12, 12, 48, "AveragePool", dict(kernel_shape=[3, 3], strides=[3, 3], auto_pad="VALID"), 32),
             (1, 7, 7, 7, 3, "MaxPool", dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1]), 24),
             (2, 4, 14, 14, 64, "MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1), 0),
             (1, 5, 5, 5, 40, "AveragePool", dict(kernel_shape=[5, 5]), 10),
             (2, 6, 9, 19, 17, "MaxPool", dict(kernel_shape=[2, 3], strides=[1, 2], pads=[0, 1, 1, 1], ceil_mode=1), 40),
             (1, 8, 13, 11, 33, "AveragePool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1,
                                                    count_include_pad=1), 16),
             (1, 4, 6, 41, 16, "MaxPool", dict(kernel_shape=[3, 3], pads=[1, 1, 1, 1]), 8)]
    for (N, C, H, W, M, op, attrs, M2) in pools:
        x = rand(N, C, H, W)
        t, ref = conv(m.input(x), x, M, relu=True)
        t = m.node(op, [t], **attrs)
        ref = pool_ref(ref, op, attrs["kernel_shape"], attrs.get("strides", (1, 1)), attrs.get("pads", (0, 0, 0, 0)),
                       attrs.get("dilations", (1, 1)), attrs.get("ceil_mode", 0), attrs.get("count_include_pad", 0),
                       attrs.get("auto_pad", "NOTSET"))
        m.output(*(conv(t, ref, M2, k=1 if M2 % 2 == 0 else 3) if M2 else (t, ref)))
    # a blocked pool read by a plain-only op
    x = rand(1, 3, 9, 9)
    t, ref = conv(m.input(x), x, 24)
    t = m.node("AveragePool", [t], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
    ref = pool_ref(ref, "AveragePool", [3, 3], [2, 2], [1, 1, 1, 1], ceil_mode=1)
    m.output(m.node("Sigmoid", [t]), sigmoid(ref))
    # MaxPool with Indices stays plain
    x = rand(2, 4, 9, 8)
    t, ref = conv(m.input(x), x, 24)
    y, idx = m.name("t"), m.name("t")
    m.nodes.append(helper.make_node("MaxPool", [t], [y, idx], kernel_shape=[2, 2], strides=[2, 2]))
    win = ref[:, :, :8].reshape(2, 24, 4, 2, 4, 2).transpose(0, 1, 2, 4, 3, 5).reshape(2, 24, 4, 4, 4)
    arg = win.argmax(axis=-1)
    hh = np.arange(4).reshape(1, 1, 4, 1) * 2 + arg // 2
    ww = np.arange(4).reshape(1, 1, 1, 4) * 2 + arg % 2
    nc = np.arange(2 * 24).reshape(2, 24, 1, 1)
    m.output(y, win.max(axis=-1))
    m.outputs.append(helper.make_tensor_value_info(idx, TensorProto.INT64, arg.shape))
    m.out_data.append((idx, ((nc * 9 + hh) * 8 + ww).astype(np.int64)))

    # global pools: (N, C, H, W, conv channels, op)
    for (N, C, H, W, M, op) in [(2, 3, 7, 9, 24, "GlobalAveragePool"), (2, 16, 5, 5, 40, "GlobalAveragePool"),
                                (1, 8, 13, 11, 32, "GlobalMaxPool"), (2, 4, 1, 1, 3, "GlobalAveragePool"),
                                (2, 8, 6, 6, 100, "GlobalMaxPool"), (1, 5, 14, 14, 16, "GlobalAveragePool")]:
        x = rand(N, C, H, W)
        t, ref = conv(m.input(x), x, M, relu=True)
        red = ref.max(axis=(2, 3), keepdims=True) if op == "GlobalMaxPool" else ref.mean(axis=(2, 3), keepdims=True)
        m.output(m.node(op, [t]), red)

    # concat of convs over a common blocked stem: (N, C, H, W, branch channels, axis, what reads it)
    for (N, C, H, W, branches, axis, then) in [(2, 8, 9, 9, [32, 24], 1, "conv"), (2, 3, 7, 11, [16, 16, 3], 1, "conv"),
                                               (1, 8, 10, 10, [24, 40], 1, "maxpool"), (1, 6, 8, 8, [16, 8], 1, "gap"),
                                               (2, 5, 9, 7, [32, 16], -3, "conv"), (2, 4, 5, 6, [24, 24], 2, "conv"),
                                               (1, 4, 6, 7, [48, 17, 16], 1, "conv"), (2, 3, 5, 5, [16], 1, "conv")]:
        x = rand(N, C, H, W)
        stem = conv(m.input(x), x, 16, relu=True)  # blocked: convs read it
        parts = [conv(*stem, M) for M in branches]
        t = m.node("Concat", [p[0] for p in parts], axis=axis)
        ref = np.concatenate([p[1] for p in parts], axis=axis)
        if then == "conv":
            t, ref = conv(t, ref, 24)
        elif then == "maxpool":
            t = m.node("MaxPool", [t], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
            t, ref = conv(t, pool_ref(ref, "MaxPool", [3, 3], [2, 2], [1, 1, 1, 1]), 16)
        else:
            t, ref = m.node("GlobalAveragePool", [t]), ref.mean(axis=(2, 3), keepdims=True)
        m.output(t, ref)
    # a plain graph input among blocked ones
    x, z = rand(2, 4, 9, 9), rand(2, 5, 9, 9)
    t, ref = conv(*conv(m.input(x), x, 16, relu=True), 48)
    t = m.node("Concat", [t, m.input(z)], axis=1)
    m.output(*conv(t, np.concatenate([ref, z], axis=1), 24))
    # an Inception block over a plain input: 1x1, 1x1 -> 3x3, and 3x3 max pool -> 1x1 branches
    x = rand(2, 16, 11, 11)
    xin = m.input(x)
    b1 = conv(xin, x, 16, k=1)
    b2 = conv(*conv(xin, x, 24, k=1, relu=True), 32)
    b3 = conv(m.node("MaxPool", [xin], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
              pool_ref(x, "MaxPool", [3, 3], pads=[1, 1, 1, 1]), 16, k=1)
    t = m.node("Concat", [b1[0], b2[0], b3[0]], axis=1)
    m.output(*conv(t, np.concatenate([b1[1], b2[1], b3[1]], axis=1), 40))


def main():
    out, only = sys.argv[1], set(sys.argv[2:])
    for fam, fn in (("gemm", gemm_cases), ("matmul", matmul_cases), ("conv", conv_cases), ("convt", conv_transpose_cases),
                    ("wino", wino_cases), ("nchwc", nchwc_cases),
                    ("nchwc_pool", nchwc_pool_cases)):
        if only and fam not in only:
            continue
        global rng
        rng = np.random.default_rng([1234, zlib.crc32(fam.encode())])
        m = Model()
        fn(m)
        m.save(os.path.join(out, fam))


if __name__ == "__main__":
    main()
