/* Generic TracingPolicy hook on a raw tracepoint (`tracepoints:` with `raw: true`). The context
 * is the tracepoint's argument array (one u64 per TP_PROTO argument, BTF-typed): the plan
 * reads argument i at offset 8 * i, and pointers to kernel objects (struct file, cred,
 * linux_binprm...) are followed in the kernel. One instance is loaded per hook. */
#include "lib/generic/hook.bpf.h"

SEC("raw_tp")
int oct_gen_raw_tp(void *ctx)
{
	oct_generic(ctx); /* observes only: an Override error is for the families that can return it */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
