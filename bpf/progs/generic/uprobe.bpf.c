/* Generic TracingPolicy hook on a user-space probe: Tetragon `uprobes:` (function entry, and
 * with `return: true` the uretprobe half) and `usdts:` (a uprobe on the probe's nop, with its
 * semaphore counted by the kernel through ref_ctr_offset). One instance of this object is
 * loaded per probe point; the same program serves uprobe and uretprobe (attach options say
 * which). Its context is the user task's struct pt_regs: arguments are read at register
 * offsets in it, and USDT memory operands from user memory at register + displacement. */
#include "lib/generic/hook.bpf.h"

SEC("uprobe")
int oct_gen_uprobe(struct pt_regs *ctx)
{
	oct_generic(ctx); /* observes only: an Override error is for the families that can return it */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
