/* infer.h — verifier and static shape inference over the whole graph. */
#ifndef NNC_INFER_H
#define NNC_INFER_H

#include "graph.h"

void infer_shapes(Graph *g);
/* One node (its inputs already inferred): what infer_shapes does per node.
 * The model-language frontend calls it as it builds the graph. */
void infer_node(Graph *g, Node *n);

#endif
