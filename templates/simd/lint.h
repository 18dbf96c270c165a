/* lint.h — for linting only (tests/golden/template_lint.sh): gives a shared
 * template the vector layer of one ISA, as a generated file has it: AVX2's,
 * AVX-512's with -DNNC_LINT_AVX512, or NEON's with -DNNC_LINT_NEON (compiled
 * for AArch64). Not part of any generated code. */
#ifdef NNC_LINT_AVX512
#include "../avx512/vops.c"
#elif defined(NNC_LINT_NEON)
#include "../neon/vops.c"
#else
#include "../avx2/vops.c"
#endif
