/* infer.h — verifier and static shape inference over the whole graph. */
#ifndef NNC_INFER_H
#define NNC_INFER_H

#include "graph.h"

void infer_shapes(Graph *g);

#endif
