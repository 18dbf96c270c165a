/* layout.c — LayoutConvert: copies a tensor between the plain and the
 * channel-blocked (NCHW[c]) layout; only the layout pass creates it. */
#include "common.h"

void shape_layout_convert(Graph *g, Node *n)
{
    (void)g;
    (void)n;
    nnc_fail_node(n, "LayoutConvert is not implemented yet");
}

void lower_layout_convert(Lowering *L, const Node *n)
{
    (void)L;
    nnc_fail_node(n, "LayoutConvert is not implemented yet");
}
