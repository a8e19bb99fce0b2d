/* Full paths from a dentry + mount walk, correct across mount namespaces and chroots.
 *
 * The walk writes NUL-terminated component names from the leaf up to the task's root into
 * the per-CPU exec heap, front to back (no backwards writes, which keeps the verifier simple);
 * user space reverses and joins them. It crosses mounts through struct mount (mnt_parent,
 * mnt_mountpoint) and stops at the task's fs->root, so a chrooted task sees chroot-relative
 * paths, as d_path() would show it. bpf_loop (Linux 5.17+) bounds it at OCT_PATH_DEPTH. */
#pragma once

#include "maps/process.bpf.h"

enum oct_walk_status {
	OCT_WALK_RUNNING = 0,
	OCT_WALK_ROOT = 1,	   /* reached the task's root */
	OCT_WALK_TRUNCATED = 2,	   /* out of space or depth */
	OCT_WALK_ERROR = 3,	   /* a read failed */
	OCT_WALK_OUTSIDE = 4,	   /* reached the global root without meeting the task's root */
	OCT_WALK_DETACHED = 5,	   /* a pseudo file (memfd, pipe): its name is the whole path */
};

static __always_inline struct mount *oct_real_mount(struct vfsmount *vfsmnt)
{
	return (struct mount *)((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
}

static __always_inline long oct_emit_component(struct oct_exec_heap *h, struct dentry *d)
{
	struct oct_path_walk *w = &h->walk;
	const unsigned char *name;
	__u32 pos = w->pos;
	long n;

	if (pos + OCT_NAME_MAX > w->end || pos > OCT_EXEC_DATA_MAX - OCT_NAME_MAX) {
		w->status = OCT_WALK_TRUNCATED;
		return 1;
	}
	name = BPF_CORE_READ(d, d_name.name);
	n = bpf_probe_read_kernel_str(&h->data[pos], OCT_NAME_MAX, name);
	if (n <= 0) {
		w->status = OCT_WALK_ERROR;
		return 1;
	}
	w->pos = pos + n;
	return 0;
}

static long oct_path_step(__u32 i, void *arg)
{
	__u32 zero = 0;
	struct oct_exec_heap *h = bpf_map_lookup_elem(&process_heap, &zero);
	struct oct_path_walk *w;
	struct dentry *d;

	if (!h)
		return 1;
	w = &h->walk;
	d = w->dentry;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	struct dentry *mnt_root, *parent;
	struct mount *pm;


	if (!vfsmnt) {
		/* A dentry alone (oct_walk_dentry): its names up to its file system's root. */
		parent = BPF_CORE_READ(d, d_parent);
		if (!d || d == parent) {
			w->status = OCT_WALK_ROOT;
			return 1;
		}
		if (oct_emit_component(h, d))
			return 1;
		w->dentry = parent;
		return 0;
	}
	if (d == w->root_dentry && vfsmnt == w->root_mnt) {
		w->status = OCT_WALK_ROOT;
		return 1;
	}
	mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	parent = BPF_CORE_READ(d, d_parent);
	if (d == mnt_root) {
		pm = BPF_CORE_READ(mnt, mnt_parent);
		if (pm == mnt || !pm) {
			w->status = OCT_WALK_OUTSIDE;
			return 1;
		}
		w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = pm;
		w->vfsmnt = &pm->mnt;
		return 0;
	}
	if (d == parent) {
		/* A dentry that is its own parent but not a mount root: a pseudo file. */
		if (!oct_emit_component(h, d))
			w->status = OCT_WALK_DETACHED;
		return 1;
	}
	if (oct_emit_component(h, d))
		return 1;
	w->dentry = parent;
	return 0;
}

/* Walks `path` up to `root`, writing at h->data[start..start+limit). Returns the bytes
 * written and sets *status (enum oct_walk_status). */
static __always_inline __u32 oct_walk_path(struct oct_exec_heap *h, const struct path *path,
					   const struct path *root, __u32 start, __u32 limit,
					   __u32 *status)
{
	struct oct_path_walk *w = &h->walk;
	__u32 pos;

	w->dentry = BPF_CORE_READ(path, dentry);
	w->vfsmnt = BPF_CORE_READ(path, mnt);
	w->mnt = oct_real_mount(w->vfsmnt);
	w->root_dentry = BPF_CORE_READ(root, dentry);
	w->root_mnt = BPF_CORE_READ(root, mnt);
	w->pos = start;
	w->end = start + limit;
	w->status = OCT_WALK_RUNNING;
	if (!w->dentry || !w->vfsmnt) {
		*status = OCT_WALK_ERROR;
		return 0;
	}
	bpf_loop(OCT_PATH_DEPTH, oct_path_step, NULL, 0);
	*status = w->status == OCT_WALK_RUNNING ? OCT_WALK_TRUNCATED : w->status;
	pos = w->pos;
	return pos > start ? pos - start : 0;
}

/* Walks a dentry up to the root of its own file system (no mount crossing): the path within
 * its mount, as Tetragon shows `dentry` arguments. Same output as oct_walk_path. */
static __always_inline __u32 oct_walk_dentry(struct oct_exec_heap *h, struct dentry *dentry,
					     __u32 start, __u32 limit, __u32 *status)
{
	struct oct_path_walk *w = &h->walk;
	__u32 pos;

	w->dentry = dentry;
	w->vfsmnt = NULL;
	w->mnt = NULL;
	w->root_dentry = NULL;
	w->root_mnt = NULL;
	w->pos = start;
	w->end = start + limit;
	w->status = OCT_WALK_RUNNING;
	if (!dentry) {
		*status = OCT_WALK_ERROR;
		return 0;
	}
	bpf_loop(OCT_PATH_DEPTH, oct_path_step, NULL, 0);
	*status = w->status == OCT_WALK_RUNNING ? OCT_WALK_TRUNCATED : w->status;
	pos = w->pos;
	return pos > start ? pos - start : 0;
}
