#!/usr/bin/python3
"""Run the ONNX backend node conformance tests through `nnc verify`.

Usage:
  /usr/bin/python3 tests/conformance/run_node_tests.py --nnc build/nnc \\
      --data OUTDIR [--ops-from-nnc] [--known-failures FILE] \\
      [--filter REGEX] [-j N] [--timeout S] [--log-dir DIR] [--list] [-v]

OUTDIR is what gen_node_tests.py produced (OUTDIR/node/test_*/...; passing
OUTDIR/node itself also works).

Selection:
  * --filter REGEX keeps only tests whose name matches (re.search).
  * --ops-from-nnc: keep a test only if every op type in its graph
    (including subgraphs) is printed by `nnc --list-ops` and every tensor
    element type (graph inputs/outputs/initializers, shape-inferred
    intermediates, Constant values, Cast `to`) is printed by
    `nnc --list-types` (ONNX names: FLOAT, INT64, ...).  Ops outside the
    default domain are keyed "domain:OpType"; non-tensor values count as the
    pseudo types SEQUENCE / MAP / OPTIONAL / SPARSE_TENSOR.
    Without --ops-from-nnc every (filtered) test is selected.

Each selected test runs `nnc verify DIR/model.onnx DIR/test_data_set_0 ...`
(exit 0 = pass) in a scratch working directory, with a per-test timeout.

Known-failures file: one `test_name  reason...` per line, `#` comments.
A listed test that fails is a "known failure" (does not fail the run); a
listed test that passes is "unexpectedly passing" and fails the run, so the
list stays honest.

Exit status: 0 if no unlisted failures and no unexpected passes, 1
otherwise, 2 on usage/setup errors.  The last line is always
`N passed, M failed` (M = failures not in the known-failures file).
"""

import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ERROR_RE = re.compile(r"error|mismatch|fail|assert|exception|abort|fault|"
                      r"not supported|unsupported|differ", re.I)


# --------------------------------------------------------------------------
# model inspection
# --------------------------------------------------------------------------

def _type_names(type_proto, out):
    """Add the element type names of a TypeProto to `out`."""
    from onnx import TensorProto
    kind = type_proto.WhichOneof("value")
    if kind == "tensor_type":
        et = type_proto.tensor_type.elem_type
        if et:
            out.add(TensorProto.DataType.Name(et))
    elif kind == "sparse_tensor_type":
        out.add("SPARSE_TENSOR")
    elif kind == "sequence_type":
        out.add("SEQUENCE")
        _type_names(type_proto.sequence_type.elem_type, out)
    elif kind == "map_type":
        out.add("MAP")
    elif kind == "optional_type":
        out.add("OPTIONAL")
        _type_names(type_proto.optional_type.elem_type, out)


def _walk_graph(graph, ops, types):
    from onnx import AttributeProto, TensorProto
    for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
        _type_names(vi.type, types)
    for init in graph.initializer:
        types.add(TensorProto.DataType.Name(init.data_type))
    if len(graph.sparse_initializer):
        types.add("SPARSE_TENSOR")
    for node in graph.node:
        if node.domain in ("", "ai.onnx"):
            ops.add(node.op_type)
        else:
            ops.add(f"{node.domain}:{node.op_type}")
        for attr in node.attribute:
            if attr.type == AttributeProto.GRAPH:
                _walk_graph(attr.g, ops, types)
            elif attr.type == AttributeProto.GRAPHS:
                for g in attr.graphs:
                    _walk_graph(g, ops, types)
            elif attr.type == AttributeProto.TENSOR:
                types.add(TensorProto.DataType.Name(attr.t.data_type))
            elif attr.type == AttributeProto.SPARSE_TENSOR:
                types.add("SPARSE_TENSOR")
            elif (attr.name == "to" and attr.type == AttributeProto.INT
                  and node.op_type == "Cast" and attr.i):
                types.add(TensorProto.DataType.Name(attr.i))


def inspect_model(path):
    """Return (sorted op types, sorted element type names)."""
    import onnx
    model = onnx.load(path)
    try:
        model = onnx.shape_inference.infer_shapes(model)
    except Exception:  # noqa: BLE001 - inference is best effort
        pass
    ops, types = set(), set()
    _walk_graph(model.graph, ops, types)
    types.discard("UNDEFINED")
    return sorted(ops), sorted(types)


def _natural_key(s):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def find_tests(data):
    node_dir = os.path.join(data, "node")
    if not os.path.isdir(node_dir):
        node_dir = data
    if not os.path.isdir(node_dir):
        sys.exit(f"error: no such directory: {data}")
    tests = []
    for name in sorted(os.listdir(node_dir)):
        d = os.path.join(node_dir, name)
        if name.startswith("test_") and os.path.isfile(os.path.join(d, "model.onnx")):
            tests.append((name, d))
    if not tests:
        sys.exit(f"error: no test_*/model.onnx under {node_dir} "
                 "(run tests/conformance/gen_node_tests.py first)")
    return tests


# --------------------------------------------------------------------------
# nnc interaction
# --------------------------------------------------------------------------

def nnc_list(nnc, flag):
    try:
        p = subprocess.run([nnc, flag], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        sys.exit(f"error: `{nnc} {flag}` failed: {e}")
    if p.returncode != 0:
        sys.exit(f"error: `{nnc} {flag}` exited {p.returncode}: "
                 f"{p.stderr.strip()[:500]}")
    return {ln.strip() for ln in p.stdout.splitlines() if ln.strip()}


def first_error_line(output, rc):
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    for ln in lines:
        if ERROR_RE.search(ln):
            return ln
    if lines:
        return lines[0]
    if rc < 0:
        try:
            return f"killed by signal {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit status {rc}"


_procs_lock = threading.Lock()
_procs = set()


def run_one(nnc, name, test_dir, timeout, keep_scratch, tol=("1e-3", "1e-5")):
    datasets = sorted((os.path.join(test_dir, d) for d in os.listdir(test_dir)
                       if d.startswith("test_data_set_")
                       and os.path.isdir(os.path.join(test_dir, d))),
                      key=_natural_key)
    cmd = ([nnc, "verify", os.path.join(test_dir, "model.onnx")] + datasets
           + ["--rtol", tol[0], "--atol", tol[1]])
    scratch = tempfile.mkdtemp(prefix=f"nnc_{name}_")
    t0 = time.time()
    try:
        try:
            p = subprocess.Popen(cmd, cwd=scratch, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True,
                                 errors="replace", start_new_session=True)
        except OSError as e:
            return dict(name=name, ok=False, rc=None, output=str(e),
                        first=f"cannot run nnc: {e}", secs=0.0, cmd=cmd)
        with _procs_lock:
            _procs.add(p)
        try:
            out, _ = p.communicate(timeout=timeout)
            rc = p.returncode
            first = None if rc == 0 else first_error_line(out, rc)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # nnc and its children only
            except ProcessLookupError:
                pass
            out, _ = p.communicate()
            rc = None
            first = f"timeout after {timeout:g}s"
        finally:
            with _procs_lock:
                _procs.discard(p)
        return dict(name=name, ok=(rc == 0), rc=rc, output=out or "",
                    first=first, secs=time.time() - t0, cmd=cmd)
    finally:
        if not keep_scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def load_known_failures(path):
    known = {}
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 1)
            known[parts[0]] = parts[1].strip() if len(parts) > 1 else "(no reason given)"
    return known


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description="Run ONNX node conformance tests through `nnc verify`.",
        epilog="See the module docstring for details.")
    ap.add_argument("--nnc", required=True, help="path to the nnc binary")
    ap.add_argument("--data", required=True,
                    help="directory produced by gen_node_tests.py")
    ap.add_argument("--ops-from-nnc", action="store_true",
                    help="select only tests whose ops/types nnc lists "
                         "(nnc --list-ops / --list-types)")
    ap.add_argument("--known-failures", metavar="FILE",
                    help="file of `test_name reason` lines")
    ap.add_argument("--filter", metavar="REGEX",
                    help="only tests whose name matches REGEX (re.search)")
    ap.add_argument("-j", "--jobs", type=int, default=2,
                    help="parallel workers (default 2)")
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="per-test timeout in seconds (default 60)")
    ap.add_argument("--log-dir", metavar="DIR",
                    help="write full nnc output of every failing test to "
                         "DIR/test_name.log")
    ap.add_argument("--keep-scratch", action="store_true",
                    help="keep each test's scratch working directory")
    ap.add_argument("--list", action="store_true",
                    help="print the selected tests and exit without running")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every result and the most-wanted missing ops")
    args = ap.parse_args()

    nnc = args.nnc
    if os.sep in nnc:
        nnc = os.path.abspath(nnc)
    if shutil.which(nnc) is None:
        print(f"error: nnc not found or not executable: {args.nnc}", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("error: -j must be >= 1", file=sys.stderr)
        return 2
    try:
        name_re = re.compile(args.filter) if args.filter else None
    except re.error as e:
        print(f"error: bad --filter: {e}", file=sys.stderr)
        return 2
    known = load_known_failures(args.known_failures) if args.known_failures else {}

    ops_ok = types_ok = None
    if args.ops_from_nnc:
        ops_ok = nnc_list(nnc, "--list-ops")
        types_ok = nnc_list(nnc, "--list-types")

    all_tests = find_tests(os.path.abspath(args.data))
    all_names = {n for n, _ in all_tests}
    selected = []
    test_ops = {}
    skipped = collections.Counter()          # reason -> count
    missing_ops = collections.Counter()      # op -> tests blocked
    missing_types = collections.Counter()
    filtered_out = 0
    for name, d in all_tests:
        if name_re and not name_re.search(name):
            filtered_out += 1
            continue
        if ops_ok is not None:
            try:
                ops, types = inspect_model(os.path.join(d, "model.onnx"))
            except Exception as e:  # noqa: BLE001
                skipped["unreadable model"] += 1
                if args.verbose:
                    print(f"SKIP {name}: cannot load model: {e}")
                continue
            bad_ops = [o for o in ops if o not in ops_ok]
            bad_types = [t for t in types if t not in types_ok]
            missing_ops.update(bad_ops)
            missing_types.update(bad_types)
            if bad_ops:
                skipped["unsupported op"] += 1
                continue
            if bad_types:
                skipped["unsupported type"] += 1
                continue
        selected.append((name, d))
        test_ops[name] = ops if ops_ok is not None else set()

    if args.list:
        for name, _ in selected:
            print(name)
        print(f"{len(selected)} selected, {sum(skipped.values())} skipped, "
              f"{filtered_out} filtered out")
        return 0

    if args.log_dir:
        os.makedirs(args.log_dir, exist_ok=True)

    results = []
    t0 = time.time()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = [ex.submit(run_one, nnc, n, d, args.timeout, args.keep_scratch)
                for n, d in selected]
        try:
            for fut in concurrent.futures.as_completed(futs):
                r = fut.result()
                results.append(r)
                if args.verbose:
                    print(f"{'ok  ' if r['ok'] else 'FAIL'} {r['name']} "
                          f"({r['secs']:.1f}s)", flush=True)
        except KeyboardInterrupt:
            for f in futs:
                f.cancel()
            with _procs_lock:
                for p in list(_procs):
                    try:
                        os.killpg(p.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            print("interrupted", file=sys.stderr)
            raise
    wall = time.time() - t0
    results.sort(key=lambda r: r["name"])

    passed = [r for r in results if r["ok"]]
    failed = [r for r in results if not r["ok"] and r["name"] not in known]
    known_failed = [r for r in results if not r["ok"] and r["name"] in known]
    xpass = [r for r in passed if r["name"] in known]

    if args.log_dir:
        for r in failed + known_failed:
            with open(os.path.join(args.log_dir, r["name"] + ".log"), "w") as f:
                f.write("$ " + " ".join(r["cmd"]) + "\n")
                f.write(f"# exit: {r['rc']}  time: {r['secs']:.1f}s\n")
                f.write(r["output"])

    for r in failed:
        print(f"FAIL {r['name']}: {r['first']}")
    for r in known_failed:
        print(f"KNOWN FAIL {r['name']}: {r['first']}  [listed: {known[r['name']]}]")
    for r in xpass:
        print(f"UNEXPECTEDLY PASSING {r['name']}  [listed: {known[r['name']]}] "
              "-- remove it from the known-failures file")
    stale = sorted(n for n in known if n not in all_names)
    for n in stale:
        print(f"warning: known-failures entry {n} matches no test directory")

    if args.verbose and missing_ops:
        print("\nmost-wanted missing ops (tests blocked):")
        for op, c in missing_ops.most_common(15):
            print(f"  {op:<28}{c:>5}")
        if missing_types:
            print("missing types (tests using them):")
            for t, c in missing_types.most_common():
                print(f"  {t:<28}{c:>5}")

    # every op nnc registers must be exercised by at least one passing test
    uncovered = []
    if ops_ok is not None and not name_re:
        covered = set()
        for r in passed:
            covered.update(test_ops.get(r["name"], ()))
        uncovered = sorted(o for o in ops_ok if o not in covered)
        for o in uncovered:
            print(f"NO PASSING TEST for op {o}")

    n_sel = len(selected)
    rows = [
        ("selected", n_sel),
        ("  passed", len(passed)),
        ("    unexpectedly passing", len(xpass)),
        ("  failed", len(failed)),
        ("  known failures", len(known_failed)),
        ("skipped", sum(skipped.values())),
    ]
    for reason in ("unsupported op", "unsupported type", "unreadable model"):
        if reason in skipped or reason != "unreadable model":
            rows.append((f"  {reason}", skipped.get(reason, 0)))
    if name_re:
        rows.append(("filtered out (--filter)", filtered_out))
    rate = f"{100.0 * len(passed) / n_sel:.1f}%" if n_sel else "n/a"
    print("\n" + "-" * 36)
    for label, val in rows:
        print(f"{label:<28}{val:>8}")
    print(f"{'pass rate':<28}{rate:>8}")
    print(f"{'wall time':<28}{wall:>7.1f}s")
    print("-" * 36)
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if (failed or xpass or uncovered) else 0


if __name__ == "__main__":
    sys.exit(main())
