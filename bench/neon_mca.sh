#!/usr/bin/env bash
# neon_mca.sh: static throughput of the NEON kernels' inner loops (issue 11).
# Timing under qemu means nothing, so this script compiles nnc's --target neon
# output for AArch64 and asks llvm-mca how fast each kernel's inner loop runs.
#   bench/neon_mca.sh [NNC]        (default build/nnc; needs clang and llvm-mca,
#                                   aarch64-linux-gnu-gcc optional)
# Per kernel family (gemm: the packed Gemm's 8x12 register tile; conv_nchwc:
# the channel-blocked direct convolution's full tile; depthwise: the NCHW4c
# depthwise tile; winograd: the tile under Winograd's batched GEMM) it writes
# a small model in the nnc model language, generates C, compiles it with
# -O2 -S for each CPU and compiler, and takes the innermost loop (a backward
# branch with no other loop inside) of that kernel's functions with the most
# fmla instructions. Nothing is added to the generated code; the kernels stay
# their own symbols by -fno-inline-functions (clang) and
# -fno-inline-functions-called-once (gcc), which leave the loops inside alone.
# How to read the table, per kernel, compiler and CPU:
#   fma/it   vector FMAs (fmla) per loop iteration; insn/it its instructions
#   mca cyc  llvm-mca's simulated cycles per iteration (100 iterations);
#   rthru    its block reciprocal throughput (the resource bound)
#   %model   fma/it / mca cyc against llvm-mca's own FMA ceiling (see below)
#   %peak    fma/it / (2 * mca cyc): against the hardware peak of 2 128-bit
#            FMAs per cycle (N1: V0/V1; A72: F0/F1)
#   bound    cycles the hardware must spend by the optimisation guides' widths:
#            max(fma/2, load insns/load pipes (N1 2, A72 1),
#                insns/decode width (N1 4, A72 3));
#            %peak@bound = fma / (2 * bound)
# llvm-mca 14 has no Neoverse N1 or Cortex-A72 model of its own: both
# -mcpu values get the Cortex-A57 scheduling model, in which a Q-form fmla
# has reciprocal throughput 1, so its ceiling is 1
# vector FMA per cycle = 50 %peak; %model is measured against the ceiling
# the model itself gives a lone fmla (printed under the table).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NNC="${1:-$HERE/../build/nnc}"
RT="$HERE/../runtime"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
command -v llvm-mca >/dev/null || { echo "neon_mca: llvm-mca not found" >&2; exit 1; }

# one model per family
cat >"$tmp/gemm.nn" <<'NN'
input v: f32[96, 256]
output y = linear(v, out=192) as fc
NN
cat >"$tmp/nchwc.nn" <<'NN'
input x: f32[1, 64, 28, 28]
y = relu(conv2d(x, out=64, kernel=3, stride=2, padding=1) as direct)
output o = relu(conv2d(y, out=64, kernel=3, stride=2, padding=1) as direct2)
NN
cat >"$tmp/dw.nn" <<'NN'
input x: f32[1, 64, 28, 28]
y = relu(conv2d(x, out=64, kernel=1) as pw)
output o = relu(conv2d(y, out=64, kernel=3, padding=1, groups=64) as dw)
NN
cat >"$tmp/wino.nn" <<'NN'
input x: f32[1, 64, 28, 28]
output o = conv2d(x, out=64, kernel=3, padding=1) as wino
NN
# family -> the kernel functions to search (a prefix of their symbols)
declare -A FN=([gemm]=gemm_fc__neon [nchwc]=nchwc_direct__neon_t111 [dw]=dw_dw__neon [wino]=wino_wino__neon)
CPUS="neoverse-n1 cortex-a72"
CCS="clang"
command -v aarch64-linux-gnu-gcc >/dev/null && CCS="clang gcc"
for fam in gemm nchwc dw wino; do
    "$NNC" "$tmp/$fam.nn" --target neon -o "$tmp/$fam.c"
    for cc in $CCS; do
        for cpu in $CPUS; do
            out="$tmp/$fam.$cc.$cpu.s"
            if [ "$cc" = clang ]; then
                clang --target=aarch64-linux-gnu -mcpu="$cpu" -O2 -fno-inline-functions -std=c99 -I"$RT" -S "$tmp/$fam.c" -o "$out"
            else
                aarch64-linux-gnu-gcc -mcpu="$cpu" -O2 -fno-inline-functions-called-once -std=c99 -I"$RT" -S "$tmp/$fam.c" -o "$out"
            fi
        done
    done
done
FNS="$(for k in "${!FN[@]}"; do echo "$k=${FN[$k]}"; done)" CCS="$CCS" CPUS="$CPUS" TMP="$tmp" \
    python3 - <<'PY'
import os, re, subprocess
tmp, fns = os.environ["TMP"], dict(l.split("=") for l in os.environ["FNS"].split())
LABEL = re.compile(r"^(\.?L[\w.$]+):")
BRANCH = re.compile(r"^\s+(b(\.?(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le))?|cbn?z|tbn?z)\s+.*?(\.?L[\w.$]+)\s*$")
DECODE = {"neoverse-n1": 4, "cortex-a72": 3}
LOADP = {"neoverse-n1": 2, "cortex-a72": 1}

def functions(path, prefix):
    """Lines of each function whose symbol starts with prefix."""
    out, cur = [], None
    for line in open(path):
        m = re.match(r"^([A-Za-z_][\w.]*):", line)
        if m:
            cur = [] if m.group(1).startswith(prefix) else None
            if cur is not None: out.append(cur)
            continue
        if cur is not None: cur.append(line.rstrip("\n"))
    return out

def insns(lines):
    return [l.split("//")[0].strip() for l in lines
            if l.startswith("\t") and not l.strip().startswith(".") and l.split("//")[0].strip()]

def inner_loop(path, prefix):
    best = None
    for f in functions(path, prefix):
        where = {}
        loops = []
        for i, l in enumerate(f):
            m = LABEL.match(l)
            if m: where[m.group(1)] = i
            m = BRANCH.match(l)
            if m and m.group(4) in where: loops.append((where[m.group(4)], i))
        for s, e in loops:
            if any(s <= s2 and e2 <= e for s2, e2 in loops if (s2, e2) != (s, e)): continue
            body = insns(f[s + 1:e + 1])
            n = sum(1 for x in body if x.startswith("fmla"))
            if best is None or n > best[0]: best = (n, body)
    return best

def mca(body, cpu):
    r = subprocess.run(["llvm-mca", "-mtriple=aarch64", f"-mcpu={cpu}", "-iterations=100"],
                       input="\n".join(body) + "\n", capture_output=True, text=True, check=True).stdout
    it = int(re.search(r"Iterations:\s+(\d+)", r).group(1))
    cyc = int(re.search(r"Total Cycles:\s+(\d+)", r).group(1))
    rt = float(re.search(r"Block RThroughput:\s+([\d.]+)", r).group(1))
    return cyc / it, rt

def model_fma(cpu):
    """Reciprocal throughput llvm-mca's model gives one fmla .4s (12 independent ones)."""
    body = [f"fmla v{i}.4s, v30.4s, v31.4s" for i in range(12)]
    return mca(body, cpu)[1] / 12

FMA_RT = {cpu: model_fma(cpu) for cpu in os.environ["CPUS"].split()}
rows = [("kernel", "cc", "cpu", "fma/it", "insn/it", "mca cyc", "rthru", "%model", "%peak", "bound", "%peak@bound")]
for fam in ["gemm", "nchwc", "dw", "wino"]:
    for cc in os.environ["CCS"].split():
        for cpu in os.environ["CPUS"].split():
            found = inner_loop(f"{tmp}/{fam}.{cc}.{cpu}.s", fns[fam])
            if not found or not found[0]:
                rows.append((fam, cc, cpu) + ("-",) * 8); continue
            n, body = found
            cyc, rt = mca(body, cpu)
            loads = sum(1 for x in body if re.match(r"(ld|ldr|ldp|ldur)", x.split()[0]))
            bound = max(n / 2, loads / LOADP[cpu], len(body) / DECODE[cpu])
            rows.append((fam, cc, cpu, str(n), str(len(body)), f"{cyc:.2f}", f"{rt:.2f}",
                         f"{100 * n * FMA_RT[cpu] / cyc:.0f}", f"{100 * n / (2 * cyc):.0f}", f"{bound:.2f}",
                         f"{100 * n / (2 * bound):.0f}"))
w = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
for r in rows:
    print("  ".join(c.ljust(w[i]) if i < 3 else c.rjust(w[i]) for i, c in enumerate(r)))
for cpu, rt in FMA_RT.items():
    print(f"llvm-mca model for {cpu}: fmla .4s reciprocal throughput {rt:.2f} "
          f"(ceiling {1 / rt:.1f} vector FMAs per cycle; hardware: 2)")
print(next(l.strip() for l in subprocess.run(["llvm-mca", "--version"], capture_output=True, text=True).stdout.splitlines() if "version" in l))
PY
