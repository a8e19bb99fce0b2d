/* The reject prefilter (struct oct_gen_prefilter in abi/generic.h): necessary conditions of
 * every selector, checked first with arithmetic instead of branches. On machines whose kernel
 * entry flushes the branch predictors and the TLB (PTI without PCID, nested paging), a
 * filtered-out event costs about one page walk per page it touches and a misprediction per
 * branch, so the prefilter reads only the config's first cache lines and the argument it
 * judges, and decides with one branch per condition. */
#pragma once

#include "lib/extract/args.bpf.h"

/* 1 when d != 0, without a branch (the asm keeps the compiler from turning it into one). */
static __always_inline __u64 oct_nonzero_bit(__u64 d)
{
	__u64 n = d;

	asm volatile("%0 = -%0" : "+r"(n));
	return (d | n) >> 63;
}

/* 1 when v is none of set[0..OCT_PRE_MAX). */
static __always_inline __u64 oct_none_of(__u64 v, const __u64 *set)
{
	__u64 miss = 1;
	__u32 i;

#pragma unroll
	for (i = 0; i < OCT_PRE_MAX; i++)
		miss &= oct_nonzero_bit(v ^ set[i]);
	return miss;
}

/* The raw slot of argument i. A program that already loaded the context word at word_off (a
 * constant offset: a plain load, where bpf_probe_read_kernel costs a helper call) passes it in;
 * 0 word_off: none. */
static __always_inline __u64 oct_pre_slot(void *ctx, struct oct_gen_config *cfg, __u32 i, __u64 word,
					  __u32 word_off)
{
	struct oct_gen_arg *a = &cfg->args[i];
	__u64 v = word;

	if (!word_off || a->offset != word_off || a->kind == OCT_GA_CONST || a->kind == OCT_GA_USER_DEREF)
		return oct_read_slot(ctx, a);
	/* as oct_read_slot: the low `size` bytes (little endian), sign-extended if signed */
	switch (a->size) {
	case 1: return a->is_signed ? (__u64)(__s64)(__s8)v : (v & 0xff);
	case 2: return a->is_signed ? (__u64)(__s64)(__s16)v : (v & 0xffff);
	case 4: return a->is_signed ? (__u64)(__s64)(__s32)v : (v & 0xffffffff);
	}
	return v;
}

/* 1 when the prefilter proves that no selector can match this event. Slot reads that fail
 * (an unmapped string) prove nothing: the event goes on to the full selectors. */
static __always_inline int oct_prefilter_rejects(void *ctx, struct oct_gen_config *cfg, __u32 tgid,
						 __u64 word, __u32 word_off)
{
	struct oct_gen_prefilter *p = &cfg->pre;
	__u8 flags = p->flags;
	__u64 miss, v;
	__u32 i;

	if (!flags)
		return 0;
	if (flags & OCT_PRE_PIDS) {
		miss = 1;
#pragma unroll
		for (i = 0; i < OCT_PRE_MAX; i++)
			miss &= oct_nonzero_bit((__u64)(p->pids[i] ^ tgid));
		if (miss)
			return 1;
	}
	if ((flags & OCT_PRE_INT) && p->int_arg < OCT_GEN_MAX_ARGS) {
		v = oct_pre_slot(ctx, cfg, p->int_arg, word, word_off);
		if (oct_none_of(v, p->ints))
			return 1;
	}
	if ((flags & OCT_PRE_STR) && p->str_arg < OCT_GEN_MAX_ARGS) {
		void *ptr = (void *)oct_pre_slot(ctx, cfg, p->str_arg, word, word_off);
		__u64 w = 0;
		long err;

		if (flags & OCT_PRE_STR_USER)
			err = bpf_probe_read_user(&w, sizeof(w), ptr);
		else
			err = bpf_probe_read_kernel(&w, sizeof(w), ptr);
		if (err)
			return 0;
		miss = 1;
#pragma unroll
		for (i = 0; i < OCT_PRE_MAX; i++)
			miss &= oct_nonzero_bit((w & p->str_masks[i]) ^ p->strs[i]);
		if (miss)
			return 1;
	}
	return 0;
}
