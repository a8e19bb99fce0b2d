/* Generic TracingPolicy hook on a BPF-LSM hook (`lsmhooks:`). Its context is the hook's
 * arguments as an array of u64 (argument i at offset 8 * i), followed by the return value of
 * the LSM programs before this one. The program denies the operation with the error of an
 * Override (oct_generic's result) only when the loader set oct_lsm_may_deny: the hook returns
 * int and the policy has an Override. Otherwise it returns 0, which void hooks require (the
 * verifier knows the read-only value and checks only the branch that runs). */
#include "lib/generic/hook.bpf.h"

#define OCT_MAX_ERRNO 4095

const volatile __u8 oct_lsm_may_deny = 0;

/* long: the bounds the verifier checks (Linux 6.12+: [-4095, 0] for int hooks, 0 for void ones)
 * hold for the whole 64-bit register, whatever width it checks. */
SEC("lsm")
long oct_gen_lsm(void *ctx)
{
	long rc = oct_generic(ctx);

	/* One 64-bit register for the check and the return (else clang may check a 32-bit copy
	 * and return the sign-extended one, whose bounds the verifier then does not know). */
	asm volatile("" : "+r"(rc));
	if (!oct_lsm_may_deny)
		return 0;
	/* An LSM returns 0 or -errno (the compiler allows only argError in [-4095, -1]). */
	if (rc < -OCT_MAX_ERRNO || rc > 0)
		return 0;
	return rc;
}

char LICENSE[] SEC("license") = "GPL";
