/* In-kernel selector evaluation for generic hooks: selectors are OR'ed (first match wins),
 * filters inside a selector are AND'ed. Strings are compared 8 bytes at a time. */
#pragma once

#include "lib/extract/args.bpf.h"
#include "maps/generic.bpf.h"

#ifndef S_IFMT
#define S_IFMT 00170000
#endif

#define OCT_STR_WORDS (OCT_GEN_STR_MAX / 8)

/* Compares n bytes of a (heap data) and b (filter value), 8 at a time. */
static __always_inline int oct_bytes_equal(const char *a, const char *b, __u32 n)
{
	__u32 w;

	for (w = 0; w < OCT_STR_WORDS; w++) {
		__u64 x, y, mask;
		__u32 left;

		if (w * 8 >= n)
			break;
		left = n - w * 8;
		x = *(const __u64 *)(a + w * 8);
		y = *(const __u64 *)(b + w * 8);
		mask = left >= 8 ? ~0ULL : ((1ULL << (left * 8)) - 1);
		if ((x ^ y) & mask)
			return 0;
	}
	return 1;
}

static __always_inline int oct_string_value_match(struct oct_exec_heap *h, __u32 off, __u32 len,
						  struct oct_gen_filter *f, __u32 v)
{
	__u32 l = f->slen[v & (OCT_GEN_MAX_VALUES - 1)];
	const char *val = f->svals[v & (OCT_GEN_MAX_VALUES - 1)];
	__u32 start;

	if (l > OCT_GEN_STR_MAX || off > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	switch (f->op) {
	case OCT_OP_EQ:
	case OCT_OP_NEQ:
		return len == l && oct_bytes_equal(&h->data[off], val, l);
	case OCT_OP_PREFIX:
	case OCT_OP_NOTPREFIX:
		return len >= l && oct_bytes_equal(&h->data[off], val, l);
	case OCT_OP_POSTFIX:
	case OCT_OP_NOTPOSTFIX:
		if (len < l || len > OCT_GEN_ARG_MAX)
			return 0;
		start = off + len - l;
		if (start > OCT_EXEC_DATA_MAX - OCT_GEN_STR_MAX - 8)
			return 0;
		return oct_bytes_equal(&h->data[start], val, l);
	}
	return 0;
}

/* One step of a SubString search: is the needle at haystack offset i? */
static long oct_substr_step(__u32 i, void *arg)
{
	__u32 zero = 0, pos, n;
	struct oct_gen_scratch *sc = bpf_map_lookup_elem(&gen_scratch, &zero);
	struct oct_exec_heap *h = bpf_map_lookup_elem(&process_heap, &zero);

	if (!sc || !h)
		return 1;
	n = sc->sub_nlen;
	if (n == 0 || n > OCT_GEN_STR_MAX || i + n > sc->sub_len)
		return 1;
	pos = sc->sub_off + i;
	if (pos > OCT_EXEC_DATA_MAX - OCT_GEN_STR_MAX - 8)
		return 1;
	if (h->data[pos] != sc->needle[0])
		return 0;
	if (oct_bytes_equal(&h->data[pos], sc->needle, n)) {
		sc->sub_found = 1;
		return 1;
	}
	return 0;
}

/* SubString: one of the values occurs in captured argument a. */
static __always_inline int oct_substring_match(struct oct_gen_filter *f, struct oct_gen_scratch *sc,
					       __u32 a)
{
	__u32 v, l;

	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		l = f->slen[v & (OCT_GEN_MAX_VALUES - 1)];
		if (l == 0 || l > OCT_GEN_STR_MAX || l > sc->len[a & 7])
			continue;
		bpf_probe_read_kernel(sc->needle, OCT_GEN_STR_MAX, f->svals[v & (OCT_GEN_MAX_VALUES - 1)]);
		sc->sub_off = sc->off[a & 7];
		sc->sub_len = sc->len[a & 7];
		sc->sub_nlen = l;
		sc->sub_found = 0;
		bpf_loop(OCT_GEN_ARG_MAX, oct_substr_step, NULL, 0);
		if (sc->sub_found)
			return 1;
	}
	return 0;
}

/* FileType / NotFileType: the file type (S_IFREG...) of the file open as fd argument a. */
static __always_inline int oct_filetype_match(struct oct_gen_filter *f, struct oct_gen_scratch *sc,
					      __u32 a)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct file *file = oct_fd_file(task, sc->slots[a & 7]);
	__u32 v, mode = 0, any = 0;

	if (file)
		mode = BPF_CORE_READ(file, f_inode, i_mode) & S_IFMT;
	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		if (mode && (__s64)mode == f->ivals[(2 * v) & 7])
			any = 1;
	}
	return f->op == OCT_OP_NOTFILETYPE ? !any : any;
}

#include "lib/filter/path_match.bpf.h"
#include "lib/filter/sockaddr.bpf.h"
#include "lib/filter/knet.bpf.h"

static __always_inline int oct_int_value_match(__s64 x, struct oct_gen_filter *f, __u32 v)
{
	__s64 a = f->ivals[(2 * v) & 7], b = f->ivals[(2 * v + 1) & 7];

	switch (f->op) {
	case OCT_OP_EQ:
	case OCT_OP_NEQ:
		return x == a;
	case OCT_OP_GT:
		return x > a;
	case OCT_OP_LT:
		return x < a;
	case OCT_OP_MASK:
		return (x & a) != 0;
	case OCT_OP_INRANGE:
	case OCT_OP_NOTINRANGE:
		return x >= a && x <= b;
	}
	return 0;
}

static __always_inline int oct_is_negated(__u8 op)
{
	return op == OCT_OP_NEQ || op == OCT_OP_NOTPREFIX || op == OCT_OP_NOTPOSTFIX ||
	       op == OCT_OP_NOTINRANGE || op == OCT_OP_NOTINMAP;
}

/* A filter holds when any value matches (for negated operators: when none does). A global
 * function: the verifier checks it once, not once per selector and filter. */
__noinline int oct_filter_match(struct oct_gen_filter *f, struct oct_gen_scratch *sc,
				       struct oct_exec_heap *h)
{
	__u32 v, a, any = 0;

	if (!f || !sc || !h)
		return 0;
	a = f->arg;
	if (a != OCT_GEN_RET_ARG && a >= OCT_GEN_MAX_ARGS)
		return 0;
	if (f->is_string == OCT_GEN_NET_SOCK || f->is_string == OCT_GEN_NET_SKB)
		return oct_knet_match(f, sc, h);
	if (f->op >= OCT_OP_SADDR && f->op <= OCT_OP_FAMILY)
		return oct_sockaddr_match(f, sc, h);
	if ((f->op == OCT_OP_INMAP || f->op == OCT_OP_NOTINMAP) && f->is_string) {
		any = a != OCT_GEN_RET_ARG && oct_str_inmap(f, sc, h, a);
		return f->op == OCT_OP_NOTINMAP ? !any : any;
	}
	if (f->op == OCT_OP_INMAP || f->op == OCT_OP_NOTINMAP) {
		struct oct_gen_inmap_key k = {.set = f->set};

		k.value = a == OCT_GEN_RET_ARG ? (__u64)sc->ret : sc->slots[a & 7];
		any = bpf_map_lookup_elem(&gen_inmap, &k) != NULL;
		return f->op == OCT_OP_NOTINMAP ? !any : any;
	}
	if (f->op == OCT_OP_SUBSTRING)
		return a != OCT_GEN_RET_ARG && f->is_string && oct_substring_match(f, sc, a);
	if (f->op == OCT_OP_FILETYPE || f->op == OCT_OP_NOTFILETYPE)
		return a != OCT_GEN_RET_ARG && oct_filetype_match(f, sc, a);
	if (f->is_string >= OCT_GEN_STR_PATH) {
		any = a != OCT_GEN_RET_ARG && oct_path_filter(f, sc, h, a);
		return oct_is_negated(f->op) ? !any : any;
	}
	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		if (a == OCT_GEN_RET_ARG)
			any = oct_int_value_match(sc->ret, f, v);
		else if (f->is_string)
			any = oct_string_value_match(h, sc->off[a & 7], sc->len[a & 7], f, v);
		else
			any = oct_int_value_match((__s64)sc->slots[a & 7], f, v);
		if (any)
			break;
	}
	return oct_is_negated(f->op) ? !any : any;
}
