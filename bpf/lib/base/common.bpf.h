/* Includes every BPF unit needs, and small shared definitions. */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "abi/process.h"

#ifndef S_ISUID
#define S_ISUID 0004000
#define S_ISGID 0002000
#endif

#define OCT_NSEC_PER_TICK (1000000000ULL / OCT_USER_HZ)

/* Key of a process the sensor never saw start: its start time rounded down to USER_HZ ticks,
 * the resolution of /proc/<pid>/stat, so the /proc scan in user space derives the same key. */
static __always_inline __u64 oct_fallback_ktime(struct task_struct *task)
{
	__u64 t = BPF_CORE_READ(task, group_leader, start_boottime);

	return t - (t % OCT_NSEC_PER_TICK);
}
