/* passes.h — graph passes; each lives in its own file and touches only the IR. */
#ifndef NNC_PASSES_H
#define NNC_PASSES_H

#include "../ir/graph.h"

/* Assign workspace offsets to intermediates; sets g->workspace_size. */
void pass_plan_memory(Graph *g);
/* Largest total size of intermediates live at one moment (bytes). */
int64_t plan_lower_bound(Graph *g);

#endif
