#!/usr/bin/python3
"""Bad model-language sources and weights files: each must fail with exit
status 1, no output file, and a gcc-style first line
`FILE:LINE:COL: error: TEXT` followed by the source line and a caret.

Usage: run_bad_dsl.py NNC

tests/dsl/bad/*.nn carry their expected first line after `# expect: `
(LINE:COL: error: TEXT, compared exactly). The weights cases below write
their safetensors files at run time; their expectation is a line prefix and
a text the message must contain. One warning case (an unused tensor) must
compile and warn. CONVERT_CASES compile but cannot be written to ONNX: the
same rules for `nnc convert SRC -o OUT.onnx`.
"""
import glob
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
LINEAR = "input x: f32[1, 4]\noutput y = linear(x, out=3) as fc\n"


def st_bytes(entries, data=b"", raw_header=None):
    h = raw_header if raw_header is not None else json.dumps(entries).encode()
    return struct.pack("<Q", len(h)) + h + data


def good_linear(extra=None, wshape=(3, 4), dtype="F32"):
    n = 1
    for d in wshape:
        n *= d
    size = {"F32": 4, "I64": 8}[dtype]
    e = {"fc.weight": {"dtype": dtype, "shape": list(wshape), "data_offsets": [0, n * size]},
         "fc.bias": {"dtype": "F32", "shape": [3], "data_offsets": [n * size, n * size + 12]}}
    data = b"\0" * (n * size + 12)
    if extra:
        e[extra] = {"dtype": "F32", "shape": [1], "data_offsets": [len(data), len(data) + 4]}
        data += b"\0" * 4
    return st_bytes(e, data)


WEIGHT_CASES = [
    # name, weights bytes, expected location (or None), expected text
    ("missing", st_bytes({"fc.weight": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48]}}, b"\0" * 48),
     "3:12: error:", "linear(): 'fc.bias' is not in"),
    ("wrong_shape", good_linear(wshape=(4, 3)), "3:12: error:",
     "W.safetensors has shape [4,3] but the layer needs [3,4]"),
    ("wrong_dtype", good_linear(dtype="I64"), "3:12: error:",
     "W.safetensors is I64; a float tensor (F32, F16, BF16, F64) is needed"),
    ("offsets_outside", st_bytes({"fc.weight": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 48]}}, b"\0" * 8),
     None, "'fc.weight': data_offsets [0, 48] lie outside the 8 data bytes"),
    ("offsets_size", st_bytes({"fc.weight": {"dtype": "F32", "shape": [3, 4], "data_offsets": [0, 44]}}, b"\0" * 48),
     None, "'fc.weight': data_offsets [0, 44] hold 44 bytes but F32 needs 48"),
    ("header_too_long", struct.pack("<Q", 1 << 40) + b"{}", None, "header length 1099511627776 exceeds the file"),
    ("header_not_json", st_bytes(None, raw_header=b"[1, 2]"), None, "header is not a JSON object"),
    ("header_truncated", st_bytes(None, raw_header=b'{"fc.weight": {"dtype": "F3'), None, "string is not closed"),
    ("duplicate", st_bytes(None, raw_header=b'{"a": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]},'
                                                b' "a": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}',
                           ) + b"\0" * 4, None, "tensor 'a' appears twice"),
    ("short_file", b"\1\0\0", None, "shorter than the 8-byte header length"),
]


# Sources that compile but cannot be converted to ONNX (`nnc convert SRC -o
# OUT.onnx`): the source and the expected first line after the file name.
CONVERT_CASES = [
    ("input x: f32[2, 3]\ny = relu(x)\nz = Softmax(y, axis=0, _opset=11)\noutput z\n",
     "3:5: error: Softmax with _opset=11 cannot be written to ONNX: an ONNX file has one opset (17 here), "
     "under which Softmax means something else"),
]


def run(nnc, src, out_dir, weights=None, out_name="out.c"):
    out = os.path.join(out_dir, out_name)
    cmd = ([nnc, "convert"] if out_name.endswith(".onnx") else [nnc]) + [src, "-o", out] + \
        (["--safetensors", weights] if weights else [])
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    left = os.listdir(out_dir)
    return p.returncode, p.stderr, left


def main():
    nnc = os.path.abspath(sys.argv[1])
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = os.path.join(tmp, "out")
        os.mkdir(out_dir)
        for case in sorted(glob.glob(os.path.join(HERE, "bad", "*.nn"))):
            with open(case, "rb") as f:
                want = f.readline().decode().split("# expect: ", 1)[1].rstrip("\n")
            rc, err, left = run(nnc, case, out_dir)
            lines = err.splitlines()
            first = lines[0] if lines else ""
            ok = rc == 1 and not left and first == case + ":" + want and len(lines) >= 3 and lines[2].strip() == "^"
            print("%s %s" % ("ok  " if ok else "FAIL", os.path.basename(case)))
            if not ok:
                failures += 1
                print("  want: %s:%s (exit 1, source line, caret)\n  got (exit %d, left %s):\n%s" % (case, want, rc, left, err))
        for k, (text, want) in enumerate(CONVERT_CASES):
            src = os.path.join(tmp, "convert_%d.nn" % k)
            with open(src, "w") as f:
                f.write(text)
            rc, err, left = run(nnc, src, out_dir, out_name="out.onnx")
            lines = err.splitlines()
            ok = rc == 1 and not left and lines[:1] == [src + ":" + want] and len(lines) >= 3 and lines[2].strip() == "^"
            print("%s convert_%d" % ("ok  " if ok else "FAIL", k))
            if not ok:
                failures += 1
                print("  want: %s:%s (exit 1, source line, caret)\n  got (exit %d, left %s):\n%s" % (src, want, rc, left, err))
        src = os.path.join(tmp, "net.nn")
        with open(src, "w") as f:
            f.write("# one linear layer\n" + LINEAR)
        for name, data, loc, text in WEIGHT_CASES:
            w = os.path.join(tmp, "W.safetensors")
            with open(w, "wb") as f:
                f.write(data)
            rc, err, left = run(nnc, src, out_dir, w)
            first = err.splitlines()[0] if err else ""
            prefix = src + ":" + loc if loc else "nnc: error: "
            ok = rc == 1 and not left and first.startswith(prefix) and text in first
            print("%s weights_%s" % ("ok  " if ok else "FAIL", name))
            if not ok:
                failures += 1
                print("  want: %s ... %s\n  got (exit %d, left %s):\n%s" % (prefix, text, rc, left, err))
        w = os.path.join(tmp, "W.safetensors")
        with open(w, "wb") as f:
            f.write(good_linear(extra="fc.scale"))
        rc, err, left = run(nnc, src, out_dir, w)
        want = "%s: warning: tensor 'fc.scale' in %s is not used by any layer" % (src, w)
        ok = rc == 0 and err.strip() == want
        print("%s weights_unused_warning" % ("ok  " if ok else "FAIL"))
        if not ok:
            failures += 1
            print("  want: %s\n  got (exit %d):\n%s" % (want, rc, err))
    print("%d failure(s)" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
