/* String filters (Equal, Prefix, Postfix and their negations) on path arguments (fd, file,
 * path, dentry, linux_binprm): the captured components (leaf first, each NUL-terminated) are
 * joined root first into the scratch's path buffer, exactly as user space renders them
 * ("/" + each component; "/" alone for none), then compared. */
#pragma once

#include "maps/generic.bpf.h"

/* Places one component: "name\0" at relative offset rel (leaf first) of a capture of total
 * bytes becomes "/name" at total - rel - (len + 1) of the joined path (same length). */
static long oct_join_step(__u32 i, void *arg)
{
	__u32 zero = 0, s, rel, dst, n;
	struct oct_gen_scratch *sc = bpf_map_lookup_elem(&gen_scratch, &zero);
	struct oct_exec_heap *h = bpf_map_lookup_elem(&process_heap, &zero);
	long r;

	if (!sc || !h)
		return 1;
	s = sc->pj_src;
	if (s >= sc->pj_end || s > OCT_EXEC_DATA_MAX - OCT_NAME_MAX)
		return 1;
	r = bpf_probe_read_kernel_str(sc->pj_name, OCT_NAME_MAX, &h->data[s]);
	if (r <= 0 || r > OCT_NAME_MAX)
		return 1;
	rel = s - sc->pj_start;
	if (rel + r > sc->pj_total)
		return 1;
	dst = sc->pj_total - rel - r;
	if (dst >= OCT_GEN_ARG_MAX)
		return 1;
	sc->path[dst] = '/';
	n = (__u32)(r - 1) & (OCT_NAME_MAX - 1);
	if (n)
		bpf_probe_read_kernel(&sc->path[dst + 1], n, sc->pj_name);
	sc->pj_src = s + r;
	return 0;
}

/* Joins captured argument a (hdr bytes of header before its components) into sc->path and
 * returns its length; 0 when the argument could not be read. */
static __always_inline __u32 oct_join_path(struct oct_gen_scratch *sc, struct oct_exec_heap *h,
					   __u32 a, __u32 hdr)
{
	struct oct_gen_event *ev = (struct oct_gen_event *)h->data;
	__u32 off = sc->off[a & 7], len = sc->len[a & 7];

	if (a >= OCT_GEN_MAX_ARGS || (ev->arg_flags[a] & OCT_GAF_ERROR) || len < hdr)
		return 0;
	if (len == hdr) {
		sc->path[0] = '/';
		return 1;
	}
	sc->pj_start = off + hdr;
	sc->pj_src = off + hdr;
	sc->pj_end = off + len;
	sc->pj_total = len - hdr;
	bpf_loop(OCT_GEN_ARG_MAX / 2, oct_join_step, NULL, 0);
	return sc->pj_total > OCT_GEN_ARG_MAX ? OCT_GEN_ARG_MAX : sc->pj_total;
}

static __always_inline int oct_path_value_match(struct oct_gen_scratch *sc, __u32 len,
						 struct oct_gen_filter *f, __u32 v)
{
	__u32 l = f->slen[v & (OCT_GEN_MAX_VALUES - 1)], start;
	const char *val = f->svals[v & (OCT_GEN_MAX_VALUES - 1)];

	if (l > OCT_GEN_STR_MAX || len > OCT_GEN_ARG_MAX || len == 0)
		return 0;
	switch (f->op) {
	case OCT_OP_EQ:
	case OCT_OP_NEQ:
		return len == l && oct_bytes_equal(sc->path, val, l);
	case OCT_OP_PREFIX:
	case OCT_OP_NOTPREFIX:
		return len >= l && oct_bytes_equal(sc->path, val, l);
	case OCT_OP_POSTFIX:
	case OCT_OP_NOTPOSTFIX:
		if (len < l)
			return 0;
		start = len - l;
		if (start > OCT_GEN_ARG_MAX)
			return 0;
		return oct_bytes_equal(&sc->path[start], val, l);
	}
	return 0;
}

/* Whether one of the filter's values matches path argument a (before negation). A global
 * function: verified once, apart from the other filters. */
__noinline int oct_path_filter(struct oct_gen_filter *f, struct oct_gen_scratch *sc,
			       struct oct_exec_heap *h, __u32 a)
{
	__u32 v, len;

	if (!f || !sc || !h || a >= OCT_GEN_MAX_ARGS)
		return 0;
	len = oct_join_path(sc, h, a, f->is_string == OCT_GEN_STR_FILE ? sizeof(struct oct_gen_file_hdr) : 0);
	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		if (oct_path_value_match(sc, len, f, v))
			return 1;
	}
	return 0;
}

/* InMap / NotInMap on a string argument: whether captured argument a is one of the set's
 * strings (looked up whole, NUL included, in the gen_binaries trie). */
__noinline int oct_str_inmap(struct oct_gen_filter *f, struct oct_gen_scratch *sc,
			     struct oct_exec_heap *h, __u32 a)
{
	struct oct_gen_lpm_key *k;
	__u32 off, len;

	if (!f || !sc || !h || a >= OCT_GEN_MAX_ARGS)
		return 0;
	off = sc->off[a & 7];
	len = sc->len[a & 7];
	if (len > OCT_GEN_LPM_DATA - 2 || off > OCT_EXEC_DATA_MAX - OCT_GEN_LPM_DATA)
		return 0;
	k = oct_scratch_lpm_key(); /* see oct_scratch_lpm_key */
	if (!k)
		return 0;
	k->data[0] = (__u8)(OCT_GEN_LPM_STRSET_BASE + f->set);
	if (len)
		bpf_probe_read_kernel(&k->data[1], len, &h->data[off]);
	k->data[(1 + len) & (OCT_GEN_LPM_DATA - 1)] = 0;
	k->prefixlen = (len + 2) * 8;
	return bpf_map_lookup_elem(&gen_binaries, k) != NULL;
}
