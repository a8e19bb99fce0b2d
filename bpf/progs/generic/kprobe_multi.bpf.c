/* Generic TracingPolicy hook on many kernel functions through one kprobe.multi link: the
 * functions of a kprobes: list that share a plan (src/policy/compile_kprobe_multi.cpp). The
 * context is struct pt_regs as for a kprobe; each function's hook id is its attach cookie, so
 * the events say which function was called. */
#define OCT_GEN_HOOK_ID_FROM_COOKIE 1
#include "lib/generic/hook.bpf.h"

SEC("kprobe.multi")
int oct_gen_kprobe_multi(struct pt_regs *ctx)
{
	oct_generic(ctx); /* observes only, as kprobe.bpf.c */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
