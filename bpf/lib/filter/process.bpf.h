/* Process filters of generic hook selectors: matchPIDs (followForks, isNamespacePID),
 * matchNamespaces, matchNamespaceChanges, matchCapabilities, matchCapabilityChanges,
 * matchBinaries and matchParentBinaries (followChildren). All read the current task, its
 * ancestors (task->real_parent, at most OCT_GEN_FOLLOW_DEPTH of them) and the exec-info map
 * (abi/process.h struct oct_proc_exec_info) that the process sensor keeps. */
#pragma once

#include "lib/extract/binary.bpf.h"
#include "maps/generic.bpf.h"

/* Fills and stores the exec-info entry of `tgid` from the task as it is now: a process the
 * sensor did not see exec. A global function: verified once, wherever it is called from.
 * The task comes as a number (a kernel address read with BPF_CORE_READ). */
__noinline int oct_exec_info_fill(__u64 task_addr, __u32 tgid)
{
	struct task_struct *task = (struct task_struct *)task_addr;
	__u32 zero = 0, len = 0, status = OCT_WALK_ERROR, nspid;
	struct oct_exec_heap *h = bpf_map_lookup_elem(&process_heap, &zero);
	struct mm_struct *mm;
	struct file *exe;
	struct fs_struct *fs;

	if (!h || !task)
		return 0;
	__builtin_memset(&h->xi, 0, sizeof(h->xi));
	h->xi.flags = OCT_XI_LATE;
	oct_read_namespaces(task, &h->xi.ns, &nspid);
	oct_read_caps(task, h->xi.caps);
	mm = BPF_CORE_READ(task, mm);
	exe = mm ? BPF_CORE_READ(mm, exe_file) : NULL;
	fs = BPF_CORE_READ(task, fs);
	if (exe && fs)
		len = oct_walk_path(h, &exe->f_path, &fs->root, 0, OCT_PATH_MAX, &status);
	if (len > OCT_PATH_MAX)
		len = OCT_PATH_MAX;
	oct_bin_from_components(h, 0, len, status);
	bpf_map_update_elem(&process_execinfo, &tgid, &h->xi, BPF_NOEXIST);
	return 0;
}

/* The thread group's pid as seen in the task's own pid namespace. */
static __always_inline __u32 oct_task_nspid(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up = {};

	bpf_probe_read_kernel(&up, sizeof(up),
			      (void *)p + bpf_core_field_offset(struct pid, numbers) +
				      (level & 31) * bpf_core_type_size(struct upid));
	return up.nr;
}

/* Reads once per invocation what the hook's selectors need (cfg->proc_needs) about the
 * current task, and fills the exec-info entries of the task and its ancestors that the
 * sensor did not see exec. Runs before the arguments are captured: it may use the heap. */
static __always_inline void oct_proc_prepare(struct oct_gen_config *cfg, struct oct_gen_scratch *sc,
					     __u32 tgid)
{
	struct task_struct *t;
	__u32 needs, depth = 0, i, nspid;

	sc->tgid = tgid;
	if (!(cfg->hot & OCT_GCH_PROC))
		return;
	needs = cfg->proc_needs;
	t = (struct task_struct *)bpf_get_current_task();
	if (needs & OCT_PN_NAMESPACES)
		oct_read_namespaces(t, &sc->ns, &nspid);
	if (needs & OCT_PN_CAPS) {
		oct_read_caps(t, sc->caps);
		sc->userns_level = BPF_CORE_READ(t, cred, user_ns, level);
	}
	if (needs & OCT_PN_EXEC_INFO)
		depth = 1;
	if (needs & OCT_PN_PARENT_INFO)
		depth = 2;
	if (needs & OCT_PN_ANCESTOR_INFO)
		depth = OCT_GEN_FOLLOW_DEPTH + 1;
	for (i = 0; i < OCT_GEN_FOLLOW_DEPTH + 1; i++) {
		__u32 pid;

		if (i >= depth)
			break;
		pid = BPF_CORE_READ(t, tgid);
		if (!pid)
			break;
		if (!bpf_map_lookup_elem(&process_execinfo, &pid))
			oct_exec_info_fill((__u64)t, pid);
		t = BPF_CORE_READ(t, real_parent);
	}
}

/* One matchPIDs entry: the tgid (or its pid in its namespace) of the current process, or with
 * followForks of the process or one of its ancestors, is (In) or is not (NotIn) listed. */
__noinline int oct_pid_filter_match(struct oct_gen_pid_filter *pf)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 d, v, depth, pid, found = 0;

	if (!pf)
		return 0;
	depth = pf->flags & OCT_PIDF_FOLLOW ? OCT_GEN_FOLLOW_DEPTH : 1;
	for (d = 0; d < OCT_GEN_FOLLOW_DEPTH; d++) {
		if (d >= depth || found)
			break;
		pid = BPF_CORE_READ(t, tgid);
		if (!pid)
			break;
		if (pf->flags & OCT_PIDF_NSPID)
			pid = oct_task_nspid(t);
		for (v = 0; v < OCT_GEN_MAX_PIDS; v++) {
			if (v >= pf->npids)
				break;
			if (pf->pids[v] == pid)
				found = 1;
		}
		t = BPF_CORE_READ(t, real_parent);
	}
	return pf->op == OCT_SET_NOTIN ? !found : found;
}

/* Whether the binary of exec-info `xi` is in binary set `set` (see oct_gen_lpm_key). The key
 * is built in the scratch map value, not behind a function argument: Linux 6.1 refuses a map
 * key that a global function got as an argument ("R2 type=mem expected=fp, ... map_value"). */
static __always_inline int oct_bin_in_set(struct oct_proc_exec_info *xi, __u32 set, __u32 op)
{
	struct oct_gen_lpm_key *k = oct_scratch_lpm_key();
	__u32 len = xi->bin_len, i;

	if (!k || (xi->flags & OCT_XI_ERROR))
		return 0;
	k->data[0] = set;
	switch (op) {
	case OCT_OP_EQ:
	case OCT_OP_NEQ:
		if ((xi->flags & OCT_XI_TRUNCATED) || len > OCT_GEN_LPM_DATA - 2)
			return 0;
		/* bin is 0-padded: data[1 + len] is the terminating NUL. */
		bpf_probe_read_kernel(&k->data[1], OCT_GEN_LPM_DATA - 1, xi->bin);
		k->prefixlen = (len + 2) * 8;
		break;
	case OCT_OP_PREFIX:
	case OCT_OP_NOTPREFIX:
		bpf_probe_read_kernel(&k->data[1], OCT_GEN_LPM_DATA - 1, xi->bin);
		if (len > OCT_GEN_LPM_DATA - 1)
			len = OCT_GEN_LPM_DATA - 1;
		k->prefixlen = (len + 1) * 8;
		break;
	case OCT_OP_POSTFIX:
	case OCT_OP_NOTPOSTFIX:
		if ((xi->flags & OCT_XI_TRUNCATED) || len > OCT_GEN_LPM_DATA - 1)
			return 0;
		for (i = 0; i < OCT_GEN_LPM_DATA - 1; i++) {
			if (i >= len)
				break;
			k->data[1 + i] = xi->bin[(len - 1 - i) & (OCT_BIN_MAX - 1)];
		}
		k->prefixlen = (len + 1) * 8;
		break;
	default:
		return 0;
	}
	return bpf_map_lookup_elem(&gen_binaries, k) != NULL;
}

static __always_inline int oct_op_negated(__u32 op)
{
	return op == OCT_OP_NEQ || op == OCT_OP_NOTPREFIX || op == OCT_OP_NOTPOSTFIX;
}

/* matchBinaries (parent = 0) or matchParentBinaries (parent = 1): the binary of the process
 * (its parent), or with followChildren of it or one of its ancestors, is in `set`. */
__noinline int oct_bin_match(struct oct_gen_scratch *sc, __u32 set, __u32 op, __u32 follow,
			     __u32 parent)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();
	__u32 d, depth = follow ? OCT_GEN_FOLLOW_DEPTH : 1, found = 0;

	if (!sc)
		return 0;
	if (parent)
		t = BPF_CORE_READ(t, real_parent);
	for (d = 0; d < OCT_GEN_FOLLOW_DEPTH; d++) {
		struct oct_proc_exec_info *xi;
		__u32 tgid;

		if (d >= depth)
			break;
		tgid = BPF_CORE_READ(t, tgid);
		if (!tgid)
			break;
		xi = bpf_map_lookup_elem(&process_execinfo, &tgid);
		if (xi && oct_bin_in_set(xi, set, op)) {
			found = 1;
			break;
		}
		t = BPF_CORE_READ(t, real_parent);
	}
	return oct_op_negated(op) ? !found : found;
}

static __always_inline int oct_cap_match(struct oct_gen_cap_filter *f, struct oct_gen_scratch *sc)
{
	__u32 set = f->set;
	int hit;

	if (set > OCT_CAPS_INHERITABLE)
		return 0;
	if (f->ns_only && sc->userns_level == 0)
		return 0;
	hit = (sc->caps[set] & f->mask) != 0;
	return f->op == OCT_SET_NOTIN ? !hit : hit;
}

/* In: one of the listed capabilities changed since exec; NotIn: only others did. */
static __always_inline int oct_capchg_match(struct oct_gen_cap_filter *f, struct oct_gen_scratch *sc,
					    struct oct_proc_exec_info *xi)
{
	__u32 set = f->set;
	__u64 was, now;

	if (set > OCT_CAPS_INHERITABLE)
		return 0;
	if (f->ns_only && sc->userns_level == 0)
		return 0;
	was = xi->caps[set];
	now = sc->caps[set];
	if ((was ^ now) & f->mask)
		return f->op == OCT_SET_IN;
	if (was != now)
		return f->op == OCT_SET_NOTIN;
	return 0;
}

/* In: one of the namespaces in the mask changed since exec; NotIn: one of the others did. */
static __always_inline int oct_nschg_match(struct oct_gen_selector *sel, struct oct_gen_scratch *sc,
					   struct oct_proc_exec_info *xi)
{
	__u32 i, was;

	for (i = 0; i < OCT_NS_COUNT; i++) {
		int watched = (sel->nschg_mask >> i) & 1;

		if (sel->nschg_op == OCT_SET_NOTIN)
			watched = !watched;
		was = ((__u32 *)&xi->ns)[i];
		if (watched && was && was != ((__u32 *)&sc->ns)[i])
			return 1;
	}
	return 0;
}

static __always_inline int oct_ns_filter_match(struct oct_gen_ns_filter *f, struct oct_gen_scratch *sc)
{
	__u32 idx = f->ns, v, inum, any = 0;

	if (idx >= OCT_NS_COUNT)
		return 0;
	inum = ((__u32 *)&sc->ns)[idx];
	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		if (f->vals[v] == inum)
			any = 1;
	}
	return f->op == OCT_SET_NOTIN ? !any : any;
}

/* All process filters of selector `s` hold (AND). A global function: verified once. */
__noinline int oct_proc_match(struct oct_gen_selector *sel, struct oct_gen_scratch *sc, __u32 s)
{
	struct oct_proc_exec_info *xi;
	__u32 i;

	if (!sel || !sc)
		return 0;
	for (i = 0; i < OCT_GEN_MAX_PID_FILTERS; i++) {
		if (i >= sel->npid_filters)
			break;
		if (!oct_pid_filter_match(&sel->pid_filters[i]))
			return 0;
	}
	for (i = 0; i < OCT_GEN_MAX_NS_FILTERS; i++) {
		if (i >= sel->nns_filters)
			break;
		if (!oct_ns_filter_match(&sel->ns_filters[i], sc))
			return 0;
	}
	for (i = 0; i < OCT_GEN_MAX_CAP_FILTERS; i++) {
		if (i >= sel->ncap_filters)
			break;
		if (!oct_cap_match(&sel->cap_filters[i], sc))
			return 0;
	}
	if (sel->nschg_op || sel->ncapchg_filters) {
		__u32 tgid = sc->tgid; /* a stack key: 6.1 refuses one behind an argument */

		xi = bpf_map_lookup_elem(&process_execinfo, &tgid);
		if (!xi)
			return 0;
		if (sel->nschg_op && !oct_nschg_match(sel, sc, xi))
			return 0;
		for (i = 0; i < OCT_GEN_MAX_CAP_FILTERS; i++) {
			if (i >= sel->ncapchg_filters)
				break;
			if (!oct_capchg_match(&sel->capchg_filters[i], sc, xi))
				return 0;
		}
	}
	if (sel->bin_op && !oct_bin_match(sc, s * 2, sel->bin_op, sel->bin_follow, 0))
		return 0;
	if (sel->pbin_op && !oct_bin_match(sc, s * 2 + 1, sel->pbin_op, sel->pbin_follow, 1))
		return 0;
	return 1;
}

/* After selector `sel` matched: its *Changes filters report a change once, so the process's
 * baseline becomes what it is now. */
static __always_inline void oct_proc_rebase(struct oct_gen_selector *sel, struct oct_gen_scratch *sc)
{
	struct oct_proc_exec_info *xi;
	__u32 tgid;

	if (!sel->nschg_op && !sel->ncapchg_filters)
		return;
	tgid = sc->tgid;
	xi = bpf_map_lookup_elem(&process_execinfo, &tgid);
	if (!xi)
		return;
	if (sel->nschg_op)
		xi->ns = sc->ns;
	if (sel->ncapchg_filters) {
		xi->caps[0] = sc->caps[0];
		xi->caps[1] = sc->caps[1];
		xi->caps[2] = sc->caps[2];
	}
}
