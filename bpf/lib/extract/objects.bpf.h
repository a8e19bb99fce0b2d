/* Arguments that are kernel objects or memory behind a pointer (BTF-typed raw tracepoint
 * arguments, sockaddr/iovec/const_buf syscall arguments) and `resolve:` field paths.
 * Global functions: each is verified once, whatever the argument's position. */
#pragma once

#include "lib/extract/path.bpf.h"
#include "lib/extract/cred.bpf.h"
#include "lib/extract/kobjects.bpf.h"
#include "maps/generic.bpf.h"

#define OCT_GEN_MAX_IOV 16	/* iovec entries copied at most */

#ifndef AF_UNIX
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#endif

/* Follows the compiled `resolve:` steps of arg i from slot value v. */
__noinline __u64 oct_resolve_slot(struct oct_gen_config *cfg, struct oct_gen_scratch *sc, __u32 i,
				  __u64 v)
{
	struct oct_gen_resolve *r;
	__u32 k, sz;

	if (!cfg || !sc || i >= OCT_GEN_MAX_ARGS)
		return 0;
	r = &cfg->resolve[i];
	for (k = 0; k < OCT_GEN_MAX_STEPS; k++) {
		__u64 x = 0;

		if (k >= r->nsteps)
			break;
		if (!v) {
			sc->resolve_err[i & 7] = 1;
			return 0;
		}
		v += r->steps[k].offset;
		sz = r->steps[k].deref_size;
		if (!sz)
			continue;
		if (sz > 8)
			sz = 8;
		if (bpf_probe_read_kernel(&x, sz, (void *)v)) {
			sc->resolve_err[i & 7] = 1;
			return 0;
		}
		v = x;
	}
	if (r->sign_size) {
		switch (r->sign_size) {
		case 1: return (__u64)(__s64)(__s8)v;
		case 2: return (__u64)(__s64)(__s16)v;
		case 4: return (__u64)(__s64)(__s32)v;
		}
	}
	return v;
}

static __always_inline long oct_read_mem(void *dst, __u32 n, __u64 src, __u8 user)
{
	return user ? bpf_probe_read_user(dst, n, (void *)src) : bpf_probe_read_kernel(dst, n, (void *)src);
}

/* struct oct_gen_file_hdr + the path of `path` (or of `dentry` alone when path is NULL). */
static __always_inline __u32 oct_capture_path(struct oct_exec_heap *h, struct oct_gen_event *ev,
					      __u32 i, __u32 pos, __u32 max, const struct path *path,
					      struct dentry *dentry, __u32 flags)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct oct_gen_file_hdr *fh;
	__u32 n, status;

	if (max < sizeof(*fh) + OCT_NAME_MAX || pos > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	if (path)
		dentry = BPF_CORE_READ(path, dentry);
	fh = (struct oct_gen_file_hdr *)&h->data[pos];
	fh->flags = flags;
	fh->mode = BPF_CORE_READ(dentry, d_inode, i_mode);
	fh->pad = 0;
	if (path)
		n = oct_walk_path(h, path, &fs->root, pos + sizeof(*fh), max - sizeof(*fh), &status);
	else
		n = oct_walk_dentry(h, dentry, pos + sizeof(*fh), max - sizeof(*fh), &status);
	if (status == OCT_WALK_TRUNCATED)
		ev->arg_flags[i] |= OCT_GAF_PATH_TRUNCATED;
	else if (status == OCT_WALK_ERROR)
		ev->arg_flags[i] |= OCT_GAF_ERROR;
	return sizeof(*fh) + n;
}

static __always_inline __u32 oct_capture_cred(struct oct_exec_heap *h, __u32 pos, const struct cred *cred)
{
	struct oct_gen_cred *c;
	struct user_namespace *ns;

	if (pos > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	c = (struct oct_gen_cred *)&h->data[pos];
	OCT_READ_CRED(c, cred);
	ns = BPF_CORE_READ(cred, user_ns);
	c->userns_level = BPF_CORE_READ(ns, level);
	c->userns_uid = BPF_CORE_READ(ns, owner.val);
	c->userns_gid = BPF_CORE_READ(ns, group.val);
	c->userns_inum = BPF_CORE_READ(ns, ns.inum);
	c->pad = 0;
	return sizeof(*c);
}

/* Bytes of a sockaddr: its family says how many. */
static __always_inline __u32 oct_capture_sockaddr(struct oct_exec_heap *h, struct oct_gen_event *ev,
						  __u32 i, __u32 pos, __u64 ptr, __u8 user)
{
	__u16 family = 0;
	__u32 n = 16;

	if (pos > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	if (oct_read_mem(&family, sizeof(family), ptr, user)) {
		ev->arg_flags[i] |= OCT_GAF_ERROR;
		return 0;
	}
	if (family == AF_INET6)
		n = 28;
	else if (family == AF_UNIX)
		n = 110;
	if (oct_read_mem(&h->data[pos], n, ptr, user)) {
		ev->arg_flags[i] |= OCT_GAF_ERROR;
		return 0;
	}
	return n;
}

/* The bytes of `count` iovecs (user memory), joined, at most max. */
static __always_inline __u32 oct_capture_iovec(struct oct_exec_heap *h, struct oct_gen_event *ev,
					       __u32 i, __u32 pos, __u32 max, __u64 iov, __u64 count)
{
	__u32 k, total = 0;
	__u64 want = 0;

	for (k = 0; k < OCT_GEN_MAX_IOV; k++) {
		struct iovec v = {};
		__u32 off, n;

		if (k >= count)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), (void *)(iov + k * sizeof(v)))) {
			ev->arg_flags[i] |= OCT_GAF_ERROR;
			return 0;
		}
		want += v.iov_len;
		if (total >= max || total >= OCT_GEN_ARG_MAX)
			continue;
		n = v.iov_len > max - total ? max - total : (__u32)v.iov_len;
		barrier_var(n); /* see oct_capture_buf */
		if (n > OCT_GEN_ARG_MAX)
			n = OCT_GEN_ARG_MAX;
		off = pos + total;
		if (off > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX)
			break;
		if (n && bpf_probe_read_user(&h->data[off], n, v.iov_base)) {
			ev->arg_flags[i] |= OCT_GAF_ERROR;
			return 0;
		}
		total += n;
	}
	if (count > OCT_GEN_MAX_IOV || want > total) {
		ev->arg_flags[i] |= OCT_GAF_TRUNCATED;
		ev->arg_size[i] = want > 0xffffffffULL ? 0xffffffff : (__u32)want;
	}
	return total;
}

/* `want` bytes at ptr (user or kernel), at most max. */
static __always_inline __u32 oct_capture_buf(struct oct_exec_heap *h, struct oct_gen_event *ev,
					     __u32 i, __u32 pos, __u32 max, __u64 ptr, __u64 want,
					     __u8 user)
{
	__u32 n = want > max ? max : (__u32)want;

	if (want > max) {
		ev->arg_flags[i] |= OCT_GAF_TRUNCATED;
		ev->arg_size[i] = want > 0xffffffffULL ? 0xffffffff : (__u32)want;
	}
	/* Clamp a register clang cannot replace by an earlier copy: Linux 6.1's verifier does
	 * not carry a bound learnt on one copy to the other (the read then looks 64 KiB long). */
	barrier_var(n);
	if (n > OCT_GEN_ARG_MAX)
		n = OCT_GEN_ARG_MAX;
	if (pos > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	if (n && oct_read_mem(&h->data[pos], n, ptr, user)) {
		ev->arg_flags[i] |= OCT_GAF_ERROR;
		return 0;
	}
	return n;
}

/* Captures arg i of a kind from this file at h->data[pos]; returns the bytes written. */
__noinline int oct_capture_object(struct oct_gen_config *cfg, struct oct_gen_scratch *sc,
				  struct oct_exec_heap *h, __u32 i, __u32 pos)
{
	struct oct_gen_event *ev;
	struct oct_gen_arg *a;
	struct file *f;
	__u64 slot;
	__u32 max;
	long r;

	if (!cfg || !sc || !h || i >= OCT_GEN_MAX_ARGS)
		return 0;
	ev = (struct oct_gen_event *)h->data;
	a = &cfg->args[i];
	slot = sc->slots[i];
	max = a->max_data;
	if (max > OCT_GEN_ARG_MAX)
		max = OCT_GEN_ARG_MAX;
	if (pos > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	if (sc->resolve_err[i & 7] || (!slot && a->kind != OCT_GA_BUF_RET)) {
		ev->arg_flags[i] |= OCT_GAF_ERROR;
		return 0;
	}
	if (a->kind >= OCT_GA_SOCK)
		return oct_capture_kobject(h, pos, slot, a->kind);
	switch (a->kind) {
	case OCT_GA_DATA_LOC: /* the slot is the string's address in the record */
		r = bpf_probe_read_kernel_str(&h->data[pos], max, (void *)slot);
		if (r <= 0) {
			ev->arg_flags[i] |= OCT_GAF_ERROR;
			return 0;
		}
		if (r == max)
			ev->arg_flags[i] |= OCT_GAF_TRUNCATED;
		return r - 1;
	case OCT_GA_FILE:
		f = (struct file *)slot;
		return oct_capture_path(h, ev, i, pos, max, &f->f_path, NULL, BPF_CORE_READ(f, f_flags));
	case OCT_GA_BINPRM:
		f = BPF_CORE_READ((struct linux_binprm *)slot, file);
		if (!f)
			break;
		return oct_capture_path(h, ev, i, pos, max, &f->f_path, NULL, BPF_CORE_READ(f, f_flags));
	case OCT_GA_PATH:
		return oct_capture_path(h, ev, i, pos, max, (const struct path *)slot, NULL, 0);
	case OCT_GA_DENTRY:
		return oct_capture_path(h, ev, i, pos, max, NULL, (struct dentry *)slot, 0);
	case OCT_GA_CRED:
		return oct_capture_cred(h, pos, (const struct cred *)slot);
	case OCT_GA_SOCKADDR:
		return oct_capture_sockaddr(h, ev, i, pos, slot, a->user);
	case OCT_GA_IOVEC: {
		__u32 sa = a->size_arg;

		return oct_capture_iovec(h, ev, i, pos, max, slot,
					 sa < OCT_GEN_MAX_ARGS ? sc->slots[sa & 7] : 0);
	}
	case OCT_GA_BUF_RET:
		return oct_capture_buf(h, ev, i, pos, max, slot, sc->ret > 0 ? (__u64)sc->ret : 0, 1);
	case OCT_GA_CONST_BUF: /* the slot is the array's address in the record */
		return oct_capture_buf(h, ev, i, pos, max, slot, max, 0);
	case OCT_GA_CONST_BUF_PTR:
		return oct_capture_buf(h, ev, i, pos, max, slot, max, a->user);
	}
	ev->arg_flags[i] |= OCT_GAF_ERROR;
	return 0;
}
