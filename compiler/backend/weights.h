/* weights.h — constant tensors as static const data in the generated C. */
#ifndef NNC_WEIGHTS_H
#define NNC_WEIGHTS_H

#include "../ir/graph.h"

typedef struct WeightTable WeightTable;

/* section: put every constant in this linker section (GNU C), or NULL. */
WeightTable *weights_new(Graph *g, const char *prefix, const char *section);
/* C expression for constant tensor t (assigns it a name on first use). */
const char *weights_ref(WeightTable *wt, const Tensor *t);
/* A constant made during lowering (weights packed into the layout a kernel
 * reads): always emitted; returns the C expression naming its data. */
const char *weights_add(WeightTable *wt, const Tensor *t);
/* Bytes of the constants weights_emit writes for `used` (sizeof of each object). */
int64_t weights_bytes(const WeightTable *wt, const char *used);
/* Emit the definitions of the constants whose `used[t->id]` is set. */
void weights_emit(WeightTable *wt, Buf *c, const char *used);

#endif
