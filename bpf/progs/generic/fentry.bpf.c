/* Generic TracingPolicy hook on a kernel function through a BPF trampoline (fentry): cheaper
 * than a kprobe. Its context is the function's arguments as an array of u64 (BTF-typed):
 * argument i is at offset 8 * i. The attach target is set at load time. */
#include "lib/generic/hook.bpf.h"

SEC("fentry")
int oct_gen_fentry(void *ctx)
{
	oct_generic(ctx); /* observes only: an Override error is for the families that can return it */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
