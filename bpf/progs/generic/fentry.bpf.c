/* Generic TracingPolicy hook on a kernel function through a BPF trampoline (fentry): cheaper
 * than a kprobe. Its context is the function's arguments as an array of u64 (BTF-typed):
 * argument i is at offset 8 * i. The attach target is set at load time. */
#include "lib/generic/hook.bpf.h"

SEC("fentry")
int oct_gen_fentry(void *ctx)
{
	return oct_generic(ctx);
}

char LICENSE[] SEC("license") = "GPL";
