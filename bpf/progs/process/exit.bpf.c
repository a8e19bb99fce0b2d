/* process_exit: once per thread group, when its last thread exits (signal->live reached 0
 * before sched_process_exit fires). Attach candidates: tp_btf, raw_tp. */
#include "lib/emit/emit.bpf.h"
#include "lib/extract/task.bpf.h"

static __always_inline int oct_handle_exit(struct task_struct *task)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct oct_exit_event *ev;

	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	ev = bpf_ringbuf_reserve(&process_events, sizeof(*ev), 0);
	if (!ev) {
		oct_count_miss(OCT_MSG_EXIT, OCT_MISS_RB_FULL);
		bpf_map_delete_elem(&process_map, &tgid);
		bpf_map_delete_elem(&process_execinfo, &tgid);
		return 0;
	}
	ev->flags = oct_lookup_key(task, &ev->key) ? OCT_EF_NO_ENTRY : 0;
	oct_fill_hdr(&ev->hdr, OCT_MSG_EXIT, sizeof(*ev), bpf_ktime_get_boot_ns());
	ev->tid = BPF_CORE_READ(task, pid);
	ev->exit_code = BPF_CORE_READ(task, exit_code);
	ev->pad = 0;
	bpf_ringbuf_submit(ev, oct_rb_flags());
	bpf_map_delete_elem(&process_map, &tgid);
	bpf_map_delete_elem(&process_execinfo, &tgid);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(oct_exit_btf, struct task_struct *task)
{
	return oct_handle_exit(task);
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(oct_exit_raw, struct task_struct *task)
{
	return oct_handle_exit(task);
}
