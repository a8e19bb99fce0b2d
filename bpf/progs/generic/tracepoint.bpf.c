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

/* Entry programs that load the prefilter's argument with a plain context read instead of a
 * bpf_probe_read_kernel helper call (about 45 ns per call on a machine whose kernel entry
 * flushes the TLB): one per 8-byte word of a syscall record's arguments (offsets 16..56). The
 * loader picks the program of the plan's prefilter argument, or oct_gen_tp. The kernel refuses
 * to attach a program that reads past a tracepoint's record, so each reads its word only. */
#define OCT_GEN_TP_WORD(k)						\
	SEC("tracepoint")						\
	int oct_gen_tp_w##k(void *ctx)					\
	{								\
		oct_generic_word(ctx, ((__u64 *)ctx)[k], (k) * 8);	\
		return 0;						\
	}

OCT_GEN_TP_WORD(2)
OCT_GEN_TP_WORD(3)
OCT_GEN_TP_WORD(4)
OCT_GEN_TP_WORD(5)
OCT_GEN_TP_WORD(6)
OCT_GEN_TP_WORD(7)

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
