/* Kernel/user ABI of the process lifecycle sensor. Included by BPF programs and by C++.
 * Any change to a struct or constant here must bump OCTAGON_ABI_VERSION. */
#pragma once

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define OCTAGON_ABI_VERSION 14

/* Message operations: the first byte of every ring buffer record. */
enum octagon_msg_op {
	OCT_MSG_EXEC = 1,
	OCT_MSG_EXIT = 2,
	OCT_MSG_CLONE = 3,
	OCT_MSG_GENERIC = 4, /* a TracingPolicy hook matched (abi/generic.h) */
	OCT_MSG_GENERIC_DATA = 5, /* a chunk of a large policy argument (struct oct_gen_chunk) */
	OCT_MSG_OP_MAX = 6,
};

/* Why the kernel side could not deliver (or fully read) something; indexes the
 * per-CPU counter map process_missed as [op * OCT_MISS_MAX + reason]. */
enum octagon_miss_reason {
	OCT_MISS_RB_FULL = 0,	/* bpf_ringbuf_output/reserve failed: event lost */
	OCT_MISS_NO_HEAP = 1,	/* per-CPU scratch buffer unavailable: event lost */
	OCT_MISS_MAP_FULL = 2,	/* process map update failed: identity degraded */
	OCT_MISS_READ = 3,	/* a field could not be read: event sent, flagged */
	OCT_MISS_MAX = 4,
};

/* Per-event flags for fields the kernel side could not read or had to cut. */
enum octagon_exec_flag {
	OCT_EF_CLONE = 1 << 0,		/* process was seen being forked before this exec */
	OCT_EF_TRUNC_ARGS = 1 << 1,	/* argument bytes exceeded the configured cap */
	OCT_EF_ERR_ARGS = 1 << 2,	/* argument memory could not be read */
	OCT_EF_ERR_FILENAME = 1 << 3,	/* binary path could not be read */
	OCT_EF_ERR_CWD = 1 << 4,	/* cwd could not be read */
	OCT_EF_TRUNC_FILENAME = 1 << 5, /* binary path walk hit its length/depth limit */
	OCT_EF_TRUNC_CWD = 1 << 6,	/* cwd walk hit its length/depth limit */
	OCT_EF_ERR_CGROUP = 1 << 7,	/* cgroup name could not be read */
	OCT_EF_NO_PARENT = 1 << 8,	/* parent not in the process map: key derived from start time */
	OCT_EF_MAP_FULL = 1 << 9,	/* process map update failed */
	OCT_EF_ERR_CREDS = 1 << 10,	/* credentials could not be read */
	OCT_EF_NO_ENTRY = 1 << 11,	/* (exit) process not in the map: key derived from start time */
	OCT_EF_CWD_OUTSIDE_ROOT = 1 << 12, /* cwd is not below the task's root (chroot escape) */
};

/* Limits of the variable part of an exec record. */
#define OCT_PATH_MAX 4096	 /* bytes for the binary path components */
#define OCT_CWD_MAX 4096	 /* bytes for the cwd components */
#define OCT_ARGS_MAX 16384	 /* hard upper bound of the argument cap */
#define OCT_ARGS_DEFAULT 4096	 /* default argument cap */
#define OCT_CGROUP_NAME_MAX 256 /* per cgroup name (leaf and its parent) */
#define OCT_NAME_MAX 256	 /* one path component, with its NUL */
#define OCT_PATH_DEPTH 1024	 /* path components walked at most */

/* Kernel clock ticks per second used by /proc/<pid>/stat start times (USER_HZ). The key of a
 * process the sensor never saw start is derived from its start time rounded to this, so that
 * kernel side and /proc scan agree on it. */
#define OCT_USER_HZ 100

struct oct_msg_hdr {
	__u8 op;
	__u8 abi_version;
	__u16 pad;
	__u32 size; /* whole record, header included */
	__u64 ktime; /* boot-time ns when the record was made */
};

/* Identity of a process: tgid plus the boot-time ns of its exec (or its fork, if it never
 * exec'd). Tetragon's exec_id is base64("node:ktime:pid") of exactly this. */
struct oct_proc_key {
	__u32 pid;
	__u32 pad;
	__u64 ktime;
};

struct oct_creds {
	__u32 uid, gid, suid, sgid, euid, egid, fsuid, fsgid;
	__u32 auid; /* loginuid; 4294967295 when unset */
	__u32 securebits;
	__u64 cap_permitted, cap_effective, cap_inheritable;
};

struct oct_namespaces {
	__u32 uts, ipc, mnt, pid, pid_for_children, net, time, time_for_children, cgroup, user;
};

/* Data section layout: [binary components][cwd components][args][cgroup leaf][cgroup parent].
 * Path components are NUL-terminated names from the leaf up to the root; user space reverses
 * and joins them. Args are the raw argv bytes (NUL-separated, argv[0] included). */
struct oct_exec_event {
	struct oct_msg_hdr hdr;
	struct oct_proc_key key;
	struct oct_proc_key parent;
	struct oct_proc_key prev;	/* identity this exec replaced (pid 0 if none) */
	__u32 tid;			/* thread id before exec (old_pid) */
	__u32 flags;			/* enum octagon_exec_flag */
	__u32 nspid;			/* pid in the task's own pid namespace */
	__u32 file_mode;		/* i_mode of the executed file */
	__u32 file_uid, file_gid;
	__u32 file_nlink;		/* 0: memfd, shm or deleted binary */
	__u32 secureexec;
	__u64 file_ino;
	__u64 cgroup_id;
	__u64 start_boottime;		/* task start (fork) time, boot ns */
	struct oct_creds creds;
	struct oct_namespaces ns;
	__u16 binary_len, cwd_len;	/* bytes in the data section */
	__u16 args_len, cgrp_len;	/* cgrp_len covers leaf\0parent\0 */
	__u32 args_total;		/* argument bytes in the process (before the cap) */
	__u32 pad;
	/* The data section (hdr.size - sizeof(struct oct_exec_event) bytes) follows. */
};

struct oct_exit_event {
	struct oct_msg_hdr hdr;
	struct oct_proc_key key;
	__u32 tid;	   /* last thread to exit */
	__u32 exit_code;   /* wait status: (status << 8) | signal */
	__u32 flags;	   /* OCT_EF_NO_ENTRY */
	__u32 pad;
};

struct oct_clone_event {
	struct oct_msg_hdr hdr;
	struct oct_proc_key key;
	struct oct_proc_key parent;
	__u32 tid;
	__u32 flags;
	__u64 cgroup_id;
};

/* Value of the process map (key: tgid). */
struct oct_proc_entry {
	struct oct_proc_key key;
	struct oct_proc_key parent;
	__u32 flags; /* OCT_EF_CLONE when created by fork */
	__u32 pad;
};

#define OCT_EXEC_DATA_MAX (OCT_PATH_MAX + OCT_CWD_MAX + OCT_ARGS_MAX + 2 * OCT_CGROUP_NAME_MAX)

/* Value of the process exec-info map (key: tgid): what the selectors of generic hooks compare
 * against, kept from the process's exec and copied to children at fork. Entries of processes
 * that started before the agent are filled by the first hook that needs them (from the task's
 * exe_file and current state), flagged OCT_XI_LATE. */
#define OCT_BIN_MAX 256 /* bytes of the binary path kept */

enum oct_exec_info_flag {
	OCT_XI_TRUNCATED = 1 << 0, /* path longer than OCT_BIN_MAX (or its walk was cut) */
	OCT_XI_ERROR = 1 << 1,	   /* path could not be read: bin_len is 0 */
	OCT_XI_LATE = 1 << 2,	   /* filled after the exec, by a hook: baselines are not the exec's */
};

/* Capability sets, in the order of struct oct_proc_exec_info.caps. */
enum oct_cap_set {
	OCT_CAPS_PERMITTED = 0,
	OCT_CAPS_EFFECTIVE = 1,
	OCT_CAPS_INHERITABLE = 2,
};

struct oct_proc_exec_info {
	struct oct_namespaces ns; /* at exec; rebased when a matchNamespaceChanges selector fires */
	__u32 flags;		  /* OCT_XI_* */
	__u64 caps[3];		  /* enum oct_cap_set; rebased like ns by matchCapabilityChanges */
	__u16 bin_len;		  /* bytes of the full path (bin holds the first OCT_BIN_MAX) */
	__u16 pad[3];
	char bin[OCT_BIN_MAX];	  /* path of the running binary (scripts: the interpreter), 0-padded */
};
