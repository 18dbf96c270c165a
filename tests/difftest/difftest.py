#!/usr/bin/python3
"""Differential test: random ONNX graphs (gen_graphs.py) compiled by nnc on
every target this CPU runs and at several --opt levels, against ONNX Runtime.

Usage: /usr/bin/python3 tests/difftest/difftest.py --nnc NNC --work DIR [--seed S] [--models M] [--graphs K]
           [--first F] [--only RECIPES] [--opts 0,1,2] [--targets generic,avx2,avx512] [-j N]
           [--ort-dir DIR] [--rtol R] [--atol A] [--cflags FLAGS] [--minimize] [--quiet]

For each model (K independent subgraphs, each with its own outputs):
  1. ONNX Runtime (onnxruntime-node 1.30.0, CPU, one thread, graph optimisations
     off) computes the reference outputs, all models in one node process
     (ort_ref.js);
  2. nnc compiles the model for each target and --opt level; the variants of a
     target are built as one translation unit with gcc ($CC, flags --cflags,
     default -O1) next to a generated harness that fills the workspace and the
     outputs with NaN bytes first (an element nnc forgets to write fails), runs
     every variant once and writes its outputs;
  3. every output of every variant is compared with ORT's: same shape and
     dtype, integers and booleans exactly, floats within
     |got - want| <= atol + rtol * |want| (rtol 1e-3, atol 1e-4), NaN only
     where ORT has NaN, infinities equal.
A failing output names its subgraph; --minimize rebuilds that subgraph alone
and cuts it after the first node whose output already mismatches, and writes
that model (with ORT's outputs as test_data_set_0) under DIR/min/.

ONNX Runtime is installed with `npm install --ignore-scripts onnxruntime-node@1.30.0`
into --ort-dir (default DIR/ort) when missing. When it cannot be installed
or loaded, the test prints SKIP with the reason and exits 77 (ctest's
SKIP_RETURN_CODE), never a silent pass. Exit 1 on any mismatch, nnc error or
invalid generated graph.
"""
import argparse
import concurrent.futures
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_graphs  # noqa: E402

ORT_VERSION = "1.30.0"
CPU_FLAGS = {"generic": (), "avx2": ("avx2", "fma"), "avx512": ("avx512f", "avx512bw", "avx512dq", "avx512vl")}
NP_OF = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32, 7: np.int64,
         9: np.bool_, 11: np.float64, 12: np.uint32, 13: np.uint64}
SKIP = 77


def runnable(targets):
    try:
        with open("/proc/cpuinfo") as f:
            flags = set(f.read().split())
    except OSError:
        flags = set()
    return [t for t in targets if all(x in flags for x in CPU_FLAGS[t])]


def ensure_ort(ort_dir):
    """None when onnxruntime-node is usable from ort_dir, else the reason.
    Tests that run in parallel share ort_dir: the install holds a lock."""
    if not shutil.which("node"):
        return "node not found (apt-get install nodejs npm)"
    os.makedirs(ort_dir, exist_ok=True)
    with open(os.path.join(ort_dir, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _ensure_ort_locked(ort_dir)


def _ensure_ort_locked(ort_dir):
    mod = os.path.join(ort_dir, "node_modules", "onnxruntime-node")
    if not os.path.isdir(mod):
        if not shutil.which("npm"):
            return "npm not found (apt-get install npm)"
        os.makedirs(ort_dir, exist_ok=True)
        print("difftest: installing onnxruntime-node@%s into %s" % (ORT_VERSION, ort_dir), flush=True)
        r = subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "--no-save",
                            "--prefix", ort_dir, "onnxruntime-node@" + ORT_VERSION],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        if r.returncode != 0 or not os.path.isdir(mod):
            tail = " | ".join(r.stdout.strip().splitlines()[-3:])
            return "npm install onnxruntime-node@%s failed (npm registry unreachable?): %s" % (ORT_VERSION, tail)
    r = subprocess.run(["node", "-e", "require(process.argv[1]); console.log('ok')", mod],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        return "onnxruntime-node does not load: " + r.stdout.strip().splitlines()[-1]
    return None


def run_ort(ort_dir, dirs, chunk=200):
    for i in range(0, len(dirs), chunk):
        r = subprocess.run(["node", os.path.join(HERE, "ort_ref.js"), ort_dir] + dirs[i:i + chunk],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            raise RuntimeError("ort_ref.js failed: " + r.stdout[-500:])


# ---------------------------------------------------------------- building
HEADER_RE = re.compile(r"#define (\w+)_OUTPUT(\d+)_(DTYPE|RANK|DIMS|SIZE) (.*?)(?: /\*.*)?$", re.M)


def header_outputs(h_path):
    """[(dtype, dims, size)] per output from a generated header"""
    outs = {}
    with open(h_path) as f:
        for _, k, what, val in HEADER_RE.findall(f.read()):
            o = outs.setdefault(int(k), {})
            if what == "DIMS":
                o[what] = [int(v) for v in val.strip("{} ").split(",") if v.strip()]
            else:
                o[what] = int(val.split()[0])
    return [(outs[k]["DTYPE"], outs[k]["DIMS"][:outs[k]["RANK"]], outs[k]["SIZE"]) for k in sorted(outs)]


HARNESS = r"""/* generated by difftest.py: runs every variant once */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
%(includes)s
static void *load(const char *dir, const char *name, long n)
{
    char p[4096];
    snprintf(p, sizeof p, "%%s/%%s", dir, name);
    void *b = malloc((size_t)n + 64);
    FILE *f = fopen(p, "rb");
    if (!b || !f || (n && fread(b, 1, (size_t)n, f) != (size_t)n)) { fprintf(stderr, "cannot read %%s\n", p); exit(2); }
    fclose(f);
    return b;
}
static void save(const char *dir, const char *v, int k, const void *b, long n)
{
    char p[4096];
    snprintf(p, sizeof p, "%%s/out_%%s_%%d.bin", dir, v, k);
    FILE *f = fopen(p, "wb");
    if (!f || fwrite(b, 1, (size_t)n, f) != (size_t)n || fclose(f)) { fprintf(stderr, "cannot write %%s\n", p); exit(2); }
}
static void *poisoned(long n, long align)
{
    long size = (n + align) / align * align;
    void *b = NULL;
    if (posix_memalign(&b, (size_t)align, (size_t)size) != 0) exit(2);
    memset(b, 0xff, (size_t)size); /* NaN in every float */
    return b;
}
int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : ".", *odir = argc > 2 ? argv[2] : ".";
    const void *in[%(n_in)d + 1];
    (void)in;
%(load)s
%(runs)s
    return 0;
}
"""

RUN = r"""    {
        void *out[%(n_out)d + 1];
        long bytes[%(n_out)d + 1] = {%(bytes)s};
        int k, rc;
        void *ws = poisoned((long)%(P)s_WORKSPACE_SIZE, 64);
        for (k = 0; k < %(n_out)d; k++) out[k] = poisoned(bytes[k], 64);
        rc = %(p)s_run(in, out, ws);
        printf("%(p)s %%d\n", rc);
        for (k = 0; k < %(n_out)d; k++) { save(odir, "%(p)s", k, out[k], bytes[k]); free(out[k]); }
        free(ws);
    }
"""


def build_and_run(nnc, d, case, targets, opts, cc, cflags, rt):
    """Compiles the variants; returns ({variant: outputs info}, {variant: nnc error}, build error)."""
    errors, variants = {}, {}
    bdir = os.path.join(d, "build")
    os.makedirs(bdir, exist_ok=True)
    tus = []
    for t in targets:
        srcs = []
        for o in opts:
            v = "v_%s_o%d" % (t, o)
            r = subprocess.run([nnc, os.path.join(d, "model.onnx"), "-o", os.path.join(bdir, v + ".c"), "--prefix", v,
                                "--target", t, "--opt", str(o)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
            if r.returncode != 0:
                errors[v] = r.stdout.strip()
                continue
            variants[v] = header_outputs(os.path.join(bdir, v + ".h"))
            srcs.append(v)
        if srcs:
            tu = os.path.join(bdir, "tu_%s.c" % t)
            with open(tu, "w") as f:
                f.write("".join('#include "%s.c"\n' % v for v in srcs))
            tus.append(tu)
    if not variants:
        return variants, errors, None
    ins = case["inputs"]
    load = "".join('    in[%d] = load(dir, "%s", %dL);\n' % (k, i["file"], int(np.prod(i["shape"], dtype=np.int64)) *
                                                               np.dtype(NP_OF[i["dtype"]]).itemsize)
                   for k, i in enumerate(ins))
    runs = "".join(RUN % {"p": v, "P": v.upper(), "n_out": len(o), "bytes": ", ".join(
        "%dL" % (size * np.dtype(NP_OF[dt]).itemsize) for dt, _, size in o) or "0"} for v, o in variants.items())
    with open(os.path.join(bdir, "main.c"), "w") as f:
        f.write(HARNESS % {"includes": "".join('#include "%s.h"\n' % v for v in variants), "n_in": len(ins),
                           "load": load, "runs": runs})
    exe = os.path.join(bdir, "difftest_main")
    r = subprocess.run([cc] + cflags.split() + ["-std=c99", "-Wall", "-Werror=implicit-function-declaration", "-I" + rt[0], "-I" + bdir, "-o", exe,
                                                  os.path.join(bdir, "main.c")] + tus + [rt[1], "-lm"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if r.returncode != 0:
        return variants, errors, "C build failed: " + r.stdout[-2000:]
    r = subprocess.run([exe, d, bdir], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    if r.returncode != 0:
        return variants, errors, "harness exited %d: %s" % (r.returncode, r.stdout[-2000:])
    for line in r.stdout.splitlines():
        v, rc = line.split()
        if rc != "0":
            errors[v] = "%s_run returned %s" % (v, rc)
            variants.pop(v, None)
    return variants, errors, None


# ---------------------------------------------------------------- comparing
def compare(want, got, rtol, atol):
    """None when got matches want, else a short description."""
    if want.dtype != got.dtype:
        return "dtype %s, want %s" % (got.dtype, want.dtype)
    if want.shape != got.shape:
        return "shape %s, want %s" % (got.shape, want.shape)
    if want.size == 0:
        return None
    if want.dtype.kind != "f":
        bad = np.flatnonzero(want.ravel() != got.ravel())
        if bad.size:
            i = bad[0]
            return "%d of %d elements differ; first at %s: got %s want %s" % (
                bad.size, want.size, np.unravel_index(i, want.shape), got.ravel()[i], want.ravel()[i])
        return None
    w, g = want.ravel().astype(np.float64), got.ravel().astype(np.float64)
    wn, gn = np.isnan(w), np.isnan(g)
    fin = np.isfinite(w) & np.isfinite(g)
    err = np.zeros_like(w)
    err[fin] = np.abs(g[fin] - w[fin])
    ok = np.zeros(w.shape, bool)
    ok[fin] = err[fin] <= atol + rtol * np.abs(w[fin])
    ok |= wn & gn
    ok |= np.isinf(w) & (w == g)
    bad = np.flatnonzero(~ok)
    if not bad.size:
        return None
    i = bad[np.argmax(np.where(np.isfinite(err[bad]), err[bad], np.inf))] if fin[bad].any() else bad[0]
    return "%d of %d elements off; worst at %s: got %.7g want %.7g (max abs err %.3g)" % (
        bad.size, w.size, tuple(int(v) for v in np.unravel_index(i, want.shape)), g[i], w[i],
        float(np.max(err[bad][np.isfinite(err[bad])], initial=0)))


def check_case(args, d, targets, rt):
    """Returns a dict: graphs, variants, failures [(graph, recipe, output, variant, why)], notes."""
    with open(os.path.join(d, "case.json")) as f:
        case = json.load(f)
    with open(os.path.join(d, "ref.json")) as f:
        ref = json.load(f)
    res = {"dir": d, "graphs": len(case["graphs"]), "variants": 0, "fail": [], "model": case["model"],
           "seed": case["seed"], "only": case.get("only")}
    if "error" in ref:
        res["fail"].append((None, None, None, "ort", "ORT rejects the model (generator fault): " + ref["error"]))
        return res
    variants, errors, build_err = build_and_run(args.nnc, d, case, targets, args.opts, args.cc, args.cflags, rt)
    for v, e in sorted(errors.items()):
        res["fail"].append((None, None, None, v, "nnc: " + e.splitlines()[-1]))
    if build_err:
        res["fail"].append((None, None, None, "build", build_err))
        return res
    res["variants"] = len(variants)
    wants = []
    for k, (o, info) in enumerate(zip(case["outputs"], ref["outputs"])):
        a = np.fromfile(os.path.join(d, "ref_%d.bin" % k), dtype=NP_OF[info["dtype"]]).reshape(info["shape"])
        wants.append(a)
    for v, outs in variants.items():
        for k, (o, (dt, dims, size)) in enumerate(zip(case["outputs"], outs)):
            g = np.fromfile(os.path.join(d, "build", "out_%s_%d.bin" % (v, k)), dtype=NP_OF[dt]).reshape(dims)
            why = compare(wants[k], g, args.rtol, args.atol)
            if why:
                res["fail"].append((o["graph"], o["recipe"], o["name"], v, why))
    if not args.keep and not res["fail"]:
        shutil.rmtree(os.path.join(d, "build"), ignore_errors=True)
    return res


# ---------------------------------------------------------------- minimising
def minimize(args, res, targets, rt):
    """Rebuild the first failing subgraph alone; cut it after the first node
    whose output mismatches. Returns the directory of the smallest failing model."""
    import onnx
    from onnx import helper, TensorProto
    graph = next(f[0] for f in res["fail"] if f[0] is not None)
    variant = next(f[3] for f in res["fail"] if f[0] == graph)
    t, o = variant[2:].rsplit("_o", 1)
    base = os.path.join(args.work, "min", "s%d_m%d_g%d" % (res["seed"], res["model"], graph))
    model, feeds, outs = gen_graphs.build_model(res["seed"], res["model"], [graph], res["only"])
    margs = argparse.Namespace(**vars(args))
    margs.opts = [int(o)]

    def attempt(name, m, outs_):
        d = os.path.join(base, name)
        shutil.rmtree(d, ignore_errors=True)
        gen_graphs.write_case(d, m, feeds, outs_, {"seed": res["seed"], "model": res["model"], "graphs": [graph],
                                                   "only": res["only"]})
        run_ort(args.ort_dir, [d])
        r = check_case(margs, d, [t], rt)
        return d, [f for f in r["fail"] if f[3] == variant]

    d, fails = attempt("whole", model, outs)
    if not fails:
        print("  minimize: subgraph %d alone passes (the mismatch needs the other subgraphs)" % graph)
        return None
    best = d
    # cut after each node in turn (schedule order); the first that fails is the minimum prefix
    for i, n in enumerate(model.graph.node):
        for out_name in n.output:
            g = onnx.GraphProto()
            g.CopyFrom(model.graph)
            del g.node[i + 1:]
            del g.output[:]
            g.output.append(helper.make_tensor_value_info(out_name, TensorProto.UNDEFINED, None))
            used = {x for nn in g.node for x in nn.input}
            keep_in = [vi for vi in g.input if vi.name in used]
            keep_feeds = [f for vi, f in zip(model.graph.input, feeds) if vi.name in used]
            del g.input[:]
            g.input.extend(keep_in)
            inits = [x for x in g.initializer if x.name in used]
            del g.initializer[:]
            g.initializer.extend(inits)
            m = helper.make_model(g, opset_imports=model.opset_import)
            try:
                m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
            except Exception:
                continue
            nonlocal_feeds = keep_feeds
            d2 = os.path.join(base, "cut%03d" % i)
            shutil.rmtree(d2, ignore_errors=True)
            gen_graphs.write_case(d2, m, nonlocal_feeds, [{"name": out_name, "graph": graph, "recipe": "min",
                                                           "what": n.op_type}],
                                  {"seed": res["seed"], "model": res["model"], "graphs": [graph], "only": res["only"]})
            run_ort(args.ort_dir, [d2])
            r = check_case(margs, d2, [t], rt)
            if [f for f in r["fail"] if f[3] == variant]:
                print("  minimize: fails already after node %d (%s -> %s), %d nodes" % (i, n.op_type, out_name, i + 1))
                return d2
            shutil.rmtree(d2, ignore_errors=True)
    return best


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nnc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--models", type=int, default=10)
    ap.add_argument("--graphs", type=int, default=8)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--only", default=None)
    ap.add_argument("--opts", default="0,1,2")
    ap.add_argument("--targets", default="generic,avx2,avx512")
    ap.add_argument("-j", type=int, default=2)
    ap.add_argument("--ort-dir", default=None)
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-4)
    ap.add_argument("--cc", default=os.environ.get("CC", "gcc"))
    ap.add_argument("--cflags", default="-O1")
    ap.add_argument("--keep", action="store_true", help="keep the build folders of passing models")
    ap.add_argument("--minimize", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    args = ap.parse_args()
    args.nnc = os.path.abspath(args.nnc)
    args.work = os.path.abspath(args.work)
    args.opts = [int(o) for o in args.opts.split(",")]
    args.ort_dir = os.path.abspath(args.ort_dir or os.path.join(args.work, "ort"))
    only = args.only.split(",") if args.only else None
    t0 = time.time()
    why = ensure_ort(args.ort_dir)
    if why:
        print("SKIP: difftest needs ONNX Runtime as its reference: " + why)
        return SKIP
    targets = runnable(args.targets.split(","))
    for t in args.targets.split(","):
        if t not in targets:
            print("note: %s skipped (CPU lacks it)" % t)
    cflags = subprocess.run([args.nnc, "--cflags"], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    libs = subprocess.run([args.nnc, "--libs"], stdout=subprocess.PIPE, text=True, check=True).stdout.split()
    rt = (cflags[0][2:], libs[0])
    cases = os.path.join(args.work, "cases")
    shutil.rmtree(cases, ignore_errors=True)
    dirs = gen_graphs.generate(cases, args.seed, args.models, args.graphs, only, args.first)
    t1 = time.time()
    run_ort(args.ort_dir, dirs)
    t2 = time.time()
    print("difftest: seed %d, %d models x %d graphs, targets %s, --opt %s; generated in %.0f s, ORT %.0f s" % (
        args.seed, len(dirs), args.graphs, ",".join(targets), ",".join(map(str, args.opts)), t1 - t0, t2 - t1),
        flush=True)
    n_graphs = n_var = 0
    failed = []
    with concurrent.futures.ThreadPoolExecutor(args.j) as ex:
        for res in ex.map(lambda d: check_case(args, d, targets, rt), dirs):
            n_graphs += res["graphs"]
            n_var += res["variants"]
            name = os.path.basename(res["dir"])
            if res["fail"]:
                failed.append(res)
                bad_graphs = sorted({f[0] for f in res["fail"] if f[0] is not None})
                print("FAIL %s (seed %d model %d): %d problems, subgraphs %s" % (
                    name, res["seed"], res["model"], len(res["fail"]), bad_graphs), flush=True)
                for g, recipe, out, v, w in res["fail"][:12]:
                    print("    %s%s%s: %s" % (v, "" if g is None else " graph %d (%s)" % (g, recipe),
                                             "" if out is None else " output %s" % out, w[:400]))
            elif not args.quiet:
                print("ok   %s (%d graphs, %d variants)" % (name, res["graphs"], res["variants"]), flush=True)
    if args.minimize:
        for res in failed:
            if any(f[0] is not None for f in res["fail"]):
                d = minimize(args, res, targets, rt)
                if d:
                    print("  minimal failing model: %s" % d)
    print("difftest: %d graphs in %d models, %d compiled variants, %d models failed; %.0f s" % (
        n_graphs, len(dirs), n_var, len(failed), time.time() - t0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
