/* Post action parameters of a generic hook, done in the kernel: rateLimit (at most one event
 * per window and key, suppressed events counted) and kernel/user stack traces carried in the
 * record after the argument data. */
#pragma once

#include "lib/extract/args.bpf.h"

/* 64-bit hash (FNV-1a over 8-byte words, then a xor-shift) of the first OCT_GEN_RL_ARG_BYTES
 * captured bytes of one argument and of its length. A global function: verified once. */
__noinline __u64 oct_rl_arg_hash(struct oct_exec_heap *h, __u32 off, __u32 len)
{
	__u64 x = 0xcbf29ce484222325ULL ^ len;
	__u32 n = len < OCT_GEN_RL_ARG_BYTES ? len : OCT_GEN_RL_ARG_BYTES, w;

	if (!h || off > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return x;
	for (w = 0; w < OCT_GEN_RL_ARG_BYTES / 8; w++) {
		__u64 v, mask;
		__u32 left;

		if (w * 8 >= n)
			break;
		left = n - w * 8;
		v = *(const __u64 *)&h->data[off + w * 8];
		mask = left >= 8 ? ~0ULL : ((1ULL << (left * 8)) - 1);
		x ^= v & mask;
		x *= 0x100000001b3ULL;
		x ^= x >> 29;
	}
	return x;
}

/* 1 when selector s posted an event with the same key less than its window ago: the event is
 * suppressed (and counted by the caller). Otherwise records now as the key's last post. */
static __always_inline int oct_rate_limited(struct oct_gen_config *cfg, struct oct_gen_scratch *sc,
					    struct oct_exec_heap *h, __u32 s, __u64 pid_tgid,
					    __u32 hook_id)
{
	struct oct_gen_selector *sel;
	__u64 now, *last;
	__u32 i;

	if (s >= OCT_GEN_MAX_SELECTORS)
		return 0;
	sel = &cfg->selectors[s];
	if (!sel->rate_limit_ns)
		return 0;
	sc->rl.hook_id = hook_id;
	sc->rl.selector = s;
	sc->rl.scope = sel->rate_limit_scope;
	sc->rl.pad = 0;
	switch (sel->rate_limit_scope) {
	case OCT_RL_THREAD:
		sc->rl.scope_id = pid_tgid;
		break;
	case OCT_RL_PROCESS:
		sc->rl.scope_id = pid_tgid >> 32;
		break;
	default:
		sc->rl.scope_id = 0;
		break;
	}
	for (i = 0; i < OCT_GEN_MAX_ARGS; i++)
		sc->rl.arg_hash[i] =
		    i < cfg->nargs ? oct_rl_arg_hash(h, sc->off[i & 7], sc->len[i & 7]) : 0;
	now = bpf_ktime_get_boot_ns();
	last = bpf_map_lookup_elem(&gen_ratelimit, &sc->rl);
	if (last && now - *last < sel->rate_limit_ns)
		return 1;
	bpf_map_update_elem(&gen_ratelimit, &sc->rl, &now, BPF_ANY);
	return 0;
}

/* Appends the stacks selector `sel` asks for at h->data[pos]; returns the new end. A static
 * subprogram, not inlined: pos then lives in a register from its check to its use. Inlined in
 * the hook body, clang reloaded it from the stack between the two, and Linux 6.1's verifier
 * does not carry a bound learnt on one fill of a slot to another fill of it. */
static __noinline __u32 oct_capture_stacks(void *ctx, struct oct_gen_selector *sel,
						struct oct_exec_heap *h, struct oct_gen_event *ev,
						__u32 pos)
{
	long n;

	if ((sel->stack & OCT_GEN_STACK_KERNEL) &&
	    pos <= OCT_EXEC_DATA_MAX - 2 * OCT_GEN_STACK_BYTES) {
		n = bpf_get_stack(ctx, &h->data[pos], OCT_GEN_STACK_BYTES, 0);
		if (n > 0 && n <= OCT_GEN_STACK_BYTES) {
			ev->kstack_len = n;
			pos += n;
		}
	}
	if ((sel->stack & OCT_GEN_STACK_USER) && pos <= OCT_EXEC_DATA_MAX - OCT_GEN_STACK_BYTES) {
		n = bpf_get_stack(ctx, &h->data[pos], OCT_GEN_STACK_BYTES, BPF_F_USER_STACK);
		if (n > 0 && n <= OCT_GEN_STACK_BYTES) {
			ev->ustack_len = n;
			pos += n;
		}
	}
	return pos;
}
