/* Fork/clone of a new thread group, from sched_process_fork: records the child's identity in
 * the process map (so its exit and exec have a parent) and tells user space (MSG_CLONE).
 * Threads (CLONE_THREAD) are ignored. Attach candidates: tp_btf, raw_tp. */
#include "lib/emit/emit.bpf.h"
#include "lib/extract/task.bpf.h"

/* The child runs its parent's binary: it starts with a copy of the parent's exec-info. */
static __always_inline void oct_copy_exec_info(__u32 tgid)
{
	__u32 parent = bpf_get_current_pid_tgid() >> 32;
	struct oct_proc_exec_info *xi = bpf_map_lookup_elem(&process_execinfo, &parent);

	if (xi)
		bpf_map_update_elem(&process_execinfo, &tgid, xi, BPF_ANY);
}

static __always_inline int oct_handle_fork(struct task_struct *child)
{
	__u32 pid = BPF_CORE_READ(child, pid), tgid = BPF_CORE_READ(child, tgid);
	struct oct_proc_entry e = {};
	struct oct_clone_event *ev;
	__u32 flags = OCT_EF_CLONE;

	if (pid != tgid)
		return 0;
	e.key.pid = tgid;
	e.key.ktime = bpf_ktime_get_boot_ns();
	e.flags = OCT_EF_CLONE;
	if (oct_lookup_key(BPF_CORE_READ(child, real_parent), &e.parent))
		flags |= OCT_EF_NO_PARENT;
	if (bpf_map_update_elem(&process_map, &tgid, &e, BPF_ANY)) {
		flags |= OCT_EF_MAP_FULL;
		oct_count_miss(OCT_MSG_CLONE, OCT_MISS_MAP_FULL);
	}
	oct_copy_exec_info(tgid);
	ev = bpf_ringbuf_reserve(&process_events, sizeof(*ev), 0);
	if (!ev) {
		oct_count_miss(OCT_MSG_CLONE, OCT_MISS_RB_FULL);
		return 0;
	}
	oct_fill_hdr(&ev->hdr, OCT_MSG_CLONE, sizeof(*ev), e.key.ktime);
	ev->key = e.key;
	ev->parent = e.parent;
	ev->tid = pid;
	ev->flags = flags;
	ev->cgroup_id = bpf_get_current_cgroup_id();
	bpf_ringbuf_submit(ev, oct_rb_flags());
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(oct_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return oct_handle_fork(child);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(oct_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return oct_handle_fork(child);
}
