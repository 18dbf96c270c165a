/* safetensors.c — reads a safetensors weights file: an 8-byte little-endian
 * header length, a JSON header mapping each tensor name to its dtype, shape
 * and data_offsets (relative to the data after the header), then the raw
 * bytes. Everything is untrusted: the header length, the JSON (depth, string
 * and number sizes, duplicate names), each dtype, rank and dimension, and each
 * offset pair (inside the data, matching dtype size x element count) are
 * checked before use. F16 and BF16 are widened to f32 on read. */
#include "dsl.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

typedef struct Json {
    const char *p, *end;
    char *why;
    size_t cap;
    Arena *a;
} Json;

#define JFAIL(...) do { snprintf(J->why, J->cap, __VA_ARGS__); return 0; } while (0)

static void ws(Json *J)
{
    while (J->p < J->end && (*J->p == ' ' || *J->p == '\t' || *J->p == '\n' || *J->p == '\r')) J->p++;
}

static int eat(Json *J, char ch)
{
    ws(J);
    if (J->p < J->end && *J->p == ch) {
        J->p++;
        return 1;
    }
    return 0;
}

/* A JSON string (escapes \" \\ \/ and \uXXXX of ASCII only). */
static int jstring(Json *J, const char **out)
{
    ws(J);
    if (J->p >= J->end || *J->p != '"') JFAIL("header: expected a string at byte %ld", (long)(J->p - (J->end - 0)));
    J->p++;
    Buf b = {0};
    while (J->p < J->end && *J->p != '"') {
        char ch = *J->p++;
        if (ch == '\\') {
            if (J->p >= J->end) break;
            ch = *J->p++;
            if (ch == 'u') {
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    if (J->p >= J->end || !isxdigit((unsigned char)*J->p)) { buf_free(&b); JFAIL("header: bad \\u escape"); }
                    char h = *J->p++;
                    v = v * 16 + (unsigned)(isdigit((unsigned char)h) ? h - '0' : (tolower((unsigned char)h) - 'a' + 10));
                }
                ch = v < 128 && v ? (char)v : '?';
            } else if (ch == 'n') ch = '\n';
            else if (ch == 't') ch = '\t';
        }
        if (b.len > 4096) { buf_free(&b); JFAIL("header: string longer than 4096 bytes"); }
        buf_put(&b, &ch, 1);
    }
    if (J->p >= J->end) { buf_free(&b); JFAIL("header: string is not closed"); }
    J->p++;
    *out = arena_strdup(J->a, b.data ? b.data : "");
    buf_free(&b);
    return 1;
}

static int jint(Json *J, int64_t *out)
{
    ws(J);
    int64_t v = 0;
    int n = 0;
    while (J->p < J->end && isdigit((unsigned char)*J->p)) {
        if (!checked_mul_i64(v, 10, &v) || !checked_add_i64(v, *J->p - '0', &v)) JFAIL("header: number out of range");
        J->p++, n++;
    }
    if (!n) JFAIL("header: expected a non-negative integer");
    *out = v;
    return 1;
}

/* Skip any JSON value (for __metadata__ and unknown keys), depth-bounded. */
static int jskip(Json *J, int depth)
{
    if (depth > 32) JFAIL("header: nested more than 32 deep");
    ws(J);
    if (J->p >= J->end) JFAIL("header: truncated");
    char ch = *J->p;
    if (ch == '"') {
        const char *s;
        return jstring(J, &s);
    }
    if (ch == '{' || ch == '[') {
        char close = ch == '{' ? '}' : ']';
        J->p++;
        if (eat(J, close)) return 1;
        do {
            if (ch == '{') {
                const char *k;
                if (!jstring(J, &k) || !eat(J, ':')) JFAIL("header: expected 'key': value");
            }
            if (!jskip(J, depth + 1)) return 0;
        } while (eat(J, ','));
        if (!eat(J, close)) JFAIL("header: expected '%c'", close);
        return 1;
    }
    while (J->p < J->end && (isalnum((unsigned char)*J->p) || *J->p == '-' || *J->p == '+' || *J->p == '.')) J->p++;
    return 1;
}

static const struct { const char *name; int dtype, size; } dtypes[] = {
    {"F32", ST_F32, 4}, {"F16", ST_F16, 2}, {"BF16", ST_BF16, 2}, {"F64", ST_F64, 8}, {"I64", ST_I64, 8},
    {"I32", ST_I32, 4}, {"I16", ST_I16, 2}, {"I8", ST_I8, 1}, {"U8", ST_U8, 1}, {"BOOL", ST_BOOL, 1}};

const char *safetensors_dtype_name(int dtype)
{
    for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
        if (dtypes[i].dtype == dtype) return dtypes[i].name;
    return "an unsupported type";
}

/* {"dtype": "F32", "shape": [..], "data_offsets": [b, e]} */
static int jtensor(Json *J, StTensor *t, int64_t *off)
{
    int size = 0, have = 0;
    if (!eat(J, '{')) JFAIL("header: '%s' is not an object", t->name);
    do {
        const char *k;
        if (!jstring(J, &k)) return 0;
        if (!eat(J, ':')) JFAIL("header: '%s': expected ':' after \"%s\"", t->name, k);
        if (strcmp(k, "dtype") == 0) {
            const char *d;
            if (!jstring(J, &d)) return 0;
            t->dtype = ST_OTHER;
            for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
                if (strcmp(d, dtypes[i].name) == 0) t->dtype = dtypes[i].dtype, size = dtypes[i].size;
            have |= 1;
        } else if (strcmp(k, "shape") == 0 || strcmp(k, "data_offsets") == 0) {
            int is_shape = k[0] == 's', n = 0;
            int64_t v[NNC_MAX_RANK];
            if (!eat(J, '[')) JFAIL("header: '%s': %s is not a list", t->name, k);
            if (!eat(J, ']')) {
                do {
                    if (n == (is_shape ? NNC_MAX_RANK : 2)) JFAIL("header: '%s': %s is too long", t->name, k);
                    if (!jint(J, &v[n++])) return 0;
                } while (eat(J, ','));
                if (!eat(J, ']')) JFAIL("header: '%s': %s is not closed", t->name, k);
            }
            if (is_shape) {
                t->rank = n;
                memcpy(t->dims, v, (size_t)n * sizeof(int64_t));
                have |= 2;
            } else {
                if (n != 2) JFAIL("header: '%s': data_offsets needs two numbers", t->name);
                off[0] = v[0], off[1] = v[1];
                have |= 4;
            }
        } else if (!jskip(J, 1)) {
            return 0;
        }
    } while (eat(J, ','));
    if (!eat(J, '}')) JFAIL("header: '%s': expected '}'", t->name);
    if (have != 7) JFAIL("header: '%s' needs dtype, shape and data_offsets", t->name);
    int64_t n = 1;
    for (int i = 0; i < t->rank; i++)
        if (!checked_mul_i64(n, t->dims[i], &n) || n > NNC_MAX_ELEMS) JFAIL("'%s': shape too large", t->name);
    t->nbytes = size ? n * size : off[1] - off[0]; /* an unknown dtype is never read */
    if (size && off[1] - off[0] != t->nbytes)
        JFAIL("'%s': data_offsets [%lld, %lld] hold %lld bytes but %s%s needs %lld", t->name, (long long)off[0],
              (long long)off[1], (long long)(off[1] - off[0]), safetensors_dtype_name(t->dtype), "", (long long)t->nbytes);
    return 1;
}

int safetensors_parse(Arena *a, const unsigned char *bytes, size_t len, StFile *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    if (cap) why[0] = 0;
    if (len < 8) return snprintf(why, cap, "shorter than the 8-byte header length"), 0;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | bytes[i];
    if (hlen > len - 8 || hlen > (100u << 20)) return snprintf(why, cap, "header length %llu exceeds the file", (unsigned long long)hlen), 0;
    Json J0 = {(const char *)bytes + 8, (const char *)bytes + 8 + hlen, why, cap, a}, *J = &J0;
    const unsigned char *data = bytes + 8 + hlen;
    int64_t dlen = (int64_t)(len - 8 - hlen);
    int capn = 64;
    out->t = arena_alloc_array(a, (size_t)capn, sizeof(StTensor));
    if (!eat(J, '{')) JFAIL("header is not a JSON object");
    if (eat(J, '}')) return 1;
    do {
        const char *name;
        if (!jstring(J, &name) || !eat(J, ':')) JFAIL("header: expected \"name\": {...}");
        if (strcmp(name, "__metadata__") == 0) {
            if (!jskip(J, 1)) return 0;
            continue;
        }
        if (safetensors_find(out, name)) JFAIL("header: tensor '%s' appears twice", name);
        if (out->n == capn) {
            if (capn >= (1 << 20)) JFAIL("header: too many tensors");
            StTensor *nt = arena_alloc_array(a, (size_t)capn * 2, sizeof(StTensor));
            memcpy(nt, out->t, (size_t)out->n * sizeof(StTensor));
            out->t = nt;
            capn *= 2;
        }
        StTensor *t = &out->t[out->n];
        t->name = name;
        int64_t off[2] = {0, 0};
        if (!jtensor(J, t, off)) return 0;
        if (off[0] > off[1] || off[1] > dlen)
            JFAIL("'%s': data_offsets [%lld, %lld] lie outside the %lld data bytes", name, (long long)off[0], (long long)off[1], (long long)dlen);
        t->data = data + off[0];
        out->n++;
    } while (eat(J, ','));
    if (!eat(J, '}')) JFAIL("header: expected '}' or ','");
    return 1;
}

StTensor *safetensors_find(StFile *f, const char *name)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->t[i].name, name) == 0) return &f->t[i];
    return NULL;
}

static float half_to_float(uint16_t h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    float v = e == 0 ? ldexpf((float)m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexpf((float)(m | 1024), e - 25);
    return (h & 0x8000) ? -v : v;
}

float safetensors_get(const StTensor *t, int64_t i)
{
    const unsigned char *p = t->data;
    switch (t->dtype) {
    case ST_F32: { uint32_t u = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24; float f; memcpy(&f, &u, 4); return f; }
    case ST_F16: return half_to_float((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
    case ST_BF16: { uint32_t u = (uint32_t)(p[2 * i] | p[2 * i + 1] << 8) << 16; float f; memcpy(&f, &u, 4); return f; }
    case ST_F64: { uint64_t u = 0; for (int k = 7; k >= 0; k--) u = u << 8 | p[8 * i + k]; double d; memcpy(&d, &u, 8); return (float)d; }
    case ST_I64: { int64_t v; memcpy(&v, p + 8 * i, 8); return (float)v; }
    case ST_I32: { int32_t v; memcpy(&v, p + 4 * i, 4); return (float)v; }
    case ST_I16: { int16_t v; memcpy(&v, p + 2 * i, 2); return (float)v; }
    case ST_I8: return (float)(int8_t)p[i];
    default: return (float)p[i];
    }
}
