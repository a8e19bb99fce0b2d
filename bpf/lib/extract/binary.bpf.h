/* A process's exec-info entry (abi/process.h struct oct_proc_exec_info): the running binary's
 * path, and the namespaces and capabilities selectors compare against later.
 *
 * The path walk (path.bpf.h) writes NUL-terminated components leaf first. The path is the
 * same bytes in reverse component order, each NUL becoming the '/' before its component, so
 * its length is the components' length and component i, at offset `rel` from the first with
 * length `len`, lands at path offset total - rel - len. Only the first OCT_BIN_MAX bytes of
 * the path are kept, so only components landing there are copied. */
#pragma once

#include "lib/extract/path.bpf.h"
#include "lib/extract/task.bpf.h"

static long oct_bin_step(__u32 i, void *arg)
{
	__u32 zero = 0, in, rel, dst, n, len, total;
	struct oct_exec_heap *h = bpf_map_lookup_elem(&process_heap, &zero);
	struct oct_bin_build *b;
	long r;

	if (!h)
		return 1;
	b = &h->bb;
	in = b->in;
	if (in >= b->end || in < b->start || in > OCT_EXEC_DATA_MAX - OCT_NAME_MAX)
		return 1;
	r = bpf_probe_read_kernel_str(h->binname, OCT_NAME_MAX, &h->data[in]);
	if (r <= 0)
		return 1;
	len = r - 1;
	rel = in - b->start;
	total = b->end - b->start;
	b->in = in + r;
	if (rel + r > total)
		return 1; /* not NUL-terminated inside the components: stop */
	dst = total - rel - len; /* >= 1: the '/' before it is at dst - 1 */
	if (dst - 1 < OCT_BIN_MAX)
		h->xi.bin[(dst - 1) & (OCT_BIN_MAX - 1)] = '/';
	if (dst < OCT_BIN_MAX && len) {
		n = OCT_BIN_MAX - dst;
		if (n > len)
			n = len;
		if (n > OCT_BIN_MAX)
			n = OCT_BIN_MAX;
		/* Up to OCT_BIN_MAX - dst bytes land in bin; the verifier only knows n <=
		 * OCT_BIN_MAX, which xi_spill covers. */
		bpf_probe_read_kernel(&h->xi.bin[dst & (OCT_BIN_MAX - 1)], n, h->binname);
	}
	return 0;
}

/* Sets h->xi's binary from the `len` bytes of components at h->data[start], as a walk that
 * ended with `status` (enum oct_walk_status) left them. */
static __always_inline void oct_bin_from_components(struct oct_exec_heap *h, __u32 start, __u32 len,
						    __u32 status)
{
	struct oct_proc_exec_info *xi = &h->xi;

	__builtin_memset(xi->bin, 0, OCT_BIN_MAX);
	xi->flags &= ~(OCT_XI_TRUNCATED | OCT_XI_ERROR);
	if (status == OCT_WALK_ERROR || len == 0) {
		xi->flags |= OCT_XI_ERROR;
		xi->bin_len = 0;
		return;
	}
	h->bb.start = start;
	h->bb.in = start;
	h->bb.end = start + len;
	bpf_loop(OCT_PATH_DEPTH, oct_bin_step, NULL, 0);
	xi->bin_len = len > 0xffff ? 0xffff : len;
	if (len > OCT_BIN_MAX || status == OCT_WALK_TRUNCATED)
		xi->flags |= OCT_XI_TRUNCATED;
}

static __always_inline void oct_read_caps(struct task_struct *task, __u64 caps[3])
{
	const struct cred *cred = BPF_CORE_READ(task, cred);

	/* kernel_cap_t is 64 bits wide in every layout (u32[2] before 6.3, u64 since). */
	bpf_probe_read_kernel(&caps[OCT_CAPS_PERMITTED], 8, &cred->cap_permitted);
	bpf_probe_read_kernel(&caps[OCT_CAPS_EFFECTIVE], 8, &cred->cap_effective);
	bpf_probe_read_kernel(&caps[OCT_CAPS_INHERITABLE], 8, &cred->cap_inheritable);
}
