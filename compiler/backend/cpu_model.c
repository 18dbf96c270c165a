/* cpu_model.c — the CPU model table, --cpu native detection, and the
 * Tuning each model gives (see cpu_model.h).
 *
 * What a model changes, and why (docs/tuning.md has the measurements):
 *  - Winograd thresholds come from a row per kind of FMA unit: avx2,
 *    AVX-512 at half rate (512-bit FMAs on 256-bit units: Zen 4), AVX-512 at
 *    full rate (Zen 5, Intel server cores), neon. Only the first two rows
 *    were measured (on a Zen 4); the others hold the same values and say so
 *    in the generated file until bench/tune.sh has measured them.
 *  - Budgets that were sized as a share of a 1 MB L2 (Winograd's V and M
 *    blocks, conv_nchwc's weight chunk) scale with the model's L2 on the x86
 *    targets. Stack buffers (conv_nchwc's copy, the GEMM's packed B) do not:
 *    P_STACK_SIZE must not grow with the CPU.
 *  - Register tiles depend on the register file, which is the ISA's: they
 *    stay per target.
 * Detection reads CPUID only (vendor, family, model, feature bits, cache
 * leaves), never the running core's state, so `--cpu native` gives the same
 * C on every run on one machine; on hybrid CPUs (P- and E-cores, whose
 * cache leaves differ) the table's sizes are used instead of the leaves. */
#include "cpu_model.h"

#include "nnc_runtime.h"

#include <stdlib.h>
#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#define NNC_HAVE_CPUID 1
#endif

/* Sizes per core; L3 as the shared L3 over the cores sharing it, of a
 * typical part (the full-size server die, or the desktop chip). */
#define CPU(name, isa, f128, f256, f512, l1d, l2, l3, desc) \
    {name, desc, isa, {f128, f256, f512}, l1d, l2, l3, NULL, NULL}
static const CpuModel cpu_table[] = {
    /* name             target   FMAs/cycle   L1d   L2    L3 (KB per core) */
    CPU("generic",        "generic", 0, 0, 0,  0,    0,    0, "no CPU model: portable C, nothing is tuned"),
    CPU("generic-avx2",   "avx2",    0, 0, 0,  0,    0,    0,
        "no CPU model: the avx2 target's defaults (measured on a Zen 4)"),
    CPU("generic-avx512", "avx512",  0, 0, 0,  0,    0,    0,
        "no CPU model: the avx512 target's defaults (measured on a Zen 4)"),
    CPU("generic-neon",   "neon",    0, 0, 0,  0,    0,    0,
        "no CPU model: the neon target's defaults (llvm-mca models of Neoverse N1 and Cortex-A72)"),
    CPU("znver3",         "avx2",    2, 2, 0, 32,  512, 4096, "AMD Zen 3 (Ryzen 5000, EPYC 7003)"),
    CPU("znver4",         "avx512",  2, 2, 1, 32, 1024, 4096,
        "AMD Zen 4 (Ryzen 7000, EPYC 9004; 512-bit FMAs on 256-bit units)"),
    CPU("znver5",         "avx512",  2, 2, 2, 48, 1024, 4096, "AMD Zen 5 (Ryzen 9000, EPYC 9005; 512-bit units)"),
    CPU("skylake-avx512", "avx512",  2, 2, 2, 32, 1024, 1408,
        "Intel Skylake-SP / Cascade Lake (Xeon Scalable 1st and 2nd gen, two 512-bit FMA units)"),
    CPU("icelake-server", "avx512",  2, 2, 2, 48, 1280, 1536, "Intel Ice Lake-SP (Xeon Scalable 3rd gen)"),
    CPU("sapphirerapids", "avx512",  2, 2, 2, 48, 2048, 1920,
        "Intel Sapphire Rapids / Emerald Rapids (Xeon Scalable 4th and 5th gen)"),
    CPU("graniterapids",  "avx512",  2, 2, 2, 48, 2048, 4032, "Intel Granite Rapids (Xeon 6 P-cores)"),
    CPU("alderlake",      "avx2",    2, 2, 0, 48, 1280, 1920,
        "Intel Alder Lake / Raptor Lake P-cores (Core 12th-14th gen, AVX2 only)"),
    CPU("cortex-a72",     "neon",    2, 0, 0, 32,  512,    0, "Arm Cortex-A72 (Raspberry Pi 4, Graviton 1)"),
    CPU("neoverse-n1",    "neon",    2, 0, 0, 64, 1024,  512, "Arm Neoverse N1 (Graviton 2, Ampere Altra)"),
};
#define N_CPUS ((int)(sizeof cpu_table / sizeof cpu_table[0]))

/* Winograd thresholds per kind of FMA unit (fields as in Tuning). */
typedef struct WinoRow {
    const char *name;
    int measured; /* 0 no, 1 on a Zen 4, 2 partly on a Zen 5 (the rest Zen 4's) */
    int64_t min_ch, min_plane, f4_tiles, f4_cm, f2_tiles, f2_cm;
} WinoRow;

enum { ROW_AVX2, ROW_AVX512_HALF, ROW_AVX512_FULL, ROW_NEON };
static const WinoRow wino_rows[] = {
    {"avx2", 1, 16, 144, 32, 128 * 128, 16, 2 * 256 * 256},
    {"avx512, 512-bit FMAs at half rate", 1, 16, 144, 32, 128 * 128, 16, 2 * 256 * 256},
    /* measured on a Zen 5 (docs/tuning.md): with Winograd on blocked
     * tensors, F(2x2) on ResNet-18's 512x512 7x7 layers ran 0.94-1.00 ms
     * in the network against direct's 1.38-1.48 (its transformed weights,
     * 16 MB, against 9.4); VGG-11's 8x8 layers had been 1.8x faster with
     * it too. The other thresholds are Zen 4's. */
    {"avx512, 512-bit FMAs at full rate", 2, 16, 49, 32, 128 * 128, 16, 512 * 512},
    {"neon", 0, 16, 144, 32, 128 * 128, 16, 2 * 256 * 256},
};

/* The L2 the budgets below were measured with (Zen 4), and the budgets. */
#define REF_L2_KB 1024
#define REF_WINO_F4_BUDGET (36 * 1024)
#define REF_WINO_F2_BUDGET (144 * 1024)
#define REF_WINO_F4_BIG_U (256 * 1024)
#define REF_NCHWC_WCHUNK 81920
#define REF_NCHWC_MIN_MACS 1024
/* The full-rate AVX-512 row's (Zen 5, alone, plain input and output, with
 * the vector copies of a plain input into conv_nchwc's buffer and of the
 * layout conversions): ResNet-18's 1x1 stride-2 convs of 128 and 256 input
 * channels 0.089 -> 0.066 and 0.081 -> 0.064 ms blocked, its 64-channel one
 * 0.080 -> 0.101 (stays plain), its layer2.0.conv1 (576) 0.651 -> 0.549,
 * the 7x7 stem (147) 1.316 -> 1.207. */
#define FULL_NCHWC_MIN_MACS 128

static const CpuModel *table_row(const char *name)
{
    for (int i = 0; i < N_CPUS; i++)
        if (strcmp(cpu_table[i].name, name) == 0) return &cpu_table[i];
    return NULL;
}

const CpuModel *cpu_model_default(const char *isa)
{
    static const char *const rows[][2] = {
        {"avx2", "generic-avx2"}, {"avx512", "generic-avx512"}, {"neon", "generic-neon"}};
    for (int i = 0; i < 3; i++)
        if (isa && strcmp(isa, rows[i][0]) == 0) return table_row(rows[i][1]);
    return table_row("generic");
}

/* ---- --cpu native ---- */

void cpu_model_x86_signature(unsigned leaf1_eax, unsigned *family, unsigned *model)
{
    unsigned base_family = (leaf1_eax >> 8) & 0xf, base_model = (leaf1_eax >> 4) & 0xf;
    *family = base_family == 0xf ? base_family + ((leaf1_eax >> 20) & 0xff) : base_family;
    *model = base_family == 0x6 || base_family == 0xf ? base_model | ((leaf1_eax >> 16) & 0xf) << 4 : base_model;
}

/* Zen 3 and Zen 4 share family 19h and differ in AVX-512. Intel family 6
 * models as Linux's intel-family.h names them. */
const char *cpu_model_x86_row(const char *vendor, unsigned family, unsigned model, int avx512f)
{
    if (strcmp(vendor, "AuthenticAMD") == 0) {
        if (family == 0x19) return avx512f ? "znver4" : "znver3";
        if (family == 0x1a) return "znver5";
        return NULL;
    }
    if (strcmp(vendor, "GenuineIntel") != 0 || family != 6) return NULL;
    switch (model) {
    case 0x55: return "skylake-avx512"; /* also Cascade Lake, Cooper Lake */
    case 0x6a: case 0x6c: return "icelake-server";
    case 0x8f: case 0xcf: return "sapphirerapids"; /* 0xcf: Emerald Rapids */
    case 0xad: case 0xae: return "graniterapids";
    case 0x97: case 0x9a: case 0xb7: case 0xba: case 0xbf: return "alderlake"; /* and Raptor Lake */
    default: return NULL;
    }
}

int cpu_model_cache_leaf(unsigned eax, unsigned ebx, unsigned ecx, int *level, int *share)
{
    unsigned type = eax & 31;
    *level = (int)((eax >> 5) & 7);
    *share = (int)((eax >> 14) & 0xfff) + 1;
    if (type != 1 && type != 3) return 0; /* none, or an instruction cache */
    uint64_t ways = (ebx >> 22) + 1, parts = ((ebx >> 12) & 0x3ff) + 1, line = (ebx & 0xfff) + 1;
    uint64_t bytes = ways * parts * line * ((uint64_t)ecx + 1);
    return bytes >> 10 < (1u << 30) ? (int)(bytes >> 10) : 0;
}

#ifdef NNC_HAVE_CPUID
typedef struct X86Id {
    char vendor[13];
    unsigned family, model, max_leaf, max_ext;
    int avx512f, hybrid, topoext;
    char brand[49];
} X86Id;

static void x86_identify(X86Id *id)
{
    unsigned a = 0, b = 0, c = 0, d = 0;
    memset(id, 0, sizeof *id);
    __cpuid(0, a, b, c, d);
    id->max_leaf = a;
    memcpy(id->vendor, &b, 4);
    memcpy(id->vendor + 4, &d, 4);
    memcpy(id->vendor + 8, &c, 4);
    __cpuid(1, a, b, c, d);
    cpu_model_x86_signature(a, &id->family, &id->model);
    if (id->max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        id->avx512f = (b >> 16) & 1;
        id->hybrid = (d >> 15) & 1;
    }
    __cpuid(0x80000000, a, b, c, d);
    id->max_ext = a;
    if (id->max_ext >= 0x80000001) {
        __cpuid(0x80000001, a, b, c, d);
        id->topoext = (c >> 22) & 1;
    }
    if (id->max_ext >= 0x80000004) {
        unsigned w[12];
        for (unsigned i = 0; i < 3; i++) __cpuid(0x80000002 + i, w[4 * i], w[4 * i + 1], w[4 * i + 2], w[4 * i + 3]);
        memcpy(id->brand, w, 48);
        size_t s = strspn(id->brand, " "), n = strlen(id->brand + s);
        memmove(id->brand, id->brand + s, n + 1);
        while (n > 0 && id->brand[n - 1] == ' ') id->brand[--n] = 0;
    }
}

/* Data cache sizes in KB from the deterministic cache leaf (Intel 4, AMD
 * 8000001Dh: same layout), L3 divided among the cores sharing it; then
 * AMD's older 80000005h/80000006h for what is still missing (L3 there is
 * the whole chip's, so it is not used). Returns which leaves answered. */
static const char *x86_caches(const X86Id *id, int *l1d, int *l2, int *l3)
{
    int amd = strcmp(id->vendor, "AuthenticAMD") == 0;
    unsigned leaf = !amd && id->max_leaf >= 4 ? 4 : amd && id->topoext && id->max_ext >= 0x8000001d ? 0x8000001d : 0;
    unsigned a, b, c, d;
    int share1 = 1, share3 = 1;
    const char *how = "none";
    *l1d = *l2 = *l3 = 0;
    for (unsigned i = 0; leaf && i < 16; i++) {
        __cpuid_count(leaf, i, a, b, c, d);
        int level, share, kb = cpu_model_cache_leaf(a, b, c, &level, &share);
        if ((a & 31) == 0) break;
        if (!kb) continue;
        if (level == 1) *l1d = kb, share1 = share;
        if (level == 2) *l2 = kb;
        if (level == 3) *l3 = kb, share3 = share;
        how = leaf == 4 ? "CPUID leaf 4" : "CPUID leaf 0x8000001D";
    }
    if (*l3 && share3 >= share1) *l3 /= share3 / share1; /* per core (sharing counts are rounded up) */
    if (amd && (!*l1d || !*l2) && id->max_ext >= 0x80000006) {
        __cpuid(0x80000005, a, b, c, d);
        *l1d = (int)(c >> 24);
        __cpuid(0x80000006, a, b, c, d);
        *l2 = (int)(c >> 16);
        how = "CPUID leaves 0x80000005/6 (L3 from the table)";
        *l3 = 0;
    }
    return how;
}

static int in_range(int kb, int lo, int hi) { return kb >= lo && kb <= hi; }

static CpuModel *x86_native(Arena *a)
{
    X86Id id;
    x86_identify(&id);
    unsigned f = nnc_cpu_features();
    const char *isa = f & NNC_CPU_AVX512 ? "avx512" : f & NNC_CPU_AVX2 ? "avx2" : "generic";
    const char *rname = cpu_model_x86_row(id.vendor, id.family, id.model, id.avx512f);
    const CpuModel *row = rname ? table_row(rname) : cpu_model_default(isa);
    CpuModel *m = arena_alloc(a, sizeof *m);
    *m = *row;
    m->name = "native";
    m->isa = isa; /* what the OS enables, whatever the row says */
    int l1d, l2, l3;
    const char *how = "the table (hybrid CPU: its cores' caches differ)";
    if (!id.hybrid) {
        how = x86_caches(&id, &l1d, &l2, &l3);
        if (in_range(l1d, 8, 1024)) m->l1d_kb = l1d;
        if (in_range(l2, 64, 65536)) m->l2_kb = l2;
        if (in_range(l3, 128, 1 << 20)) m->l3_kb = l3;
    }
    m->row = rname;
    m->found = arena_printf(a, "by CPUID: %s family 0x%x model 0x%02x%s%s%s; cache sizes from %s", id.vendor,
                            id.family, id.model, id.brand[0] ? " '" : "", id.brand, id.brand[0] ? "'" : "", how);
    if (!rname) m->desc = arena_printf(a, "an x86 CPU nnc has no row for (%s)", row->name);
    return m;
}

#else
/* AArch64 Linux: the first core's MIDR fields in /proc/cpuinfo. */
static CpuModel *arm_native(Arena *a)
{
    unsigned impl = 0, part = 0;
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    while (f && fgets(line, sizeof line, f) && !(impl && part)) {
        char *colon = strchr(line, ':');
        if (!colon) continue;
        if (!impl && strncmp(line, "CPU implementer", 15) == 0) impl = (unsigned)strtoul(colon + 1, NULL, 0);
        if (!part && strncmp(line, "CPU part", 8) == 0) part = (unsigned)strtoul(colon + 1, NULL, 0);
    }
    if (f) fclose(f);
    const char *rname = impl == 0x41 && part == 0xd08 ? "cortex-a72" : impl == 0x41 && part == 0xd0c ? "neoverse-n1"
                                                                                                      : NULL;
    CpuModel *m = arena_alloc(a, sizeof *m);
    *m = *(rname ? table_row(rname) : cpu_model_default("neon"));
    m->name = "native";
    m->isa = "neon";
    m->row = rname;
    m->found = arena_printf(a, "by /proc/cpuinfo: implementer 0x%x part 0x%x; cache sizes from the table", impl, part);
    return m;
}
#endif

static CpuModel *detect_native(Arena *a)
{
#ifdef NNC_HAVE_CPUID
    return x86_native(a);
#else
    if (nnc_cpu_features() & NNC_CPU_NEON) return arm_native(a);
    CpuModel *m = arena_alloc(a, sizeof *m);
    *m = *cpu_model_default("generic");
    m->name = "native";
    m->found = "neither x86 nor AArch64: the generic target";
    return m;
#endif
}

/* ---- lookup and checks ---- */

const CpuModel *cpu_model_find(Arena *a, const char *name, const char *isa, char *why, size_t cap)
{
    if (strcmp(name, "native") == 0) return detect_native(a);
    if (strcmp(name, "generic") == 0) return cpu_model_default(isa);
    const CpuModel *m = table_row(name);
    if (m) return m;
    Buf b = {0};
    for (int i = 0; i < N_CPUS; i++) buf_printf(&b, ", %s", cpu_table[i].name);
    snprintf(why, cap, "unknown --cpu '%s' (valid: native%s)", name, b.data);
    buf_free(&b);
    return NULL;
}

static int isa_level(const char *isa) { return strcmp(isa, "avx512") == 0 ? 2 : strcmp(isa, "generic") != 0; }
static int isa_is_arm(const char *isa) { return strcmp(isa, "neon") == 0; }

int cpu_model_runs(const CpuModel *m, const char *isa, char *why, size_t cap)
{
    if (strcmp(isa, "generic") == 0) return 1; /* portable C runs anywhere */
    const char *kind = isa_is_arm(m->isa) ? "an AArch64 CPU" : strcmp(m->isa, "generic") ? "an x86 CPU" : NULL;
    if (kind && isa_is_arm(isa) != isa_is_arm(m->isa)) {
        snprintf(why, cap, "--cpu %s is %s (best target %s): code for --target %s does not run on it", m->name, kind,
                 m->isa, isa);
        return 0;
    }
    if (isa_level(isa) > isa_level(m->isa)) {
        snprintf(why, cap, "--cpu %s has no %s (best target %s): code for --target %s does not run on it", m->name,
                 strcmp(isa, "avx512") == 0 ? "AVX-512" : "SIMD target", m->isa, isa);
        return 0;
    }
    return 1;
}

/* ---- the tuning ---- */

/* A budget measured at REF_L2_KB, scaled to the model's L2 (x86 targets
 * with a known L2 only), in whole KB of floats. */
static int64_t l2_scaled(const CpuModel *m, const char *isa, int64_t ref)
{
    if (!m->l2_kb || (strcmp(isa, "avx2") != 0 && strcmp(isa, "avx512") != 0)) return ref;
    int64_t v = ref * m->l2_kb / REF_L2_KB / 256 * 256;
    return v < 4096 ? 4096 : v;
}

static int wino_row(const CpuModel *m, const char *isa)
{
    if (strcmp(isa, "neon") == 0) return ROW_NEON;
    if (strcmp(isa, "avx2") == 0) return ROW_AVX2;
    return m->fma[2] && m->fma[2] >= m->fma[1] ? ROW_AVX512_FULL : ROW_AVX512_HALF; /* not known: half (measured) */
}

/* One KEY=VALUE of --tune into t; 0 with the reason for a bad one. */
static int tune_one(Tuning *t, const char *kv, size_t n, char *why, size_t cap)
{
    static const char *const wino[] = {"auto", "off", "f4", "f2"};
    const char *eq = memchr(kv, '=', n);
    size_t k = eq ? (size_t)(eq - kv) : n;
    const char *v = eq ? eq + 1 : "";
    size_t vn = eq ? n - k - 1 : 0;
    if (k == 8 && strncmp(kv, "winograd", 8) == 0) {
        for (int i = 0; i < 4; i++)
            if (vn == strlen(wino[i]) && strncmp(v, wino[i], vn) == 0) {
                t->winograd = i;
                return 1;
            }
        snprintf(why, cap, "--tune winograd takes auto, off, f4 or f2, not '%.*s'", (int)vn, v);
        return 0;
    }
    static const struct {
        const char *key;
        long lo, hi;
    } nums[] = {{"kcb", 1, 4096}, {"sr", 1, 4096}, {"kc", 8, 2048}, {"nc", 8, 2048}, {"blocked", 0, 1}};
    for (int i = 0; i < 5; i++) {
        if (k != strlen(nums[i].key) || strncmp(kv, nums[i].key, k) != 0) continue;
        char num[16] = {0}, *end = num;
        memcpy(num, v, vn < sizeof num - 1 ? vn : sizeof num - 1);
        long x = vn && vn < sizeof num ? strtol(num, &end, 10) : 0;
        if (*end || num[0] < '0' || num[0] > '9' || x < nums[i].lo || x > nums[i].hi) {
            snprintf(why, cap, "--tune %s takes a number from %ld to %ld, not '%s'", nums[i].key, nums[i].lo,
                     nums[i].hi, num);
            return 0;
        }
        if (i == 0) t->nchwc_kcb = x;
        if (i == 1) t->nchwc_sr = x;
        if (i == 2) t->gemm_kc = (int)x;
        if (i == 3) t->gemm_nc = (int)x;
        if (i == 4) t->nchwc_min_macs = x ? 0 : REF_NCHWC_MIN_MACS;
        return 1;
    }
    snprintf(why, cap, "--tune '%.*s' is not one of winograd=auto|off|f4|f2, kcb=N, sr=N, kc=N, nc=N, blocked=0|1",
             (int)n, kv);
    return 0;
}

int tuning_derive(Arena *a, const CpuModel *m, const char *isa, const char *forced, Tuning *t, char *why, size_t cap)
{
    memset(t, 0, sizeof *t);
    const WinoRow *w = &wino_rows[wino_row(m, isa)];
    t->cpu = m;
    t->isa = isa;
    t->wino_row = w->name;
    t->wino_measured = w->measured;
    t->wino_min_ch = w->min_ch;
    t->wino_min_plane = w->min_plane;
    t->wino_f4_tiles = w->f4_tiles;
    t->wino_f4_cm = w->f4_cm;
    t->wino_f2_tiles = w->f2_tiles;
    t->wino_f2_cm = w->f2_cm;
    t->wino_f4_budget = l2_scaled(m, isa, REF_WINO_F4_BUDGET);
    t->wino_f2_budget = l2_scaled(m, isa, REF_WINO_F2_BUDGET);
    t->wino_f4_big_u = l2_scaled(m, isa, REF_WINO_F4_BIG_U);
    t->nchwc_wchunk = l2_scaled(m, isa, REF_NCHWC_WCHUNK);
    t->nchwc_min_macs = REF_NCHWC_MIN_MACS;
    t->nchwc_fit_regs = wino_row(m, isa) == ROW_AVX512_FULL;
    if (t->nchwc_fit_regs) t->nchwc_min_macs = FULL_NCHWC_MIN_MACS;
    if (!forced || !*forced) return 1;
    t->forced = arena_strdup(a, forced);
    for (const char *p = forced; *p;) {
        size_t n = strcspn(p, ",");
        if (n && !tune_one(t, p, n, why, cap)) return 0;
        p += n + (p[n] == ',');
    }
    if ((int64_t)(t->gemm_kc ? t->gemm_kc : 256) * (t->gemm_nc ? t->gemm_nc : 128) > 131072) {
        snprintf(why, cap, "--tune kc=%d nc=%d: the packed block (KC * NC floats) must stay within 512 KB of scratch",
                 t->gemm_kc ? t->gemm_kc : 256, t->gemm_nc ? t->gemm_nc : 128);
        return 0;
    }
    return 1;
}

const Tuning *tuning_of(const Graph *g)
{
    static const Tuning defaults = {.isa = "generic",
                                    .wino_row = "avx512, 512-bit FMAs at half rate",
                                    .wino_measured = 1,
                                    .winograd = WINO_AUTO,
                                    .wino_min_ch = 16,
                                    .wino_min_plane = 144,
                                    .wino_f4_tiles = 32,
                                    .wino_f4_cm = 128 * 128,
                                    .wino_f2_tiles = 16,
                                    .wino_f2_cm = 2 * 256 * 256,
                                    .wino_f4_budget = REF_WINO_F4_BUDGET,
                                    .wino_f2_budget = REF_WINO_F2_BUDGET,
                                    .wino_f4_big_u = REF_WINO_F4_BIG_U,
                                    .nchwc_min_macs = REF_NCHWC_MIN_MACS,
                                    .nchwc_wchunk = REF_NCHWC_WCHUNK};
    return g && g->tuning ? g->tuning : &defaults;
}

/* ---- describing it ---- */

static void put_fma(Buf *b, const CpuModel *m)
{
    static const int bits[3] = {128, 256, 512};
    int any = 0;
    for (int i = 0; i < 3; i++)
        if (m->fma[i]) buf_printf(b, "%s%d x %d-bit", any++ ? ", " : "", m->fma[i], bits[i]);
    if (!any) buf_puts(b, "not known");
}

static void put_caches(Buf *b, const CpuModel *m)
{
    if (!m->l1d_kb && !m->l2_kb) {
        buf_puts(b, "caches not known");
        return;
    }
    buf_printf(b, "per core L1d %d KB, L2 %d KB, L3 ", m->l1d_kb, m->l2_kb);
    buf_printf(b, m->l3_kb ? "%d KB" : "none", m->l3_kb);
}

const char *cpu_model_summary(Arena *a, const CpuModel *m)
{
    Buf b = {0};
    if (m->found) buf_printf(&b, "%s: %s ", m->name, m->row ? m->row : "no table row");
    else buf_printf(&b, "%s ", m->name);
    buf_printf(&b, "(%s; best target %s; vector FMAs per cycle: ", m->desc, m->isa);
    put_fma(&b, m);
    buf_puts(&b, "; ");
    put_caches(&b, m);
    buf_printf(&b, ")%s%s", m->found ? "; " : "", m->found ? m->found : "");
    const char *s = arena_strdup(a, b.data);
    buf_free(&b);
    return s;
}

/* One line of the generated comment, wrapped at about 100 columns. */
static void put_wrapped(Buf *out, const char *first, const char *text)
{
    const char *lead = first;
    while (*text) {
        size_t n = strlen(text), width = 100 - strlen(lead);
        if (n > width) {
            n = width;
            while (n > 0 && text[n] != ' ') n--;
            if (n == 0) n = strcspn(text, " ");
        }
        buf_printf(out, "%s%.*s\n", lead, (int)n, text);
        text += n;
        while (*text == ' ') text++;
        lead = " *       ";
    }
}

void tuning_describe(const Tuning *t, Buf *out)
{
    Arena a;
    arena_init(&a);
    const CpuModel *m = t->cpu ? t->cpu : cpu_model_default(t->isa);
    put_wrapped(out, " * CPU model: ", c_comment_text(&a, cpu_model_summary(&a, m), 1000));
    const char *simd = strcmp(t->isa, "avx2") == 0 || strcmp(t->isa, "avx512") == 0 || strcmp(t->isa, "neon") == 0
                           ? t->isa
                           : NULL;
    if (!simd) {
        buf_puts(out, " *   Target generic: portable C, no CPU-dependent choices.\n");
        arena_free(&a);
        return;
    }
    buf_puts(out, " *   Choices it drove (compiler/backend/cpu_model.c, docs/tuning.md):\n");
    const char *mode[] = {NULL, "off (forced): 3x3 convolutions run direct",
                          "F(4x4, 3x3) wherever it applies (forced)", "F(2x2, 3x3) wherever it applies (forced)"};
    if (t->winograd != WINO_AUTO) {
        put_wrapped(out, " *   - Winograd ", mode[t->winograd]);
    } else {
        put_wrapped(out, " *   - Winograd: ",
                    arena_printf(&a,
                                 "3x3 stride-1 convolutions with C, M >= %lld on planes of >= %lld outputs run "
                                 "Winograd, channel-blocked on a blocked input (smaller: direct conv_nchwc); "
                                 "F(4x4, 3x3) with >= %lld 4x4 tiles or C*M <= %lld; else %s; else the implicit "
                                 "GEMM. Thresholds of the row '%s'%s.",
                                 (long long)t->wino_min_ch, (long long)t->wino_min_plane, (long long)t->wino_f4_tiles,
                                 (long long)t->wino_f4_cm,
                                 strcmp(t->isa, "avx512") == 0
                                     ? arena_printf(&a, "F(2x2, 3x3) with >= %lld 2x2 tiles and C*M <= %lld",
                                                    (long long)t->wino_f2_tiles, (long long)t->wino_f2_cm)
                                     : strcmp(t->isa, "avx2") == 0 ? "no F(2x2) (measured slower with 8-lane gathers)"
                                                                   : "no F(2x2) (16-lane gathers only)",
                                 t->wino_row,
                                 t->wino_measured == 2 ? ", its plane and F(2x2) limits measured on a Zen 5, the rest "
                                                         "on a Zen 4"
                                 : t->wino_measured    ? ", measured on a Zen 4"
                                                    : ": not measured yet, it holds the Zen 4 values (bench/tune.sh)"));
    }
    const char *why = !m->l2_kb || strcmp(t->isa, "neon") == 0
                          ? "the target's defaults (sized for a 1 MB L2)"
                          : arena_printf(&a, "sized for this L2 of %d KB (%s at 1 MB)", m->l2_kb,
                                         m->l2_kb == REF_L2_KB ? "the same as" : "scaled from the values measured");
    put_wrapped(out, " *   - Cache blocks: ",
                arena_printf(&a,
                             "Winograd's V and M blocks %lld KB (F(4x4)) and %lld KB (F(2x2)), F(4x4)'s larger "
                             "tile blocks past %lld KB of transformed weights; conv_nchwc's weight "
                             "chunk %lld KB per group of input-channel blocks (KCB): %s.",
                             (long long)t->wino_f4_budget * 4 / 1024, (long long)t->wino_f2_budget * 4 / 1024,
                             (long long)t->wino_f4_big_u * 4 / 1024,
                             (long long)t->nchwc_wchunk * 4 / 1024, why));
    if (t->nchwc_fit_regs)
        put_wrapped(out, " *   - Register tiles: ",
                    arena_printf(&a,
                                 "conv_nchwc's is the least-cost one per layer (tails included) among those that "
                                 "fit the 32 registers, as 512-bit FMAs at full rate need; a conv on a plain input "
                                 "writes channel-blocked output from %lld multiply-adds per output (measured on a "
                                 "Zen 5); the other tiles are the target's.",
                                 (long long)t->nchwc_min_macs));
    put_wrapped(out, " *   - Fixed per target, not per CPU: ",
                t->nchwc_fit_regs
                    ? "conv_nchwc's copy buffer (workspace scratch), GEMM KC and NC (not measured per CPU yet)."
                    : "register tiles (the register file is the ISA's), conv_nchwc's copy buffer (workspace "
                      "scratch), GEMM KC and NC (not measured per CPU yet).");
    if (t->forced)
        put_wrapped(out, " *   - Forced by --tune (benchmarking only): ", c_comment_text(&a, t->forced, 200));
    arena_free(&a);
}

void cpu_model_list(void)
{
    printf("%-16s %-7s %-22s %7s %7s %7s  %s\n", "name", "target", "FMA/cycle 128/256/512", "L1d KB", "L2 KB",
           "L3 KB", "what");
    for (int i = 0; i < N_CPUS; i++) {
        const CpuModel *m = &cpu_table[i];
        char fma[32];
        snprintf(fma, sizeof fma, "%d/%d/%d", m->fma[0], m->fma[1], m->fma[2]);
        printf("%-16s %-7s %-22s %7d %7d %7d  %s\n", m->name, m->isa, m->fma[0] ? fma : "-", m->l1d_kb, m->l2_kb,
               m->l3_kb, m->desc);
    }
    Arena a;
    arena_init(&a);
    printf("native on this machine: %s\n", cpu_model_summary(&a, detect_native(&a)));
    arena_free(&a);
}
