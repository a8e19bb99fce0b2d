/* Socket ownership (TrackSock/UntrackSock, Tetragon's socket tracking): the sock pointer a hook
 * sees at allocation, in the allocating process, is remembered with that process in
 * gen_socktrack; a later event about the sock (its first sock argument) names the owner even
 * when it runs elsewhere: in softirq, or in the task that sends a datagram to it. */
#pragma once

#include "lib/extract/task.bpf.h"
#include "maps/generic.bpf.h"

static __always_inline void oct_sock_act(struct task_struct *task, __u64 sk, __u8 action)
{
	struct oct_sock_owner owner = {};

	if (!sk)
		return;
	if (action == OCT_SOCK_UNTRACK) {
		bpf_map_delete_elem(&gen_socktrack, &sk);
		return;
	}
	if (action != OCT_SOCK_TRACK)
		return;
	owner.known = oct_lookup_key(task, &owner.key) == 0;
	owner.tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&gen_socktrack, &sk, &owner, BPF_ANY);
}

/* The matched selector's TrackSock/UntrackSock (on argument sock_arg) and the hook's
 * returnArgAction (on the returned sock, in the return half). */
static __always_inline void oct_sock_actions(struct oct_gen_config *cfg, struct oct_gen_scratch *sc,
					     struct task_struct *task, __u32 s, int has_ret)
{
	struct oct_gen_selector *sel;
	__u32 arg;

	if (has_ret && cfg->ret_sock_action)
		oct_sock_act(task, (__u64)sc->ret, cfg->ret_sock_action);
	if (cfg->nselectors == 0 || s >= OCT_GEN_MAX_SELECTORS)
		return;
	sel = &cfg->selectors[s];
	if (!sel->sock_action)
		return;
	arg = sel->sock_arg;
	if (arg < OCT_GEN_MAX_ARGS)
		oct_sock_act(task, sc->slots[arg], sel->sock_action);
}

/* A tracked owner of the hook's first sock argument becomes the event's process. */
static __always_inline void oct_sock_owner(struct oct_gen_config *cfg, struct oct_gen_scratch *sc,
					   struct oct_gen_event *ev)
{
	struct oct_sock_owner *owner;
	__u32 arg = cfg->sock_owner_arg;
	__u64 sk;

	if (arg == 0 || arg > OCT_GEN_MAX_ARGS)
		return;
	sk = sc->slots[(arg - 1) & 7];
	owner = sk ? bpf_map_lookup_elem(&gen_socktrack, &sk) : NULL;
	if (!owner)
		return;
	ev->key = owner->key;
	ev->tid = owner->tid;
	ev->flags = (ev->flags & ~OCT_GEF_NO_PROCESS) | OCT_GEF_SOCK_OWNER;
	if (!owner->known)
		ev->flags |= OCT_GEF_NO_PROCESS;
}
