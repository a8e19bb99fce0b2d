/* Generic TracingPolicy hook on a kernel function through a kprobe: Tetragon `kprobes:` on
 * functions that are not syscalls, when the kernel has no BPF trampolines (or the policy needs
 * a kprobe). The same program serves the kretprobe half of `return: true` (attach options say
 * which). Its context is the kernel's struct pt_regs at the probe: arguments are read at the
 * x86_64 argument-register offsets, the return value from ax. */
#include "lib/generic/hook.bpf.h"

SEC("kprobe")
int oct_gen_kprobe(struct pt_regs *ctx)
{
	oct_generic(ctx); /* observes only: an Override error is for the families that can return it */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
