/* weights.c — emits constant tensors as static const data.
 *
 * Small tensors become ordinary arrays of literals (readable). Larger ones
 * become a union whose first member holds the little-endian bytes as string
 * literals (equal rows of at most 4092 bytes, under C99's 4095-character
 * minimum limit, so less than a byte per row is padding) and
 * whose second member is the typed array the kernels read. Brace lists cost
 * the C compiler time and memory per element: 100 MB of floats took gcc -O2
 * 126 s and 4.6 GB as literals, but 15 s and 1.1 GB as strings. Reading the
 * typed member is well defined (a union member of the right type and
 * alignment); the bytes assume a little-endian IEEE-754 target, which the
 * generated file checks with #error guards. */
#include "weights.h"

#include "lower.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROW_BYTES 4092
#define STRING_MIN_BYTES 64 /* smaller tensors stay readable literal lists */

struct WeightTable {
    Graph *g;
    const char *prefix;
    const char *section; /* --weights-section NAME, or NULL */
    Buf *blob;           /* --weights incbin / separate: the bytes of OUT.bin, or NULL */
    int separate;        /* --weights separate: read through the run function's `wb` */
    uint32_t sum;        /* --weights separate: FNV-1a of the blob's bytes so far */
    uint32_t *sum_out;   /* --weights separate: receives it */
    const char **name; /* per tensor id */
    const Tensor **extra; /* made during lowering, in order */
    const char **extra_name;
    int n_extra, cap_extra;
};

#define FNV_START 2166136261u

static uint32_t fnv1a(uint32_t h, const unsigned char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) h = (h ^ d[i]) * 16777619u;
    return h;
}

static int encoded_as_bytes(const Tensor *t) { return tensor_bytes(t) >= STRING_MIN_BYTES; }

WeightTable *weights_new(Graph *g, const char *prefix, const char *section, Buf *blob)
{
    WeightTable *wt = arena_alloc(g->arena, sizeof *wt);
    wt->g = g;
    wt->prefix = prefix;
    wt->section = section;
    wt->blob = blob;
    wt->sum = FNV_START;
    wt->name = arena_alloc_array(g->arena, (size_t)g->n_tensors + 1, sizeof(char *));
    return wt;
}

const char *weights_ref(WeightTable *wt, const Tensor *t)
{
    NNC_ASSERT(t->data && t->id < wt->g->n_tensors);
    if (!wt->name[t->id]) wt->name[t->id] = arena_printf(wt->g->arena, "%s_w%d", wt->prefix, t->id);
    if (wt->blob) return wt->name[t->id]; /* a macro: a pointer into P_weights */
    return encoded_as_bytes(t) ? arena_printf(wt->g->arena, "%s.v", wt->name[t->id]) : wt->name[t->id];
}

/* Shortest decimal that reads back as the same float. */
static int put_float(char *s, float v)
{
    if (isnan(v)) return sprintf(s, "NAN");
    if (isinf(v)) return sprintf(s, v > 0 ? "HUGE_VALF" : "-HUGE_VALF");
    if (v == 0) return sprintf(s, signbit(v) ? "-0.f" : "0");
    for (int prec = 6; prec <= 9; prec++) {
        int n = sprintf(s, "%.*g", prec, (double)v);
        if (strtof(s, NULL) == v) {
            if (!strpbrk(s, ".e")) return n; /* an integer: no suffix needed */
            s[n++] = 'f';
            s[n] = 0;
            return n;
        }
    }
    NNC_ASSERT(0);
    return 0;
}

static int put_double(char *s, double v)
{
    if (isnan(v)) return sprintf(s, "NAN");
    if (isinf(v)) return sprintf(s, v > 0 ? "HUGE_VAL" : "-HUGE_VAL");
    for (int prec = 15; prec <= 17; prec++) {
        int n = sprintf(s, "%.*g", prec, v);
        if (strtod(s, NULL) == v) {
            if (!strpbrk(s, ".e")) return n + sprintf(s + n, ".0");
            return n;
        }
    }
    return sprintf(s, "%.17g", v);
}

static int put_element(char *s, const Tensor *t, int64_t i)
{
    const void *d = t->data;
    switch (t->dtype) {
    case DT_FLOAT: return put_float(s, ((const float *)d)[i]);
    case DT_DOUBLE: return put_double(s, ((const double *)d)[i]);
    case DT_INT64: {
        int64_t v = ((const int64_t *)d)[i];
        if (v == INT64_MIN) return sprintf(s, "INT64_MIN");
        return sprintf(s, v > 2147483647 || v < -2147483647 ? "INT64_C(%lld)" : "%lld", (long long)v);
    }
    case DT_UINT64: return sprintf(s, "UINT64_C(%llu)", (unsigned long long)((const uint64_t *)d)[i]);
    case DT_UINT32: return sprintf(s, "%luu", (unsigned long)((const uint32_t *)d)[i]);
    case DT_INT32: {
        int32_t v = ((const int32_t *)d)[i];
        return v == INT32_MIN ? sprintf(s, "INT32_MIN") : sprintf(s, "%ld", (long)v);
    }
    case DT_INT16: return sprintf(s, "%d", ((const int16_t *)d)[i]);
    case DT_UINT16: return sprintf(s, "%u", ((const uint16_t *)d)[i]);
    case DT_INT8: return sprintf(s, "%d", ((const int8_t *)d)[i]);
    case DT_UINT8: case DT_BOOL: return sprintf(s, "%u", ((const uint8_t *)d)[i]);
    default: NNC_ASSERT(0); return 0;
    }
}

/* A tensor of nb bytes is R rows of string literals of `row_bytes` each:
 * R = ceil(nb / ROW_BYTES) rows of equal length, so padding is under R
 * bytes (not up to a whole row). */
static int64_t rows_of(int64_t nb) { return (nb + ROW_BYTES - 1) / ROW_BYTES; }
static int64_t row_bytes(int64_t nb) { return (nb + rows_of(nb) - 1) / rows_of(nb); }

/* Rows of string literals; each row is one initialiser of b[R][row_len]. */
static void emit_bytes(Buf *c, const unsigned char *d, int64_t n, int64_t row_len)
{
    char line[160];
    for (int64_t row = 0; row < n; row += row_len) {
        int64_t end = row + row_len < n ? row + row_len : n;
        int len = 0;
        line[len++] = '"';
        for (int64_t i = row; i < end; i++) {
            unsigned b = d[i];
            if (b >= 32 && b < 127 && b != '"' && b != '\\' && b != '?') {
                line[len++] = (char)b;
            } else {
                /* an escape shorter than 3 digits must not run into a following octal digit */
                int next_digit = i + 1 < end && d[i + 1] >= '0' && d[i + 1] <= '7';
                len += sprintf(line + len, next_digit ? "\\%03o" : "\\%o", b);
            }
            if (len > 96 && i + 1 < end) {
                line[len++] = '"';
                line[len++] = '\n';
                buf_put(c, line, (size_t)len);
                len = 0;
                line[len++] = '"';
            }
        }
        line[len++] = '"';
        buf_put(c, line, (size_t)len);
        buf_puts(c, end < n ? ",\n" : "\n");
    }
}

static void emit_one(WeightTable *wt, Buf *c, const Tensor *t, const char *name)
{
    const char *align = tensor_bytes(t) >= 64 ? " NNC_ALIGN64" : "";
    if (encoded_as_bytes(t)) {
        int64_t nbytes = tensor_bytes(t);
        buf_printf(c, "/* %s %s %s */\n", c_comment_text(wt->g->arena, t->name, 80), dtype_name(t->dtype), shape_str(wt->g->arena, t));
        buf_printf(c, "static const union { unsigned char b[%lld][%lld] NNC_NONSTRING; %s v[%lld]; } %s%s%s = {{\n",
                   (long long)rows_of(nbytes), (long long)row_bytes(nbytes), dtype_ctype(t->dtype),
                   (long long)tensor_numel(t), name, align, wt->section ? " NNC_WEIGHTS_SECTION" : "");
        emit_bytes(c, t->data, nbytes, row_bytes(nbytes));
        buf_puts(c, "}};\n");
        return;
    }
    int64_t n = tensor_numel(t);
    buf_printf(c, "/* %s %s %s */\n", c_comment_text(wt->g->arena, t->name, 80), dtype_name(t->dtype), shape_str(wt->g->arena, t));
    buf_printf(c, "static const %s %s[%lld]%s%s = {", dtype_ctype(t->dtype), name, (long long)(n ? n : 1),
               align, wt->section ? " NNC_WEIGHTS_SECTION" : "");
    char line[160];
    int len = 0;
    if (n == 0) buf_puts(c, "0");
    for (int64_t i = 0; i < n; i++) {
        char v[48];
        int k = put_element(v, t, i);
        if (len + k + 2 > 100) {
            buf_put(c, line, (size_t)len);
            buf_puts(c, "\n");
            len = 0;
        }
        memcpy(line + len, v, (size_t)k);
        len += k;
        if (i + 1 < n) line[len++] = ',';
    }
    buf_put(c, line, (size_t)len);
    buf_puts(c, "};\n");
}

static const char guards[] =
    "#include <float.h>\n"
    "/* Large constants below are stored as little-endian IEEE-754 bytes. */\n"
    "#if FLT_MANT_DIG != 24 || FLT_MAX_EXP != 128 || DBL_MANT_DIG != 53\n"
    "#error \"this generated code needs IEEE-754 float and double\"\n"
    "#endif\n"
    "#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__\n"
    "#error \"this generated code stores constants little-endian\"\n"
    "#endif\n"
    "#ifndef NNC_NONSTRING /* the byte rows are deliberately not NUL-terminated */\n"
    "#if (defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 15) || (defined(__clang_major__) && __clang_major__ >= 21)\n"
    "#define NNC_NONSTRING __attribute__((nonstring))\n"
    "#else\n"
    "#define NNC_NONSTRING\n"
    "#endif\n"
    "#endif\n"
    "#ifndef NNC_ALIGN64 /* constants of 64 bytes or more start on a cache line, as in --weights incbin's\n"
    "                       blob: no vector load of packed weights straddles two lines */\n"
    "#if defined(__GNUC__) || defined(__clang__)\n"
    "#define NNC_ALIGN64 __attribute__((aligned(64)))\n"
    "#else\n"
    "#define NNC_ALIGN64\n"
    "#endif\n"
    "#endif\n";

const char *weights_add(WeightTable *wt, const Tensor *t)
{
    Arena *a = wt->g->arena;
    if (wt->n_extra == wt->cap_extra) {
        int cap = wt->cap_extra ? 2 * wt->cap_extra : 16;
        const Tensor **e = arena_alloc_array(a, (size_t)cap, sizeof *e);
        const char **n = arena_alloc_array(a, (size_t)cap, sizeof *n);
        if (wt->n_extra) {
            memcpy(e, wt->extra, (size_t)wt->n_extra * sizeof *e);
            memcpy(n, wt->extra_name, (size_t)wt->n_extra * sizeof *n);
        }
        wt->extra = e;
        wt->extra_name = n;
        wt->cap_extra = cap;
    }
    const char *name = arena_printf(a, "%s_p%d", wt->prefix, wt->n_extra);
    wt->extra[wt->n_extra] = t;
    wt->extra_name[wt->n_extra++] = name;
    if (wt->blob) return name;
    return encoded_as_bytes(t) ? arena_printf(a, "%s.v", name) : name;
}

/* sizeof the object emit_one writes: a union of byte rows and the typed
 * array, or a literal list (at least one element). */
static int64_t object_bytes(const Tensor *t)
{
    int64_t es = dtype_size(t->dtype), n = tensor_numel(t), nb = tensor_bytes(t);
    if (!encoded_as_bytes(t)) return (n ? n : 1) * es;
    int64_t rows = rows_of(nb) * row_bytes(nb), big = rows > nb ? rows : nb;
    return (big + es - 1) / es * es;
}

/* --weights incbin: tensor t's offset in the blob that holds `end` bytes;
 * advances `end` past it. */
static int64_t blob_place(int64_t *end, const Tensor *t)
{
    int64_t off = (*end + 63) / 64 * 64;
    *end = off + tensor_bytes(t);
    return off;
}

int64_t weights_bytes(const WeightTable *wt, const char *used)
{
    int64_t total = 0;
    for (int i = 0; i < wt->g->n_tensors; i++)
        if (wt->name[i] && used[i]) {
            if (wt->blob) blob_place(&total, wt->g->tensors[i]);
            else total += object_bytes(wt->g->tensors[i]);
        }
    for (int i = 0; i < wt->n_extra; i++) {
        if (wt->blob) blob_place(&total, wt->extra[i]);
        else total += object_bytes(wt->extra[i]);
    }
    return total;
}

/* --weights incbin: tensor t's bytes go to the blob; its name becomes a
 * typed pointer into P_weights. */
static void emit_in_blob(WeightTable *wt, Buf *c, const Tensor *t, const char *name)
{
    int64_t start = (int64_t)buf_size(wt->blob), end = start, off = blob_place(&end, t);
    static const char zeros[64];
    buf_put(wt->blob, zeros, (size_t)(off - start));
    buf_put(wt->blob, t->data, (size_t)tensor_bytes(t));
    if (wt->separate) /* the blob's header checksum (incbin needs none) */
        wt->sum = fnv1a(fnv1a(wt->sum, (const unsigned char *)zeros, (size_t)(off - start)), t->data,
                        (size_t)tensor_bytes(t));
    buf_printf(c, "#define %s ((const %s *)(const void *)(%s + %lld)) /* %s %s %s */\n", name,
               dtype_ctype(t->dtype), wt->separate ? "wb" : arena_printf(wt->g->arena, "%s_weights", wt->prefix),
               (long long)off, c_comment_text(wt->g->arena, t->name, 80),
               dtype_name(t->dtype), shape_str(wt->g->arena, t));
}

void weights_emit_asm(const WeightTable *wt, Buf *s, const char *bin_name)
{
    const char *P = wt->prefix;
    buf_printf(s, "/* %s_weights.S — generated by nnc: the constants of %s.c, the bytes of %s.\n"
                  " * Assemble with -I naming the directory of %s (gcc and clang, ELF and Mach-O). */\n",
               P, P, bin_name, bin_name);
    buf_printf(s, "#if defined(__APPLE__)\n    %s\n    .p2align 6\n    .globl _%s_weights\n"
                  "    .private_extern _%s_weights\n_%s_weights:\n    .incbin \"%s\"\n",
               wt->section ? arena_printf(wt->g->arena, ".section %s", wt->section) : ".const", P, P, P, bin_name);
    buf_printf(s, "#else\n    .section %s,\"a\"\n    .p2align 6\n    .globl %s_weights\n    .hidden %s_weights\n"
                  "    .type %s_weights, %%object\n%s_weights:\n    .incbin \"%s\"\n"
                  "    .size %s_weights, . - %s_weights\n    .section .note.GNU-stack,\"\",%%progbits\n#endif\n",
               wt->section ? wt->section : arena_printf(wt->g->arena, ".rodata.%s_weights", P), P, P, P, P, bin_name,
               P, P);
}

void weights_set_separate(WeightTable *wt, uint32_t *checksum)
{
    wt->separate = 1;
    wt->sum_out = checksum;
}

void weights_blob_header(uint64_t size, uint32_t sum, unsigned char header[64])
{
    memset(header, 0, 64);
    memcpy(header, "NNCW", 4);
    header[4] = 1; /* version */
    for (int i = 0; i < 8; i++) header[8 + i] = (unsigned char)(size >> (8 * i));
    for (int i = 0; i < 4; i++) header[16 + i] = (unsigned char)(sum >> (8 * i));
}

/* --weights separate: the checks of the blob in the generated code. */
static void emit_separate_checks(WeightTable *wt, Buf *c)
{
    const char *P = wt->prefix;
    unsigned char hd[64];
    weights_blob_header(buf_size(wt->blob), wt->sum, hd);
    if (wt->sum_out) *wt->sum_out = wt->sum;
    buf_printf(c, "/* The weights blob: a 64-byte header (\"NNCW\", version 1, payload bytes and\n"
                  " * FNV-1a checksum, little-endian) and the payload the names above point into. */\n");
    buf_printf(c, "static const unsigned char %s_blob_header[20] = {", P);
    for (int i = 0; i < 20; i++) buf_printf(c, "%s%u", i ? ", " : "", hd[i]);
    buf_puts(c, "};\n");
    buf_printf(c, "/* Nonzero when w starts with this model's header (cheap: every run checks it). */\n"
                  "static int %s_header_ok(const unsigned char *w)\n{\n"
                  "    return w && ((uintptr_t)w & 63u) == 0 && memcmp(w, %s_blob_header, 20) == 0;\n}\n\n", P, P);
    buf_printf(c, "int %s_check_weights(const void *weights, size_t size)\n{\n"
                  "    const unsigned char *w = (const unsigned char *)weights;\n"
                  "    uint32_t h = 2166136261u, want = 0;\n    size_t i;\n"
                  "    if (!%s_header_ok(w) || size != %lluu) return %d;\n"
                  "    for (i = 64; i < size; i++) h = (h ^ w[i]) * 16777619u;\n"
                  "    for (i = 0; i < 4; i++) want |= (uint32_t)w[16 + i] << (8 * i);\n"
                  "    return h == want ? 0 : %d;\n}\n",
               P, P, (unsigned long long)(64 + buf_size(wt->blob)), NNC_STATUS_WEIGHTS, NNC_STATUS_WEIGHTS);
}

static void emit_blob(WeightTable *wt, Buf *c, const char *used)
{
    if (wt->separate) {
        buf_printf(c, "/* Constants: little-endian IEEE-754 bytes in the weights blob (the generated\n"
                      " * .bin file) the caller passes; wb points past its header. */\n");
        buf_puts(c, guards);
    } else {
        buf_printf(c, "/* Constants: little-endian IEEE-754 bytes in %s_weights, defined by the\n"
                      " * generated assembler file (.incbin of the generated .bin file). */\n", wt->prefix);
        buf_puts(c, guards);
        buf_printf(c, "extern const unsigned char %s_weights[];\n", wt->prefix);
    }
    for (int i = 0; i < wt->g->n_tensors; i++)
        if (wt->name[i] && used[i]) emit_in_blob(wt, c, wt->g->tensors[i], wt->name[i]);
    for (int i = 0; i < wt->n_extra; i++) emit_in_blob(wt, c, wt->extra[i], wt->extra_name[i]);
    if (wt->separate) emit_separate_checks(wt, c);
}

void weights_emit(WeightTable *wt, Buf *c, const char *used)
{
    if (wt->blob) {
        emit_blob(wt, c, used);
        return;
    }
    int any = 0;
    for (int i = 0; i < wt->g->n_tensors; i++)
        any |= wt->name[i] && used[i] && encoded_as_bytes(wt->g->tensors[i]);
    for (int i = 0; i < wt->n_extra; i++) any |= encoded_as_bytes(wt->extra[i]);
    if (any) buf_puts(c, guards);
    if (wt->section) /* --weights-section: main.c checked the name's characters */
        buf_printf(c, "#define NNC_WEIGHTS_SECTION __attribute__((section(\"%s\")))\n", wt->section);
    for (int i = 0; i < wt->g->n_tensors; i++)
        if (wt->name[i] && used[i]) emit_one(wt, c, wt->g->tensors[i], wt->name[i]);
    for (int i = 0; i < wt->n_extra; i++) emit_one(wt, c, wt->extra[i], wt->extra_name[i]);
}
