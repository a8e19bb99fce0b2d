/* Maps of the process sensor. Defined once in progs/process/maps.bpf.c (OCT_DEFINE_MAPS);
 * every other unit sees them as extern, and `bpftool gen object` links them into one. */
#pragma once

#include "lib/base/common.bpf.h"

#ifdef OCT_DEFINE_MAPS
#define OCT_MAP
#else
#define OCT_MAP extern
#endif

/* Events to user space. Size set by the agent before load (--rb-size). */
OCT_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} process_events SEC(".maps");

/* Live processes: tgid -> identity and parent identity (--execve-map-entries). */
OCT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, __u32);
	__type(value, struct oct_proc_entry);
} process_map SEC(".maps");

/* What selectors compare against per process (abi/process.h): binary path, and namespaces
 * and capabilities at exec. Written at exec, copied at fork, deleted at exit; filled late by
 * hooks for processes that started before the agent. Not preallocated: it costs memory only
 * for live processes (the agent retries preallocated on kernels that refuse that). */
OCT_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct oct_proc_exec_info);
} process_execinfo SEC(".maps");

/* Per-CPU loss and error counters, [op * OCT_MISS_MAX + reason]. */
OCT_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OCT_MSG_OP_MAX * OCT_MISS_MAX);
	__type(key, __u32);
	__type(value, __u64);
} process_missed SEC(".maps");

/* State of one path walk (lib/extract/path.bpf.h). It lives in the per-CPU heap, not on the
 * stack: the verifier does not track map contents, so every bpf_loop iteration looks alike
 * to it and the callback is verified once instead of once per possible offset. */
struct oct_path_walk {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 pos;   /* next write offset in the heap's data */
	__u32 end;   /* exclusive limit for this path */
	__u32 status;
	__u32 pad;
};

/* Per-CPU scratch space where exec records are assembled: the record, then its data. */
/* State of turning leaf-first path components into a path (lib/extract/binary.bpf.h). */
struct oct_bin_build {
	__u32 start; /* first component's offset in the heap's data */
	__u32 in;    /* next component's offset */
	__u32 end;   /* end of the components */
	__u32 pad;
};

struct oct_exec_heap {
	struct oct_path_walk walk;
	struct oct_exec_event ev;
	char data[OCT_EXEC_DATA_MAX];
	/* Building a process's exec-info entry (after data: ev and data stay contiguous). */
	struct oct_bin_build bb;
	char binname[OCT_NAME_MAX];
	struct oct_proc_exec_info xi;
	char xi_spill[OCT_BIN_MAX]; /* a component copied at the end of xi.bin may run on here */
};

OCT_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oct_exec_heap);
} process_heap SEC(".maps");

/* Load-time configuration (set in .rodata between open and load). */
#ifdef OCT_DEFINE_MAPS
const volatile __u32 oct_args_cap = OCT_ARGS_DEFAULT;
const volatile __u64 oct_wakeup_bytes = 1 << 20;
#else
extern const volatile __u32 oct_args_cap;
extern const volatile __u64 oct_wakeup_bytes;
#endif
