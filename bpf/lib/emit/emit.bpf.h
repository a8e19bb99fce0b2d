/* Delivery to user space: batched ring buffer wake-ups and loss counters. */
#pragma once

#include "maps/process.bpf.h"

static __always_inline void oct_count_miss(__u8 op, __u32 reason)
{
	__u32 idx = (__u32)op * OCT_MISS_MAX + reason;
	__u64 *v = bpf_map_lookup_elem(&process_missed, &idx);

	if (v)
		*v += 1;
}

/* Wake the consumer only when a quarter of the ring is unread: a wake-up costs ~12 us of
 * producer CPU here (perf-baselines.md section 2), the record itself ~0.15 us. The agent
 * polls with a short timeout, so latency stays bounded without per-event wake-ups. */
static __always_inline __u64 oct_rb_flags(void)
{
	return bpf_ringbuf_query(&process_events, BPF_RB_AVAIL_DATA) > oct_wakeup_bytes ?
		       BPF_RB_FORCE_WAKEUP :
		       BPF_RB_NO_WAKEUP;
}

static __always_inline void oct_fill_hdr(struct oct_msg_hdr *h, __u8 op, __u32 size, __u64 ktime)
{
	h->op = op;
	h->abi_version = OCTAGON_ABI_VERSION;
	h->pad = 0;
	h->size = size;
	h->ktime = ktime;
}

/* Copies a variable-size record into the ring; counts it when the ring is full. */
static __always_inline void oct_output(void *rec, __u32 size, __u8 op)
{
	if (bpf_ringbuf_output(&process_events, rec, size, oct_rb_flags()) < 0)
		oct_count_miss(op, OCT_MISS_RB_FULL);
}
