/* Generic TracingPolicy hook at a kernel function's return through a BPF trampoline (fexit):
 * `return: true` kprobes without a kretprobe pair. Its context is the function's arguments
 * (u64 each, argument i at offset 8 * i) followed by the return value, so one program sees
 * both (plan mode OCT_MODE_FEXIT, ret_offset = 8 * number of arguments). */
#include "lib/generic/hook.bpf.h"

SEC("fexit")
int oct_gen_fexit(void *ctx)
{
	oct_generic(ctx); /* observes only: an Override error is for the families that can return it */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
