/* weights.h — constant tensors as static const data in the generated C. */
#ifndef NNC_WEIGHTS_H
#define NNC_WEIGHTS_H

#include "../ir/graph.h"

typedef struct WeightTable WeightTable;

/* section: put every constant in this linker section (GNU C), or NULL.
 * blob: NULL to emit constants as C data; otherwise (--weights incbin) their
 * bytes are appended to *blob (which may stream to a file: Buf's sink),
 * 64-byte aligned each, and the C names them as offsets into the symbol
 * P_weights that weights_emit_asm defines. */
WeightTable *weights_new(Graph *g, const char *prefix, const char *section, Buf *blob);
/* C expression for constant tensor t (assigns it a name on first use). */
const char *weights_ref(WeightTable *wt, const Tensor *t);
/* A constant made during lowering (weights packed into the layout a kernel
 * reads): always emitted; returns the C expression naming its data. */
const char *weights_add(WeightTable *wt, const Tensor *t);
/* Bytes of the constants weights_emit writes for `used` (sizeof of each object). */
int64_t weights_bytes(const WeightTable *wt, const char *used);
/* --weights incbin: the assembler file (preprocessed, gcc and clang, ELF
 * and Mach-O) defining P_weights as the bytes of bin_name (.incbin). */
void weights_emit_asm(const WeightTable *wt, Buf *s, const char *bin_name);
/* --weights separate: the constants are read through `wb` (the run
 * function's pointer past the blob's header), and weights_emit also writes
 * P_check_weights and the header check, and stores the payload's checksum
 * in *checksum (if not NULL). Call before weights_emit. */
void weights_set_separate(WeightTable *wt, uint32_t *checksum);
/* --weights separate: the blob's 64-byte header for a payload of `size`
 * bytes with FNV-1a checksum `sum` (magic "NNCW", version; little-endian). */
void weights_blob_header(uint64_t size, uint32_t sum, unsigned char header[64]);
/* Emit the definitions of the constants whose `used[t->id]` is set. */
void weights_emit(WeightTable *wt, Buf *c, const char *used);

#endif
