#!/usr/bin/python3
"""Random valid ONNX graphs for differential testing of nnc against ONNX Runtime.

Usage: /usr/bin/python3 tests/difftest/gen_graphs.py OUTDIR [--seed S] [--models M] [--graphs K]
                                                     [--only RECIPE[,RECIPE...]]

Writes OUTDIR/mNNNN/ for M models: model.onnx, in_K.bin (raw little-endian
inputs) and case.json (inputs, outputs, and for each output the subgraph and
recipe that made it). Each model packs K independent random subgraphs, each
with its own outputs, so one compile checks many graphs. Everything follows
from (seed, model, subgraph): subgraph g of model m is rebuilt alone with
build_model(seed, m, [g]) (difftest.py --minimize uses that).

Recipes (one per subgraph, chosen at random):
  chain      chains and DAGs of elementwise, broadcasting, reduction,
             softmax, normalisation and data-movement ops; tensors read by
             several consumers, intermediates that are also graph outputs
  conv       Conv (+BatchNormalization) (+activation) (+residual Add),
             strides, pads, dilations, groups, depthwise; SiLU as x*sigmoid(x)
  nchwc      Conv / pool / Concat chains on 4-D tensors, channels around the
             8 and 16 lane widths (channel-blocked layouts on avx2/avx512)
  gemm       MatMul + bias Add (+activation), batched and broadcast MatMul,
             Gemm with transA/transB/alpha/beta/C, MatMul + BatchNorm
  layernorm  LayerNorm decomposed as torch exports it (ReduceMean, Sub, Pow,
             ReduceMean, Add, Sqrt, Div, Mul, Add), and LayerNormalization
  gelu       GELU decomposed as torch exports it (erf form), in its orderings
  attention  MatMul(Q, K^T) -> scale -> additive or Where mask -> Softmax
             -> MatMul(., V), over heads, with projections
  misc       Resize, Pad, Slice, Gather, GatherElements, Split, Tile, Expand,
             CumSum, ArgMax/ArgMin, Trilu, DepthToSpace, ConvTranspose, pools

Values are kept where both implementations must agree to the tolerance: every
tensor carries an interval; ops with a restricted domain (Log, Sqrt, Div,
Acosh, ...) only see inputs inside it (a squashing op is inserted first when
needed), and ops that are discontinuous (Floor, Round, Sign, comparisons,
ArgMax, Mod, Cast to integers, ...) only read exact tensors: graph inputs on a
grid of 1/8 and what data movement and exact arithmetic make of them, which
both implementations compute bit for bit.
"""
import argparse
import json
import math
import os
import sys
import zlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
# sizes around the vector widths (4 NEON, 8 AVX2, 16 AVX-512), GEMM tiles
# (avx2 6x16, avx512 8x32) and small primes
ODD = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 15, 16, 17, 23, 31, 32, 33]
SMALL = [1, 2, 3, 4, 5, 7, 8, 9]
CHANNELS = [1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 33]
ROWS = [1, 2, 5, 6, 7, 8, 9, 12, 13, 17]
COLS = [1, 3, 8, 15, 16, 17, 31, 32, 33, 48]
NP_OF = {TensorProto.FLOAT: np.float32, TensorProto.INT64: np.int64, TensorProto.INT32: np.int32,
         TensorProto.BOOL: np.bool_, TensorProto.DOUBLE: np.float64, TensorProto.INT8: np.int8,
         TensorProto.INT16: np.int16, TensorProto.UINT8: np.uint8}


class T:
    """A tensor of the graph being built: name, shape, dtype, value interval
    [lo, hi], exact (both implementations produce the same bits) and q (exact
    values are multiples of 2**-q)."""

    def __init__(self, name, shape, dtype=TensorProto.FLOAT, lo=-1.0, hi=1.0, exact=False, q=0):
        self.name, self.shape, self.dtype = name, tuple(int(d) for d in shape), dtype
        self.lo, self.hi, self.exact, self.q = float(lo), float(hi), exact, q

    @property
    def rank(self):
        return len(self.shape)

    @property
    def bound(self):
        return max(abs(self.lo), abs(self.hi))

    def size(self):
        return int(np.prod(self.shape)) if self.shape else 1


def bcast(a, b):
    r = max(len(a), len(b))
    a, b = (1,) * (r - len(a)) + tuple(a), (1,) * (r - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        assert x == y or x == 1 or y == 1, (a, b)
        out.append(max(x, y))
    return tuple(out)


class Builder:
    """Collects nodes, initializers and graph inputs/outputs of one model."""

    def __init__(self, rng, tag):
        self.rng, self.tag = rng, tag
        self.nodes, self.inits, self.inputs, self.feeds, self.outputs = [], [], [], [], []
        self.n = 0
        self.fold = False  # make "graph inputs" constants (set per subgraph by some recipes)
        self.exact_mode = False  # prefer ops that keep tensors exact (chain recipe)

    def name(self, base):
        self.n += 1
        return "%s_%s%d" % (self.tag, base, self.n)

    # ---- random choices ----
    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def chance(self, p):
        return self.rng.random() < p

    def randint(self, lo, hi):
        return int(self.rng.integers(lo, hi + 1))

    # ---- tensors ----
    def input(self, shape, lo=-4.0, hi=4.0, grid=True, dtype=TensorProto.FLOAT):
        """A graph input: on a grid of 1/8 (exact) unless grid=False."""
        name = self.name("in")
        if dtype == TensorProto.FLOAT:
            if grid:
                a = self.rng.integers(int(lo * 8), int(hi * 8) + 1, size=shape).astype(np.float32) / 8
            else:
                a = self.rng.uniform(lo, hi, size=shape).astype(np.float32)
        else:
            a = self.rng.integers(int(lo), int(hi) + 1, size=shape)
        a = np.asarray(a, dtype=NP_OF[dtype]).reshape(shape)
        if self.fold:  # a constant instead: nnc folds what reads it (each op's eval_fn)
            self.inits.append(numpy_helper.from_array(a, name))
        else:
            self.inputs.append(helper.make_tensor_value_info(name, dtype, list(shape)))
            self.feeds.append(a)
        return T(name, shape, dtype, float(a.min()) if a.size else lo, float(a.max()) if a.size else hi,
                 exact=grid or dtype != TensorProto.FLOAT, q=3 if grid else 30)

    def const(self, a, base="c"):
        a = np.asarray(a)
        name = self.name(base)
        self.inits.append(numpy_helper.from_array(a, name))
        dt = onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype]
        lo = float(a.min()) if a.size and dt != TensorProto.BOOL else 0.0
        hi = float(a.max()) if a.size and dt != TensorProto.BOOL else 1.0
        return T(name, a.shape, dt, lo, hi, exact=True, q=30)

    def weights(self, shape, fan_in, scale=1.0):
        a = self.rng.uniform(-1, 1, size=shape) * (scale * math.sqrt(3.0 / max(fan_in, 1)))
        return self.const(a.astype(np.float32), "w")

    def ints(self, vals):
        return self.const(np.array(vals, dtype=np.int64), "i")

    def scalar(self, v):
        return self.const(np.array(v, dtype=np.float32), "s")

    def node(self, op, ins, attrs=None, n_out=1, domain=None):
        outs = [self.name(op.lower()) for _ in range(n_out)]
        self.nodes.append(helper.make_node(op, [i.name if isinstance(i, T) else i for i in ins], outs,
                                           name=self.name("n_" + op), **(attrs or {})))
        return outs

    def output(self, t, desc):
        self.outputs.append((t, desc))


# ---------------------------------------------------------------- elementwise
UNARY_ANY = ["Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Erf", "Abs", "Neg", "Sin", "Cos", "Atan",
             "Asinh", "HardSigmoid", "HardSwish", "Selu", "Celu", "Softplus", "Softsign", "Identity",
             "Clip", "Dropout"]
UNARY_EXACT = ["Floor", "Ceil", "Round", "Sign", "ThresholdedRelu"]
UNARY_DOMAIN = ["Exp", "Log", "Sqrt", "Reciprocal", "Tan", "Asin", "Acos", "Sinh", "Cosh", "Acosh", "Atanh"]


def squash(b, x, lo, hi):
    """x mapped into [lo, hi] (Sigmoid then an affine map)."""
    s = unary(b, "Sigmoid", x)
    m = b.scalar(np.float32(hi - lo))
    y = binary(b, "Mul", s, m)
    return binary(b, "Add", y, b.scalar(np.float32(lo)))


def unary(b, op, x, attrs=None):
    """One unary op on x, with its result's interval; attrs chosen when None."""
    lo, hi = x.lo, x.hi
    exact = False
    q = x.q
    if attrs is None:
        attrs = {}
        if op in ("LeakyRelu",):
            attrs["alpha"] = b.pick([0.01, 0.1, 0.3])
        elif op in ("Elu", "Celu"):
            attrs["alpha"] = b.pick([1.0, 0.5, 1.7])
        elif op == "HardSigmoid":
            attrs = {"alpha": b.pick([0.2, 1.0 / 6]), "beta": 0.5}
        elif op == "ThresholdedRelu":
            attrs["alpha"] = b.pick([0.5, 1.0, 0.0625])
    ins = [x]
    f = {"Relu": lambda v: max(v, 0.0), "Abs": abs, "Neg": lambda v: -v, "Sigmoid": lambda v: 1 / (1 + math.exp(-max(min(v, 80), -80))),
         "Tanh": math.tanh, "Erf": math.erf, "Atan": math.atan, "Asinh": math.asinh,
         "Softsign": lambda v: v / (1 + abs(v)), "Exp": math.exp, "Log": math.log, "Sqrt": math.sqrt,
         "Sinh": math.sinh, "Atanh": math.atanh, "Asin": math.asin, "Tan": math.tan,
         "Floor": math.floor, "Ceil": math.ceil, "Round": round, "Sign": lambda v: (v > 0) - (v < 0),
         "Identity": lambda v: v, "Dropout": lambda v: v}
    if op in ("Relu", "Abs", "Neg", "Floor", "Ceil", "Round", "Sign", "Identity", "Dropout", "ThresholdedRelu"):
        exact = x.exact
    if op in ("Relu", "Tanh", "Erf", "Atan", "Asinh", "Softsign", "Exp", "Log", "Sqrt", "Sinh", "Atanh", "Asin",
              "Tan", "Floor", "Ceil", "Round", "Sign", "Identity", "Dropout", "Sigmoid"):
        lo, hi = f[op](x.lo), f[op](x.hi)  # monotone
    elif op == "Neg":
        lo, hi = -x.hi, -x.lo
    elif op == "Abs":
        lo, hi = (0.0 if x.lo <= 0 <= x.hi else min(abs(x.lo), abs(x.hi))), x.bound
    elif op in ("Sin", "Cos"):
        lo, hi = -1.0, 1.0
    elif op == "Acos":
        lo, hi = math.acos(x.hi), math.acos(x.lo)
    elif op == "Cosh":
        lo, hi = 1.0, math.cosh(x.bound)
    elif op == "Acosh":
        lo, hi = math.acosh(x.lo), math.acosh(x.hi)
    elif op == "Reciprocal":
        lo, hi = sorted((1 / x.lo, 1 / x.hi))
    elif op == "LeakyRelu":
        lo, hi = min(x.lo * attrs["alpha"], 0.0), max(x.hi, 0.0)
    elif op in ("Elu", "Celu"):
        lo, hi = -attrs["alpha"], max(x.hi, 0.0)
    elif op == "Selu":
        lo, hi = -1.76, max(1.0507 * x.hi, 0.0)
    elif op == "HardSigmoid":
        lo, hi = 0.0, 1.0
    elif op == "HardSwish":
        lo, hi = -0.375, max(x.hi, 0.0)
    elif op == "Softplus":
        lo, hi = 0.0, max(x.hi, 0.0) + 0.7
    elif op == "ThresholdedRelu":
        lo, hi = 0.0, max(x.hi, 0.0)
    elif op == "Clip":
        c_lo = b.pick([-1.0, 0.0, -0.5])
        c_hi = b.pick([1.0, 6.0, 0.75])
        form = b.randint(0, 2)
        if form == 0:
            ins = [x, b.scalar(np.float32(c_lo)), b.scalar(np.float32(c_hi))]
        elif form == 1:
            ins, c_hi = [x, b.scalar(np.float32(c_lo))], math.inf
        else:
            ins, c_lo = [x, "", b.scalar(np.float32(c_hi))], -math.inf
        lo, hi = max(min(x.lo, c_hi), c_lo), min(max(x.hi, c_lo), c_hi)
        exact = x.exact
    out = b.node(op, ins, attrs)[0]
    if op in ("Floor", "Ceil", "Round", "Sign"):
        q = 0
    return T(out, x.shape, x.dtype, min(lo, hi), max(lo, hi), exact, q)


def prepare_domain(b, op, x):
    """x, or x squashed into op's domain (and into a range where op is tame)."""
    need = {"Exp": (-6, 4), "Log": (0.05, 1e30), "Sqrt": (0.0, 1e30), "Reciprocal": (0.25, 1e30),
            "Tan": (-1.3, 1.3), "Asin": (-0.95, 0.95), "Acos": (-0.95, 0.95), "Sinh": (-5, 5),
            "Cosh": (-5, 5), "Acosh": (1.05, 1e30), "Atanh": (-0.9, 0.9)}[op]
    if need[0] <= x.lo and x.hi <= need[1]:
        return x
    lo = need[0]
    hi = min(need[1], lo + 4.0)
    if op == "Reciprocal" and b.chance(0.5):
        lo, hi = -4.0, -0.25
    return squash(b, x, lo, hi)


def rescale(b, x, limit=8.0):
    """x, or x * c so that its bound stays below limit (keeps errors relative)."""
    if x.bound <= limit or x.dtype != TensorProto.FLOAT:
        return x
    c = float(np.float32(limit / x.bound))
    return binary(b, "Mul", x, b.scalar(np.float32(c)))


def binary(b, op, x, y):
    shape = bcast(x.shape, y.shape)
    out = b.node(op, [x, y])[0]
    exact = x.exact and y.exact
    q = max(x.q, y.q)
    if op == "Add":
        lo, hi = x.lo + y.lo, x.hi + y.hi
    elif op == "Sub":
        lo, hi = x.lo - y.hi, x.hi - y.lo
    elif op == "Mul":
        p = [x.lo * y.lo, x.lo * y.hi, x.hi * y.lo, x.hi * y.hi]
        lo, hi = min(p), max(p)
        q = x.q + y.q
    elif op == "Div":
        p = [x.lo / y.lo, x.lo / y.hi, x.hi / y.lo, x.hi / y.hi]
        lo, hi = min(p), max(p)
        exact = False
    elif op == "Pow":
        p = [x.lo ** y.lo, x.lo ** y.hi, x.hi ** y.lo, x.hi ** y.hi]
        lo, hi = min(p), max(p)
        exact = False
    elif op in ("Max", "Min"):
        f = max if op == "Max" else min
        lo, hi = f(x.lo, y.lo), f(x.hi, y.hi)
    elif op == "PRelu":
        lo, hi = min(x.lo * y.hi, x.lo * y.lo, 0.0), max(x.hi, 0.0)
        q = x.q + y.q
    elif op == "Mod":
        lo, hi = -y.bound, y.bound
        exact = exact and x.q <= 8 and y.q <= 8
    else:
        raise ValueError(op)
    # exact while the result's bits fit: multiples of 2**-q below 2**(23-q)
    exact = exact and q <= 16 and max(abs(lo), abs(hi)) < 2.0 ** (22 - q)
    return T(out, shape, x.dtype, lo, hi, exact, q)


def side_shape(b, shape):
    """A shape that broadcasts onto `shape` (never making it bigger)."""
    r = b.randint(0, len(shape))
    tail = list(shape[len(shape) - r:])
    for i in range(len(tail)):
        if b.chance(0.35):
            tail[i] = 1
    return tuple(tail)


def side_input(b, shape, lo=-2.0, hi=2.0):
    """A second operand: a graph input or a constant, broadcasting or full."""
    s = shape if b.chance(0.4) else side_shape(b, shape)
    if b.chance(0.5):
        return b.input(s, lo, hi)
    a = (b.rng.integers(int(lo * 8), int(hi * 8) + 1, size=s) / 8).astype(np.float32)
    t = b.const(a)
    t.q = 3
    return t


def random_shape(b, rank=None, max_numel=2048):
    rank = b.randint(1, 4) if rank is None else rank
    while True:
        s = tuple(b.pick(ODD) for _ in range(rank))
        if int(np.prod(s)) <= max_numel:
            return s


# ---------------------------------------------------------------- recipe: chain
def step_exact(b, x, pool):
    """an op that keeps x exact: discontinuous ops, exact arithmetic on the grid"""
    k = b.randint(0, 5)
    if k == 0:
        return unary(b, b.pick(UNARY_EXACT + ["Relu", "Abs", "Neg", "Clip"]), x)
    if k == 1:
        return step_exact_logic(b, x)
    if k == 2:
        return step_types(b, x)
    if k == 3:
        y = side_input(b, x.shape)
        return binary(b, b.pick(["Add", "Sub", "Mul", "Max", "Min"]), x, y)
    if k == 4 and x.rank:
        ax = b.randint(-x.rank, x.rank - 1)
        op = b.pick(["ReduceMax", "ReduceMin", "ArgMax", "Hardmax"])
        if op == "Hardmax":
            out = b.node(op, [x], {"axis": ax})[0]
            return T(out, x.shape, x.dtype, 0, 1, True, 0)
        if op == "ArgMax":
            return step_exact_logic(b, x)
        keep = b.randint(0, 1)
        out = b.node(op, [x], {"axes": [ax], "keepdims": keep})[0]
        shape = tuple(1 if i == ax % x.rank else d for i, d in enumerate(x.shape) if keep or i != ax % x.rank)
        return T(out, shape, x.dtype, x.lo, x.hi, True, x.q)
    return step_move(b, x)


def step_elementwise(b, x, pool):
    if b.exact_mode and x.exact and x.dtype == TensorProto.FLOAT:
        return step_exact(b, x, pool)
    kind = b.rng.random()
    if kind < 0.3:
        op = b.pick(UNARY_ANY)
        return unary(b, op, x)
    if kind < 0.42:
        op = b.pick(UNARY_DOMAIN)
        return unary(b, op, prepare_domain(b, op, x))
    if kind < 0.5:
        op = b.pick(UNARY_EXACT)
        if not x.exact:
            return unary(b, "Tanh", x)
        return unary(b, op, x)
    # binary with broadcasting: sometimes against an earlier tensor of the DAG
    op = b.pick(["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "PRelu", "Mod", "Add", "Mul"])
    others = [p for p in pool if p.dtype == TensorProto.FLOAT and p is not x and
              _fits(p.shape, x.shape)]
    y = b.pick(others) if others and b.chance(0.4) and op not in ("Div", "Pow", "Mod", "PRelu") else None
    if op == "Div":
        y = side_input(b, x.shape, 0.5, 3.0)
        if b.chance(0.5):
            y = unary(b, "Neg", y)
    elif op == "Pow":
        x = prepare_domain(b, "Log", x) if x.lo <= 0.05 or x.hi > 4 else x
        x = x if x.hi <= 4 else squash(b, x, 0.1, 3.0)
        if b.chance(0.5):
            y = b.scalar(np.float32(b.pick([2.0, 3.0, 0.5, -1.0, 1.5, -2.0])))
        else:
            y = side_input(b, x.shape, -2.0, 2.0)
    elif op == "PRelu":
        s = x.shape[1:2] + (1,) * max(len(x.shape) - 2, 0) if len(x.shape) >= 2 and b.chance(0.6) else side_shape(b, x.shape)
        y = b.const((b.rng.integers(-4, 5, size=s) / 8).astype(np.float32))
        y.q = 3
    elif op == "Mod":
        if not x.exact:
            return unary(b, "Floor", x) if False else unary(b, "Sigmoid", x)
        y = b.const((b.rng.integers(1, 9, size=side_shape(b, x.shape)) / 4 * b.pick([1, -1])).astype(np.float32))
        y.q = 2
        out = b.node("Mod", [x, y], {"fmod": 1})[0]
        ex = x.q <= 8
        return T(out, bcast(x.shape, y.shape), x.dtype, -y.bound, y.bound, ex, max(x.q, y.q))
    elif y is None:
        y = side_input(b, x.shape)
    return binary(b, op, x, y)


def _fits(s, shape):
    """s broadcasts onto shape without growing it"""
    if len(s) > len(shape):
        return False
    return all(a == 1 or a == c for a, c in zip(s[::-1], shape[::-1]))


def step_reduce(b, x):
    op = b.pick(["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                 "ReduceLogSumExp", "ReduceSumSquare", "ReduceLogSum"])
    n = b.randint(1, x.rank)
    axes = sorted(int(a) for a in b.rng.choice(x.rank, size=n, replace=False))
    if b.chance(0.3):
        axes = [a - x.rank for a in axes]
    keep = b.randint(0, 1)
    if op == "ReduceProd" and int(np.prod([x.shape[a] for a in axes])) > 16:
        op = "ReduceMean"
    if op == "ReduceProd":
        x = squash(b, x, 0.7, 1.3)
    if op == "ReduceLogSum":
        x = squash(b, x, 0.1, 2.0)
    cnt = int(np.prod([x.shape[a] for a in axes]))
    shape = tuple(1 if i in [a % x.rank for a in axes] else d for i, d in enumerate(x.shape)
                  if keep or i not in [a % x.rank for a in axes])
    if op == "ReduceSum":
        out = b.node(op, [x, b.ints(axes)], {"keepdims": keep})[0]
    else:
        out = b.node(op, [x], {"axes": axes, "keepdims": keep})[0]
    B = x.bound
    rng = {"ReduceMean": lambda: (x.lo, x.hi), "ReduceSum": lambda: (x.lo * cnt, x.hi * cnt),
           "ReduceMax": lambda: (x.lo, x.hi), "ReduceMin": lambda: (x.lo, x.hi),
           "ReduceProd": lambda: (min(x.lo, 1.0) ** cnt, max(x.hi, 1.0) ** cnt),
           "ReduceL1": lambda: (0, B * cnt), "ReduceL2": lambda: (0, B * math.sqrt(cnt)),
           "ReduceLogSumExp": lambda: (x.lo, x.hi + math.log(cnt)), "ReduceSumSquare": lambda: (0, B * B * cnt),
           "ReduceLogSum": lambda: (math.log(max(x.lo, 1e-3)), math.log(max(x.hi, 1e-3) * cnt))}[op]()
    exact = x.exact and op in ("ReduceMax", "ReduceMin")
    return rescale(b, T(out, shape, x.dtype, rng[0], rng[1], exact, x.q))


def step_softmax(b, x):
    op = b.pick(["Softmax", "LogSoftmax", "Softmax", "Hardmax"])
    if op == "Hardmax" and not x.exact:
        op = "Softmax"
    axis = b.randint(-x.rank, x.rank - 1)
    out = b.node(op, [x], {"axis": axis})[0]
    if op == "LogSoftmax":
        return T(out, x.shape, x.dtype, x.lo - x.hi - math.log(x.size()), 0.0)
    return T(out, x.shape, x.dtype, 0.0, 1.0, op == "Hardmax", 0)


def step_norm(b, x):
    if x.rank >= 2 and b.chance(0.5):
        axis = b.randint(-x.rank + 1, x.rank - 1) if b.chance(0.3) else -1
        nshape = x.shape[axis % x.rank:]
        if int(np.prod(nshape)) < 4:
            return unary(b, "Tanh", x)
        ins = [x, b.const(b.rng.uniform(0.5, 1.5, size=nshape).astype(np.float32))]
        if b.chance(0.7):
            ins.append(b.const(b.rng.uniform(-0.5, 0.5, size=nshape).astype(np.float32)))
        out = b.node("LayerNormalization", ins, {"axis": axis, "epsilon": b.pick([1e-5, 1e-3])})[0]
        s = math.sqrt(int(np.prod(nshape)))
        return T(out, x.shape, x.dtype, -1.5 * s - 0.5, 1.5 * s + 0.5)
    if x.rank >= 3 and b.chance(0.5):
        c = x.shape[1]
        spatial = int(np.prod(x.shape[2:]))
        if spatial < 4:
            return unary(b, "Tanh", x)
        out = b.node("InstanceNormalization", [x, b.const(b.rng.uniform(0.5, 1.5, size=c).astype(np.float32)),
                                                 b.const(b.rng.uniform(-0.5, 0.5, size=c).astype(np.float32))],
                     {"epsilon": 1e-3})[0]
        s = math.sqrt(spatial)
        return T(out, x.shape, x.dtype, -1.5 * s - 0.5, 1.5 * s + 0.5)
    if x.rank >= 2:
        c = x.shape[1]
        var = b.rng.uniform(0.5, 2.0, size=c).astype(np.float32)
        ins = [x] + [b.const(a.astype(np.float32)) for a in (b.rng.uniform(0.5, 1.5, c), b.rng.uniform(-0.5, 0.5, c),
                                                             b.rng.uniform(-0.5, 0.5, c))] + [b.const(var)]
        out = b.node("BatchNormalization", ins, {"epsilon": 1e-5})[0]
        B = (x.bound + 0.5) * 1.5 / math.sqrt(0.5) + 0.5
        return T(out, x.shape, x.dtype, -B, B)
    return unary(b, "Sigmoid", x)


def step_move(b, x):
    """data movement: exact, keeps the values"""
    k = b.randint(0, 9)
    r = x.rank
    if k == 0 and r >= 2:
        perm = [int(p) for p in b.rng.permutation(r)]
        out = b.node("Transpose", [x], {"perm": perm})[0]
        return T(out, tuple(x.shape[p] for p in perm), x.dtype, x.lo, x.hi, x.exact, x.q)
    if k == 1:
        shape = list(x.shape)
        n = x.size()
        # a random factorisation of n
        dims = []
        rest = n
        for _ in range(b.randint(0, 3)):
            divs = [d for d in range(1, rest + 1) if rest % d == 0]
            d = b.pick(divs)
            dims.append(d)
            rest //= d
        dims.append(rest)
        spec = list(dims)
        if b.chance(0.3):
            spec[b.randint(0, len(spec) - 1)] = -1
        out = b.node("Reshape", [x, b.ints(spec)])[0]
        return T(out, tuple(dims), x.dtype, x.lo, x.hi, x.exact, x.q)
    if k == 2 and r >= 1:
        axis = b.randint(0, r)
        out = b.node("Flatten", [x], {"axis": axis})[0]
        a = int(np.prod(x.shape[:axis])) if axis else 1
        return T(out, (a, x.size() // a), x.dtype, x.lo, x.hi, x.exact, x.q)
    if k == 3 and r <= 3:
        ax = b.randint(-(r + 1), r)
        out = b.node("Unsqueeze", [x, b.ints([ax])])[0]
        s = list(x.shape)
        s.insert(ax % (r + 1), 1)
        return T(out, tuple(s), x.dtype, x.lo, x.hi, x.exact, x.q)
    if k == 4 and r >= 1:
        ax = b.randint(0, r - 1)
        d = x.shape[ax]
        if d < 2:
            return x
        st = b.randint(-d, d - 1)
        en = b.pick([d, d - 1, -1, 2 ** 62, st + 1 + b.randint(0, d)])
        step = b.pick([1, 1, 2, -1, -2])
        if step < 0:
            st, en = b.pick([d - 1, -1, 2 ** 62]), b.pick([-2 ** 62, 0, -d - 5])
        ref = np.zeros(x.shape)
        sl = [slice(None)] * r
        s_st = st if abs(st) < 2 ** 60 else (None if st > 0 else None)
        py = slice(st if abs(st) < 2 ** 60 else None, en if abs(en) < 2 ** 60 else None, step)
        sl[ax] = py
        shape = ref[tuple(sl)].shape
        if 0 in shape:
            return x
        out = b.node("Slice", [x, b.ints([st]), b.ints([en]), b.ints([ax]), b.ints([step])])[0]
        del s_st
        return T(out, shape, x.dtype, x.lo, x.hi, x.exact, x.q)
    if k == 5 and r >= 1:
        ax = b.randint(0, r - 1)
        d = x.shape[ax]
        n = b.randint(1, 5)
        idx = b.rng.integers(-d, d, size=b.pick([(n,), (), (2, n)]))
        out = b.node("Gather", [x, b.const(idx.astype(np.int64))], {"axis": ax})[0]
        shape = x.shape[:ax] + idx.shape + x.shape[ax + 1:]
        return T(out, shape, x.dtype, x.lo, x.hi, x.exact, x.q)
    if k == 6:
        y = side_input(b, x.shape) if x.dtype == TensorProto.FLOAT else x
        ax = b.randint(0, r - 1) if r else 0
        if r == 0:
            return x
        s = list(x.shape)
        s[ax] = b.pick([1, 2, 5])
        z = b.input(tuple(s))
        out = b.node("Concat", [x, z, x] if b.chance(0.3) else [z, x], {"axis": ax - r if b.chance(0.5) else ax})[0]
        s2 = list(x.shape)
        s2[ax] = x.shape[ax] * (2 if out and False else 1)
        n_x = 2 if len(b.nodes[-1].input) == 3 else 1
        s2[ax] = x.shape[ax] * n_x + s[ax]
        del y
        return T(out, tuple(s2), x.dtype, min(x.lo, z.lo), max(x.hi, z.hi), x.exact, max(x.q, 3))
    if k == 7 and r >= 1:
        pads = [b.pick([0, 0, 1, 2, 3]) for _ in range(2 * r)]
        mode = b.pick(["constant", "reflect", "edge"])
        for i in range(r):
            if mode == "reflect":
                pads[i] = min(pads[i], x.shape[i] - 1)
                pads[i + r] = min(pads[i + r], x.shape[i] - 1)
        ins = [x, b.ints(pads)]
        lo, hi = x.lo, x.hi
        if mode == "constant":
            v = b.pick([0.0, 1.5, -0.25])
            ins.append(b.scalar(np.float32(v)))
            lo, hi = min(lo, v), max(hi, v)
        out = b.node("Pad", ins, {"mode": mode})[0]
        shape = tuple(x.shape[i] + pads[i] + pads[i + r] for i in range(r))
        return T(out, shape, x.dtype, lo, hi, x.exact, x.q)
    if k == 8 and r >= 1:
        reps = [b.pick([1, 1, 2, 3]) for _ in range(r)]
        out = b.node("Tile", [x, b.ints(reps)])[0]
        return T(out, tuple(d * m for d, m in zip(x.shape, reps)), x.dtype, x.lo, x.hi, x.exact, x.q)
    if k == 9:
        tgt = list(x.shape)
        for i in range(len(tgt)):
            if tgt[i] == 1 and b.chance(0.6):
                tgt[i] = b.pick([2, 3, 7])
        if b.chance(0.3):
            tgt = [b.pick([1, 2])] + tgt
        out = b.node("Expand", [x, b.ints(tgt)])[0]
        return T(out, bcast(x.shape, tuple(tgt)), x.dtype, x.lo, x.hi, x.exact, x.q)
    return x


def step_exact_logic(b, x):
    """comparisons, Where, Cast to integers and back: only on exact tensors"""
    if not x.exact or x.dtype != TensorProto.FLOAT:
        return x
    y = side_input(b, x.shape, -1.0, 1.0)
    if not y.exact:
        return x
    k = b.randint(0, 3)
    if k == 0:
        op = b.pick(["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"])
        c = b.node(op, [x, y])[0]
        cs = bcast(x.shape, y.shape)
        if b.chance(0.4):
            y2 = b.input(cs[-1:] if cs else (), -1, 1)
            c2 = b.node("Less", [x, y2])[0]
            c = b.node(b.pick(["And", "Or", "Xor"]), [c, c2])[0]
            if b.chance(0.5):
                c = b.node("Not", [c])[0]
        out = b.node("Where", [c, x, y])[0]
        return T(out, cs, x.dtype, min(x.lo, y.lo), max(x.hi, y.hi), True, max(x.q, y.q))
    if k == 1:
        ax = b.randint(-x.rank, x.rank - 1) if x.rank else 0
        if x.rank == 0:
            return x
        op = b.pick(["ArgMax", "ArgMin"])
        keep = b.randint(0, 1)
        out = b.node(op, [x], {"axis": ax, "keepdims": keep, "select_last_index": b.randint(0, 1)})[0]
        s = tuple(1 if i == ax % x.rank else d for i, d in enumerate(x.shape) if keep or i != ax % x.rank)
        f = b.node("Cast", [out], {"to": TensorProto.FLOAT})[0]
        return T(f, s, x.dtype, 0, x.shape[ax], True, 0)
    if k == 2:
        to = b.pick([TensorProto.INT32, TensorProto.INT64])
        i = b.node("Cast", [x], {"to": to})[0]
        j = b.const(b.rng.integers(-3, 4, size=side_shape(b, x.shape)).astype(NP_OF[to]))
        s = b.node(b.pick(["Add", "Mul", "Sub", "Max"]), [i, j])[0]
        f = b.node("Cast", [s], {"to": TensorProto.FLOAT})[0]
        B = (x.bound + 3) * 4
        return T(f, bcast(x.shape, j.shape), x.dtype, -B, B, True, 0)
    op = b.pick(["IsInf", "IsNaN"]) if b.chance(0.2) else "Sign"
    if op == "Sign":
        return unary(b, "Sign", x)
    c = b.node(op, [x])[0]
    out = b.node("Where", [c, y, x])[0]
    return T(out, bcast(x.shape, y.shape), x.dtype, min(x.lo, y.lo), max(x.hi, y.hi), True, max(x.q, y.q))


def step_types(b, x):
    """other element types: Cast to an integer type (exact tensors only) or to
    double, a few ops in that type (integer Mod and Div, Clip, reductions,
    ArgMax, CumSum, Where, ...), and Cast back to float"""
    if x.rank == 0:
        return x
    if not x.exact or x.bound > 60 or b.chance(0.3):  # double: continuous ops in float64
        xd = b.node("Cast", [x], {"to": TensorProto.DOUBLE})[0]
        k = b.randint(0, 4)
        B = x.bound
        if k == 0:
            y = b.node(b.pick(["Tanh", "Sigmoid", "Abs", "Neg", "Relu"]), [xd])[0]
            B = max(B, 1.0)
        elif k == 1:
            c = b.const(b.rng.uniform(-2, 2, size=side_shape(b, x.shape)).astype(np.float64))
            y = b.node(b.pick(["Add", "Mul", "Sub", "Max"]), [xd, c])[0]
            B = B * 2 + 2
            shape = bcast(x.shape, c.shape)
            yf = b.node("Cast", [y], {"to": TensorProto.FLOAT})[0]
            return T(yf, shape, x.dtype, -B, B)
        elif k == 2:
            y = b.node(b.pick(["Softmax", "LogSoftmax"]), [xd], {"axis": -1})[0]
            B = B * 2 + math.log(x.shape[-1]) + 1
        elif k == 3:
            K = x.shape[-1]
            N = b.pick([1, 5, 16, 17])
            w = b.const((b.rng.uniform(-1, 1, size=(K, N)) / math.sqrt(K)).astype(np.float64))
            y = b.node("MatMul", [xd, w])[0]
            yf = b.node("Cast", [y], {"to": TensorProto.FLOAT})[0]
            return T(yf, x.shape[:-1] + (N,), x.dtype, -2 * B, 2 * B)
        else:
            y = b.node("ReduceSum", [xd, b.ints([-1])], {"keepdims": 1})[0]
            yf = b.node("Cast", [y], {"to": TensorProto.FLOAT})[0]
            return T(yf, x.shape[:-1] + (1,), x.dtype, -B * x.shape[-1], B * x.shape[-1])
        yf = b.node("Cast", [y], {"to": TensorProto.FLOAT})[0]
        return T(yf, x.shape, x.dtype, -B, B)
    to = b.pick([TensorProto.INT32, TensorProto.INT64, TensorProto.INT8, TensorProto.INT16, TensorProto.UINT8])
    src = x
    if to == TensorProto.UINT8:
        src = unary(b, "Abs", x)
    xi = b.node("Cast", [src], {"to": to})[0]  # truncates toward zero
    npt = NP_OF[to]
    B = math.floor(src.bound)
    shape = x.shape
    k = b.randint(0, 8)
    if to not in (TensorProto.INT32, TensorProto.INT64):  # what ORT has kernels for in 8/16-bit types
        k = b.pick([0, 7, 9])
    if k == 9:
        y = xi
    elif k == 0:  # Mod: fmod=0 takes the divisor's sign (Python), fmod=1 the dividend's (C)
        d = b.rng.integers(1, 6, size=side_shape(b, x.shape))
        if to != TensorProto.UINT8 and b.chance(0.6):
            d = d * b.rng.choice([-1, 1], size=d.shape)
        c = b.const(d.astype(npt))
        y = b.node("Mod", [xi, c], {"fmod": b.randint(0, 1)})[0]
        shape = bcast(x.shape, c.shape)
    elif k == 1:  # integer Div by a positive constant
        c = b.const(b.rng.integers(1, 5, size=side_shape(b, x.shape)).astype(npt))
        y = b.node("Div", [xi, c])[0]
        shape = bcast(x.shape, c.shape)
    elif k == 2 and to != TensorProto.UINT8:
        y = b.node("Clip", [xi, b.const(np.array(-2, npt)), b.const(np.array(3, npt))])[0]
    elif k == 3 and to in (TensorProto.INT32, TensorProto.INT64):
        op = b.pick(["ReduceMax", "ReduceMin", "ReduceSum"])
        ax = b.randint(-x.rank, x.rank - 1)
        if op == "ReduceSum":
            y = b.node(op, [xi, b.ints([ax])], {"keepdims": 1})[0]
        else:
            y = b.node(op, [xi], {"axes": [ax], "keepdims": 1})[0]
        shape = tuple(1 if i == ax % x.rank else d for i, d in enumerate(x.shape))
    elif k == 4:
        ax = b.randint(-x.rank, x.rank - 1)
        a = b.node(b.pick(["ArgMax", "ArgMin"]), [xi], {"axis": ax, "keepdims": 1,
                                                         "select_last_index": b.randint(0, 1)})[0]
        y = b.node("Cast", [a], {"to": to})[0]
        shape = tuple(1 if i == ax % x.rank else d for i, d in enumerate(x.shape))
    elif k == 5 and to in (TensorProto.INT32, TensorProto.INT64):
        y = b.node("CumSum", [xi, b.const(np.array(b.randint(-x.rank, x.rank - 1), np.int64))],
                   {"exclusive": b.randint(0, 1), "reverse": b.randint(0, 1)})[0]
    elif k == 6:
        c = b.const(np.array(b.randint(0, 2), npt))
        cond = b.node(b.pick(["Less", "Greater", "Equal"]), [xi, c])[0]
        y = b.node("Where", [cond, xi, b.const(np.array(1, npt))])[0]
    elif k == 7:
        y = b.node(b.pick(["Abs", "Sign"] + (["Neg"] if to != TensorProto.UINT8 else [])), [xi])[0]
    else:
        c = b.const(b.rng.integers(0, 3, size=side_shape(b, x.shape)).astype(npt))
        y = b.node(b.pick(["Add", "Mul", "Max", "Min"]), [xi, c])[0]
        shape = bcast(x.shape, c.shape)
    yf = b.node("Cast", [y], {"to": TensorProto.FLOAT})[0]
    R = max(B, 1) * max(x.size(), 1) * 3
    return T(yf, shape, x.dtype, -R, R, True, 0)


def recipe_chain(b):
    b.fold = b.chance(0.3)
    b.exact_mode = b.chance(0.35)
    x = b.input(random_shape(b, max_numel=1024))
    pool = [x]
    for _ in range(b.randint(2, 7)):
        src = b.pick(pool) if b.chance(0.3) else pool[-1]
        k = b.rng.random()
        if k < 0.45:
            y = step_elementwise(b, src, pool)
        elif k < 0.55:
            y = step_reduce(b, src) if src.rank else src
        elif k < 0.62:
            y = step_softmax(b, src) if src.rank else src
        elif k < 0.68:
            y = step_norm(b, src) if src.rank else src
        elif k < 0.84:
            y = step_move(b, src)
        elif k < 0.92:
            y = step_exact_logic(b, src)
        else:
            y = step_types(b, src)
        if b.chance(0.1) and b.nodes and y is not src and list(b.nodes[-1].output) == [y.name]:
            dup = onnx.NodeProto()  # the same node again: common-subexpression elimination merges them
            dup.CopyFrom(b.nodes[-1])
            dup.name = b.name("n_dup")
            dup.output[0] = b.name("dup")
            b.nodes.append(dup)
            y = binary(b, "Add", y, T(dup.output[0], y.shape, y.dtype, y.lo, y.hi, y.exact, y.q))
        if y.size() > 8192:  # keep the model small
            y = step_reduce(b, y)
        y = rescale(b, y)
        if y is not src:
            pool.append(y)
        if b.chance(0.12) and y is not x and y.name not in [o.name for o, _ in b.outputs]:
            b.output(y, "chain-intermediate")
    # variadic ops over tensors of the DAG that broadcast together
    if b.chance(0.3):
        last = pool[-1]
        mates = [p for p in pool if p is not last and _fits(p.shape, last.shape) and p.dtype == last.dtype]
        if mates:
            op = b.pick(["Sum", "Mean", "Max", "Min"])
            ins = [last] + [b.pick(mates) for _ in range(b.randint(1, 2))]
            out = b.node(op, ins)[0]
            lo = sum(i.lo for i in ins) if op == "Sum" else min(i.lo for i in ins)
            hi = sum(i.hi for i in ins) if op == "Sum" else max(i.hi for i in ins)
            pool.append(T(out, last.shape, last.dtype, lo, hi))
    b.output(pool[-1], "chain")


# ---------------------------------------------------------------- recipe: conv
def conv(b, x, m, k, stride=1, pad=0, dil=1, group=1, bias=True, auto_pad=None, const_w=True):
    """Conv over x [N,C,*spatial] with kernel k (per spatial dim)."""
    c = x.shape[1]
    nd = x.rank - 2
    ks = [k] * nd if isinstance(k, int) else list(k)
    w_shape = (m, c // group) + tuple(ks)
    fan = c // group * int(np.prod(ks))
    w = b.weights(w_shape, fan)
    if not const_w:
        w = b.input(w_shape, -0.5, 0.5, grid=False)
    ins = [x, w]
    B = 0.0
    if bias:
        bb = b.const(b.rng.uniform(-0.5, 0.5, size=m).astype(np.float32))
        ins.append(bb)
        B = 0.5
    attrs = {"kernel_shape": ks}
    strides = [stride] * nd if isinstance(stride, int) else stride
    dils = [dil] * nd if isinstance(dil, int) else dil
    if auto_pad:
        attrs["auto_pad"] = auto_pad
    else:
        pads = [pad] * (2 * nd) if isinstance(pad, int) else pad
        attrs["pads"] = pads
    attrs["strides"] = strides
    if any(d != 1 for d in dils):
        attrs["dilations"] = dils
    if group != 1:
        attrs["group"] = group
    out = b.node("Conv", ins, attrs)[0]
    sp = []
    for i in range(nd):
        n_in = x.shape[2 + i]
        ek = (ks[i] - 1) * dils[i] + 1
        if auto_pad in ("SAME_UPPER", "SAME_LOWER"):
            sp.append(-(-n_in // strides[i]))
        elif auto_pad == "VALID":
            sp.append((n_in - ek) // strides[i] + 1)
        else:
            sp.append((n_in + pads[i] + pads[i + nd] - ek) // strides[i] + 1)
    bound = x.bound * math.sqrt(3.0 * fan) * 0.6 + B
    return T(out, (x.shape[0], m) + tuple(sp), x.dtype, -bound, bound)


def act_after(b, y):
    op = b.pick(["Relu", "LeakyRelu", "Clip", "Sigmoid", "Tanh", "Elu", "SiLU", "Gelu", None, None])
    if op is None:
        return y
    if op == "SiLU":
        s = unary(b, "Sigmoid", y)
        out = b.node("Mul", [y, s] if b.chance(0.5) else [s, y])[0]
        return T(out, y.shape, y.dtype, -0.3, max(y.hi, 0.0))
    if op == "Gelu":
        return gelu(b, y)
    if op == "Clip":
        out = b.node("Clip", [y, b.scalar(np.float32(0.0)), b.scalar(np.float32(6.0))])[0]
        return T(out, y.shape, y.dtype, 0.0, 6.0)
    return unary(b, op, y)


def conv_geometry(b, x, nd):
    """random kernel/stride/pad/dilation that fit x's spatial dims"""
    sp = x.shape[2:]
    for _ in range(20):
        k = b.pick([1, 1, 3, 3, 5, 2, 7])
        s = b.pick([1, 1, 1, 2, 3])
        d = b.pick([1, 1, 1, 2])
        p = b.pick([0, 1, (k - 1) // 2 * d, 2])
        ap = b.pick([None] * 6 + ["SAME_UPPER", "SAME_LOWER", "VALID"])
        ek = (k - 1) * d + 1
        if ap in ("SAME_UPPER", "SAME_LOWER") and d != 1:
            continue
        if all((n + (0 if ap else 2 * p) - ek) >= 0 for n in sp) or ap in ("SAME_UPPER", "SAME_LOWER"):
            if ap in ("SAME_UPPER", "SAME_LOWER") or all(n + (0 if ap else 2 * p) >= ek for n in sp):
                return k, s, d, p, ap
    return 1, 1, 1, 0, None


def recipe_conv(b):
    nd = b.pick([2, 2, 2, 1, 3])
    n = b.pick([1, 1, 2])
    c = b.pick(CHANNELS)
    spat = {1: [1, 5, 9, 16, 17, 31], 2: [1, 3, 5, 7, 8, 9, 12, 13], 3: [1, 3, 4, 5]}[nd]
    shape = (n, c) + tuple(b.pick(spat) for _ in range(nd))
    while int(np.prod(shape)) > 6000:
        shape = shape[:2] + tuple(max(1, d // 2) for d in shape[2:])
    x = b.input(shape, grid=b.chance(0.5))
    k, s, d, p, ap = conv_geometry(b, x, nd)
    grp = 1
    m = b.pick(CHANNELS)
    if b.chance(0.25):
        grp = c  # depthwise (maybe with a multiplier)
        m = c * b.pick([1, 1, 2])
    elif b.chance(0.15):
        g = b.pick([dd for dd in range(2, 6) if c % dd == 0] or [1])
        grp = g
        m = g * b.pick([1, 2, 3])
    if nd >= 2 and ap is None and b.chance(0.3):  # per-dim kernel, stride, dilation and asymmetric pads
        ks, ss, ds, ps = [], [], [], [0] * (2 * nd)
        for i, n_in in enumerate(x.shape[2:]):
            kk_, dd_ = b.pick([1, 2, 3]), b.pick([1, 1, 2])
            ek = (kk_ - 1) * dd_ + 1
            ps[i], ps[i + nd] = b.randint(0, ek - 1), b.randint(0, ek - 1)
            if n_in + ps[i] + ps[i + nd] < ek:
                kk_, dd_, ps[i], ps[i + nd] = 1, 1, 0, 0
            ks.append(kk_)
            ds.append(dd_)
            ss.append(b.pick([1, 2]))
        k, s, d, p = ks, ss, ds, ps
    y = conv(b, x, m, k, s, p, d, grp, bias=b.chance(0.7), auto_pad=ap, const_w=b.chance(0.92))
    if b.chance(0.5):
        y = step_norm_bn(b, y)
    y = act_after(b, y)
    if b.chance(0.4):  # residual: another conv of x with the same output shape, or an input
        if b.chance(0.5):
            r = b.input(y.shape, -1, 1)
        else:
            r = conv(b, x, y.shape[1], k, s, p, d, grp if grp != c else 1, auto_pad=ap) if grp == 1 else b.input(y.shape, -1, 1)
            if r.shape != y.shape:
                r = b.input(y.shape, -1, 1)
        y2 = binary(b, "Add", y, r) if b.chance(0.5) else binary(b, "Add", r, y)
        y = act_after(b, y2) if b.chance(0.5) else y2
    if b.chance(0.2):
        b.output(y, "conv-mid")
        y = unary(b, "Relu", y)
    b.output(rescale(b, y, 50.0), "conv")


def step_norm_bn(b, y):
    c = y.shape[1]
    ins = [y] + [b.const(a.astype(np.float32)) for a in (b.rng.uniform(0.5, 1.5, c), b.rng.uniform(-0.5, 0.5, c),
                                                         b.rng.uniform(-0.5, 0.5, c), b.rng.uniform(0.5, 2.0, c))]
    out = b.node("BatchNormalization", ins, {"epsilon": b.pick([1e-5, 1e-3])})[0]
    B = (y.bound + 0.5) * 1.5 / math.sqrt(0.5) + 0.5
    return T(out, y.shape, y.dtype, -B, B)


# ---------------------------------------------------------------- recipe: nchwc
def windows_hit_input(n, k, s, d, pb, pe, ceil):
    """every pooling window along a dim of n covers at least one input element
    (a window entirely in the padding has no defined maximum: ORT gives
    -FLT_MAX, nnc -inf; the ONNX spec leaves it open: not generated)"""
    num = n + pb + pe - (k - 1) * d - 1
    o = (-(-num // s) if ceil else num // s) + 1
    if ceil and (o - 1) * s >= n + pb:
        o -= 1
    return all(any(0 <= i * s - pb + j * d < n for j in range(k)) for i in range(o))


def pool(b, x, op):
    sp = x.shape[2:]
    k = b.pick([1, 2, 3, 3, 5])
    s = b.pick([1, 2, 2, 3])
    p = b.pick([0, 0, 1, 2]) if k > 1 else 0
    p = min(p, k - 1, k // 2)
    ceil = b.randint(0, 1)
    dil = b.pick([1, 1, 1, 2]) if op == "MaxPool" else 1
    ek = (k - 1) * dil + 1
    if any(n + 2 * p < ek for n in sp):
        k, s, p, dil, ek = 1, 1, 0, 1, 1
    attrs = {"kernel_shape": [k, k], "strides": [s, s], "pads": [p] * 4}
    if ceil:
        attrs["ceil_mode"] = 1
    if dil != 1:
        attrs["dilations"] = [dil, dil]
    if op == "AveragePool" and b.chance(0.5):
        attrs["count_include_pad"] = 1
    pads = [p] * 4
    if b.chance(0.3) and k > 1:
        pads = [b.randint(0, k // 2) for _ in range(4)]
        if all(n + pads[i] + pads[i + 2] >= ek for i, n in enumerate(sp)):
            attrs["pads"] = pads
        else:
            pads = [p] * 4
    if op == "MaxPool" and not all(windows_hit_input(n, k, s, dil, pads[i], pads[i + 2], ceil)
                                   for i, n in enumerate(sp)):
        k, s, p, dil, ek, pads = 1, 1, 0, 1, 1, [0] * 4
        attrs = {"kernel_shape": [1, 1], "strides": [1, 1], "pads": pads}
    if op == "MaxPool" and b.chance(0.2) and not ceil and dil == 1:  # with the Indices output
        out, idx = b.node(op, [x], attrs, n_out=2)
        b.output(T(idx, (), TensorProto.INT64), "maxpool-indices")
    else:
        out = b.node(op, [x], attrs)[0]
    shp = []
    for i, n in enumerate(sp):
        num = n + pads[i] + pads[i + 2] - ek
        o = (-(-num // s) if ceil else num // s) + 1
        if ceil and (o - 1) * s >= n + pads[i]:
            o -= 1
        shp.append(o)
    return T(out, x.shape[:2] + tuple(shp), x.dtype, min(x.lo, 0.0) if op == "AveragePool" else x.lo,
             max(x.hi, 0.0) if op == "AveragePool" else x.hi, x.exact and op == "MaxPool", x.q)


def recipe_nchwc(b):
    c = b.pick(CHANNELS)
    hw = b.pick([3, 5, 7, 8, 9, 12, 13, 16])
    x = b.input((b.pick([1, 1, 2]), c, hw, b.pick([hw, hw, 1, 5, 17])), grid=False)
    cur = x
    branches = []
    for _ in range(b.randint(2, 6)):
        k = b.rng.random()
        if k < 0.45:
            kk = b.pick([1, 3, 3, 5])
            s = b.pick([1, 1, 2])
            p = b.pick([0, kk // 2])
            if any(n + 2 * p < kk for n in cur.shape[2:]):
                kk, p = 1, 0
            m = b.pick(CHANNELS)
            dw = b.chance(0.3)
            y = conv(b, cur, cur.shape[1] * b.pick([1, 1, 2]) if dw else m, kk, s, p, 1, cur.shape[1] if dw else 1,
                     bias=b.chance(0.8))
            y = act_after(b, y)
        elif k < 0.65:
            y = pool(b, cur, b.pick(["MaxPool", "AveragePool"]))
        elif k < 0.85 and branches:
            same = [t for t in branches + [cur] if t.shape[0] == cur.shape[0] and t.shape[2:] == cur.shape[2:]]
            ins = [cur] + [b.pick(same) for _ in range(b.randint(1, 2))]
            out = b.node("Concat", ins, {"axis": 1})[0]
            y = T(out, (cur.shape[0], sum(t.shape[1] for t in ins)) + cur.shape[2:], cur.dtype,
                  min(t.lo for t in ins), max(t.hi for t in ins))
        elif k < 0.8:  # residual block: Conv (+BN) (+act) + the block's input
            kk = b.pick([1, 3])
            y = conv(b, cur, cur.shape[1], kk, 1, kk // 2, 1, cur.shape[1] if b.chance(0.3) else 1)
            if b.chance(0.5):
                y = step_norm_bn(b, y)
            y = binary(b, "Add", y, cur) if b.chance(0.5) else binary(b, "Add", cur, y)
            y = act_after(b, y)
        elif k < 0.92:
            y = step_norm_bn(b, cur)
        else:
            y = binary(b, "Add", cur, b.input((1, cur.shape[1], 1, 1), -1, 1))
        y = rescale(b, y, 20.0)
        branches.append(cur)
        if b.chance(0.2):
            b.output(y, "nchwc-mid")
        cur = y
    if b.chance(0.4):
        out = b.node(b.pick(["GlobalAveragePool", "GlobalMaxPool"]), [cur])[0]
        cur = T(out, cur.shape[:2] + (1, 1), cur.dtype, cur.lo, cur.hi)
    b.output(cur, "nchwc")


# ---------------------------------------------------------------- recipe: gemm
def recipe_gemm(b):
    k = b.rng.random()
    M, K, N = b.pick(ROWS), b.pick(COLS + [64, 65, 127]), b.pick(COLS)
    if k < 0.4:  # MatMul (+ bias Add) (+ act) (+ residual), maybe batched
        batch = b.pick([(), (), (2,), (3, 1), (1, 2)])
        a = b.input(batch + (M, K), grid=b.chance(0.5))
        if b.chance(0.85):
            w = b.weights((K, N), K)
        else:
            w = b.input((b.pick([(), batch])) + (K, N), -0.3, 0.3, grid=False)
        out = b.node("MatMul", [a, w])[0]
        shape = bcast(batch, w.shape[:-2]) + (M, N)
        y = T(out, shape, a.dtype, -a.bound * 1.5, a.bound * 1.5)
        if b.chance(0.7):
            bias = b.const(b.rng.uniform(-0.5, 0.5, size=b.pick([(N,), (1, N)])).astype(np.float32))
            y = binary(b, "Add", y, bias) if b.chance(0.7) else binary(b, "Add", bias, y)
        y = act_after(b, y)
        if b.chance(0.3):
            y = binary(b, "Add", y, b.input(y.shape, -1, 1))
        b.output(y, "matmul")
    elif k < 0.7:  # Gemm
        ta, tb = b.randint(0, 1), b.randint(0, 1)
        a = b.input((K, M) if ta else (M, K), grid=b.chance(0.5))
        w = b.weights((N, K) if tb else (K, N), K) if b.chance(0.85) else b.input((N, K) if tb else (K, N), -0.3, 0.3, grid=False)
        attrs = {"transA": ta, "transB": tb}
        if b.chance(0.3):
            attrs["alpha"] = b.pick([0.5, 2.0])
        if b.chance(0.3):
            attrs["beta"] = b.pick([0.5, 2.0, 0.0])
        ins = [a, w]
        if b.chance(0.7):
            cs = b.pick([(N,), (1, N), (M, N), (M, 1), ()])
            ins.append(b.const(b.rng.uniform(-0.5, 0.5, size=cs).astype(np.float32)) if b.chance(0.8) else b.input(cs, -1, 1))
        out = b.node("Gemm", ins, attrs)[0]
        y = T(out, (M, N), a.dtype, -a.bound * 3, a.bound * 3)
        y = act_after(b, y)
        if b.chance(0.3):
            y = step_norm_bn(b, y)
        b.output(y, "gemm")
    elif k < 0.85:  # MatMul with 1-D operands and broadcasting batches
        ra, rb = b.pick([1, 2, 3, 4]), b.pick([1, 2, 3])
        bs = [b.pick([1, 2, 3]) for _ in range(2)]
        sa = (tuple(bs[2 - (ra - 2):]) if ra > 2 else ()) + ((M, K) if ra >= 2 else (K,))
        sb = (tuple(bs[2 - (rb - 2):]) if rb > 2 else ()) + ((K, N) if rb >= 2 else (K,))
        if ra > 2 and rb > 2 and b.chance(0.5):
            sb = (1,) + sb[1:]
        a = b.input(sa, grid=False)
        w = b.input(sb, -0.3, 0.3, grid=False) if b.chance(0.5) else b.weights(sb, K)
        out = b.node("MatMul", [a, w])[0]
        ba = sa[:-2] if ra >= 2 else ()
        bb = sb[:-2] if rb >= 2 else ()
        shape = bcast(ba, bb) + ((M,) if ra >= 2 else ()) + ((N,) if rb >= 2 else ())
        y = T(out, shape, a.dtype, -a.bound * 2, a.bound * 2)
        b.output(y, "matmul-bcast")
    else:  # MatMul + BatchNorm over a 2-D tensor (folds into the weights)
        a = b.input((M, K), grid=False)
        w = b.weights((K, N), K)
        out = b.node("MatMul", [a, w])[0]
        y = T(out, (M, N), a.dtype, -a.bound * 1.5, a.bound * 1.5)
        y = step_norm_bn(b, y)
        y = act_after(b, y)
        b.output(y, "matmul-bn")


# ---------------------------------------------------------------- recipe: layernorm
def layernorm_decomposed(b, x, n_axes):
    axes = list(range(-n_axes, 0))
    mean = b.node("ReduceMean", [x], {"axes": axes, "keepdims": 1})[0]
    d = b.node("Sub", [x, mean])[0]
    p = b.node("Pow", [d, b.scalar(np.float32(2.0))])[0]
    var = b.node("ReduceMean", [p], {"axes": axes, "keepdims": 1})[0]
    eps = b.pick([1e-5, 1e-6, 1e-12, 1e-3])
    ve = b.node("Add", [var, b.scalar(np.float32(eps))])[0]
    sd = b.node("Sqrt", [ve])[0]
    y = b.node("Div", [d, sd])[0]
    nshape = x.shape[-n_axes:]
    s = math.sqrt(int(np.prod(nshape)))
    if b.chance(0.8):
        g = b.const(b.rng.uniform(0.5, 1.5, size=b.pick([nshape, (1,) + nshape])).astype(np.float32))
        y = b.node("Mul", [y, g] if b.chance(0.7) else [g, y])[0]
        if b.chance(0.8):
            beta = b.const(b.rng.uniform(-0.5, 0.5, size=nshape).astype(np.float32))
            y = b.node("Add", [y, beta] if b.chance(0.7) else [beta, y])[0]
    return T(y, x.shape, x.dtype, -1.5 * s - 0.5, 1.5 * s + 0.5)


def recipe_layernorm(b):
    rank = b.pick([2, 3, 3, 4])
    shape = tuple(b.pick([1, 2, 3, 5]) for _ in range(rank - 1)) + (b.pick([4, 7, 8, 15, 16, 17, 32, 33, 64]),)
    x = b.input(shape, grid=False)
    if b.chance(0.3):
        x = binary(b, "Add", x, b.input(shape[-1:], -1, 1))  # e.g. x + positional
    n_axes = 1 if b.chance(0.8) or rank < 3 else 2
    y = layernorm_decomposed(b, x, n_axes)
    if b.chance(0.3):  # the mean also read elsewhere: no longer a pure LayerNorm chain
        b.output(y, "layernorm")
        return
    if b.chance(0.4):
        K, N = shape[-1], b.pick(COLS)
        out = b.node("MatMul", [y, b.weights((K, N), K)])[0]
        y = T(out, shape[:-1] + (N,), x.dtype, -y.bound, y.bound)
    b.output(y, "layernorm")


# ---------------------------------------------------------------- recipe: gelu
def gelu(b, x):
    form = b.randint(0, 3)
    if form in (0, 1):
        t = b.node("Div", [x, b.scalar(np.float32(math.sqrt(2.0)))])[0]
    else:
        t = b.node("Mul", [x, b.scalar(np.float32(math.sqrt(0.5)))])[0]
    e = b.node("Erf", [t])[0]
    a = b.node("Add", [e, b.scalar(np.float32(1.0))] if b.chance(0.7) else [b.scalar(np.float32(1.0)), e])[0]
    if form == 0 or form == 2:  # (x * a) * 0.5
        m = b.node("Mul", [x, a])[0]
        y = b.node("Mul", [m, b.scalar(np.float32(0.5))])[0]
    elif form == 1:  # x * (a * 0.5)
        m = b.node("Mul", [a, b.scalar(np.float32(0.5))])[0]
        y = b.node("Mul", [x, m])[0]
    else:  # (x * 0.5) * a
        h = b.node("Mul", [x, b.scalar(np.float32(0.5))])[0]
        y = b.node("Mul", [h, a])[0]
    return T(y, x.shape, x.dtype, -0.2, max(x.hi, 0.0))


def recipe_gelu(b):
    shape = random_shape(b, b.randint(1, 3), 1024)
    x = b.input(shape, -5, 5, grid=False)
    if b.chance(0.5) and len(shape) >= 2:
        K = shape[-1]
        N = b.pick(COLS)
        out = b.node("MatMul", [x, b.weights((K, N), K)])[0]
        x = T(out, shape[:-1] + (N,), x.dtype, -5, 5)
        if b.chance(0.7):
            x = binary(b, "Add", x, b.const(b.rng.uniform(-0.5, 0.5, N).astype(np.float32)))
    y = gelu(b, x)
    if b.chance(0.3):
        y = unary(b, b.pick(["Tanh", "Neg"]), y)
    b.output(y, "gelu")


# ---------------------------------------------------------------- recipe: attention
def recipe_attention(b):
    B, H = b.pick([1, 2]), b.pick([1, 2, 3, 4])
    S, L = b.pick([1, 3, 5, 8, 9, 16, 17, 31]), b.pick([1, 4, 7, 8, 16, 17, 33])
    D = b.pick([4, 8, 15, 16, 17, 32])
    Dv = D if b.chance(0.7) else b.pick([3, 8, 16])
    proj = b.chance(0.4)
    if proj:  # x -> Q, K, V projections, split into heads
        E = H * D
        x = b.input((B, S, b.pick([8, 16, 24])), -1, 1, grid=False)
        L = S
        Dv = D

        def heads(w_cols):
            t = b.node("MatMul", [x, b.weights((x.shape[2], w_cols), x.shape[2])])[0]
            r = b.node("Reshape", [t, b.ints([B, S, H, D])])[0]
            return b.node("Transpose", [r], {"perm": [0, 2, 1, 3]})[0]
        q, k, v = heads(E), heads(E), heads(E)
        kt_form = True
    else:
        # batch dims of Q, K and V broadcast against each other (multi-query
        # attention shares K and V over heads); Q may lack the batch dims
        qb, kb, vb = (B, H), (B, H), (B, H)
        form = b.randint(0, 5)
        if form == 1:
            kb = vb = (B, 1)
        elif form == 2:
            kb = (1, H)
        elif form == 3:
            qb = (1, H)
        elif form == 4:
            vb = (1, 1)
        q = b.input(qb + (S, D), -1, 1, grid=False).name
        kt_form = b.chance(0.7)
        k = b.input(kb + ((L, D) if kt_form else (D, L)), -1, 1, grid=False).name
        v = b.input(vb + (L, Dv), -1, 1, grid=False).name
        if form == 5 and B == 1:  # rank-3 Q and V against rank-4 K
            q = b.node("Reshape", [q, b.ints([H, S, D])])[0]
    kk = b.node("Transpose", [k], {"perm": [0, 1, 3, 2]})[0] if kt_form else k
    s = b.node("MatMul", [q, kk])[0]
    sc = 1.0 / math.sqrt(D)
    f = b.randint(0, 2)
    if f == 0:
        s = b.node("Mul", [s, b.scalar(np.float32(sc))])[0]
    elif f == 1:
        s = b.node("Div", [s, b.scalar(np.float32(math.sqrt(D)))])[0]
    mk = b.randint(0, 3)
    if mk == 1:  # additive mask, broadcast
        shp = b.pick([(S, L), (1, 1, S, L), (B, 1, 1, L), (L,), (S, 1), (B, H, S, L), (1, H, 1, L), (B, 1, S, L)])
        m = np.where(b.rng.random(shp) < 0.3, -1e4, 0.0).astype(np.float32)
        if m.ndim >= 1:
            m[..., 0] = 0.0
        s = b.node("Add", [s, b.const(m)])[0]
    elif mk == 2:  # causal Where mask
        tri = np.tril(np.ones((S, L), dtype=np.bool_), k=L - S if b.chance(0.5) else 0)
        tri[:, 0] = True
        if b.chance(0.3):  # a per-batch padding mask instead
            tri = b.rng.random((B, 1, 1, L)) < 0.7
            tri[..., 0] = True
        fill = b.pick([-1e9, -np.inf, -1e4])
        s = b.node("Where", [b.const(tri), s, b.scalar(np.float32(fill))])[0]
    elif mk == 3:  # mask from a graph input (runtime mask)
        m = b.input((B, 1, 1, L), 0, 1, grid=False)
        s = b.node("Add", [s, m])[0]
    p = b.node("Softmax", [s], {"axis": -1})[0]
    o = b.node("MatMul", [p, v])[0]
    y = T(o, (B, H, S, Dv), TensorProto.FLOAT, -1, 1)
    if b.chance(0.15):  # the scores also read elsewhere: must not become one Attention
        b.output(T(p, (B, H, S, L), TensorProto.FLOAT, 0, 1), "attention-probs")
    if proj and b.chance(0.6):
        t = b.node("Transpose", [o], {"perm": [0, 2, 1, 3]})[0]
        r = b.node("Reshape", [t, b.ints([B, S, H * Dv])])[0]
        y = T(r, (B, S, H * Dv), TensorProto.FLOAT, -1, 1)
    b.output(y, "attention")


# ---------------------------------------------------------------- recipe: misc
def recipe_misc(b):
    b.fold = b.chance(0.3)
    k = b.randint(0, 9)
    if k == 0:  # Resize
        n, c, h, w = b.pick([1, 2]), b.pick([1, 3, 8, 17]), b.pick([1, 3, 4, 7]), b.pick([2, 5, 8])
        x = b.input((n, c, h, w), grid=False)
        mode = b.pick(["nearest", "linear", "cubic"])
        ct = b.pick(["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"])
        attrs = {"mode": mode, "coordinate_transformation_mode": ct}
        if mode == "nearest":
            attrs["nearest_mode"] = b.pick(["round_prefer_floor", "floor", "ceil"])
            attrs["coordinate_transformation_mode"] = b.pick(["asymmetric", "half_pixel"])
        if mode == "cubic":
            attrs["cubic_coeff_a"] = -0.75
        sizes = [n, c, b.pick([1, 2, 5, 8, 14]), b.pick([3, 4, 9, 16])]
        if mode == "nearest" and b.chance(0.5):
            sc = [1.0, 1.0, float(b.pick([2, 3])), float(b.pick([2, 0.5]))]
            out = b.node("Resize", [x, "", b.const(np.array(sc, np.float32))], attrs)[0]
            sizes = [n, c, int(h * sc[2]), int(w * sc[3])]
        else:
            out = b.node("Resize", [x, "", "", b.ints(sizes)], attrs)[0]
        y = T(out, tuple(sizes), x.dtype, -6, 6)
    elif k == 1:  # Split
        x = b.input(random_shape(b, b.randint(1, 3), 1024))
        ax = b.randint(0, x.rank - 1)
        d = x.shape[ax]
        if d < 2:
            y = unary(b, "Neg", x)
        else:
            cut = b.randint(1, d - 1)
            outs = b.node("Split", [x, b.ints([cut, d - cut])], {"axis": ax}, n_out=2)
            s1 = list(x.shape)
            s1[ax] = cut
            s2 = list(x.shape)
            s2[ax] = d - cut
            b.output(T(outs[0], s1, x.dtype, x.lo, x.hi, True, 3), "split0")
            y = unary(b, "Tanh", T(outs[1], s2, x.dtype, x.lo, x.hi, True, 3))
    elif k == 2:  # GatherElements
        x = b.input(random_shape(b, b.randint(1, 3), 1024))
        ax = b.randint(0, x.rank - 1)
        ishape = list(x.shape)
        ishape[ax] = b.randint(1, 6)
        idx = b.rng.integers(-x.shape[ax], x.shape[ax], size=ishape).astype(np.int64)
        out = b.node("GatherElements", [x, b.const(idx)], {"axis": ax})[0]
        y = T(out, tuple(ishape), x.dtype, x.lo, x.hi, True, 3)
    elif k == 3:  # CumSum
        x = b.input(random_shape(b, b.randint(1, 3), 1024))
        ax = b.randint(-x.rank, x.rank - 1)
        out = b.node("CumSum", [x, b.const(np.array(ax, np.int64))],
                     {"exclusive": b.randint(0, 1), "reverse": b.randint(0, 1)})[0]
        y = T(out, x.shape, x.dtype, -4 * x.shape[ax], 4 * x.shape[ax])
    elif k == 4:  # Trilu
        x = b.input(random_shape(b, b.randint(2, 3), 1024))
        ins = [x]
        if b.chance(0.5):
            ins.append(b.const(np.array(b.randint(-3, 3), np.int64)))
        out = b.node("Trilu", ins, {"upper": b.randint(0, 1)})[0]
        y = T(out, x.shape, x.dtype, min(x.lo, 0), max(x.hi, 0), True, 3)
    elif k == 5:  # DepthToSpace / SpaceToDepth
        bs = b.pick([2, 3])
        if b.chance(0.5):
            x = b.input((1, bs * bs * b.pick([1, 2, 3]), b.pick([1, 3, 4]), b.pick([2, 5])))
            out = b.node("DepthToSpace", [x], {"blocksize": bs, "mode": b.pick(["DCR", "CRD"])})[0]
            s = (1, x.shape[1] // (bs * bs), x.shape[2] * bs, x.shape[3] * bs)
        else:
            x = b.input((b.pick([1, 2]), b.pick([1, 3, 5]), bs * b.pick([1, 2, 3]), bs * b.pick([1, 4])))
            out = b.node("SpaceToDepth", [x], {"blocksize": bs})[0]
            s = (x.shape[0], x.shape[1] * bs * bs, x.shape[2] // bs, x.shape[3] // bs)
        y = T(out, s, x.dtype, x.lo, x.hi, True, 3)
    elif k == 6:  # ConvTranspose
        n, c = b.pick([1, 2]), b.pick([1, 3, 8, 9, 16, 17])
        x = b.input((n, c, b.pick([1, 3, 4, 7]), b.pick([2, 4, 5])), grid=False)
        m = b.pick([1, 3, 8, 17])
        kk = b.pick([1, 2, 3, 4])
        s = b.pick([1, 2, 3])
        g = b.pick([gg for gg in (1, 1, c) if c % gg == 0])
        m = m if g == 1 else c
        p = b.pick([0, 0, 1]) if kk > 1 else 0
        op_ = b.pick([0, 0, 1]) if s > 1 else 0
        w = b.weights((c, m // g, kk, kk), c * kk * kk // s)
        ins = [x, w]
        if b.chance(0.6):
            ins.append(b.const(b.rng.uniform(-0.5, 0.5, m).astype(np.float32)))
        attrs = {"kernel_shape": [kk, kk], "strides": [s, s], "pads": [p] * 4, "group": g}
        if op_:
            attrs["output_padding"] = [op_, op_]
        out = b.node("ConvTranspose", ins, attrs)[0]
        hs = [(d - 1) * s - 2 * p + kk + op_ for d in x.shape[2:]]
        if min(hs) < 1:
            y = unary(b, "Neg", x)
            b.nodes.pop()
            b.nodes.pop() if False else None
        else:
            y = T(out, (n, m) + tuple(hs), x.dtype, -8, 8)
            if b.chance(0.5):
                y = step_norm_bn(b, y)
            y = act_after(b, y)
    elif k == 7:  # pools on 1-D/2-D, LRN
        x = b.input((b.pick([1, 2]), b.pick(CHANNELS), b.pick([3, 5, 8, 9]), b.pick([3, 6, 17])), grid=False)
        if b.chance(0.3):
            out = b.node("LRN", [x], {"size": b.pick([1, 3, 5]), "alpha": 1e-3, "beta": 0.75, "bias": 1.0})[0]
            y = T(out, x.shape, x.dtype, x.lo, x.hi)
        else:
            y = pool(b, x, b.pick(["MaxPool", "AveragePool"]))
    elif k == 8:  # OneHot / EyeLike / Range / ConstantOfShape with data
        x = b.input((b.pick([1, 3, 8]), b.pick([2, 5, 9])))
        e = b.node("EyeLike", [x], {"k": b.randint(-2, 2)})[0]
        y = binary(b, "Add", x, T(e, x.shape, x.dtype, 0, 1, True, 0))
        r = b.node("Range", [b.scalar(np.float32(-1.0)), b.scalar(np.float32(2.0)),
                             b.scalar(np.float32(3.0 / x.shape[1]))])[0]
        n = len(np.arange(-1.0, 2.0, np.float32(3.0 / x.shape[1])))
        y = binary(b, "Mul", y, T(r, (n,), x.dtype, -1, 2)) if n == x.shape[1] else y
    else:  # Gather with an index from a graph input (runtime indices)
        x = b.input(random_shape(b, b.randint(1, 3), 1024))
        ax = b.randint(0, x.rank - 1)
        ids = b.input((b.randint(1, 5),), -x.shape[ax], x.shape[ax] - 1, dtype=TensorProto.INT64)
        out = b.node("Gather", [x, ids], {"axis": ax})[0]
        y = T(out, x.shape[:ax] + ids.shape + x.shape[ax + 1:], x.dtype, x.lo, x.hi, True, 3)
    b.output(y, "misc")


RECIPES = {"chain": (recipe_chain, 6), "conv": (recipe_conv, 3), "nchwc": (recipe_nchwc, 3),
           "gemm": (recipe_gemm, 2), "layernorm": (recipe_layernorm, 1), "gelu": (recipe_gelu, 1),
           "attention": (recipe_attention, 2), "misc": (recipe_misc, 2)}


def sub_rng(seed, m, g, attempt):
    return np.random.default_rng([seed, m, g, attempt, 0x6e6e63])


def make_model(name, nodes, inits, inputs, outs):
    out_vi = [helper.make_tensor_value_info(o["name"], TensorProto.UNDEFINED, None) for o in outs]
    graph = helper.make_graph(nodes, name, inputs, out_vi, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="nnc-difftest")
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    vi = {v.name: v for v in list(model.graph.value_info) + list(model.graph.output)}
    for o, v in zip(outs, model.graph.output):  # outputs with their inferred types and shapes
        vv = vi.get(o["name"], v)
        if vv.type.tensor_type.elem_type:
            v.CopyFrom(vv)
    return model


def build_subgraph(seed, m, gi, names, weights):
    """Subgraph gi of model m: the first of up to 20 draws that makes a valid
    graph (the ONNX checker rejects the rare type or shape combination the
    recipes do not rule out); (builder, recipe, outputs)."""
    for attempt in range(20):
        rng = sub_rng(seed, m, gi, attempt)
        recipe = names[int(rng.choice(len(names), p=weights / weights.sum()))]
        b = Builder(rng, "g%d" % gi)
        RECIPES[recipe][0](b)
        outs, seen = [], set()
        for t, desc in b.outputs:
            if t.name in seen or t.name in [i.name for i in b.inputs]:
                continue
            seen.add(t.name)
            outs.append({"name": t.name, "graph": gi, "recipe": recipe, "what": desc})
        if not outs:
            continue
        try:
            make_model("check", b.nodes, b.inits, b.inputs, outs)
        except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError):
            continue
        return b, outs
    raise RuntimeError("no valid graph for seed %d model %d graph %d" % (seed, m, gi))


def build_model(seed, m, graphs, only=None):
    """Model m of the batch from `seed`: the subgraphs numbered in `graphs`.
    Returns (ModelProto, feeds, outputs-info)."""
    nodes, inits, inputs, feeds, outs = [], [], [], [], []
    names = sorted(only or RECIPES)
    weights = np.array([RECIPES[r][1] for r in names], float)
    for gi in graphs:
        b, o = build_subgraph(seed, m, gi, names, weights)
        nodes += b.nodes
        inits += b.inits
        inputs += b.inputs
        feeds += b.feeds
        outs += o
    return make_model("difftest_s%d_m%d" % (seed, m), nodes, inits, inputs, outs), feeds, outs


def write_case(dirpath, model, feeds, outs, meta):
    os.makedirs(dirpath, exist_ok=True)
    onnx.save(model, os.path.join(dirpath, "model.onnx"))
    ins = []
    for k, (vi, a) in enumerate(zip(model.graph.input, feeds)):
        a = np.array(a, order="C")  # (ascontiguousarray would make a 0-d array 1-d)
        a.tofile(os.path.join(dirpath, "in_%d.bin" % k))
        ins.append({"name": vi.name, "dtype": vi.type.tensor_type.elem_type, "shape": list(a.shape),
                    "file": "in_%d.bin" % k})
    case = dict(meta, inputs=ins, outputs=outs)
    with open(os.path.join(dirpath, "case.json"), "w") as f:
        json.dump(case, f, indent=1)


def generate(outdir, seed, n_models, n_graphs, only=None, first=0):
    made = []
    for m in range(first, first + n_models):
        d = os.path.join(outdir, "m%04d" % m)
        model, feeds, outs = build_model(seed, m, range(n_graphs), only)
        write_case(d, model, feeds, outs, {"seed": seed, "model": m, "graphs": list(range(n_graphs)),
                                           "only": only})
        made.append(d)
    return made


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", type=int, default=10)
    ap.add_argument("--graphs", type=int, default=8)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--only", default=None, help="comma-separated recipes")
    a = ap.parse_args()
    only = a.only.split(",") if a.only else None
    for d in generate(a.outdir, a.seed, a.models, a.graphs, only, a.first):
        print(d)


if __name__ == "__main__":
    sys.exit(main())
