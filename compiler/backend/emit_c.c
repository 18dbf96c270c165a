/* emit_c.c — writes the generated C: a header with the API contract, then the
 * source: specialised kernels (instantiated templates), the weights as static
 * const data, and P_run, which binds workspace slices to tensors and calls one
 * kernel per node in schedule order. The emitter never changes the graph. */
#include "emit_c.h"

#include "../ir/ops.h"
#include "stack.h"
#include "template.h"
#include "weights.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define CT(s) c_comment_text(L->g->arena, (s), 80)

/* What generated code for each instruction set needs around its kernels. */
static const IsaInfo isa_table[] = {
    {"generic", 0, "0", ""},
    {"avx2", 1, "NNC_CPU_AVX2",
     "/* AVX2 + FMA kernels: built with function target attributes, so no special\n"
     " * compiler flags are needed; " "the run function checks the CPU first. */\n"
     "#include <immintrin.h>\n#include \"nnc_runtime.h\"\n#include \"nnc_vmath_avx2.h\"\n"
     "#define NNC_TARGET NNC_TARGET_AVX2\n"},
    {"avx512", 2, "NNC_CPU_AVX512",
     "/* AVX-512 (F, BW, DQ, VL) kernels: built with function target attributes,\n"
     " * so no special compiler flags are needed; the run function checks the CPU first. */\n"
     "#include <immintrin.h>\n#include \"nnc_runtime.h\"\n#include \"nnc_vmath_avx512.h\"\n"
     "#define NNC_TARGET NNC_TARGET_AVX512\n"},
};

const IsaInfo *isa_info(const char *isa)
{
    for (size_t i = 0; i < sizeof isa_table / sizeof isa_table[0]; i++)
        if (strcmp(isa_table[i].name, isa) == 0) return &isa_table[i];
    NNC_ASSERT(0);
    return &isa_table[0];
}

struct Lowering {
    Graph *g;
    const EmitOptions *o;
    Buf kernels;          /* kernel function definitions */
    Buf body;             /* statements of P_run */
    const char **ref;     /* per tensor id: C expression, or NULL */
    const char **decl;    /* per tensor id: its local declaration, if any */
    char *used;           /* per tensor id: referenced by a call */
    int n_kernels;
    const char **kernel_key;   /* instantiated text with a placeholder name */
    const char **kernel_name;
    int cap_kernels;
    const Node *node;     /* node being lowered */
    WeightTable *wt;
    int uses_vops;        /* a shared simd/ template was instantiated: emit the vector layer */
    int64_t scratch;      /* bytes of kernel scratch after the planned tensors (lower_scratch) */
    int64_t stack;        /* the largest kernel's local arrays (kernel_stack_bytes) */
};

/* Kernel scratch starts at the first 64-byte boundary after the planned tensors. */
static int64_t scratch_offset(const Graph *g) { return (g->workspace_size + 63) / 64 * 64; }

/* P_WORKSPACE_SIZE: the planned tensors, then the largest kernel scratch. */
static int64_t workspace_total(const Lowering *L)
{
    return L->scratch ? scratch_offset(L->g) + L->scratch : L->g->workspace_size;
}

const char *lower_scratch(Lowering *L, int64_t bytes)
{
    NNC_ASSERT(bytes >= 0);
    if (bytes > L->scratch) L->scratch = bytes;
    return arena_printf(L->g->arena, "(void *)(ws + %lld)", (long long)scratch_offset(L->g));
}

Arena *lower_arena(Lowering *L) { return L->g->arena; }
Graph *lower_graph(Lowering *L) { return L->g; }

int lower_isa_has(Lowering *L, const char *tmpl)
{
    const char *t = template_find(L->o->isa, tmpl);
    return t && t != template_find("generic", tmpl);
}
const char *lower_target(Lowering *L) { return L->o->isa; }

/* ---- parameters ---- */
void kp_str(Lowering *L, KParams *p, const char *key, const char *val)
{
    (void)L;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->key[i], key) == 0) {
            p->val[i] = val;
            return;
        }
    NNC_ASSERT(p->n < KP_MAX);
    p->key[p->n] = key;
    p->val[p->n++] = val;
}

void kp_int(Lowering *L, KParams *p, const char *key, int64_t v)
{
    kp_str(L, p, key, arena_printf(L->g->arena, v < 0 ? "(%lld)" : "%lld", (long long)v));
}

/* A C99 literal that round-trips v as type `as` (FLOAT or DOUBLE). */
const char *c_float_literal(Arena *a, double v, DType as)
{
    const char *suffix = as == DT_FLOAT ? "f" : "";
    if (isnan(v)) return as == DT_FLOAT ? "((float)NAN)" : "((double)NAN)";
    if (isinf(v)) return v > 0 ? (as == DT_FLOAT ? "HUGE_VALF" : "HUGE_VAL")
                               : (as == DT_FLOAT ? "(-HUGE_VALF)" : "(-HUGE_VAL)");
    char s[64];
    snprintf(s, sizeof s, as == DT_FLOAT ? "%.9g" : "%.17g", v);
    if (!strpbrk(s, ".en")) strcat(s, ".0");
    return arena_printf(a, v < 0 ? "(%s%s)" : "%s%s", s, suffix);
}

void kp_float(Lowering *L, KParams *p, const char *key, double v, DType as)
{
    kp_str(L, p, key, c_float_literal(L->g->arena, v, as == DT_DOUBLE ? DT_DOUBLE : DT_FLOAT));
}

void kp_type(Lowering *L, KParams *p, const char *key, DType t) { kp_str(L, p, key, dtype_ctype(t)); }

void kp_ints(Lowering *L, KParams *p, const char *key, const int64_t *v, int n)
{
    Buf b = {0};
    buf_puts(&b, "{");
    for (int i = 0; i < n; i++) buf_printf(&b, "%s%lld", i ? ", " : "", (long long)v[i]);
    if (n == 0) buf_puts(&b, "0");
    buf_puts(&b, "}");
    kp_str(L, p, key, arena_strdup(L->g->arena, b.data));
    buf_free(&b);
}

/* ---- kernels ---- */
static char *c_ident(Arena *a, const char *s)
{
    size_t n = strlen(s);
    if (n > 48) n = 48;
    char *r = arena_alloc(a, n + 2);
    size_t k = 0;
    if (!isalpha((unsigned char)s[0]) && s[0] != '_') r[k++] = 'n';
    for (size_t i = 0; i < n; i++) r[k++] = isalnum((unsigned char)s[i]) ? s[i] : '_';
    r[k] = 0;
    return r;
}

const char *lower_kernel(Lowering *L, const Node *n, const char *tmpl, const KParams *p)
{
    Arena *a = L->g->arena;
    const char *text = template_find(L->o->isa, tmpl);
    NNC_ASSERT(text);
    if (text == template_find_in("simd", tmpl)) L->uses_vops = 1;
    KParams q = *p;
    int64_t stack = kernel_stack_bytes(L->o->isa, tmpl, &q);
    if (stack > L->stack) L->stack = stack;
    kp_str(L, &q, "KERNEL", "NNC_KERNEL_NAME_");
    Buf inst = {0};
    template_instantiate(&inst, text, &q);
    for (int i = 0; i < L->n_kernels; i++)
        if (strcmp(L->kernel_key[i], inst.data) == 0) {
            buf_free(&inst);
            return L->kernel_name[i];
        }
    const char *name = arena_printf(a, "%s_%s__%s", L->o->prefix, c_ident(a, n->name), L->o->isa);
    for (int i = 0; i < L->n_kernels; i++) /* node names need not be unique */
        if (strcmp(L->kernel_name[i], name) == 0) {
            name = arena_printf(a, "%s_%d", name, L->n_kernels);
            break;
        }
    if (L->n_kernels == L->cap_kernels) {
        int cap = L->cap_kernels ? 2 * L->cap_kernels : 64;
        const char **k = arena_alloc_array(a, (size_t)cap, sizeof *k);
        const char **m = arena_alloc_array(a, (size_t)cap, sizeof *m);
        if (L->n_kernels) {
            memcpy(k, L->kernel_key, (size_t)L->n_kernels * sizeof *k);
            memcpy(m, L->kernel_name, (size_t)L->n_kernels * sizeof *m);
        }
        L->kernel_key = k;
        L->kernel_name = m;
        L->cap_kernels = cap;
    }
    L->kernel_key[L->n_kernels] = arena_strdup(a, inst.data);
    L->kernel_name[L->n_kernels++] = name;
    kp_str(L, &q, "KERNEL", name);
    buf_printf(&L->kernels, "/* %s: template %s */\n", CT(n->name), tmpl);
    template_instantiate(&L->kernels, text, &q);
    buf_puts(&L->kernels, "\n");
    buf_free(&inst);
    return name;
}

const char *lower_ref(Lowering *L, const Tensor *t)
{
    if (t && t->alias) t = tensor_storage((Tensor *)t); /* same bytes, same element type */
    NNC_ASSERT(t && L->ref[t->id]);
    L->used[t->id] = 1;
    return L->ref[t->id];
}

const char *lower_constant(Lowering *L, const Tensor *t)
{
    NNC_ASSERT(t->data && t->rank >= 0);
    return weights_add(L->wt, t);
}

void lower_call_refs(Lowering *L, const char *fn, int nargs, const char *const *args, int checked)
{
    buf_printf(&L->body, checked ? "    if ((status = %s(" : "    %s(", fn);
    for (int i = 0; i < nargs; i++) buf_printf(&L->body, "%s%s", i ? ", " : "", args[i] ? args[i] : "0");
    buf_puts(&L->body, checked ? ")) != 0) return status;\n" : ");\n");
}

void lower_call(Lowering *L, const char *fn, int nargs, Tensor *const *args, int checked)
{
    const char **refs = arena_alloc_array(L->g->arena, (size_t)nargs + 1, sizeof(char *));
    for (int i = 0; i < nargs; i++) refs[i] = args[i] ? lower_ref(L, args[i]) : NULL;
    lower_call_refs(L, fn, nargs, refs, checked);
}

/* ---- the header ---- */
static char *upper(Arena *a, const char *s)
{
    char *r = arena_strdup(a, s);
    for (char *p = r; *p; p++) *p = (char)toupper((unsigned char)*p);
    return r;
}

static void emit_io_macros(Buf *h, Arena *a, const char *P, const char *kind, Tensor **ts, int n)
{
    buf_printf(h, "#define %s_NUM_%sS %d\n", P, kind, n);
    for (int i = 0; i < n; i++) {
        const Tensor *t = ts[i];
        buf_printf(h, "/* %s %d: \"%s\", %s %s */\n", kind, i, c_comment_text(a, t->name, 80), dtype_name(t->dtype), shape_str(a, t));
        buf_printf(h, "#define %s_%s%d_NAME \"", P, kind, i);
        for (const char *s = t->name; *s; s++)
            buf_printf(h, (*s == '"' || *s == '\\') ? "\\%c" : (isprint((unsigned char)*s) ? "%c" : "?"), *s);
        buf_puts(h, "\"\n");
        buf_printf(h, "#define %s_%s%d_DTYPE %d /* ONNX TensorProto.DataType %s */\n", P, kind, i, t->dtype,
                   dtype_name(t->dtype));
        buf_printf(h, "#define %s_%s%d_RANK %d\n", P, kind, i, t->rank);
        buf_printf(h, "#define %s_%s%d_DIMS {", P, kind, i);
        for (int d = 0; d < t->rank; d++) buf_printf(h, "%s%lld", d ? ", " : "", (long long)t->dims[d]);
        if (t->rank == 0) buf_puts(h, "1");
        buf_printf(h, "}\n#define %s_%s%d_SIZE %lld /* elements */\n", P, kind, i, (long long)tensor_numel(t));
    }
}

static void emit_header(const Lowering *L, const EmitOptions *o, Buf *h)
{
    Graph *g = L->g;
    Arena *a = g->arena;
    const char *P = upper(a, o->prefix);
    buf_printf(h, "/* %s.h — generated by nnc from %s. Do not edit. */\n", o->prefix, c_comment_text(a, o->model_path, 200));
    buf_printf(h, "#ifndef %s_H_\n#define %s_H_\n\n", P, P);
    if (o->separate) buf_puts(h, "#include <stddef.h>\n\n");
    buf_printf(h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
    buf_printf(h, "/* Scratch memory %s_run needs: pass a buffer of this many bytes, 64-byte aligned. */\n", o->prefix);
    buf_printf(h, "#define %s_WORKSPACE_SIZE %lld\n", P, (long long)workspace_total(L));
    buf_printf(h, "/* Bytes of constant data (weights, packed as the kernels read them) in %s. */\n",
               o->bin ? o->bin_name : arena_printf(a, "%s.c", o->prefix));
    buf_printf(h, "#define %s_WEIGHTS_SIZE %lld\n", P, (long long)weights_bytes(L->wt, L->used) + (o->separate ? 64 : 0));
    buf_printf(h, "/* Floating-point operations per run, counted as `nnc info` counts them. */\n");
    buf_printf(h, "#define %s_FLOPS %lldLL\n", P, (long long)graph_flops(g));
    buf_printf(h, "/* Upper bound on the stack %s_run uses (bytes; optimised builds, -O1 and up,\n"
                  " * without sanitizers): the largest kernel's local arrays plus %d. */\n", o->prefix, NNC_STACK_BASE);
    buf_printf(h, "#define %s_STACK_SIZE %lld\n\n", P, (long long)(L->stack + NNC_STACK_BASE));
    buf_printf(h, "/* Status codes returned by %s_run. */\n", o->prefix);
    buf_printf(h, "#define %s_OK %d\n#define %s_ERR_ARGUMENT %d /* a NULL pointer or misaligned workspace */\n",
               P, NNC_STATUS_OK, P, NNC_STATUS_BAD_ARGUMENT);
    buf_printf(h, "#define %s_ERR_INDEX %d /* an index input was out of range */\n", P, NNC_STATUS_INDEX);
    buf_printf(h, "#define %s_ERR_CPU %d /* the CPU lacks instructions this code was built for */\n", P,
               NNC_STATUS_CPU);
    if (o->separate)
        buf_printf(h, "#define %s_ERR_WEIGHTS %d /* not this model's weights blob (%s), misaligned, or corrupted */\n"
                      "#define %s_WEIGHTS_SEPARATE 1\n", P, NNC_STATUS_WEIGHTS, o->bin_name, P);
    buf_puts(h, "\n");
    emit_io_macros(h, a, P, "INPUT", g->inputs, g->n_inputs);
    buf_puts(h, "\n");
    emit_io_macros(h, a, P, "OUTPUT", g->outputs, g->n_outputs);
    buf_printf(h, "\n/* Run the model. inputs[i] and outputs[i] are dense row-major arrays in the\n"
                  " * order above; workspace holds %s_WORKSPACE_SIZE bytes, 64-byte aligned\n"
                  " * (it may be NULL when the size is 0). Reentrant: no globals are written.\n"
                  " * Returns %s_OK (0) on success. */\n", P, P);
    if (o->separate)
        buf_printf(h, "/* --weights separate: weights is the contents of %s (%s_WEIGHTS_SIZE bytes,\n"
                      " * 64-byte aligned). %s_check_weights verifies it once (checksum: %s_OK or\n"
                      " * %s_ERR_WEIGHTS); each run checks its header and returns %s_ERR_WEIGHTS for\n"
                      " * another model's blob. */\n"
                      "int %s_check_weights(const void *weights, size_t size);\n"
                      "int %s_run_with_weights(const void *weights, const void *const inputs[], void *const outputs[],\n"
                      "                       void *workspace);\n\n", o->bin_name, P, o->prefix, P, P, P, o->prefix, o->prefix);
    else
        buf_printf(h, "int %s_run(const void *const inputs[], void *const outputs[], void *workspace);\n\n",
                   o->prefix);
    buf_printf(h, "#ifdef __cplusplus\n}\n#endif\n\n#endif /* %s_H_ */\n", P);
}

/* ---- the source ---- */
static void emit_description(const Lowering *L, const EmitOptions *o, Buf *c)
{
    Graph *g = L->g;
    Arena *a = g->arena;
    buf_printf(c, "/* %s.c — generated by nnc from %s. Do not edit.\n *\n", o->prefix, c_comment_text(a, o->model_path, 200));
    buf_printf(c, " * Graph '%s'%s%s, opset %d, target %s.\n", c_comment_text(a, g->name, 80),
               g->producer ? ", from " : "", g->producer ? c_comment_text(a, g->producer, 80) : "", g->opset, o->isa);
    for (int i = 0; i < g->n_inputs; i++)
        buf_printf(c, " *   input  %d: %-20s %-6s %s\n", i, c_comment_text(a, g->inputs[i]->name, 80), dtype_name(g->inputs[i]->dtype),
                   shape_str(a, g->inputs[i]));
    for (int i = 0; i < g->n_outputs; i++)
        buf_printf(c, " *   output %d: %-20s %-6s %s\n", i, c_comment_text(a, g->outputs[i]->name, 80), dtype_name(g->outputs[i]->dtype),
                   shape_str(a, g->outputs[i]));
    int64_t wbytes = 0;
    for (int i = 0; i < g->n_tensors; i++)
        if (g->tensors[i]->data && !g->tensors[i]->producer) wbytes += tensor_bytes(g->tensors[i]);
    buf_printf(c, " * %d nodes, %lld bytes of constants, workspace %lld bytes.\n *\n", g->n_nodes,
               (long long)wbytes, (long long)workspace_total(L));
    buf_puts(c, " * Layers:\n");
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        if (n->op == OP_Constant) continue;
        buf_printf(c, " *   %-28.28s %-18s -> %s\n", c_comment_text(a, n->name, 28), n->op_type,
                   n->out[0] ? shape_str(a, n->out[0]) : "");
    }
    buf_puts(c, " */\n");
}

/* A node with nothing to compute: every output is a compile-time constant or
 * shares its input's bytes (a reshape the planner aliased). */
static int node_is_folded(const Node *n)
{
    for (int k = 0; k < n->n_out; k++)
        if (n->out[k] && !n->out[k]->data && (!n->out[k]->alias || n->out[k]->inplace)) return 0;
    return 1;
}

/* Bind every tensor the run function touches to a C expression. */
static void bind_tensors(Lowering *L, WeightTable *wt)
{
    Graph *g = L->g;
    Arena *a = g->arena;
    for (int i = 0; i < g->n_tensors; i++) {
        Tensor *t = g->tensors[i];
        const char *ct = dtype_ctype(t->dtype);
        if (t->alias) {
            continue; /* bound to its storage's name below */
        } else if (t->input_index >= 0) {
            L->ref[i] = arena_printf(a, "in%d", t->input_index);
            L->decl[i] = arena_printf(a, "    const %s *const in%d = (const %s *)inputs[%d];\n", ct,
                                      t->input_index, ct, t->input_index);
        } else if (t->output_index >= 0 && !t->data) {
            L->ref[i] = arena_printf(a, "out%d", t->output_index);
            L->decl[i] = arena_printf(a, "    %s *const out%d = (%s *)outputs[%d];\n", ct, t->output_index, ct,
                                      t->output_index);
        } else if (t->data) {
            L->ref[i] = weights_ref(wt, t);
        } else if (t->ws_offset >= 0) {
            L->ref[i] = arena_printf(a, "t%d", i);
            L->decl[i] = arena_printf(a, "    %s *const t%d = (%s *)(void *)(ws + %lld); /* %s %s */\n", ct, i,
                                      ct, (long long)t->ws_offset, c_comment_text(a, t->name, 80), shape_str(a, t));
        }
    }
}

static void emit_run(Lowering *L, const EmitOptions *o)
{
    Graph *g = L->g;
    Buf *b = &L->body;
    for (int i = 0; i < g->n_nodes; i++) {
        const Node *n = g->nodes[i];
        if (node_is_folded(n)) continue;
        const Tensor *first = NULL;
        for (int k = n->n_out - 1; k >= 0; k--)
            if (n->out[k]) first = n->out[k];
        buf_printf(b, "    /* %s (%s) -> %s */\n", CT(n->name), n->op_type, shape_str(g->arena, first));
        L->node = n;
        nnc_stage_node(n);
        op_info(n->op)->lower(L, n);
    }
    /* outputs that no node writes: constants or inputs passed straight through */
    for (int i = 0; i < g->n_outputs; i++) {
        Tensor *t = g->outputs[i];
        if (t->producer && !t->data) continue;
        buf_printf(b, "    memcpy(outputs[%d], %s, %lld);\n", i, lower_ref(L, t), (long long)tensor_bytes(t));
    }
    (void)o;
}

void emit_c(Graph *g, const EmitOptions *o, Buf *c, Buf *h)
{
    Arena *a = g->arena;
    Lowering L = {0};
    L.g = g;
    L.o = o;
    L.ref = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(char *));
    L.decl = arena_alloc_array(a, (size_t)g->n_tensors + 1, sizeof(char *));
    L.used = arena_alloc_array(a, (size_t)g->n_tensors + 1, 1);
    WeightTable *wt = weights_new(g, o->prefix, o->weights_section, o->bin);
    if (o->separate) weights_set_separate(wt);
    L.wt = wt;
    bind_tensors(&L, wt);
    ErrorTrap trap; /* a lowering error: free the buffers, then pass it on */
    if (setjmp(trap.env)) {
        nnc_trap_pop(&trap);
        buf_free(&L.kernels);
        buf_free(&L.body);
        nnc_unwind();
    }
    nnc_trap_push(&trap);
    emit_run(&L, o);
    nnc_trap_pop(&trap);

    emit_header(&L, o, h);
    emit_description(&L, o, c);
    buf_puts(c, "#include <math.h>\n#include <stddef.h>\n#include <stdint.h>\n#include <string.h>\n\n");
    const IsaInfo *isa = isa_info(o->isa);
    if (isa->cpu_bit) buf_printf(c, "%s\n", isa->preamble);
    if (L.uses_vops) { /* the vector layer the shared kernels are written in */
        KParams none = {0};
        buf_printf(c, "/* ---- vector layer (template %s/vops) ---- */\n", o->isa);
        template_instantiate(c, template_find_in(o->isa, "vops"), &none);
        buf_puts(c, "\n");
    }
    buf_printf(c, "#include \"%s\"\n\n", o->header_name);
    buf_puts(c, "/* ---- kernels ---- */\n");
    buf_put(c, L.kernels.data ? L.kernels.data : "", L.kernels.len);
    buf_puts(c, "/* ---- weights ---- */\n");
    weights_emit(wt, c, L.used);
    if (o->bin && !o->separate) weights_emit_asm(wt, o->asm_text, o->bin_name);
    buf_puts(c, "\n/* ---- entry point ---- */\n");
    if (o->separate) {
        buf_printf(c, "int %s_run_with_weights(const void *weights, const void *const inputs[], void *const outputs[],\n"
                      "                       void *workspace)\n{\n", o->prefix);
        buf_printf(c, "    const unsigned char *const wb = (const unsigned char *)weights + 64;\n");
        buf_printf(c, "    if (!%s_header_ok((const unsigned char *)weights)) return %d;\n", o->prefix,
                   NNC_STATUS_WEIGHTS);
    } else {
        buf_printf(c, "int %s_run(const void *const inputs[], void *const outputs[], void *workspace)\n{\n",
                   o->prefix);
    }
    buf_puts(c, "    unsigned char *const ws = (unsigned char *)workspace;\n    int status = 0;\n");
    buf_printf(c, "    if (!inputs || !outputs || (%lld > 0 && (!ws || ((uintptr_t)ws & 63u) != 0)))\n"
                  "        return %d;\n", (long long)workspace_total(&L), NNC_STATUS_BAD_ARGUMENT);
    {
        for (int i = 0; i < g->n_tensors; i++) /* after the checks: reads inputs[] and outputs[] */
            if (L.used[i] && L.decl[i]) buf_puts(c, L.decl[i]);
    }
    if (isa->cpu_bit) /* never run instructions the CPU lacks: report it instead */
        buf_printf(c, "    if ((nnc_cpu_features() & %s) != %s) return %d;\n", isa->cpu_macro, isa->cpu_macro,
                   NNC_STATUS_CPU);
    buf_put(c, L.body.data ? L.body.data : "", L.body.len);
    buf_puts(c, o->separate ? "    (void)ws;\n    (void)wb;\n    return status;\n}\n" : "    (void)ws;\n    return status;\n}\n");
    buf_free(&L.kernels);
    buf_free(&L.body);
}
