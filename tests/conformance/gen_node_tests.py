#!/usr/bin/python3
"""Generate the ONNX backend *node* conformance tests into OUTDIR.

Usage: /usr/bin/python3 tests/conformance/gen_node_tests.py OUTDIR [--force]

Debian's python3-onnx (1.12) does not ship the backend test data, and its
case generators still use numpy aliases (np.float, np.bool, np.object, ...)
that numpy >= 1.24 removed.  This script:

  * restores those aliases before importing onnx's generators;
  * makes generation robust: each `export*` case generator runs under its own
    try/except (they run at class-definition time via a metaclass, so one
    crash would otherwise abort the import of the whole module), module
    imports are guarded, and each case is written by a separate call to
    onnx.backend.test.cmd_tools.generate_data (the function the
    `generate-data` command uses), so one bad case cannot abort the rest;
  * only writes node tests (OUTDIR/node/test_xxx/{model.onnx,
    test_data_set_N/input_K.pb, output_K.pb}); model ("real"/"simple")
    tests are skipped;
  * is idempotent: if OUTDIR/.nnc_node_tests_stamp exists and matches the
    onnx/numpy versions, it exits immediately.  Use --force to regenerate.

Failures are listed on stderr and in OUTDIR/generation_failures.txt.
Exit status is 0 even if some generators failed (they are reported), and
non-zero only if nothing could be generated.
"""

import argparse
import importlib
import json
import os
import pkgutil
import sys
import time
import warnings

STAMP = ".nnc_node_tests_stamp"
FAILURES = "generation_failures.txt"


def restore_numpy_aliases(np):
    aliases = {
        "float": float, "int": int, "bool": bool, "object": object,
        "str": str, "complex": complex, "long": int, "unicode": str,
    }
    for name, value in aliases.items():
        try:
            getattr(np, name)
        except AttributeError:
            setattr(np, name, value)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--force", action="store_true",
                    help="regenerate even if the stamp file is present")
    ap.add_argument("--no-alias-fix", action="store_true",
                    help=argparse.SUPPRESS)  # debug: shows which generators need the aliases
    args = ap.parse_args()

    warnings.simplefilter("ignore")  # alias FutureWarnings, overflow etc.
    import numpy as np
    if not args.no_alias_fix:
        restore_numpy_aliases(np)
    import onnx

    outdir = os.path.abspath(args.outdir)
    stamp_path = os.path.join(outdir, STAMP)
    stamp_key = {"onnx": onnx.__version__, "numpy": np.__version__,
                 "format": 1}
    if not args.force and os.path.exists(stamp_path):
        try:
            with open(stamp_path) as f:
                old = json.load(f)
            if all(old.get(k) == v for k, v in stamp_key.items()):
                print(f"{outdir}: up to date ({old.get('generated')} node "
                      f"tests, onnx {old['onnx']}); use --force to redo")
                return 0
        except (OSError, ValueError):
            pass

    t0 = time.time()
    failures = []  # (where, message)
    notes = []     # harmless oddities of upstream onnx (duplicate names)

    # --- make each export* generator independently fail-safe -------------
    from onnx.backend.test.case import base as case_base

    def safe_exporter_init(cls, name, bases, dct):
        for k, v in dct.items():
            if k.startswith("export"):
                if not isinstance(v, staticmethod):
                    raise ValueError("Only staticmethods could be named as export.*")
                export = getattr(cls, k)
                try:
                    case_base.Snippets[name].append(
                        case_base.process_snippet(name, k, export))
                except Exception:
                    pass  # snippets are only for docs
                np.random.seed(seed=0)
                try:
                    export()
                except Exception as e:  # noqa: BLE001
                    failures.append((f"{cls.__module__}.{name}.{k}",
                                     f"{type(e).__name__}: {e}".splitlines()[0]))
        type.__init__(cls, name, bases, dct)

    case_base._Exporter.__init__ = safe_exporter_init

    # --- guard module imports ----------------------------------------------
    from onnx.backend.test.case import utils as case_utils

    def safe_import_recursive(package):
        for (_loader, name, ispkg) in pkgutil.iter_modules(package.__path__):
            module_name = f"{package.__name__}.{name}"
            try:
                module = importlib.import_module(module_name)
            except Exception as e:  # noqa: BLE001
                failures.append((module_name, "import failed: " +
                                 f"{type(e).__name__}: {e}".splitlines()[0]))
                continue
            if ispkg:
                safe_import_recursive(module)

    case_utils.import_recursive = safe_import_recursive
    import onnx.backend.test.case.node as node_test
    node_test.import_recursive = safe_import_recursive

    from onnx.backend.test import cmd_tools
    import onnx.backend.test.case.model as model_test

    cases = node_test.collect_testcases(None)
    collected = time.time()

    # --- write each case with the stock generate_data, one at a time -------
    model_test.collect_testcases = lambda: []
    orig_node_collect = node_test.collect_testcases
    os.makedirs(outdir, exist_ok=True)
    if os.path.exists(stamp_path):
        os.remove(stamp_path)
    written = 0
    seen = set()
    try:
        for case in cases:
            if case.name in seen:
                # upstream bug in onnx 1.12: two generators use the same
                # name; the stock tool also lets the later one win.
                notes.append((case.name, "duplicate test name, later case kept"))
            seen.add(case.name)
            node_test.collect_testcases = lambda _op, _c=case: [_c]
            try:
                cmd_tools.generate_data(argparse.Namespace(output=outdir, op_type=None))
                written += 1
            except Exception as e:  # noqa: BLE001
                failures.append((case.name, "write failed: " +
                                 f"{type(e).__name__}: {e}".splitlines()[0]))
    finally:
        node_test.collect_testcases = orig_node_collect

    elapsed = time.time() - t0
    with open(os.path.join(outdir, FAILURES), "w") as f:
        for where, msg in failures:
            f.write(f"{where}\t{msg}\n")
    for where, msg in failures:
        print(f"generator failure: {where}: {msg}", file=sys.stderr)
    for where, msg in notes:
        print(f"note: {where}: {msg}", file=sys.stderr)
    node_dir = os.path.join(outdir, "node")
    ndirs = len([d for d in os.listdir(node_dir) if d.startswith("test_")]
                ) if os.path.isdir(node_dir) else 0
    print(f"{ndirs} node test dirs ({written} cases) written to {os.path.join(outdir, 'node')} "
          f"in {elapsed:.1f}s (collect {collected - t0:.1f}s); "
          f"{len(failures)} generator failures")
    if written == 0:
        return 1
    with open(stamp_path, "w") as f:
        json.dump(dict(stamp_key, generated=ndirs, failures=len(failures),
                       seconds=round(elapsed, 1)), f)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
