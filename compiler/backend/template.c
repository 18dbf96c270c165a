/* template.c — finds kernel templates and specialises them. A template is a
 * real C file: lint scaffolding, then a body between `@begin` and `@end`
 * marker comments. A kernel family whose algorithm is the same on every
 * vector ISA has one template in templates/simd/, written in the vector layer
 * each such ISA defines in templates/<isa>/vops.c; an ISA's own template of
 * the same name, where the algorithm differs, takes precedence. Specialising copies the body, swapping parameter
 * identifiers (KERNEL, T, shape constants, ...) for their values, so the
 * generated kernel carries literal constants the C compiler can fold. */
#include "template.h"

#include <ctype.h>
#include <string.h>

const char *template_find_in(const char *dir, const char *name)
{
    char want[128];
    snprintf(want, sizeof want, "%s/%s.c", dir, name);
    for (int i = 0; i < nnc_template_count; i++)
        if (strcmp(nnc_template_files[i].path, want) == 0) return nnc_template_files[i].text;
    return NULL;
}

/* The ISA's own template first; then, for an ISA with a vector layer
 * (templates/<isa>/vops.c), the shared one in templates/simd/; then generic. */
const char *template_find(const char *isa, const char *name)
{
    const char *t = template_find_in(isa, name);
    if (!t && template_find_in(isa, "vops")) t = template_find_in("simd", name);
    return t ? t : template_find_in("generic", name);
}

static const char *lookup(const KParams *p, const char *id, size_t n)
{
    for (int i = 0; i < p->n; i++)
        if (strlen(p->key[i]) == n && memcmp(p->key[i], id, n) == 0) return p->val[i];
    return NULL;
}

static void substitute(Buf *out, const char *s, size_t len, const KParams *p, int depth)
{
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '/' && i + 1 < len && (s[i + 1] == '*' || s[i + 1] == '/')) { /* comment: verbatim */
            size_t end = i + 2;
            if (s[i + 1] == '/') {
                while (end < len && s[end] != '\n') end++;
            } else {
                while (end + 1 < len && !(s[end] == '*' && s[end + 1] == '/')) end++;
                end = end + 1 < len ? end + 2 : len;
            }
            buf_put(out, s + i, end - i);
            i = end;
        } else if (c == '"' || c == '\'') { /* literal: verbatim */
            size_t j = i + 1;
            while (j < len && s[j] != c) j += s[j] == '\\' ? 2 : 1;
            if (j < len) j++;
            buf_put(out, s + i, j - i);
            i = j;
        } else if (isalpha((unsigned char)c) || c == '_') {
            size_t j = i;
            while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '_')) j++;
            const char *v = lookup(p, s + i, j - i);
            const char *kn = lookup(p, "KERNEL", 6);
            if (v && depth < 4) {
                substitute(out, v, strlen(v), p, depth + 1);
            } else if (kn && j - i > 7 && memcmp(s + i, "KERNEL_", 7) == 0) {
                buf_puts(out, kn); /* a helper of the kernel: KERNEL_xxx -> name_xxx */
                buf_put(out, s + i + 6, j - i - 6);
            } else {
                buf_put(out, s + i, j - i);
            }
            i = j;
        } else if (isdigit((unsigned char)c)) { /* numbers (1e5f, 0x1p3) are not identifiers */
            size_t j = i;
            while (j < len && (isalnum((unsigned char)s[j]) || s[j] == '.' || s[j] == '_' ||
                               ((s[j] == '+' || s[j] == '-') && (s[j - 1] == 'e' || s[j - 1] == 'p'))))
                j++;
            buf_put(out, s + i, j - i);
            i = j;
        } else {
            buf_put(out, s + i, 1);
            i++;
        }
    }
}

void template_instantiate(Buf *out, const char *text, const KParams *p)
{
    const char *b = strstr(text, "@begin");
    const char *e = b ? strstr(b, "@end") : NULL;
    NNC_ASSERT(b && e);
    b = strchr(b, '\n');
    NNC_ASSERT(b && b < e);
    b++;
    while (e > b && e[-1] != '\n') e--; /* drop the marker line itself */
    substitute(out, b, (size_t)(e - b), p, 0);
}
