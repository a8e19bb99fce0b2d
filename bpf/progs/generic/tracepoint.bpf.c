/* Generic TracingPolicy hook on a perf tracepoint: Tetragon `tracepoints:` entries and
 * syscall `kprobes:` remapped onto syscalls/sys_enter_* and sys_exit_* (return values).
 * One instance of this object is loaded per hook; its plan is in gen_config and its
 * arguments are read at tracepoint-record offsets. The loader loads one of the two programs. */
#include "lib/generic/hook.bpf.h"

SEC("tracepoint")
int oct_gen_tp(void *ctx)
{
	oct_generic(ctx); /* observes only: an Override error is for the families that can return it */
	return 0;
}

/* The exit half of a syscall pair (sys_exit_*): it only finishes what its entry half saved, so
 * it looks at the count of saved entries before anything else, without reading the plan. */
SEC("tracepoint")
int oct_gen_tp_exit(void *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&gen_pending_n, &zero);

	if (!n || *n == 0)
		return 0;
	oct_generic(ctx); /* observes only: an Override error is for the families that can return it */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
