/* Maps of one generic (TracingPolicy) hook instance. The process sensor's ring buffer and
 * process map are shared with it (user space reuses their fds before load). */
#pragma once

#include "maps/process.bpf.h"
#include "abi/generic.h"

/* The hook's plan (one entry), written by user space before attach. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oct_gen_config);
} gen_config SEC(".maps");

/* Raw argument slots saved at syscall entry for the sys_exit half of a return probe. */
struct oct_gen_slots {
	__u64 v[OCT_GEN_MAX_ARGS];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, struct oct_gen_slots);
} gen_pending SEC(".maps");

/* About how many entries gen_pending holds (entries the LRU evicts are not subtracted, so it
 * errs high): while it is 0 the exit half skips its hash lookup, which most exits would miss.
 * Shared by the two halves like gen_pending. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_pending_n SEC(".maps");

/* Values of InMap / NotInMap filters. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OCT_GEN_INMAP_MAX);
	__type(key, struct oct_gen_inmap_key);
	__type(value, __u8);
} gen_inmap SEC(".maps");

/* Binary path sets of matchBinaries / matchParentBinaries (abi/generic.h oct_gen_lpm_key). */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, OCT_GEN_BINARIES_MAX);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct oct_gen_lpm_key);
	__type(value, __u8);
} gen_binaries SEC(".maps");

/* Post rateLimit: last posted time per key (see struct oct_gen_rl_key). One entry until user
 * space sizes it for a plan that uses rateLimit; the exit half of a hook shares its entry's. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, struct oct_gen_rl_key);
	__type(value, __u64);
} gen_ratelimit SEC(".maps");

/* Socket owners (TrackSock/UntrackSock), sock pointer -> process: one map for the agent. One
 * entry until user space gives a hook that tracks or attributes sockets the shared map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, struct oct_sock_owner);
} gen_socktrack SEC(".maps");

/* Per-selector action counters, [selector * OCT_GS_MAX + stat]. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OCT_GEN_MAX_SELECTORS * OCT_GS_MAX + OCT_GS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} gen_stats SEC(".maps");

/* Per-CPU working state of one invocation: raw slots and where each captured arg lives. */
/* Arrays have 8 slots (>= OCT_GEN_MAX_ARGS) so that `i & 7` bounds any index for the verifier. */
struct oct_gen_scratch {
	__u64 slots[8];
	__u32 off[8]; /* offset of the captured bytes in the heap's data */
	__u32 len[8]; /* captured bytes (strings without their NUL) */
	__s64 ret;
	/* The process, read once per invocation for the process filters (cfg->proc_needs). */
	struct oct_namespaces ns;
	__u32 tgid;
	__u64 caps[3];		/* enum oct_cap_set */
	__u32 userns_level;	/* 0: the initial user namespace */
	/* SubString search: the needle and the haystack (a captured argument in the heap). */
	__u32 sub_off, sub_len, sub_nlen, sub_found;
	char needle[OCT_GEN_STR_MAX];
	struct oct_gen_lpm_key lpm; /* binary path lookups */
	struct oct_gen_rl_key rl; /* rate-limit key being built (too big for the stack) */
	__u8 resolve_err[8]; /* the arg's resolve: path met a NULL pointer or a failed read */
	/* The maxData argument whose chunks are being sent (lib/generic/chunks.bpf.h). */
	__u64 chunk_ptr;
	__u64 chunk_ktime;
	__u32 chunk_off;
	__u32 chunk_end;
	__u32 chunk_tid;
	__u32 chunk_arg;
	/* A path argument joined root first ("/a/b"), for string filters on fd/file arguments
	 * (lib/filter/path_match.bpf.h): the walk state, one component, the result. */
	__u32 pj_start, pj_src, pj_end, pj_total;
	char pj_name[OCT_NAME_MAX];
	char path[OCT_GEN_ARG_MAX + OCT_GEN_STR_MAX + 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oct_gen_scratch);
} gen_scratch SEC(".maps");

/* The scratch's LPM key as a map value pointer. A global function gets the scratch as an
 * argument (plain memory to the verifier), and Linux 6.1 takes map keys only from the stack or
 * a map value ("R2 type=mem expected=fp, pkt, pkt_meta, map_key, map_value"): a trie key
 * (260 bytes, too big for the stack) is built here instead. The per-CPU array lookup is
 * inlined by the verifier: a few instructions. */
static __always_inline struct oct_gen_lpm_key *oct_scratch_lpm_key(void)
{
	__u32 zero = 0;
	struct oct_gen_scratch *sc = bpf_map_lookup_elem(&gen_scratch, &zero);

	if (!sc)
		return NULL;
	/* Keeps the field's address after the NULL check: clang may otherwise compute it before
	 * and select, which the verifier refuses (pointer arithmetic on map_value_or_null). */
	asm volatile("" : "+r"(sc));
	return &sc->lpm;
}

/* Where a chunk record of a maxData argument is assembled before it goes to the ring. */
struct oct_gen_chunk_buf {
	struct oct_gen_chunk c;
	char data[OCT_GEN_CHUNK_DATA];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oct_gen_chunk_buf);
} gen_chunk_heap SEC(".maps");

static __always_inline void oct_gen_count(__u32 selector, __u32 stat)
{
	__u32 idx = selector * OCT_GS_MAX + stat;
	__u64 *v = bpf_map_lookup_elem(&gen_stats, &idx);

	if (v)
		*v += 1;
}
