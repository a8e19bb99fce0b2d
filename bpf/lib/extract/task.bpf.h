/* Reads identity, credentials, namespaces and cgroup of a task (CO-RE). */
#pragma once

#include "maps/process.bpf.h"
#include "lib/extract/cred.bpf.h"
#include "include/compat/kernfs.bpf.h"

static __always_inline void oct_read_creds(struct task_struct *task, struct oct_creds *c)
{
	const struct cred *cred = BPF_CORE_READ(task, cred);

	OCT_READ_CRED(c, cred);
	if (bpf_core_field_exists(task->loginuid))
		c->auid = BPF_CORE_READ(task, loginuid.val);
	else
		c->auid = 0xffffffff;
}

static __always_inline void oct_read_namespaces(struct task_struct *task, struct oct_namespaces *ns,
						__u32 *nspid)
{
	struct nsproxy *nsp = BPF_CORE_READ(task, nsproxy);
	struct pid *tp = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(tp, level);
	struct upid up = {};

	ns->uts = BPF_CORE_READ(nsp, uts_ns, ns.inum);
	ns->ipc = BPF_CORE_READ(nsp, ipc_ns, ns.inum);
	ns->mnt = BPF_CORE_READ(nsp, mnt_ns, ns.inum);
	ns->pid_for_children = BPF_CORE_READ(nsp, pid_ns_for_children, ns.inum);
	ns->net = BPF_CORE_READ(nsp, net_ns, ns.inum);
	if (bpf_core_field_exists(nsp->time_ns)) {
		ns->time = BPF_CORE_READ(nsp, time_ns, ns.inum);
		ns->time_for_children = BPF_CORE_READ(nsp, time_ns_for_children, ns.inum);
	}
	if (bpf_core_field_exists(nsp->cgroup_ns))
		ns->cgroup = BPF_CORE_READ(nsp, cgroup_ns, ns.inum);
	ns->user = BPF_CORE_READ(task, cred, user_ns, ns.inum);
	/* The task's own pid namespace is the one at its pid's deepest level. */
	bpf_probe_read_kernel(&up, sizeof(up),
			      (void *)tp + bpf_core_field_offset(struct pid, numbers) +
				      (level & 31) * bpf_core_type_size(struct upid));
	*nspid = up.nr;
	ns->pid = BPF_CORE_READ(up.ns, ns.inum);
}

/* Writes the task's cgroup2 leaf name and its parent's name (NUL-terminated) at data[pos].
 * Returns the bytes written; 0 with *err set when nothing could be read. */
static __always_inline __u32 oct_read_cgroup_names(struct task_struct *task, char *data, __u32 pos,
						    int *err)
{
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	struct kernfs_node *parent = kn ? oct_kernfs_parent(kn) : NULL;
	long n1, n2 = 0;

	if (pos > OCT_EXEC_DATA_MAX - 2 * OCT_CGROUP_NAME_MAX || !kn) {
		*err = 1;
		return 0;
	}
	n1 = bpf_probe_read_kernel_str(&data[pos], OCT_CGROUP_NAME_MAX, BPF_CORE_READ(kn, name));
	if (n1 <= 0) {
		*err = 1;
		return 0;
	}
	pos += n1;
	if (parent && pos <= OCT_EXEC_DATA_MAX - OCT_CGROUP_NAME_MAX)
		n2 = bpf_probe_read_kernel_str(&data[pos], OCT_CGROUP_NAME_MAX,
					       BPF_CORE_READ(parent, name));
	if (n2 <= 0) {
		n2 = 0;
		if (pos < OCT_EXEC_DATA_MAX) {
			data[pos] = 0; /* empty parent name */
			n2 = 1;
		}
	}
	return n1 + n2;
}

/* Identity of `task`'s thread group from the process map, or derived from its start time. */
static __always_inline int oct_lookup_key(struct task_struct *task, struct oct_proc_key *key)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct oct_proc_entry *e = bpf_map_lookup_elem(&process_map, &tgid);

	if (e) {
		*key = e->key;
		return 0;
	}
	key->pid = tgid;
	key->pad = 0;
	key->ktime = tgid ? oct_fallback_ktime(task) : 1;
	return -1;
}
