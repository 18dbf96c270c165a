/* info.h — `nnc info`: what a model costs, layer by layer. */
#ifndef NNC_INFO_H
#define NNC_INFO_H

#include "driver.h"

/* Print the per-layer table (or, with graph_only, the graph after the
 * passes). Returns 0, or 1 after printing an error. */
int info_model(const CompileOptions *o, int graph_only);

#endif
