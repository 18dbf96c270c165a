/* test_cpu_model.c — the CPU models (compiler/backend/cpu_model.c): CPUID
 * signatures of real processors decode to their family, model and table row;
 * cache leaves decode to their sizes; lookups and target checks; the
 * tuning's defaults are the values measured before CPU models (so code
 * without --cpu does not change), L2 scaling, and --tune parsing. */
#include "unit.h"

#include "backend/cpu_model.h"

/* Leaf 1 EAX of real parts -> family, model, and nnc's row. */
static void test_signatures(void)
{
    static const struct {
        const char *vendor;
        unsigned eax;
        int avx512f;
        unsigned family, model;
        const char *row;
    } cases[] = {
        {"AuthenticAMD", 0x00a20f10, 0, 0x19, 0x21, "znver3"}, /* Ryzen 5000 (Vermeer) */
        {"AuthenticAMD", 0x00a60f12, 1, 0x19, 0x61, "znver4"}, /* Ryzen 7000 (Raphael) */
        {"AuthenticAMD", 0x00b00f21, 1, 0x1a, 0x02, "znver5"}, /* EPYC 9005 (Turin) */
        {"AuthenticAMD", 0x00870f10, 0, 0x17, 0x71, NULL},     /* Zen 2: no row */
        {"GenuineIntel", 0x00050654, 1, 6, 0x55, "skylake-avx512"},
        {"GenuineIntel", 0x000606a6, 1, 6, 0x6a, "icelake-server"},
        {"GenuineIntel", 0x000806f8, 1, 6, 0x8f, "sapphirerapids"},
        {"GenuineIntel", 0x00090672, 0, 6, 0x97, "alderlake"},
        {"GenuineIntel", 0x000b0671, 0, 6, 0xb7, "alderlake"}, /* Raptor Lake */
        {"GenuineIntel", 0x000906ea, 0, 6, 0x9e, NULL},         /* Coffee Lake: no row */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned f, m;
        cpu_model_x86_signature(cases[i].eax, &f, &m);
        CU_ASSERT_EQUAL(f, cases[i].family);
        CU_ASSERT_EQUAL(m, cases[i].model);
        const char *row = cpu_model_x86_row(cases[i].vendor, f, m, cases[i].avx512f);
        CU_ASSERT(row == cases[i].row || (row && cases[i].row && strcmp(row, cases[i].row) == 0));
    }
}

/* Leaf 4 / 8000001Dh: EAX type, level, sharing; EBX ways, partitions, line; ECX sets. */
static void test_cache_leaf(void)
{
    int level, share;
    /* 48 KB L1d: 12 ways x 64 sets x 64 B, shared by 2 */
    CU_ASSERT_EQUAL(cpu_model_cache_leaf(0x4121, (11u << 22) | 63, 63, &level, &share), 48);
    CU_ASSERT_EQUAL(level, 1);
    CU_ASSERT_EQUAL(share, 2);
    /* 2 MB unified L2: 16 ways x 2048 sets x 64 B */
    CU_ASSERT_EQUAL(cpu_model_cache_leaf(0x4143, (15u << 22) | 63, 2047, &level, &share), 2048);
    CU_ASSERT_EQUAL(level, 2);
    /* an instruction cache, and the end of the list, count as nothing */
    CU_ASSERT_EQUAL(cpu_model_cache_leaf(0x4122, (7u << 22) | 63, 63, &level, &share), 0);
    CU_ASSERT_EQUAL(cpu_model_cache_leaf(0, 0, 0, &level, &share), 0);
}

static void test_lookup_and_targets(void)
{
    Arena a;
    arena_init(&a);
    char why[1024] = "";
    const CpuModel *z5 = cpu_model_find(&a, "znver5", NULL, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(z5);
    CU_ASSERT_STRING_EQUAL(z5->isa, "avx512");
    CU_ASSERT_EQUAL(z5->fma[2], 2);
    CU_ASSERT_STRING_EQUAL(cpu_model_find(&a, "generic", "avx2", why, sizeof why)->name, "generic-avx2");
    CU_ASSERT_PTR_NULL(cpu_model_find(&a, "znver9", NULL, why, sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "znver5"));
    CU_ASSERT_PTR_NOT_NULL(strstr(why, "native"));
    const CpuModel *adl = cpu_model_find(&a, "alderlake", NULL, why, sizeof why);
    CU_ASSERT(cpu_model_runs(adl, "avx2", why, sizeof why));
    CU_ASSERT(cpu_model_runs(adl, "generic", why, sizeof why));
    CU_ASSERT(!cpu_model_runs(adl, "avx512", why, sizeof why));
    CU_ASSERT(!cpu_model_runs(adl, "neon", why, sizeof why));
    CU_ASSERT(!cpu_model_runs(cpu_model_find(&a, "neoverse-n1", NULL, why, sizeof why), "avx2", why, sizeof why));
    CU_ASSERT(cpu_model_runs(z5, "avx2", why, sizeof why));
    const CpuModel *nat = cpu_model_find(&a, "native", NULL, why, sizeof why);
    CU_ASSERT_PTR_NOT_NULL(nat);
    CU_ASSERT_PTR_NOT_NULL(nat ? nat->found : NULL);
    arena_free(&a);
}

static void test_tuning(void)
{
    Arena a;
    arena_init(&a);
    char why[1024] = "";
    Tuning t;
    const Tuning *d = tuning_of(NULL);
    /* the defaults are the values measured before CPU models */
    CU_ASSERT_EQUAL(d->wino_min_plane, 144);
    CU_ASSERT_EQUAL(d->wino_f4_budget, 36 * 1024);
    CU_ASSERT_EQUAL(d->nchwc_wchunk, 81920);
    CU_ASSERT_EQUAL(d->nchwc_min_macs, 1024);
    CU_ASSERT(tuning_derive(&a, cpu_model_default("avx512"), "avx512", NULL, &t, why, sizeof why));
    CU_ASSERT_EQUAL(t.nchwc_wchunk, d->nchwc_wchunk);
    CU_ASSERT_EQUAL(t.wino_f2_budget, d->wino_f2_budget);
    CU_ASSERT_EQUAL(t.wino_f4_cm, d->wino_f4_cm);
    /* Zen 4 is where they were measured: the same; Zen 5: the full-rate row */
    CU_ASSERT(tuning_derive(&a, cpu_model_find(&a, "znver4", NULL, why, sizeof why), "avx512", NULL, &t, why,
                            sizeof why));
    CU_ASSERT_EQUAL(t.nchwc_wchunk, 81920);
    CU_ASSERT(t.wino_measured);
    CU_ASSERT(tuning_derive(&a, cpu_model_find(&a, "znver5", NULL, why, sizeof why), "avx512", NULL, &t, why,
                            sizeof why));
    CU_ASSERT_PTR_NOT_NULL(strstr(t.wino_row, "full rate"));
    /* L2 scaling on x86, none on neon */
    CU_ASSERT(tuning_derive(&a, cpu_model_find(&a, "znver3", NULL, why, sizeof why), "avx2", NULL, &t, why,
                            sizeof why));
    CU_ASSERT_EQUAL(t.nchwc_wchunk, 40960);
    CU_ASSERT(tuning_derive(&a, cpu_model_find(&a, "sapphirerapids", NULL, why, sizeof why), "avx512", NULL, &t,
                            why, sizeof why));
    CU_ASSERT_EQUAL(t.wino_f4_budget, 72 * 1024);
    CU_ASSERT(tuning_derive(&a, cpu_model_find(&a, "cortex-a72", NULL, why, sizeof why), "neon", NULL, &t, why,
                            sizeof why));
    CU_ASSERT_EQUAL(t.nchwc_wchunk, 81920);
    /* --tune */
    CU_ASSERT(tuning_derive(&a, cpu_model_default("avx2"), "avx2", "winograd=f2,kcb=3,,sr=2,kc=64,nc=40,blocked=1",
                            &t, why, sizeof why));
    CU_ASSERT_EQUAL(t.winograd, WINO_F2);
    CU_ASSERT_EQUAL(t.nchwc_kcb, 3);
    CU_ASSERT_EQUAL(t.nchwc_sr, 2);
    CU_ASSERT_EQUAL(t.gemm_kc, 64);
    CU_ASSERT_EQUAL(t.gemm_nc, 40);
    CU_ASSERT_EQUAL(t.nchwc_min_macs, 0);
    CU_ASSERT(!tuning_derive(&a, cpu_model_default("avx2"), "avx2", "kcb=", &t, why, sizeof why));
    CU_ASSERT(!tuning_derive(&a, cpu_model_default("avx2"), "avx2", "kcb=12345678901234567890", &t, why, sizeof why));
    CU_ASSERT(!tuning_derive(&a, cpu_model_default("avx2"), "avx2", "winograd", &t, why, sizeof why));
    CU_ASSERT(!tuning_derive(&a, cpu_model_default("avx2"), "avx2", "sr=-1", &t, why, sizeof why));
    arena_free(&a);
}

int unit_add_cpu_model_suite(void)
{
    CU_pSuite s = CU_add_suite("cpu_model", NULL, NULL);
    if (!s) return -1;
    return !CU_add_test(s, "CPUID signatures to family, model and row", test_signatures) ||
           !CU_add_test(s, "cache leaf sizes", test_cache_leaf) ||
           !CU_add_test(s, "lookup and target checks", test_lookup_and_targets) ||
           !CU_add_test(s, "tuning defaults, scaling and --tune", test_tuning)
               ? -1
               : 0;
}
