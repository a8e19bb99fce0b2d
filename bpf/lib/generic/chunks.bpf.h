/* maxData arguments: the bytes beyond the inline capture go to user space in
 * OCT_MSG_GENERIC_DATA records of up to OCT_GEN_CHUNK_DATA bytes, sent right before the event
 * (same CPU, so they precede it in the ring). A chunk that cannot be read or sent ends the
 * argument and flags it truncated: user space never shows a cut buffer as whole. */
#pragma once

#include "lib/emit/emit.bpf.h"
#include "maps/generic.bpf.h"

static long oct_chunk_step(__u32 idx, void *unused)
{
	__u32 zero = 0, off, n, arg;
	struct oct_gen_scratch *sc = bpf_map_lookup_elem(&gen_scratch, &zero);
	struct oct_gen_chunk_buf *b = bpf_map_lookup_elem(&gen_chunk_heap, &zero);
	struct oct_exec_heap *h = bpf_map_lookup_elem(&process_heap, &zero);
	struct oct_gen_event *ev;

	if (!sc || !b || !h)
		return 1;
	ev = (struct oct_gen_event *)h->data;
	arg = sc->chunk_arg;
	off = sc->chunk_off;
	if (off >= sc->chunk_end || arg >= OCT_GEN_MAX_ARGS)
		return 1;
	n = sc->chunk_end - off;
	if (n > OCT_GEN_CHUNK_DATA)
		n = OCT_GEN_CHUNK_DATA;
	if (bpf_probe_read_user(b->data, n, (void *)(sc->chunk_ptr + off))) {
		ev->arg_flags[arg] |= OCT_GAF_TRUNCATED;
		return 1;
	}
	oct_fill_hdr(&b->c.hdr, OCT_MSG_GENERIC_DATA, sizeof(b->c) + n, sc->chunk_ktime);
	b->c.tid = sc->chunk_tid;
	b->c.arg = arg;
	b->c.offset = off;
	b->c.len = n;
	if (bpf_ringbuf_output(&process_events, b, sizeof(b->c) + n, oct_rb_flags()) < 0) {
		oct_count_miss(OCT_MSG_GENERIC_DATA, OCT_MISS_RB_FULL);
		ev->arg_flags[arg] |= OCT_GAF_TRUNCATED;
		return 1;
	}
	sc->chunk_off = off + n;
	return 0;
}

/* Sends the chunks of every OCT_GAF_CHUNKED argument of the event in h, stamped ktime/tid. */
__noinline int oct_send_chunks(struct oct_gen_config *cfg, struct oct_gen_scratch *sc,
			       struct oct_exec_heap *h, __u64 ktime, __u32 tid)
{
	struct oct_gen_event *ev;
	__u32 i, end, limit;

	if (!cfg || !sc || !h)
		return 0;
	ev = (struct oct_gen_event *)h->data;
	for (i = 0; i < OCT_GEN_MAX_ARGS; i++) {
		if (!(ev->arg_flags[i] & OCT_GAF_CHUNKED))
			continue;
		limit = cfg->args[i].max_data + cfg->args[i].chunk_max;
		end = ev->arg_size[i];
		if (end > limit) {
			end = limit;
			ev->arg_flags[i] |= OCT_GAF_TRUNCATED;
		}
		sc->chunk_arg = i;
		sc->chunk_ptr = sc->slots[i];
		sc->chunk_off = sc->len[i];
		sc->chunk_end = end;
		sc->chunk_ktime = ktime;
		sc->chunk_tid = tid;
		bpf_loop(OCT_GEN_MAXDATA_MAX / OCT_GEN_CHUNK_DATA + 1, oct_chunk_step, NULL, 0);
		if (sc->chunk_off < end)
			ev->arg_flags[i] |= OCT_GAF_TRUNCATED;
	}
	return 0;
}
