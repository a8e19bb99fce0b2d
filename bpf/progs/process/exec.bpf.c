/* process_exec: one record per successful execve/execveat, from sched_process_exec.
 * Attach candidates, best first: tp_btf (BTF-typed, Linux 5.5+), raw_tp. The agent loads the
 * first one the kernel accepts and reports which (src/sensors/process/hooks.cpp). */
#include "lib/emit/emit.bpf.h"
#include "lib/extract/binary.bpf.h"
#include "lib/extract/path.bpf.h"
#include "lib/extract/task.bpf.h"

static __always_inline struct file *oct_exec_file(struct linux_binprm *bprm)
{
	struct file *f = NULL;

	/* For scripts `file` is the interpreter by now; `executable` is what was exec'd. */
	if (bpf_core_field_exists(bprm->executable))
		f = BPF_CORE_READ(bprm, executable);
	return f ? f : BPF_CORE_READ(bprm, file);
}

static __always_inline void oct_read_file_props(struct oct_exec_event *ev, struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);

	ev->file_ino = BPF_CORE_READ(ino, i_ino);
	ev->file_nlink = BPF_CORE_READ(ino, i_nlink);
	ev->file_mode = BPF_CORE_READ(ino, i_mode);
	ev->file_uid = BPF_CORE_READ(ino, i_uid.val);
	ev->file_gid = BPF_CORE_READ(ino, i_gid.val);
}

static __always_inline __u32 oct_read_args(struct task_struct *task, struct oct_exec_heap *h,
					   __u32 pos, struct oct_exec_event *ev)
{
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u64 start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
	__u64 total = end > start ? end - start : 0;
	__u32 len = total > OCT_ARGS_MAX ? OCT_ARGS_MAX : (__u32)total;

	ev->args_total = total > 0xffffffff ? 0xffffffff : (__u32)total;
	if (len > oct_args_cap) {
		len = oct_args_cap;
		ev->flags |= OCT_EF_TRUNC_ARGS;
	}
	if (total > len)
		ev->flags |= OCT_EF_TRUNC_ARGS;
	if (len > OCT_ARGS_MAX)
		len = OCT_ARGS_MAX;
	if (pos > OCT_PATH_MAX + OCT_CWD_MAX || !len)
		return 0;
	if (bpf_probe_read_user(&h->data[pos], len, (void *)start)) {
		ev->flags |= OCT_EF_ERR_ARGS;
		oct_count_miss(OCT_MSG_EXEC, OCT_MISS_READ);
		return 0;
	}
	return len;
}

static __always_inline __u32 oct_clamp(__u32 v, __u32 max)
{
	return v > max ? max : v;
}

/* Stores the process's exec-info entry, once the record is out (h->data is free again). The
 * binary is the running one, bprm->file: for scripts the interpreter, walked again. */
static __always_inline void oct_store_exec_info(struct oct_exec_heap *h, __u32 tgid,
						struct linux_binprm *bprm, struct file *executable,
						struct fs_struct *fs, __u32 bin_status)
{
	struct oct_proc_exec_info *xi = &h->xi, *old;
	struct file *run = BPF_CORE_READ(bprm, file);
	__u32 len = h->ev.binary_len, status = bin_status;

	xi->ns = h->ev.ns;
	xi->flags = 0;
	xi->caps[OCT_CAPS_PERMITTED] = h->ev.creds.cap_permitted;
	xi->caps[OCT_CAPS_EFFECTIVE] = h->ev.creds.cap_effective;
	xi->caps[OCT_CAPS_INHERITABLE] = h->ev.creds.cap_inheritable;
	if (run && run != executable)
		len = oct_walk_path(h, &run->f_path, &fs->root, 0, OCT_PATH_MAX, &status);
	if (len > OCT_PATH_MAX)
		len = OCT_PATH_MAX;
	oct_bin_from_components(h, 0, len, status);
	/* Usually the entry exists (copied at fork): overwrite it in place, which allocates
	 * nothing. The process's own hooks cannot run meanwhile (its thread group is down to this
	 * exec'ing task); a child's followChildren walk racing with it may see a mixed path, as
	 * it could see the old or the new binary anyway. */
	old = bpf_map_lookup_elem(&process_execinfo, &tgid);
	if (old)
		__builtin_memcpy(old, xi, sizeof(*xi));
	else if (bpf_map_update_elem(&process_execinfo, &tgid, xi, BPF_ANY))
		oct_count_miss(OCT_MSG_EXEC, OCT_MISS_MAP_FULL);
}

static __always_inline int oct_handle_exec(struct task_struct *task, struct linux_binprm *bprm)
{
	__u32 zero = 0, tgid = BPF_CORE_READ(task, tgid), status, bin_status, pos, size;
	struct oct_exec_heap *h = bpf_map_lookup_elem(&process_heap, &zero);
	struct fs_struct *fs = BPF_CORE_READ(task, fs);
	struct oct_proc_entry *old, entry = {};
	struct oct_exec_event *ev;
	struct file *file;
	int cgerr = 0;

	if (!h) {
		oct_count_miss(OCT_MSG_EXEC, OCT_MISS_NO_HEAP);
		return 0;
	}
	ev = &h->ev;
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->key.pid = tgid;
	ev->key.ktime = bpf_ktime_get_boot_ns();
	ev->tid = BPF_CORE_READ(task, pid);
	old = bpf_map_lookup_elem(&process_map, &tgid);
	if (old) {
		ev->prev = old->key;
		if (old->flags & OCT_EF_CLONE)
			ev->flags |= OCT_EF_CLONE;
	}
	if (oct_lookup_key(BPF_CORE_READ(task, real_parent), &ev->parent))
		ev->flags |= OCT_EF_NO_PARENT;
	entry.key = ev->key;
	entry.parent = ev->parent;
	if (bpf_map_update_elem(&process_map, &tgid, &entry, BPF_ANY)) {
		ev->flags |= OCT_EF_MAP_FULL;
		oct_count_miss(OCT_MSG_EXEC, OCT_MISS_MAP_FULL);
	}

	oct_read_creds(task, &ev->creds);
	oct_read_namespaces(task, &ev->ns, &ev->nspid);
	ev->cgroup_id = bpf_get_current_cgroup_id();
	ev->start_boottime = BPF_CORE_READ(task, group_leader, start_boottime);
	ev->secureexec = BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec);

	file = oct_exec_file(bprm);
	oct_read_file_props(ev, file);
	ev->binary_len = oct_walk_path(h, &file->f_path, &fs->root, 0, OCT_PATH_MAX, &status);
	bin_status = status;
	if (status == OCT_WALK_TRUNCATED)
		ev->flags |= OCT_EF_TRUNC_FILENAME;
	else if (status == OCT_WALK_ERROR)
		ev->flags |= OCT_EF_ERR_FILENAME;
	pos = oct_clamp(ev->binary_len, OCT_PATH_MAX);

	ev->cwd_len = oct_walk_path(h, &fs->pwd, &fs->root, pos, OCT_CWD_MAX, &status);
	if (status == OCT_WALK_TRUNCATED)
		ev->flags |= OCT_EF_TRUNC_CWD;
	else if (status == OCT_WALK_ERROR)
		ev->flags |= OCT_EF_ERR_CWD;
	else if (status == OCT_WALK_OUTSIDE)
		ev->flags |= OCT_EF_CWD_OUTSIDE_ROOT;
	pos += oct_clamp(ev->cwd_len, OCT_CWD_MAX);

	ev->args_len = oct_read_args(task, h, pos, ev);
	pos += oct_clamp(ev->args_len, OCT_ARGS_MAX);

	ev->cgrp_len = oct_read_cgroup_names(task, h->data, pos, &cgerr);
	if (cgerr)
		ev->flags |= OCT_EF_ERR_CGROUP;
	pos += oct_clamp(ev->cgrp_len, 2 * OCT_CGROUP_NAME_MAX);
	if (ev->flags & (OCT_EF_ERR_FILENAME | OCT_EF_ERR_CWD | OCT_EF_ERR_CGROUP))
		oct_count_miss(OCT_MSG_EXEC, OCT_MISS_READ);

	size = sizeof(*ev) + pos;
	if (size > sizeof(*h))
		size = sizeof(*h);
	oct_fill_hdr(&ev->hdr, OCT_MSG_EXEC, size, ev->key.ktime);
	oct_output(ev, size, OCT_MSG_EXEC);
	oct_store_exec_info(h, tgid, bprm, file, fs, bin_status);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(oct_exec_btf, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return oct_handle_exec(p, bprm);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(oct_exec_raw, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	return oct_handle_exec(p, bprm);
}
