/* Reads a generic hook's arguments into the per-CPU heap (after the event header). */
#pragma once

#include "lib/extract/objects.bpf.h"
#include "lib/extract/path.bpf.h"
#include "maps/generic.bpf.h"

/* Raw value of an argument: `size` bytes at `offset` of the tracepoint record, sign-extended. */
static __always_inline __u64 oct_read_slot(void *ctx, struct oct_gen_arg *a)
{
	__u64 v = 0;

	if (a->kind == OCT_GA_CONST)
		return (__u64)a->imm;
	if (a->kind == OCT_GA_USER_DEREF) {
		/* USDT memory operand: the register (a full pt_regs slot) plus a displacement. */
		bpf_probe_read_kernel(&v, sizeof(v), ctx + a->offset);
		v += a->imm;
		if (bpf_probe_read_user(&v, a->size & 7 ? a->size & 7 : 8, (void *)v))
			v = 0;
		else if (a->size < 8)
			v &= (1ULL << ((a->size & 7) * 8)) - 1;
	} else {
		bpf_probe_read_kernel(&v, a->size & 7 ? a->size & 7 : 8, ctx + a->offset);
	}
	if (a->is_signed) {
		switch (a->size) {
		case 1: return (__u64)(__s64)(__s8)v;
		case 2: return (__u64)(__s64)(__s16)v;
		case 4: return (__u64)(__s64)(__s32)v;
		}
	}
	return v;
}

/* The file open as `fd` in the current task, or NULL. */
static __always_inline struct file *oct_fd_file(struct task_struct *task, __u64 fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds = BPF_CORE_READ(fdt, fd);
	struct file *f = NULL;

	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd & 0xfffff]);
	return f;
}

/* Captures argument i (from its raw slot) at h->data[pos], the event header being at
 * h->data[0]; returns the bytes written. A global function: verified once, not per argument. */
__noinline int oct_capture_arg(struct oct_gen_config *cfg, struct oct_gen_scratch *sc,
			       struct oct_exec_heap *h, __u32 i, __u32 pos)
{
	struct oct_gen_event *ev;
	struct oct_gen_arg *a;
	__u32 max, n = 0, status;
	__u64 slot;
	long r;

	if (!cfg || !sc || !h || i >= OCT_GEN_MAX_ARGS)
		return 0;
	ev = (struct oct_gen_event *)h->data;
	a = &cfg->args[i];
	max = a->max_data;
	slot = sc->slots[i];
	if (max > OCT_GEN_ARG_MAX)
		max = OCT_GEN_ARG_MAX;
	if (pos > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	sc->off[i] = pos;
	switch (a->kind) {
	case OCT_GA_INT:
	case OCT_GA_USER_DEREF:
	case OCT_GA_CONST:
		*(__u64 *)&h->data[pos] = slot;
		n = 8;
		break;
	case OCT_GA_STR_USER:
	case OCT_GA_STR_KERNEL:
		r = a->kind == OCT_GA_STR_USER ?
			    bpf_probe_read_user_str(&h->data[pos], max, (void *)slot) :
			    bpf_probe_read_kernel_str(&h->data[pos], max, (void *)slot);
		if (r <= 0) {
			ev->arg_flags[i] |= OCT_GAF_ERROR;
			break;
		}
		n = r - 1; /* without the NUL */
		if (r == max)
			ev->arg_flags[i] |= OCT_GAF_TRUNCATED;
		break;
	case OCT_GA_BUF_USER: {
		__u32 sa = a->size_arg;
		__u64 want = sa < OCT_GEN_MAX_ARGS ? sc->slots[sa & 7] : 0;

		n = want > max ? max : (__u32)want;
		if (want > max) {
			/* maxData: the rest follows in chunk records (lib/generic/chunks.bpf.h) */
			ev->arg_flags[i] |= a->chunk_max ? OCT_GAF_CHUNKED : OCT_GAF_TRUNCATED;
			ev->arg_size[i] = want > 0xffffffffULL ? 0xffffffff : (__u32)want;
		}
		if (n > OCT_GEN_ARG_MAX)
			n = OCT_GEN_ARG_MAX;
		if (n && bpf_probe_read_user(&h->data[pos], n, (void *)slot)) {
			ev->arg_flags[i] |= OCT_GAF_ERROR;
			n = 0;
		}
		break;
	}
	case OCT_GA_FD: {
		struct task_struct *task = (struct task_struct *)bpf_get_current_task_btf();
		struct file *f = oct_fd_file(task, slot);
		struct fs_struct *fs = BPF_CORE_READ(task, fs);

		/* Path components (leaf first), then the fd number after a NUL-free 8-byte slot. */
		if (!f) {
			ev->arg_flags[i] |= OCT_GAF_ERROR;
			break;
		}
		n = oct_walk_path(h, &f->f_path, &fs->root, pos, OCT_GEN_ARG_MAX, &status);
		if (status == OCT_WALK_TRUNCATED)
			ev->arg_flags[i] |= OCT_GAF_PATH_TRUNCATED;
		else if (status == OCT_WALK_ERROR)
			ev->arg_flags[i] |= OCT_GAF_ERROR;
		break;
	}
	default:
		n = oct_capture_object(cfg, sc, h, i, pos);
		break;
	}
	if (n > OCT_GEN_ARG_MAX)
		n = OCT_GEN_ARG_MAX;
	sc->len[i] = n;
	ev->arg_len[i] = n;
	return n;
}

/* Captures the user string the return value points to (uretprobes whose returnArg is a string)
 * at h->data[pos]; returns the bytes written. */
__noinline int oct_capture_ret_str(struct oct_gen_scratch *sc, struct oct_exec_heap *h, __u32 pos)
{
	struct oct_gen_event *ev;
	long r;

	if (!sc || !h || pos > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	ev = (struct oct_gen_event *)h->data;
	r = bpf_probe_read_user_str(&h->data[pos], OCT_GEN_ARG_MAX, (void *)sc->ret);
	if (r <= 0) {
		ev->ret_flags |= OCT_GAF_ERROR;
		return 0;
	}
	if (r == OCT_GEN_ARG_MAX)
		ev->ret_flags |= OCT_GAF_TRUNCATED;
	ev->ret_len = (__u16)(r - 1); /* without the NUL */
	return (r - 1) & (OCT_GEN_ARG_MAX - 1);
}

/* Captures the kernel object the return value points to (a returnArg of type sock) at
 * h->data[pos]; returns the bytes written. */
__noinline int oct_capture_ret_kobject(struct oct_gen_scratch *sc, struct oct_exec_heap *h, __u32 pos,
				       __u32 kind)
{
	struct oct_gen_event *ev;
	int n;

	if (!sc || !h || pos > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	ev = (struct oct_gen_event *)h->data;
	if (!sc->ret) {
		ev->ret_flags |= OCT_GAF_ERROR;
		return 0;
	}
	n = oct_capture_kobject(h, pos, sc->ret, kind);
	if (n <= 0 || n > OCT_GEN_ARG_MAX) {
		ev->ret_flags |= OCT_GAF_ERROR;
		return 0;
	}
	ev->ret_len = (__u16)n;
	return n;
}
