#!/usr/bin/python3
"""nnc vs ONNX Runtime benchmark (issue "Fast x86 code").  Run via bench/run.sh.

1. peak.c: single-core FMA peak (SSE / AVX2 / AVX-512; NEON on AArch64).
2. Every zoo model: nnc generic/avx2/avx512 (generic/neon on AArch64; targets the CPU lacks are skipped)
   and ONNX Runtime (onnxruntime-node, 1 thread), measured interleaved per model,
   median time per inference.
3. ResNet-18: every Conv (with its fused Relu / residual Add) as its own ONNX
   model, timed with nnc avx512 (or the widest target the CPU has) and ORT.

Needs /usr/bin/python3 with onnx and numpy (Debian's), build/nnc, build/zoo.
ORT's time includes its per-call overhead through the node binding, which a
C program calling ORT would not pay: each model's overhead is measured on a
model of one Identity (per output) with the same inputs and outputs (count,
shapes, dtypes), median of BENCH_IDENT_RUNS runs, and the ORT-overhead/nnc
column divides ORT's time minus it by nnc's.

Settings (environment): BENCH_MODELS (comma list, default all), BENCH_BUDGET
(seconds per engine per model before the run count is cut below RUNS, default 8),
BENCH_MIN_RUNS (default 5), BENCH_ROUNDS (interleaving rounds, default 10),
BENCH_LAYERS=0 to skip the layer table, BENCH_TARGETS (comma list), BENCH_JOBS (parallel compiles),
BENCH_CPU (nnc --cpu for every build; default native: tuned for this machine, as ORT picks its kernels
by CPUID at run time; none: the targets' defaults, which is what code built without --cpu runs),
BENCH_IDENT_RUNS (runs of the Identity model per model, default 300),
BENCH_GAP_MS (pause between one engine's batch and the next's at 2 threads, so
the last engine's polling threads have stopped, default 30),
BENCH_NNC / BENCH_ZOO / BENCH_WORK (the nnc binary, the zoo folder and the
cache folder, default build/nnc, build/zoo and bench/.work).
"""
import concurrent.futures as cf
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
NNC = os.path.abspath(os.environ.get("BENCH_NNC", os.path.join(ROOT, "build", "nnc")))
ZOO = os.path.abspath(os.environ.get("BENCH_ZOO", os.path.join(ROOT, "build", "zoo")))
WORK = os.path.abspath(os.environ.get("BENCH_WORK", os.path.join(BENCH, ".work")))
# nnc's targets on this machine's architecture and the peak.c ISA each is held
# against (generic: the baseline vector ISA the C compiler uses for it)
AARCH64 = platform.machine().lower() in ("aarch64", "arm64")
TARGETS = ["generic", "neon"] if AARCH64 else ["generic", "avx2", "avx512"]
TARGET_ISA = {"generic": "neon", "neon": "neon"} if AARCH64 else {"generic": "sse", "avx2": "avx2", "avx512": "avx512"}

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 30
GAP_MS = float(os.environ.get("BENCH_GAP_MS", "30"))  # between engines' batches at 2 threads
BUDGET = float(os.environ.get("BENCH_BUDGET", "8"))
MIN_RUNS = int(os.environ.get("BENCH_MIN_RUNS", "5"))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", "10")))
JOBS = int(os.environ.get("BENCH_JOBS", str(os.cpu_count() or 2)))
CPU = os.environ.get("BENCH_CPU", "native")
if CPU == "none":
    CPU = ""
THREADS = int(os.environ.get("BENCH_THREADS", "2"))  # the second table's thread count; 1: no such table
IDENT_RUNS = max(20, int(os.environ.get("BENCH_IDENT_RUNS", "300")))
T_START = time.time()


def log(msg):
    print(f"[{time.time() - T_START:6.0f}s] {msg}", file=sys.stderr, flush=True)


def sh(args, **kw):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kw).stdout


# ---------------------------------------------------------------- machine ---
def cpu_targets():
    if AARCH64:  # every AArch64 CPU has Advanced SIMD
        return list(TARGETS)
    flags = set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    break
    except OSError:
        pass
    t = ["generic"]
    if {"avx2", "fma"} <= flags:
        t.append("avx2")
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        t.append("avx512")
    return t


def cpu_name():
    """The machine's CPU for the table header: lscpu's Model name, the
    family / model / stepping from /proc/cpuinfo (implementer / part on Arm),
    and the CPU model `nnc --cpu native` finds."""
    name, ids = platform.processor() or platform.machine(), {}
    try:
        for line in sh(["lscpu"]).splitlines():
            if line.startswith("Model name:"):
                name = line.split(":", 1)[1].strip()
                break
    except (OSError, subprocess.CalledProcessError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                k, _, v = line.partition(":")
                k = k.strip()
                if k in ("cpu family", "model", "stepping", "CPU implementer", "CPU part") and k not in ids:
                    ids[k] = v.strip()
                if not line.strip() and ids:
                    break
    except OSError:
        pass
    native = "-"
    try:
        for line in sh([NNC, "--list-cpus"]).splitlines():
            if line.startswith("native on this machine: native: "):
                native = line.split(": ", 2)[2].split(" (", 1)[0]
    except (OSError, subprocess.CalledProcessError):
        pass
    idtext = ", ".join(f"{k} {v}" for k, v in ids.items())
    return f"{name} ({idtext + '; ' if idtext else ''}nnc --cpu native: {native})"


PEAK = {}  # best GFLOP/s seen per ISA over all the peak runs


def measure_peak(trials=40):
    """Run bench/peak.c and fold its result into PEAK.  The machine is shared,
    so it is run again (briefly) between models and the best value is kept."""
    exe = os.path.join(WORK, "peak")
    if not os.path.exists(exe):
        sh(["cc", "-O2", "-std=c99", os.path.join(BENCH, "peak.c"), "-o", exe])
    for line in sh([exe, str(trials)]).splitlines():
        _, isa, val = line.split()
        v = None if val == "unsupported" else float(val)
        if v is None:
            PEAK.setdefault(isa, None)
        elif not PEAK.get(isa) or v > PEAK[isa]:
            PEAK[isa] = v
    return PEAK


# ------------------------------------------------------------- preparing ---
def nnc_flops(model):
    for line in sh([NNC, "info", model]).splitlines():
        if line.startswith("FLOPs "):
            return int(line.split()[1])
    return None


def graph_inputs(model):
    """Names of the real (non-initializer) graph inputs, in order."""
    init = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in init]


def write_inputs(dst, arrays_named):
    """Write arrays as raw .bin files plus meta.json; return the meta list."""
    meta = []
    for k, (name, a) in enumerate(arrays_named):
        a = np.ascontiguousarray(a)
        f = os.path.join(dst, f"input_{k}.bin")
        with open(f, "wb") as fh:
            fh.write(a.tobytes())
        dtype = helper.np_dtype_to_tensor_dtype(a.dtype) if hasattr(helper, "np_dtype_to_tensor_dtype") \
            else onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype]
        meta.append({"name": name, "dtype": int(dtype), "shape": list(a.shape), "file": f})
    with open(os.path.join(dst, "meta.json"), "w") as fh:
        json.dump(meta, fh)
    return meta


def prepare_zoo_inputs(name, model_path, dst):
    os.makedirs(dst, exist_ok=True)
    model = onnx.load(model_path, load_external_data=False)
    names = [i.name for i in graph_inputs(model)]
    arrays = []
    for k, n in enumerate(names):
        t = onnx.TensorProto()
        with open(os.path.join(os.path.dirname(model_path), "test_data_set_0", f"input_{k}.pb"), "rb") as fh:
            t.ParseFromString(fh.read())
        arrays.append((n, numpy_helper.to_array(t)))
    return write_inputs(dst, arrays)


def identity_model(model_path, dst):
    """A model with the inputs and outputs of model_path (names, count,
    shapes, dtypes) that only copies: one Identity per output, reading an
    input of the same shape and type where there is one, else a constant of
    the output's shape (a single-output model is one Identity node). ORT's
    time on it is its fixed per-call cost. Returns its path, or None when an
    output's shape is not static."""
    model = onnx.load(model_path, load_external_data=False)
    ins = graph_inputs(model)

    def sig(v):
        t = v.type.tensor_type
        return t.elem_type, tuple(d.dim_value if d.HasField("dim_value") else -1 for d in t.shape.dim)

    free = [i for i in ins]
    nodes, consts = [], []
    for k, out in enumerate(model.graph.output):
        et, shape = sig(out)
        if -1 in shape or 0 in shape:
            return None
        src = next((i for i in free if sig(i) == (et, shape)), None)
        if src is not None:
            free.remove(src)
            name = src.name
        else:
            name = f"nnc_bench_const_{k}"
            dt = helper.tensor_dtype_to_np_dtype(et) if hasattr(helper, "tensor_dtype_to_np_dtype") \
                else onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[et]
            consts.append(numpy_helper.from_array(np.zeros(shape, dtype=dt), name))
        nodes.append(helper.make_node("Identity", [name], [out.name], name=f"identity_{k}"))
    g = helper.make_graph(nodes, "identity", list(ins), list(model.graph.output), consts)
    m = helper.make_model(g, opset_imports=model.opset_import, producer_name="nnc-bench")
    os.makedirs(dst, exist_ok=True)
    path = os.path.join(dst, "identity.onnx")
    onnx.save(m, path)
    return path


def ort_overhead(ort, model_path, meta, dst):
    """Median ms of IDENT_RUNS runs of model_path's Identity model in ORT
    (after a warm-up), or an error string."""
    try:
        path = identity_model(model_path, dst)
        if not path:
            return "no static output shape"
        e = OrtEngine(ort, path, meta)
        try:
            e.run(20)
            return (statistics.median(e.run(IDENT_RUNS)), IDENT_RUNS)
        finally:
            e.close()
    except Exception as ex:
        return str(ex)[:80]


def file_sig(path):
    st = os.stat(path)
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def build_one(model_path, target, dst, trace=False):
    """Compile model with nnc for target and link the timing harness (cached);
    trace: with --trace, and the harness's per-node command (T N)."""
    os.makedirs(dst, exist_ok=True)
    rt = os.path.join(os.path.dirname(NNC), "runtime", "libnncrt.a")
    key = hashlib.sha256("|".join([
        file_sig(NNC), file_sig(rt) if os.path.exists(rt) else "", file_sig(model_path), target, CPU, str(trace),
        open(os.path.join(BENCH, "harness.c")).read(),
        open(os.path.join(ROOT, "runtime", "nnc_pool.c")).read()]).encode()).hexdigest()
    exe, stamp = os.path.join(dst, "bench"), os.path.join(dst, "stamp")
    if os.path.exists(exe) and os.path.exists(stamp) and open(stamp).read() == key:
        return exe, None
    for f in (exe, stamp):
        if os.path.exists(f):
            os.remove(f)
    src = os.path.join(dst, "m.c")
    try:
        sh([NNC, model_path, "-o", src, "--target", target, "--prefix", "m"] + (["--cpu", CPU] if CPU else []) +
           (["--trace"] if trace else []))
        cflags = sh([NNC, "--cflags"]).split()
        libs = sh([NNC, "--libs"]).split()
        sh(["cc", "-O2", "-std=c99", *cflags, *(["-DHARNESS_TRACE"] if trace else []), "-include", os.path.join(dst, "m.h"),
            os.path.join(BENCH, "harness.c"), os.path.join(ROOT, "runtime", "nnc_pool.c"), src, "-o", exe,
            *libs, "-pthread"])
    except subprocess.CalledProcessError as e:
        msg = (e.stderr or e.stdout or str(e)).strip().splitlines()
        return None, (msg[-1] if msg else str(e))[:200]
    finally:
        if os.path.exists(src):
            os.remove(src)  # the C files of the big models are hundreds of MB
    with open(stamp, "w") as fh:
        fh.write(key)
    return exe, None


def build_all(jobs):
    """jobs: list of (key, model_path, target, dst[, trace]).  Returns {key: (exe, err)}."""
    out = {}
    # biggest models first so the two workers finish together
    jobs = sorted(jobs, key=lambda j: -os.path.getsize(j[1]))
    with cf.ThreadPoolExecutor(max_workers=max(1, JOBS)) as ex:
        futs = {ex.submit(build_one, *j[1:]): j[0] for j in jobs}
        for f in cf.as_completed(futs):
            out[futs[f]] = f.result()
            if out[futs[f]][1]:
                log(f"build failed: {futs[f]}: {out[futs[f]][1]}")
    return out


# ---------------------------------------------------------------- engines ---
class NncEngine:
    def __init__(self, exe, meta, threads=1):
        self.err, self.threads = None, threads
        self.p = subprocess.Popen([exe] + [m["file"] for m in meta], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def run(self, n):
        self.p.stdin.write(f"{n} {self.threads}\n" if self.threads > 1 else f"{n}\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            err = self.p.stderr.read().strip()
            raise RuntimeError(err.splitlines()[-1] if err else f"harness exited {self.p.wait()}")
        return [float(x) for x in line.split()]

    def close(self):
        try:
            self.p.stdin.close()
            self.p.wait(timeout=10)
        except Exception:
            self.p.kill()


class OrtServer:
    """One long-lived node process running onnxruntime-node (see ort_server.js)."""

    def __init__(self):
        self.p, self.version, self.error = None, None, None
        node = shutil.which("node")
        if not node:
            self.error = "node is not installed"
            return
        if not os.path.isdir(os.path.join(BENCH, "node_modules", "onnxruntime-node")):
            self.error = "bench/node_modules/onnxruntime-node is missing (npm install failed?)"
            return
        self.p = subprocess.Popen([node, os.path.join(BENCH, "ort_server.js")], cwd=BENCH,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        first = self._read()
        if "error" in first:
            self.error = first["error"]
            self.p = None
        else:
            self.version = first.get("version")

    def _read(self):
        line = self.p.stdout.readline()
        if not line:
            return {"error": "onnxruntime server exited"}
        return json.loads(line)

    def call(self, **cmd):
        if not self.p:
            raise RuntimeError(self.error)
        self.p.stdin.write(json.dumps(cmd) + "\n")
        self.p.stdin.flush()
        r = self._read()
        if "error" in r:
            raise RuntimeError(r["error"])
        return r

    def close(self):
        if self.p:
            self.p.stdin.close()
            self.p.wait(timeout=30)


class OrtEngine:
    _next = 0

    def __init__(self, server, model_path, meta, threads=1):
        OrtEngine._next += 1
        self.server, self.id = server, OrtEngine._next
        server.call(cmd="load", id=self.id, model=model_path, inputs=meta, threads=threads)

    def run(self, n):
        return self.server.call(cmd="run", id=self.id, n=n)["ms"]

    def close(self):
        try:
            self.server.call(cmd="free", id=self.id)
        except Exception:
            pass


def measure(engines):
    """engines: {label: engine}.  Warm up each, then interleave ROUNDS rounds
    (rotating the order) of timed runs, each batch after one untimed run.  Returns {label: (median_ms, n) or error str}."""
    res, samples, est = {}, {}, {}
    live = dict(engines)
    for lab, e in list(live.items()):
        try:
            t = e.run(1)                       # first run (page faults, lazy init)
            if t[0] < 1000:
                t = e.run(2 if t[0] > 100 else 5)
            est[lab] = max(min(t), 1e-3)
            samples[lab] = []
        except Exception as ex:
            res[lab] = str(ex)[:80]
            del live[lab]
    nrun = {lab: max(MIN_RUNS, min(RUNS, int(BUDGET * 1000 / est[lab]))) for lab in live}
    labels = list(live)
    for r in range(ROUNDS):
        order = labels[r % len(labels):] + labels[:r % len(labels)] if labels else []
        for lab in order:
            if lab not in live:
                continue
            todo = nrun[lab] - len(samples[lab])
            k = -(-todo // (ROUNDS - r))  # ceil
            if k <= 0:
                continue
            if THREADS > 1:
                # the last engine's pool threads poll for a while after its
                # batch (nnc_pool 1 ms; ORT's workers, in the node process,
                # 5-10 ms here); on 2 cores such a thread of another process
                # holds the core this engine's second thread needs. With a
                # 5 ms gap nnc's dcgan_discriminator ran 1.44 ms on 2
                # threads (no scaling), with 30 or 100 ms 0.81-0.83.
                time.sleep(GAP_MS / 1000)
            try:
                # one untimed run first: the batch then starts warm, with the
                # engine's pool threads awake (a thread that slept costs up to
                # 2 ms to wake on this kind of VM), for every engine alike
                live[lab].run(1)
                samples[lab] += live[lab].run(k)
            except Exception as ex:
                res[lab] = str(ex)[:80]
                del live[lab]
    for lab in live:
        res[lab] = (statistics.median(samples[lab]), len(samples[lab]))
    return res


# ------------------------------------------------------------- resnet conv ---
def extract_convs(model_path, dst):
    """Write each Conv of the model (with a following Relu, or residual Add + Relu,
    when it is the Conv's only consumer) as its own ONNX model.  Returns a list of
    dicts {name, desc, path, meta}."""
    model = onnx.load(model_path)
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    inits = {t.name: t for t in model.graph.initializer}
    consumers = {}
    for n in model.graph.node:
        for i in n.input:
            consumers.setdefault(i, []).append(n)
    order = {o: k for k, n in enumerate(model.graph.node) for o in n.output}
    rng = np.random.default_rng(0)
    layers = []
    for node in model.graph.node:
        if node.op_type != "Conv":
            continue
        nodes, extra_in, out, fused = [node], [], node.output[0], []
        nxt = consumers.get(out, [])
        if len(nxt) == 1 and nxt[0].op_type == "Add":
            add = nxt[0]
            other = [i for i in add.input if i != out][0]
            # fuse the Add into the Conv that runs last (as nnc does): only when
            # the residual is already computed before this Conv
            if other not in inits and order.get(other, -1) < order[node.output[0]]:
                extra_in.append(other)
                nodes.append(add)
                out = add.output[0]
                fused.append("add")
                nxt = consumers.get(out, [])
        if len(nxt) == 1 and nxt[0].op_type == "Relu":
            nodes.append(nxt[0])
            out = nxt[0].output[0]
            fused.append("relu")
        x = node.input[0]
        ins = [x] + extra_in
        g = helper.make_graph(
            nodes, "layer",
            [helper.make_tensor_value_info(i, onnx.TensorProto.FLOAT, shapes[i]) for i in ins],
            [helper.make_tensor_value_info(out, onnx.TensorProto.FLOAT, shapes[out])],
            [inits[i] for i in node.input[1:] if i in inits])
        m = helper.make_model(g, opset_imports=model.opset_import, producer_name="nnc-bench")
        parts = [p for p in (node.name or out).strip("/").split("/") if p and p != "Conv"]
        parts = [p for i, p in enumerate(parts) if i + 1 == len(parts) or not parts[i + 1].startswith(p)]
        name = ".".join(parts) or out
        d = os.path.join(dst, name.replace("/", "_"))
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        onnx.save(m, path)
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        w = shapes.get(node.input[1]) or list(inits[node.input[1]].dims)
        ci, co = shapes[x], shapes[node.output[0]]
        k = attrs.get("kernel_shape", w[2:])
        s = attrs.get("strides", [1, 1])
        desc = f"{ci[1]}x{ci[2]}x{ci[3]}->{co[1]}x{co[2]}x{co[3]} k{k[0]}s{s[0]}"
        if fused:
            desc += " +" + "+".join(fused)
        meta = write_inputs(d, [(i, rng.standard_normal(shapes[i]).astype(np.float32)) for i in ins])
        layers.append({"name": name, "desc": desc, "path": path, "meta": meta, "node": node.name})
    return layers


def trace_nodes(built, meta, runs=20):
    """{node name: median ms} of the traced build's nodes, in the model, on 1 thread
    (harness.c, T N); {} when it did not build or run."""
    exe, err = built or (None, "not built")
    if not exe or not meta:
        log(f"no per-node times in the model: {err or 'no inputs'}")
        return {}
    try:
        out = subprocess.run([exe] + [m["file"] for m in meta], input=f"T {runs}\n", capture_output=True,
                             text=True, timeout=600, check=True).stdout
    except (subprocess.SubprocessError, OSError) as ex:
        log(f"no per-node times in the model: {ex}")
        return {}
    times = {}
    for line in out.splitlines():
        if "\t" in line:
            ms, name = line.split("\t", 1)
            times[name] = float(ms)
    return times


# ----------------------------------------------------------------- tables ---
def fmt_ms(r):
    if r is None:
        return "-"
    if isinstance(r, str):
        return "err"
    ms, n = r
    s = f"{ms:.3f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"
    return s + ("" if n >= RUNS else f"({n})")


def fmt_flops(f):
    if f is None:
        return "-"
    for u, d in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if f >= d:
            return f"{f / d:.2f}{u}"
    return str(f)


def print_table(headers, rows, aligns):
    w = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
         for i, h in enumerate(headers)]
    def line(cells):
        return "  ".join(str(c).ljust(w[i]) if aligns[i] == "l" else str(c).rjust(w[i])
                         for i, c in enumerate(cells))
    print(line(headers))
    print("  ".join("-" * x for x in w))
    for r in rows:
        print(line(r))
    sys.stdout.flush()


def best_nnc(res, targets):
    ok = [(res[t][0], t) for t in targets if isinstance(res.get(t), tuple)]
    return min(ok) if ok else (None, None)


def main():
    os.makedirs(WORK, exist_ok=True)
    if not os.access(NNC, os.X_OK):
        sys.exit(f"bench: {NNC} not found: run ./scripts/build.sh first")
    models = sorted(d for d in os.listdir(ZOO) if os.path.isfile(os.path.join(ZOO, d, "model.onnx"))) \
        if os.path.isdir(ZOO) else []
    if os.environ.get("BENCH_MODELS"):
        want = os.environ["BENCH_MODELS"].split(",")
        models = [m for m in models if m in want]
    if not models:
        sys.exit(f"bench: no models in {ZOO} (the zoo is made by the build's zoo_export step)")
    targets = cpu_targets()
    if os.environ.get("BENCH_TARGETS"):
        targets = [t for t in targets if t in os.environ["BENCH_TARGETS"].split(",")]
    skipped = [t for t in TARGETS if t not in targets]

    log("measuring peak")
    if os.path.exists(os.path.join(WORK, "peak")):
        os.remove(os.path.join(WORK, "peak"))
    peak = measure_peak()
    ort = OrtServer()
    if ort.error:
        log(f"ONNX Runtime unavailable ({ort.error}); measuring nnc only")

    # prepare inputs and FLOPs, then build everything before measuring anything
    log(f"preparing {len(models)} models")
    info, jobs = {}, []
    for m in models:
        mp = os.path.join(ZOO, m, "model.onnx")
        try:
            meta = prepare_zoo_inputs(m, mp, os.path.join(WORK, "inputs", m))
        except Exception as ex:
            meta = None
            log(f"{m}: cannot read inputs: {ex}")
        try:
            fl = nnc_flops(mp)
        except subprocess.CalledProcessError:
            fl = None
        info[m] = (mp, meta, fl)
        for t in targets:
            jobs.append(((m, t), mp, t, os.path.join(WORK, "build", m, t)))

    layers, layer_target = [], ("avx512" if "avx512" in targets else targets[-1])
    resnet = os.path.join(ZOO, "resnet18", "model.onnx")
    do_layers = os.environ.get("BENCH_LAYERS", "1") != "0" and os.path.isfile(resnet)
    if do_layers:
        try:
            layers = extract_convs(resnet, os.path.join(WORK, "layers"))
            for L in layers:
                jobs.append((("layer", L["name"]), L["path"], layer_target,
                             os.path.join(os.path.dirname(L["path"]), layer_target)))
            # the whole model once more, traced: each conv's time in the model
            jobs.append((("traced", "resnet18"), resnet, layer_target,
                         os.path.join(WORK, "build", "resnet18", layer_target + "-traced"), True))
        except Exception as ex:
            log(f"cannot extract ResNet-18 convolutions: {ex}")
            layers = []

    log(f"building {len(jobs)} harnesses ({JOBS} jobs; cached ones are reused)")
    built = build_all(jobs)
    log("builds done")

    # ------------------------------------------------------- model table ---
    model_res = []
    for m in models:
        mp, meta, fl = info[m]
        log(f"measuring {m}")
        engines, res = {}, {}
        if meta is None:
            res = {t: "no inputs" for t in targets}
        else:
            if not ort.error:
                try:
                    engines["ort"] = OrtEngine(ort, mp, meta)
                except Exception as ex:
                    res["ort"] = str(ex)[:80]
                    log(f"{m}: ORT: {ex}")
                if THREADS > 1:
                    try:
                        engines[f"ort@{THREADS}"] = OrtEngine(ort, mp, meta, THREADS)
                    except Exception as ex:
                        res[f"ort@{THREADS}"] = str(ex)[:80]
            for t in targets:
                exe, err = built[(m, t)]
                if exe:
                    engines[t] = NncEngine(exe, meta)
                    if THREADS > 1:
                        engines[f"{t}@{THREADS}"] = NncEngine(exe, meta, THREADS)
                else:
                    res[t] = err
                    res[f"{t}@{THREADS}"] = err
            res.update(measure(engines))
            for lab, e in engines.items():
                e.close()
            if "ort" in engines:
                res["ort_call"] = ort_overhead(ort, mp, meta, os.path.join(WORK, "identity", m))
            for lab, r in res.items():
                if isinstance(r, str):
                    log(f"{m}: {lab}: {r}")
        model_res.append((m, fl, res))
        measure_peak(6)

    layer_res, in_model = [], {}
    if layers:
        for L in layers:
            log(f"measuring layer {L['name']}")
            try:
                fl = nnc_flops(L["path"])
            except subprocess.CalledProcessError:
                fl = None
            engines, res = {}, {}
            if not ort.error:
                try:
                    engines["ort"] = OrtEngine(ort, L["path"], L["meta"])
                except Exception as ex:
                    res["ort"] = str(ex)[:80]
            exe, err = built[("layer", L["name"])]
            if exe:
                engines["nnc"] = NncEngine(exe, L["meta"])
            else:
                res["nnc"] = err
            res.update(measure(engines))
            for e in engines.values():
                e.close()
            layer_res.append((L, fl, res))
            measure_peak(4)
        in_model = trace_nodes(built.get(("traced", "resnet18")), info.get("resnet18", (None, None))[1] or
                               prepare_zoo_inputs("resnet18", resnet, os.path.join(WORK, "inputs", "resnet18")))
    ort.close()

    # the machine is shared: take the best of the peaks measured before and after
    log("measuring peak again")
    measure_peak()
    print(f"CPU: {cpu_name()}" + (f"; nnc --cpu {CPU}" if CPU else "; nnc without --cpu (BENCH_CPU=none: the targets' defaults)"))
    print("Single-core FMA peak (bench/peak.c; best trial of the runs before, between and after "
          "the models): " +
          ", ".join(f"{k} {v:.1f} GFLOP/s" if v else f"{k} n/a" for k, v in peak.items()))
    if skipped:
        print(f"Targets skipped (CPU lacks them, or not in BENCH_TARGETS): {', '.join(skipped)}")
    if ort.error:
        print(f"ONNX Runtime unavailable ({ort.error}); nnc only.")
    else:
        print(f"ONNX Runtime {ort.version} (onnxruntime-node, CPU provider, intra/inter-op threads 1, "
              "graph optimization 'all', sequential)")

    rows = []
    for m, fl, res in model_res:
        bt_ms, bt = best_nnc(res, targets)
        ort_r = res.get("ort")
        ratio = f"{ort_r[0] / bt_ms:.2f}" if bt_ms and isinstance(ort_r, tuple) else "-"
        call = res.get("ort_call")
        ovh = f"{(ort_r[0] - call[0]) / bt_ms:.2f}" if bt_ms and isinstance(ort_r, tuple) and \
            isinstance(call, tuple) else "-"
        gfs = f"{fl / bt_ms / 1e6:.2f}" if bt_ms and fl else "-"
        pk = peak.get(TARGET_ISA.get(bt)) if bt else None
        pct = f"{100 * fl / bt_ms / 1e6 / pk:.1f}" if bt_ms and fl and pk else "-"
        ort_gfs = f"{fl / ort_r[0] / 1e6:.2f}" if fl and isinstance(ort_r, tuple) else "-"
        rows.append([m, fmt_flops(fl), fmt_ms(ort_r if not ort.error else None),
                     f"{call[0]:.3f}" if isinstance(call, tuple) else fmt_ms(call),
                     *[fmt_ms(res.get(t)) if t in targets else "skip" for t in TARGETS],
                     ratio, ovh, bt or "-", gfs, pct, ort_gfs])
    print()
    print(f"Median ms per inference, 1 thread, batch as exported; RUNS={RUNS} "
          f"(a count in parentheses: fewer runs, capped by BENCH_BUDGET={BUDGET:g}s).")
    print("ORT/nnc, GF/s and %peak are for the fastest nnc target; %peak is against that "
          f"target's ISA peak (generic: {TARGET_ISA['generic']}).")
    print(f"ORT call ms: ORT's per-call overhead through the node binding, the median of {IDENT_RUNS} runs of a "
          "model of one Identity per output with the same inputs and outputs (count, shapes, dtypes); a C program "
          "calling ORT would not pay it. ORT-overhead/nnc is (ORT ms - ORT call ms) / nnc ms: wins on small "
          "models are stated on that ratio, not on ORT/nnc.")
    print_table(["model", "FLOPs", "ORT ms", "ORT call ms", *TARGETS, "ORT/nnc", "ORT-overhead/nnc", "best",
                 "GF/s", "%peak", "ORT GF/s"], rows, "lrrr" + "r" * len(TARGETS) + "rrlrrr")

    # --------------------------------------------------- threads table ---
    if THREADS > 1:
        rows = []
        t_labels = [f"{t}@{THREADS}" for t in targets]
        for m, fl, res in model_res:
            b1_ms, b1 = best_nnc(res, targets)
            bt_ms, bt = best_nnc(res, t_labels)
            o1, ot = res.get("ort"), res.get(f"ort@{THREADS}")
            ok1, okt = isinstance(o1, tuple), isinstance(ot, tuple)
            rows.append([m, fmt_ms(o1 if not ort.error else None), fmt_ms(ot if not ort.error else None),
                         f"{o1[0] / ot[0]:.2f}" if ok1 and okt else "-",
                         *[fmt_ms(res.get(t)) if t in t_labels else "skip" for t in
                           [f"{u}@{THREADS}" for u in TARGETS]],
                         f"{b1_ms / bt_ms:.2f}" if b1_ms and bt_ms else "-",
                         f"{ot[0] / bt_ms:.2f}" if okt and bt_ms else "-", bt.split("@")[0] if bt else "-",
                         f"{fl / bt_ms / 1e6:.2f}" if fl and bt_ms else "-"])
        print()
        print(f"{THREADS} threads: ORT with intraOpNumThreads {THREADS}; nnc's {{prefix}}_run_parallel on "
              f"runtime/nnc_pool with {THREADS} threads, per target. Scaling is the 1-thread median over the "
              f"{THREADS}-thread one (ORT's and the fastest nnc target's); ORT/nnc compares the fastest of each "
              f"at {THREADS} threads. Measured in the same interleaved rounds as the table above.")
        print_table(["model", "ORT 1t ms", f"ORT {THREADS}t ms", "ORT scaling",
                     *[f"{u} {THREADS}t" for u in TARGETS], "nnc scaling", "ORT/nnc", "best", "GF/s"],
                    rows, "lrrr" + "r" * len(TARGETS) + "rrlr")

    # ------------------------------------------------------- layer table ---
    if layer_res:
        rows = []
        pk = peak.get(TARGET_ISA[layer_target])
        tot = {"f": 0, "n": 0.0, "o": 0.0, "m": 0.0}
        for L, fl, res in layer_res:
            n, o, im = res.get("nnc"), res.get("ort"), in_model.get(L["node"])
            ok = isinstance(n, tuple) and fl
            if ok:
                tot["f"] += fl
                tot["n"] += n[0]
            if isinstance(o, tuple):
                tot["o"] += o[0]
            if im:
                tot["m"] += im
            rows.append([L["name"], L["desc"], f"{fl / 1e9:.3f}" if fl else "-", fmt_ms(n),
                         f"{fl / n[0] / 1e6:.2f}" if ok else "-",
                         f"{100 * fl / n[0] / 1e6 / pk:.1f}" if ok and pk else "-",
                         f"{im:.3f}" if im else "-",
                         f"{100 * fl / im / 1e6 / pk:.1f}" if im and fl and pk else "-",
                         fmt_ms(o if not ort.error else None),
                         f"{fl / o[0] / 1e6:.2f}" if fl and isinstance(o, tuple) else "-"])
        if tot["n"]:
            rows.append(["total", "", f"{tot['f'] / 1e9:.3f}", f"{tot['n']:.1f}",
                         f"{tot['f'] / tot['n'] / 1e6:.2f}",
                         f"{100 * tot['f'] / tot['n'] / 1e6 / pk:.1f}" if pk else "-",
                         f"{tot['m']:.1f}" if tot["m"] else "-",
                         f"{100 * tot['f'] / tot['m'] / 1e6 / pk:.1f}" if tot["m"] and pk else "-",
                         f"{tot['o']:.1f}" if tot["o"] else "-",
                         f"{tot['f'] / tot['o'] / 1e6:.2f}" if tot["o"] else "-"])
        print()
        print(f"ResNet-18 convolutions, each compiled alone (random input; fused Relu / residual "
              f"Add included), nnc {layer_target} vs ORT; %peak against {TARGET_ISA[layer_target]} "
              f"peak {pk or 0:.1f} GFLOP/s. 'in model': the same conv inside the whole model (a --trace "
              f"build, 1 thread, median of 20 runs: the time from the node before to its end), where its "
              f"input can be channel-blocked and its weights come from memory; alone, the input is a plain "
              f"graph input.")
        print_table(["layer", "shape (CxHxW, kernel, stride)", "GFLOP", "nnc ms", "GF/s", "%peak",
                     "in model ms", "%peak", "ORT ms", "ORT GF/s"], rows, "llrrrrrrrr")
    log("done")


if __name__ == "__main__":
    main()
