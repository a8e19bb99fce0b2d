/* Generic TracingPolicy hook on a kernel function through a kprobe that can override the
 * function's return value (bpf_override_return): `kprobes:` with Override where the kernel has
 * CONFIG_BPF_KPROBE_OVERRIDE and the function is on its error-injection list, and fmod_ret is
 * not available. Its own object: kernels without the helper refuse to load it (no Debian kernel
 * has it). Context and argument offsets as in kprobe.bpf.c. */
#include "lib/generic/hook.bpf.h"

SEC("kprobe")
int oct_gen_kprobe_override(struct pt_regs *ctx)
{
	int rc = oct_generic(ctx);

	if (rc)
		bpf_override_return(ctx, (__u64)(__s64)rc);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
