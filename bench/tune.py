#!/usr/bin/python3
"""Per-CPU tuning benchmark (issue 14).  Run via bench/tune.sh.

For each choice a CPU model drives (compiler/backend/cpu_model.c,
docs/tuning.md), every alternative is forced with nnc's hidden --tune option
and timed on this machine, layer by layer, so the thresholds can be set from
measurements.  Decisions (TUNE_DECISIONS, comma list, default all):
  winograd  every 3x3 stride-1 Conv: direct (conv_nchwc, --tune winograd=off),
            F(4x4, 3x3), F(2x2, 3x3), the implicit GEMM (--layout plain
            --tune winograd=off), against what nnc picks (auto)
  kcb       Convs and ConvTransposes that run conv_nchwc: input-channel
            blocks per weight chunk (--tune kcb=N) against auto
  sr        the same layers: output rows per strip (--tune sr=N)
  gemm      Gemm / MatMul with constant weights: KC and NC (--tune kc=N, nc=N)
  models    whole zoo models with each Winograd alternative
Each layer is cut out of the zoo model as its own ONNX model (with its
following activation) and fed random input; identical layers are measured
once (the count column says how many there are).  Alternatives whose code is
byte-identical to another one are built and timed once (shown "=NAME"); the
auto column names the alternative nnc picks.  A direct (conv_nchwc) layer
converts its output back to NCHW at the end of a one-layer model: inside a
network the tensor stays blocked, so direct times here include a copy of the
output that the network does not pay.

Settings (environment): TUNE_MODELS (default resnet18,vgg11,dcgan_generator,
alexnet), TUNE_DECISIONS, TUNE_TARGET (default the widest the CPU has),
TUNE_CPU (--cpu for every build, default none: the target's defaults; e.g.
native), TUNE_MAX_LAYERS (per model and decision, default all), and
bench.py's BENCH_BUDGET, BENCH_MIN_RUNS, BENCH_ROUNDS, BENCH_JOBS, BENCH_NNC,
BENCH_ZOO, BENCH_WORK.  Timings on a loaded machine mean nothing: run it on a
quiet one and record the results in docs/tuning.md.
"""
import concurrent.futures as cf
import hashlib
import os
import subprocess
import sys
import threading

import numpy as np
import onnx
from onnx import helper, shape_inference

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as B  # noqa: E402  (the harness, engines and measuring loop)

MODELS = os.environ.get("TUNE_MODELS", "resnet18,vgg11,dcgan_generator,alexnet").split(",")
DECISIONS = os.environ.get("TUNE_DECISIONS", "winograd,kcb,sr,gemm,models").split(",")
CPU = os.environ.get("TUNE_CPU", "")
MAX_LAYERS = int(os.environ.get("TUNE_MAX_LAYERS", "0"))
LANES = {"avx512": 16, "avx2": 8, "neon": 4}
ACTS = ("Relu", "LeakyRelu", "Sigmoid", "Tanh")


# ------------------------------------------------------------- layers ---
def value_infos(model):
    inferred = shape_inference.infer_shapes(model)
    vi = {}
    for v in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        t = v.type.tensor_type
        vi[v.name] = (t.elem_type, [d.dim_value for d in t.shape.dim])
    return vi


def attrs_of(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def describe(node, vi, inits):
    x = vi[node.input[0]][1]
    w = vi.get(node.input[1], (0, list(inits[node.input[1]].dims) if node.input[1] in inits else []))[1]
    y = vi[node.output[0]][1]
    a = attrs_of(node)
    if node.op_type in ("Conv", "ConvTranspose"):
        k = a.get("kernel_shape", w[2:])
        s = a.get("strides", [1] * len(k))
        g = a.get("group", 1)
        return (f"{x[1]}x{'x'.join(map(str, x[2:]))}->{y[1]}x{'x'.join(map(str, y[2:]))} "
                f"k{'x'.join(map(str, k))}s{s[0]}" + (f"g{g}" if g != 1 else "") + ("T" if node.op_type == "ConvTranspose" else ""))
    return f"{'x'.join(map(str, x))}*{'x'.join(map(str, w))}->{'x'.join(map(str, y))}"


def extract(model_path, dst, keep):
    """Each node for which keep(node, attrs, vi) holds, with a following
    activation that is its only consumer, as its own ONNX model in dst.
    Returns [{name, desc, path, meta, count, node, vi}], one per distinct layer."""
    model = onnx.load(model_path)
    vi = value_infos(model)
    inits = {t.name: t for t in model.graph.initializer}
    consumers = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    rng = np.random.default_rng(0)
    layers, by_sig = [], {}
    for node in model.graph.node:
        if not keep(node, attrs_of(node), vi):
            continue
        nodes, out = [node], node.output[0]
        nxt = consumers.get(out, [])
        if len(nxt) == 1 and nxt[0].op_type in ACTS:
            nodes.append(nxt[0])
            out = nxt[0].output[0]
        ins = [i for i in node.input if i and i not in inits]
        used = [inits[i] for n in nodes for i in n.input if i in inits]
        sig = hashlib.sha256(repr((node.op_type, sorted(attrs_of(node).items()), [vi[i] for i in ins],
                                   [list(t.dims) for t in used], [n.op_type for n in nodes])).encode()).hexdigest()[:12]
        if sig in by_sig:
            by_sig[sig]["count"] += 1
            continue
        g = helper.make_graph(nodes, "layer",
                              [helper.make_tensor_value_info(i, vi[i][0], vi[i][1]) for i in ins],
                              [helper.make_tensor_value_info(out, vi[out][0], vi[out][1])], used)
        m = helper.make_model(g, opset_imports=model.opset_import, producer_name="nnc-tune")
        d = os.path.join(dst, sig)
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        onnx.save(m, path)
        meta = B.write_inputs(d, [(i, rng.standard_normal(vi[i][1]).astype(np.float32)) for i in ins])
        name = (node.name or out).strip("/").replace("/", ".")
        L = {"name": name, "desc": describe(node, vi, inits), "path": path, "meta": meta, "count": 1,
             "node": node, "vi": vi}
        by_sig[sig] = L
        layers.append(L)
    return layers


def is_wino(node, a, vi):
    return (node.op_type == "Conv" and list(a.get("kernel_shape", [0, 0])) == [3, 3] and a.get("group", 1) == 1
            and list(a.get("strides", [1, 1])) == [1, 1] and list(a.get("dilations", [1, 1])) == [1, 1])


def is_direct_candidate(node, a, vi):
    return node.op_type in ("Conv", "ConvTranspose") and a.get("group", 1) == 1 and len(vi[node.input[0]][1]) == 4


def is_gemm(node, a, vi):
    return node.op_type in ("Gemm", "MatMul")


# ------------------------------------------------------------- builds ---
_LOCKS, _LOCKS_GUARD = {}, threading.Lock()


def build(model_path, target, flags, dst):
    """nnc (weights in a .bin: small C, fast builds) and the timing harness,
    cached by the code itself: returns (exe, code_key, error)."""
    os.makedirs(dst, exist_ok=True)
    src = os.path.join(dst, "m.c")
    args = [B.NNC, model_path, "-o", src, "--target", target, "--prefix", "m", "--weights", "incbin"]
    if CPU:
        args += ["--cpu", CPU]
    try:
        B.sh(args + flags)
    except subprocess.CalledProcessError as e:
        return None, None, (e.stderr or str(e)).strip().splitlines()[-1][:200]
    h = hashlib.sha256()
    for f in ("m.c", "m.h", "m.bin"):
        with open(os.path.join(dst, f), "rb") as fh:
            data = fh.read()
        if f == "m.c":  # without the header comment's CPU paragraph (it names the --tune values)
            a = data.find(b" * CPU model: ")
            b = data.find(b"\n *\n", a)
            if a >= 0 and b >= 0:
                data = data[:a] + data[b:]
        h.update(data)
    with open(os.path.join(B.BENCH, "harness.c"), "rb") as fh:
        h.update(fh.read())
    key = h.hexdigest()
    # one program per distinct code, however many alternatives produce it
    exe = os.path.join(B.WORK, "tune", "exe", key[:32], "bench")
    with _LOCKS_GUARD:
        lock = _LOCKS.setdefault(key, threading.Lock())
    with lock:
        if os.path.exists(exe):
            return exe, key, None
        try:
            os.makedirs(os.path.dirname(exe), exist_ok=True)
            cflags, libs = B.sh([B.NNC, "--cflags"]).split(), B.sh([B.NNC, "--libs"]).split()
            wobj = os.path.join(os.path.dirname(exe), "weights.o")  # the .S without the forced header
            B.sh(["cc", "-c", "-I", dst, os.path.join(dst, "m_weights.S"), "-o", wobj])
            B.sh(["cc", "-O2", "-std=c99", *cflags, "-include", os.path.join(dst, "m.h"),
                  os.path.join(B.BENCH, "harness.c"), os.path.join(B.ROOT, "runtime", "nnc_pool.c"), src, wobj,
                  "-o", exe + ".tmp", *libs, "-pthread"])
            os.replace(exe + ".tmp", exe)
        except subprocess.CalledProcessError as e:
            return None, key, (e.stderr or str(e)).strip().splitlines()[-1][:200]
    return exe, key, None


def alternatives(decision, L, target):
    """[(label, nnc flags)] for one layer; the first is auto."""
    # one layer alone: its output is a graph output, so the layout pass would
    # keep a light convolution plain (conv_gemm) where inside the network a
    # blocked reader makes it conv_nchwc; blocked=1 restores that
    one = [] if decision == "models" else ["--tune", "blocked=1"]
    auto = [("auto", one)]
    if decision in ("winograd", "models"):
        return auto + [("direct", one + ["--tune", "winograd=off"]), ("F4", ["--tune", "winograd=f4"]),
                       ("F2", ["--tune", "winograd=f2"]),
                       ("gemm", ["--layout", "plain", "--tune", "winograd=off"])]
    node, vi = L["node"], L["vi"]
    if decision == "kcb":
        cb = -(-vi[node.input[0]][1][1] // LANES.get(target, 8))
        return auto + [(f"kcb={k}", one + ["--tune", f"kcb={k}"]) for k in (1, 2, 4, 8, 16, 32) if k < cb] + \
            [(f"kcb={cb}", one + ["--tune", f"kcb={cb}"])]
    if decision == "sr":
        oh = vi[node.output[0]][1][2]
        return auto + [(f"sr={s}", one + ["--tune", f"sr={s}"]) for s in (1, 2, 4, 8, 16) if s < oh] + \
            [(f"sr={oh}", one + ["--tune", f"sr={oh}"])]
    if decision == "gemm":
        return auto + [(f"kc={k}", ["--tune", f"kc={k}"]) for k in (64, 128, 256, 512)] + \
            [(f"nc={n}", ["--tune", f"nc={n}"]) for n in (64, 128, 256, 512)]
    raise ValueError(decision)


def jobs_alts(jobs, d):
    return next(j[2]["alts"] for j in jobs if j[0] == d)


def measure_layer(d, m, L, built):
    """Time one layer's distinct alternatives (interleaved); returns the
    table row and auto's time over the best one's."""
    engines, same, cells, keys = {}, {}, {}, {}
    for label in L["alts"]:
        exe, key, err = built[(d, m, id(L), label)]
        if err:
            cells[label] = "err"
        elif key in keys:
            same[label] = keys[key]
        else:
            keys[key] = label
            engines[label] = B.NncEngine(exe, L["meta"])
    if len(engines) < 2 and not cells:  # every alternative is auto's code: nothing to choose here
        for e in engines.values():
            e.close()
        return None, None
    res = B.measure(engines)
    for e in engines.values():
        e.close()
    times = {lab: r[0] for lab, r in res.items() if isinstance(r, tuple)}
    fixed = d in ("winograd", "models", "gemm")
    for label in L["alts"]:
        if label in cells:
            continue
        c = f"={same[label]}" if label in same else B.fmt_ms(res.get(label))
        cells[label] = c if fixed or label == "auto" else f"{label.split('=')[1]}: {c}"
    picks = next((lab for lab, o in same.items() if o == "auto"), "(other)")
    best = min(times, key=times.get) if times else "-"
    if best == "auto" and picks != "(other)":
        best = picks
    ratio = times["auto"] / min(times.values()) if "auto" in times else None
    row = [m, L["name"][:32], L["desc"], str(L["count"]), *[cells[a] for a in L["alts"]], picks, best,
           f"{ratio:.2f}" if ratio else "-"]
    return row, ratio


# -------------------------------------------------------------- main ---
def main():
    os.makedirs(B.WORK, exist_ok=True)
    if not os.access(B.NNC, os.X_OK):
        sys.exit(f"tune: {B.NNC} not found: run ./scripts/build.sh first")
    targets = B.cpu_targets()
    target = os.environ.get("TUNE_TARGET") or targets[-1]
    if target not in targets:
        sys.exit(f"tune: this CPU cannot run --target {target}")
    if target == "generic":
        sys.exit("tune: the generic target has nothing to tune")
    work = os.path.join(B.WORK, "tune")
    jobs = []  # (decision, model, layer, label, flags, dst)
    for m in MODELS:
        mp = os.path.join(B.ZOO, m, "model.onnx")
        if not os.path.isfile(mp):
            B.log(f"{m}: not in {B.ZOO}; skipped")
            continue
        for d in DECISIONS:
            if d == "models":
                meta = B.prepare_zoo_inputs(m, mp, os.path.join(B.WORK, "inputs", m))
                layers = [{"name": m, "desc": "whole model", "path": mp, "meta": meta, "count": 1}]
            else:
                keep = {"winograd": is_wino, "kcb": is_direct_candidate, "sr": is_direct_candidate,
                        "gemm": is_gemm}[d]
                layers = extract(mp, os.path.join(work, "layers", m), keep)
            if MAX_LAYERS:
                layers = layers[:MAX_LAYERS]
            for L in layers:
                alts = alternatives(d, L, target)
                L["alts"] = [a for a, _ in alts]
                for label, flags in alts:
                    dst = os.path.join(work, "build", target, CPU or "default", m,
                                       hashlib.sha256((L["path"] + repr(flags)).encode()).hexdigest()[:16])
                    jobs.append((d, m, L, label, flags, dst))
    B.log(f"{len(jobs)} builds ({B.JOBS} jobs; cached ones are reused)")
    built = {}
    with cf.ThreadPoolExecutor(max_workers=max(1, B.JOBS)) as ex:
        futs = {ex.submit(build, j[2]["path"], target, j[4], j[5]): j for j in jobs}
        for f in cf.as_completed(futs):
            d, m, L, label, _, _ = futs[f]
            built[(d, m, id(L), label)] = f.result()
            if f.result()[2]:
                B.log(f"build failed: {m} {L['name']} {label}: {f.result()[2]}")

    print(f"CPU: {B.cpu_name()}")
    print(f"nnc --target {target}" + (f" --cpu {CPU}" if CPU else " (no --cpu: the target's defaults)") +
          f"; median ms per run, 1 thread; BENCH_BUDGET={B.BUDGET:g}s per alternative, RUNS={B.RUNS}.")
    print("A direct (conv_nchwc) one-layer model also converts its output back to NCHW (a network keeps it "
          "blocked).  '=X': the same code as alternative X.  'auto is': the alternative nnc picks ((other): "
          "none of those listed).")
    titles = {"winograd": "3x3 stride-1 convolutions, Winograd or direct",
              "kcb": "conv_nchwc input-channel blocks per weight chunk (--tune kcb=N)",
              "sr": "conv_nchwc output rows per strip (--tune sr=N)",
              "gemm": "packed GEMM cache blocks (--tune kc=N / nc=N)",
              "models": "whole models, Winograd alternatives"}
    for d in DECISIONS:
        rows, wins, total, n_alt, same = [], 0, 0, 0, 0
        for m in MODELS:
            layers = [j[2] for j in jobs if j[0] == d and j[1] == m and j[3] == "auto"]
            for L in layers:
                B.log(f"{d}: {m} {L['name']}")
                row, ratio = measure_layer(d, m, L, built)
                if row is None:
                    same += 1
                    continue
                rows.append(row)
                n_alt = max(n_alt, len(L["alts"]) - 1)
                if ratio is not None:
                    total += 1
                    wins += ratio <= 1.02
        if not rows:
            print(f"\nDecision '{d}': no layer where the alternatives differ.")
            continue
        fixed = d in ("winograd", "models", "gemm")  # the same alternatives for every layer: named columns
        alt_heads = jobs_alts(jobs, d)[1:] if fixed else [f"alt {i + 1}" for i in range(n_alt)]
        rows = [r[:5] + r[5:-3] + [""] * (5 + n_alt + 3 - len(r)) + r[-3:] for r in rows]
        print()
        print(f"Decision '{d}': {titles[d]}; auto within 2% of the best on {wins} of {total} layers" +
              (f" ({same} more where every alternative is auto's code)." if same else "."))
        B.print_table(["model", "layer", "shape", "n", "auto", *alt_heads, "auto is", "best", "auto/best"], rows,
                      "lllrr" + "r" * n_alt + "llr")
    B.log("done")


if __name__ == "__main__":
    main()
