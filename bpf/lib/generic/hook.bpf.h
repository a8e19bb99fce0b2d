/* The generic (TracingPolicy) hook body shared by every program family that runs a compiled
 * plan: read the argument slots from the program's context, capture, filter, act and emit.
 * Each family (perf tracepoint, raw tracepoint, uprobe...) has its own object whose program is
 * a thin wrapper around oct_generic(); the plan (user space) says where in the context each
 * argument lives: a tracepoint record offset, a pt_regs register offset or a raw_tp slot. */
#pragma once

#define OCT_DEFINE_MAPS
#include "lib/emit/emit.bpf.h"
#include "lib/extract/args.bpf.h"
#include "lib/extract/task.bpf.h"
#include "lib/filter/process.bpf.h"
#include "lib/filter/prefilter.bpf.h"
#include "lib/filter/selectors.bpf.h"
#include "lib/generic/post.bpf.h"
#include "lib/generic/chunks.bpf.h"
#include "lib/generic/socktrack.bpf.h"

/* A family that sends some events itself defines OCT_GEN_FINISH(cfg, s, h, pid_tgid) before
 * including this file: nonzero when it took the finished event in h->data (lsm.bpf.c: to add
 * the file's IMA hash); oct_generic then returns OCT_GEN_TAKEN instead of sending it. */
#ifndef OCT_GEN_FINISH
#define OCT_GEN_FINISH(cfg, s, h, pid_tgid) 0
#endif
#define OCT_GEN_TAKEN 1

static __always_inline int oct_select(struct oct_gen_config *cfg, struct oct_gen_scratch *sc,
				      struct oct_exec_heap *h)
{
	__u32 s, f;

	if (cfg->nselectors == 0)
		return 0; /* no selectors: every call matches, action Post */
	for (s = 0; s < OCT_GEN_MAX_SELECTORS; s++) {
		struct oct_gen_selector *sel = &cfg->selectors[s];
		int ok = 1;

		if (s >= cfg->nselectors)
			break;
		if (sel->has_proc && !oct_proc_match(sel, sc, s))
			continue;
		for (f = 0; f < OCT_GEN_MAX_FILTERS; f++) {
			if (f >= sel->nfilters)
				break;
			if (!oct_filter_match(&sel->filters[f], sc, h)) {
				ok = 0;
				break;
			}
		}
		if (ok) {
			if (sel->has_proc)
				oct_proc_rebase(sel, sc);
			return s;
		}
	}
	return -1;
}

/* A string Equal/Prefix filter (or its negation) on a string argument, judged on the first bytes
 * read straight from the argument's pointer: only as many as the longest value needs, plus two
 * to tell "exactly this long" from "longer". 0 when it holds or cannot be judged here (another
 * operator or argument kind, or a read fault: user memory not paged in yet is judged after the
 * full capture, which defers it to the syscall's exit). A global function, like the one below. */
__noinline int oct_string_fails_early(struct oct_gen_config *cfg, struct oct_gen_filter *f,
				      struct oct_gen_slots *slots)
{
	__u32 zero = 0, v, l, maxl = 0, want, len, any = 0;
	struct oct_gen_scratch *sc;
	__u8 op, a, kind;
	long n;

	if (!cfg || !f || !slots)
		return 0;
	op = f->op;
	a = f->arg;
	if (op != OCT_OP_EQ && op != OCT_OP_NEQ && op != OCT_OP_PREFIX && op != OCT_OP_NOTPREFIX)
		return 0;
	if (a >= OCT_GEN_MAX_ARGS)
		return 0;
	kind = cfg->args[a].kind;
	if (kind != OCT_GA_STR_USER && kind != OCT_GA_STR_KERNEL)
		return 0;
	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		if (f->slen[v] > maxl)
			maxl = f->slen[v];
	}
	if (maxl > OCT_GEN_STR_MAX)
		return 0;
	sc = bpf_map_lookup_elem(&gen_scratch, &zero);
	if (!sc)
		return 0;
	want = maxl + 2;
	if (kind == OCT_GA_STR_USER)
		n = bpf_probe_read_user_str(sc->path, want, (void *)slots->v[a]);
	else
		n = bpf_probe_read_kernel_str(sc->path, want, (void *)slots->v[a]);
	if (n <= 0)
		return 0;
	len = n - 1; /* n == want: longer than any value (len = maxl + 1) */
	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		l = f->slen[v];
		if (l > OCT_GEN_STR_MAX)
			continue;
		if (op == OCT_OP_EQ || op == OCT_OP_NEQ)
			any = len == l && oct_bytes_equal(sc->path, f->svals[v], l);
		else
			any = len >= l && oct_bytes_equal(sc->path, f->svals[v], l);
		if (any)
			break;
	}
	return oct_is_negated(op) ? any : !any;
}

/* Whether filter f already fails on the raw slots (the return value when it is known): an
 * integer operator on an integer argument, or string Equal/Prefix on a string pointer (above).
 * 0 when it holds or cannot be judged yet (paths, file types, the return value at entry). A global function: checked once by the verifier. */
__noinline int oct_filter_fails_early(struct oct_gen_config *cfg, struct oct_gen_filter *f,
				      struct oct_gen_slots *slots, __s64 ret, int ret_known)
{
	__u32 v, any = 0;
	__u8 op, a;
	__u64 x;

	if (!cfg || !f || !slots)
		return 0;
	op = f->op;
	a = f->arg;
	if (f->is_string == 1)
		return oct_string_fails_early(cfg, f, slots);
	/* Only the plain integer operators: any other reads what the capture produces. */
	if (f->is_string || op < OCT_OP_EQ || (op > OCT_OP_NOTINRANGE && op != OCT_OP_INMAP &&
					       op != OCT_OP_NOTINMAP))
		return 0;
	if (a == OCT_GEN_RET_ARG) {
		if (!ret_known)
			return 0;
		x = (__u64)ret;
	} else if (a < OCT_GEN_MAX_ARGS) {
		__u8 kind = cfg->args[a].kind;

		if (kind == OCT_GA_DATA_LOC || kind == OCT_GA_CONST_BUF)
			return 0;
		x = slots->v[a];
	} else {
		return 0;
	}
	if (op == OCT_OP_INMAP || op == OCT_OP_NOTINMAP) {
		struct oct_gen_inmap_key k = {.set = f->set, .value = x};

		any = bpf_map_lookup_elem(&gen_inmap, &k) != NULL;
	} else {
		for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
			if (v >= f->nvals)
				break;
			if (oct_int_value_match((__s64)x, f, v)) {
				any = 1;
				break;
			}
		}
	}
	return oct_is_negated(op) ? any : !any;
}

/* Whether some selector may still match, judged only by what needs no capture: its integer
 * filters on argument slots (and on the return value when it is known) and its string
 * Equal/Prefix filters on string pointers. When none may, the hook stops before it clears,
 * captures or saves anything: the cheap reject path of an event no selector wants. */
static __always_inline int oct_may_match(struct oct_gen_config *cfg, struct oct_gen_slots *slots,
					 __s64 ret, int ret_known)
{
	__u32 s, f;

	if (cfg->nselectors == 0)
		return 1;
	for (s = 0; s < OCT_GEN_MAX_SELECTORS; s++) {
		struct oct_gen_selector *sel = &cfg->selectors[s];
		int ok = 1;

		if (s >= cfg->nselectors)
			break;
		for (f = 0; f < OCT_GEN_MAX_FILTERS; f++) {
			if (f >= sel->nfilters)
				break;
			if (oct_filter_fails_early(cfg, &sel->filters[f], slots, ret, ret_known)) {
				ok = 0;
				break;
			}
		}
		if (ok)
			return 1;
	}
	return 0;
}

/* Override of selector s: the error the program returns (0: none), recorded in the event. Not
 * done in monitor mode, nor on a hook whose return value does not take effect (override_ok 0:
 * a syscall tracepoint observing a policy loaded in monitor mode). */
__noinline int oct_override(struct oct_gen_config *cfg, struct oct_gen_selector *sel,
			    struct oct_gen_event *ev, __u32 s)
{
	/* A global function, checked once by the verifier: its branches do not multiply the
	 * states of everything the hook does after it. */
	if (!cfg || !sel || !ev)
		return 0;
	if (!sel->override)
		return 0;
	ev->override = 1;
	ev->override_ret = sel->override_error;
	if (cfg->monitor || !cfg->override_ok) {
		oct_gen_count(s, OCT_GS_MONITOR_OVERRIDE);
		return 0;
	}
	ev->override_done = 1;
	if (sel->action == OCT_ACT_OVERRIDE)
		ev->action_done = 1;
	oct_gen_count(s, OCT_GS_OVERRIDE);
	return sel->override_error;
}

/* Runs the enforcement actions of selector s; returns the error Override asks the program to
 * return (0: let the call proceed). */
static __always_inline int oct_act(struct oct_gen_config *cfg, struct oct_gen_event *ev, __u32 s)
{
	struct oct_gen_selector *sel;
	__u32 sig;
	int rc;

	ev->action = OCT_ACT_POST;
	ev->action_done = 0;
	if (cfg->nselectors == 0 || s >= OCT_GEN_MAX_SELECTORS)
		return 0;
	sel = &cfg->selectors[s];
	ev->action = sel->action;
	rc = oct_override(cfg, sel, ev, s);
	if (sel->action != OCT_ACT_SIGKILL && sel->action != OCT_ACT_SIGNAL)
		return rc;
	sig = sel->signal;
	if (cfg->monitor) {
		oct_gen_count(s, OCT_GS_MONITOR_SIGNAL);
		return rc;
	}
	if (bpf_send_signal(sig) == 0) {
		ev->action_done = 1;
		oct_gen_count(s, OCT_GS_SIGNAL);
	} else {
		oct_gen_count(s, OCT_GS_SIGNAL_FAILED);
	}
	return rc;
}

static __always_inline void oct_save_slots(struct oct_gen_scratch *sc, __u64 pid_tgid)
{
	struct oct_gen_slots saved = {};
	__u32 i;

	for (i = 0; i < OCT_GEN_MAX_ARGS; i++)
		saved.v[i] = sc->slots[i];
	if (bpf_map_update_elem(&gen_pending, &pid_tgid, &saved, BPF_ANY) == 0) {
		__u32 zero = 0;
		__u64 *n = bpf_map_lookup_elem(&gen_pending_n, &zero);

		if (n)
			__sync_fetch_and_add(n, 1);
	}
}

/* Turns raw slots into the values captures start from: __data_loc fields become the address of
 * their bytes in the record, and `resolve:` paths are followed. */
static __always_inline void oct_prepare_slots(void *ctx, struct oct_gen_config *cfg,
					      struct oct_gen_scratch *sc)
{
	__u32 i;

	for (i = 0; i < OCT_GEN_MAX_ARGS; i++) {
		sc->resolve_err[i] = 0;
		if (i >= cfg->nargs)
			break;
		if (cfg->args[i].kind == OCT_GA_DATA_LOC)
			sc->slots[i] = (__u64)ctx + (sc->slots[i] & 0xffff);
		else if (cfg->args[i].kind == OCT_GA_CONST_BUF)
			sc->slots[i] = (__u64)ctx + cfg->args[i].offset;
		/* resolve[] and arg_source[] are far down the config: read only when some arg has a
		 * resolve: path (every data: entry has one). */
		if (!(cfg->hot & OCT_GCH_RESOLVE))
			continue;
		if (cfg->arg_source[i] == OCT_GEN_SRC_TASK) /* data: source current_task */
			sc->slots[i] = (__u64)bpf_get_current_task();
		if (cfg->resolve[i].nsteps)
			sc->slots[i] = oct_resolve_slot(cfg, sc, i, sc->slots[i]);
	}
}

/* The return value at ret_offset of the context (sys_exit record, pt_regs ax, fexit slot),
 * sign-extended from ret_size bytes. */
static __always_inline __s64 oct_read_ret(void *ctx, struct oct_gen_config *cfg)
{
	__u8 size = cfg->ret_size;

	return (__s64)oct_read_slot(ctx, &(struct oct_gen_arg){.offset = cfg->ret_offset,
							       .size = size ? size : 8,
							       .is_signed = 1});
}

/* Returns the error an Override asks the program to return (0: none). */
/* The hook id events and rate-limit keys carry: the plan's, or on a kprobe.multi link (one
 * program on many functions) the called function's attach cookie. */
#ifdef OCT_GEN_HOOK_ID_FROM_COOKIE
#define oct_hook_id(ctx, cfg) ((__u32)bpf_get_attach_cookie(ctx))
#else
#define oct_hook_id(ctx, cfg) ((cfg)->hook_id)
#endif

/* word: the context's 8 bytes at word_off, loaded by a program that reads them directly (see
 * tracepoint.bpf.c), for the prefilter; word_off 0: none. */
static __always_inline int oct_generic_word(void *ctx, __u64 word, __u32 word_off)
{
	__u32 zero = 0, i, pos, size, faulted = 0, tgid;
	struct oct_gen_config *cfg = bpf_map_lookup_elem(&gen_config, &zero);
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct oct_gen_scratch *sc;
	struct oct_exec_heap *h;
	struct task_struct *task;
	struct oct_gen_slots *saved = NULL;
	struct oct_gen_event *ev;
	__u64 *npending = NULL;
	__u64 now;
	int s, mode, post = 1, rc;

	if (!cfg)
		return 0;
	tgid = pid_tgid >> 32;
	/* The loader's summary of what every selector needs: most unwanted events stop here. */
	if (oct_prefilter_rejects(ctx, cfg, tgid, word, word_off))
		return 0;
	mode = cfg->mode;
	if (mode == OCT_MODE_EXIT || mode == OCT_MODE_EXIT_DEFER) {
		/* Most exits have nothing saved: skip the hash lookup while nothing is. */
		npending = bpf_map_lookup_elem(&gen_pending_n, &zero);
		if (!npending || *npending == 0)
			return 0;
		saved = bpf_map_lookup_elem(&gen_pending, &pid_tgid);
		if (!saved)
			return 0;
	}
	if (mode != OCT_MODE_EXIT && mode != OCT_MODE_EXIT_DEFER) {
		/* On the stack: a rejected event touches no scratch memory (every first touch of a
		 * map value costs a TLB miss per syscall). */
		struct oct_gen_slots raw;

		for (i = 0; i < OCT_GEN_MAX_ARGS; i++)
			raw.v[i] = i < cfg->nargs ? oct_read_slot(ctx, &cfg->args[i]) : 0;
		/* resolve: paths change slots: judge those after they are followed */
		if (!(cfg->hot & OCT_GCH_RESOLVE) && !oct_may_match(cfg, &raw, 0, 0))
			return 0;
		sc = bpf_map_lookup_elem(&gen_scratch, &zero);
		if (!sc)
			return 0;
		for (i = 0; i < OCT_GEN_MAX_ARGS; i++)
			sc->slots[i] = raw.v[i];
	} else {
		sc = bpf_map_lookup_elem(&gen_scratch, &zero);
		if (!sc)
			return 0;
	}
	h = bpf_map_lookup_elem(&process_heap, &zero);
	if (!h)
		return 0;
	task = (struct task_struct *)bpf_get_current_task_btf();
	if (saved && npending) {
		for (i = 0; i < OCT_GEN_MAX_ARGS; i++)
			sc->slots[i] = saved->v[i];
		if (bpf_map_delete_elem(&gen_pending, &pid_tgid) == 0)
			__sync_fetch_and_add(npending, -1);
		sc->ret = oct_read_ret(ctx, cfg);
		if (!oct_may_match(cfg, (struct oct_gen_slots *)sc->slots, sc->ret, 1))
			return 0;
	} else {
		oct_prepare_slots(ctx, cfg, sc);
		sc->ret = mode == OCT_MODE_FEXIT ? oct_read_ret(ctx, cfg) : 0;
		if ((cfg->hot & OCT_GCH_RESOLVE) && !oct_may_match(cfg, (struct oct_gen_slots *)sc->slots, 0, 0))
			return 0;
		if (mode == OCT_MODE_STORE) {
			oct_save_slots(sc, pid_tgid);
			return 0;
		}
	}

	oct_proc_prepare(cfg, sc, tgid);
	ev = (struct oct_gen_event *)h->data;
	__builtin_memset(ev, 0, sizeof(*ev));
	pos = sizeof(*ev);
	for (i = 0; i < OCT_GEN_MAX_ARGS; i++) {
		if (i >= cfg->nargs)
			break;
		pos += oct_capture_arg(cfg, sc, h, i, pos);
		if (ev->arg_flags[i] & OCT_GAF_ERROR)
			faulted = 1;
	}
	if (mode == OCT_MODE_EXIT && cfg->ret_kind == OCT_GA_STR_USER)
		pos += oct_capture_ret_str(sc, h, pos);
	else if ((mode == OCT_MODE_EXIT || mode == OCT_MODE_FEXIT) && cfg->ret_kind == OCT_GA_SOCK)
		pos += oct_capture_ret_kobject(sc, h, pos, OCT_GA_SOCK);
	if (mode == OCT_MODE_ENTER_DEFER && faulted) {
		oct_save_slots(sc, pid_tgid);
		return 0;
	}
	s = oct_select(cfg, sc, h);
	if (s < 0 || s >= OCT_GEN_MAX_SELECTORS)
		return 0;

	oct_sock_actions(cfg, sc, task, s, mode == OCT_MODE_EXIT || mode == OCT_MODE_FEXIT);
	rc = oct_act(cfg, ev, s);
	if (cfg->nselectors) {
		struct oct_gen_selector *sel = &cfg->selectors[s];

		post = sel->post;
		if (!post) {
			oct_gen_count(s, OCT_GS_NOPOST);
			if (!sel->user_action)
				return rc; /* nothing for the agent to do either */
		}
		if (oct_rate_limited(cfg, sc, h, s, pid_tgid, oct_hook_id(ctx, cfg))) {
			oct_gen_count(s, OCT_GS_RATE_LIMITED);
			return rc;
		}
		if (sel->stack)
			pos = oct_capture_stacks(ctx, sel, h, ev, pos);
	}
	ev->flags = oct_lookup_key(task, &ev->key) ? OCT_GEF_NO_PROCESS : 0;
	if (mode == OCT_MODE_EXIT || mode == OCT_MODE_FEXIT) {
		ev->flags |= OCT_GEF_HAS_RET;
		ev->ret = sc->ret;
	} else if (mode == OCT_MODE_EXIT_DEFER) {
		ev->flags |= OCT_GEF_DEFERRED;
	}
	ev->hook_id = oct_hook_id(ctx, cfg);
	ev->tid = (__u32)pid_tgid;
	oct_sock_owner(cfg, sc, ev);
	ev->selector = s;
	ev->nargs = cfg->nargs;
	size = pos;
	if (size > OCT_EXEC_DATA_MAX)
		size = OCT_EXEC_DATA_MAX;
	now = bpf_ktime_get_boot_ns();
	oct_send_chunks(cfg, sc, h, now, ev->tid);
	oct_fill_hdr(&ev->hdr, OCT_MSG_GENERIC, size, now);
	if (OCT_GEN_FINISH(cfg, s, h, pid_tgid)) {
		if (post)
			oct_gen_count(s, OCT_GS_POST);
		return OCT_GEN_TAKEN;
	}
	if (bpf_ringbuf_output(&process_events, ev, size, oct_rb_flags()) < 0) {
		oct_count_miss(OCT_MSG_GENERIC, OCT_MISS_RB_FULL);
		oct_gen_count(s, OCT_GS_RB_FULL);
		return rc;
	}
	if (post)
		oct_gen_count(s, OCT_GS_POST);
	return rc;
}

static __always_inline int oct_generic(void *ctx)
{
	return oct_generic_word(ctx, 0, 0);
}
