/* stack.h — an upper bound on the stack a kernel call needs, for the
 * generated header's P_STACK_SIZE. */
#ifndef NNC_STACK_H
#define NNC_STACK_H

#include "lower.h"

/* Bytes of stack every kernel call may use beyond its local arrays (its
 * frame, spilled registers, small vector arrays, the helpers it calls), and
 * the run function's own frame: checked by tests/golden/stack_test.sh on the
 * zoo at -O1 and -O2 on every target. */
#define NNC_STACK_BASE 16384

/* Bytes of the local arrays kernel template `tmpl` declares on ISA `isa`,
 * computed from its parameters p as the template sizes them. */
int64_t kernel_stack_bytes(const char *isa, const char *tmpl, const KParams *p);

#endif
