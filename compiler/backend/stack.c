/* stack.c — the size of the local arrays of each kernel template, from the
 * parameters it is instantiated with: the same expressions as the arrays'
 * declarations in templates/ (a template that grows a large local array
 * gets a row here). Templates not listed keep only small arrays (vectors,
 * per-dimension counters), which NNC_STACK_BASE covers. Sizes are an upper
 * bound: arrays in helper functions the kernel calls are added as if all
 * were live at once. */
#include "stack.h"

#include <stdlib.h>
#include <string.h>

static int64_t kp_value(const KParams *p, const char *key)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->key[i], key) == 0) {
            const char *v = p->val[i];
            while (*v == '(') v++;
            return strtoll(v, NULL, 10);
        }
    return 0;
}

/* sizeof(T) for the template's element type parameter T (float by default). */
static int64_t elem_bytes(const KParams *p)
{
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->key[i], "T") == 0) return strcmp(p->val[i], "double") == 0 ? 8 : 4;
    return 4;
}

static int64_t lanes_of(const char *isa)
{
    return strcmp(isa, "avx512") == 0 ? 16 : strcmp(isa, "avx2") == 0 ? 8 : 4;
}

#define V(k) kp_value(p, k)

int64_t kernel_stack_bytes(const char *isa, const char *tmpl, const KParams *p)
{
    const int64_t es = elem_bytes(p), vl = lanes_of(isa), vb = vl * 4 /* bytes of one VFLOAT */;
    /* conv_gemm, gemm_packed, matmul_packed, conv_nchwc: their blocks are
     * workspace scratch; avx512's conv_gemm keeps the 48 vectors of its
     * transpose */
    if (strcmp(tmpl, "conv_gemm") == 0) return strcmp(isa, "avx512") == 0 ? 48 * 64 : 0;
    if (strcmp(tmpl, "conv_dw") == 0) return es * V("SW") * V("IHP") * V("IWQ") + 4 * vb;
    if (strcmp(tmpl, "conv_transpose_gemm") == 0) return es * V("MR") * V("NR"); /* ct; bp is scratch */
    if (strcmp(tmpl, "conv_winograd") == 0) { /* gi, rm, cm; d, t; qv, u, o; ob */
        int64_t a = V("ALPHA"), tg = (V("TB") + vl - 1) / vl;
        return 4 * tg * vl * (1 + 2 * a) + vb * (2 * a * a) + vb * (a * a + 2 * a * a) + es * 16 * vl;
    }
    if (strcmp(tmpl, "attention_vec") == 0) {
        int64_t qb = V("QB");
        return 4 * ((V("KT") ? V("D") * vl : 1) + qb * vl + qb * V("DVP") + 3 * qb) + 2 * vb * qb;
    }
    if (strcmp(tmpl, "attention") == 0) return es * V("SK");
    if (strcmp(tmpl, "rnn_vec") == 0) {
        int64_t bh = V("BB") * V("HIDDEN"), cell = V("CELL");
        return 4 * (V("TC") * V("BB") * V("G") * V("HIDDEN") + bh + (cell == 1 ? bh : 1) + (cell == 2 ? bh : 1)) +
               8 * V("BB");
    }
    if (strcmp(tmpl, "rnn") == 0 || strcmp(tmpl, "gru") == 0 || strcmp(tmpl, "lstm") == 0) {
        int64_t gates = tmpl[0] == 'r' ? 1 : tmpl[0] == 'g' ? 3 : 4, bh = V("BB") * V("HIDDEN");
        int64_t extra = tmpl[0] == 'g' ? V("HIDDEN") : tmpl[0] == 'l' ? bh : 0;
        return es * (V("TC") * gates * bh + bh + extra) + 8 * V("BB");
    }
    return 0;
}
