/* Generic TracingPolicy hook on a BPF-LSM hook (`lsmhooks:`). Its context is the hook's
 * arguments as an array of u64 (argument i at offset 8 * i), followed by the return value of
 * the LSM programs before this one. The program returns 0: it never denies the operation
 * (Override is refused by the compiler until it is implemented). */
#include "lib/generic/hook.bpf.h"

SEC("lsm")
int oct_gen_lsm(void *ctx)
{
	oct_generic(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
