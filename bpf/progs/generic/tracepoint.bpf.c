/* Generic TracingPolicy hook on a perf tracepoint: Tetragon `tracepoints:` entries and
 * syscall `kprobes:` remapped onto syscalls/sys_enter_* and sys_exit_* (return values).
 * One instance of this object is loaded per hook; its plan is in gen_config and its
 * arguments are read at tracepoint-record offsets. */
#include "lib/generic/hook.bpf.h"

SEC("tracepoint")
int oct_gen_tp(void *ctx)
{
	return oct_generic(ctx);
}

char LICENSE[] SEC("license") = "GPL";
