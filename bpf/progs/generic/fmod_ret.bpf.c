/* Generic TracingPolicy hook that can make a kernel function return an error instead of
 * running (BPF_MODIFY_RETURN): `kprobes:` with Override on security_* functions and on the
 * kernel's error-injection list (ALLOW_ERROR_INJECTION: the arch syscall functions such as
 * __x64_sys_linkat, when the kernel is built with CONFIG_FUNCTION_ERROR_INJECTION). Its context
 * is the function's arguments (u64 each, argument i at offset 8 * i) followed by the return
 * value of the fmod_ret programs before it. A non-zero return skips the function, which then
 * returns that value: oct_generic's result, the Override's argError (0: the function runs). */
#include "lib/generic/hook.bpf.h"

SEC("fmod_ret")
int oct_gen_fmod_ret(void *ctx)
{
	return oct_generic(ctx);
}

char LICENSE[] SEC("license") = "GPL";
