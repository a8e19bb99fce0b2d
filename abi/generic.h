/* Kernel/user ABI of the generic (TracingPolicy) sensor: the per-hook plan that user space
 * compiles from a policy and writes into the hook's config map, and the event record.
 * Any change here must bump OCTAGON_ABI_VERSION (abi/process.h). */
#pragma once

#include "abi/process.h"

#define OCT_GEN_MAX_ARGS 5	    /* Tetragon's MAX_POSSIBLE_ARGS */
#define OCT_GEN_MAX_SELECTORS 5
#define OCT_GEN_MAX_FILTERS 5	    /* matchArgs entries per selector */
#define OCT_GEN_MAX_VALUES 4	    /* values per filter */
#define OCT_GEN_MAX_PIDS 4
#define OCT_GEN_STR_MAX 256	    /* bytes of one string filter value */
#define OCT_GEN_ARG_MAX 4096	    /* bytes captured of one string/buffer argument */
#define OCT_GEN_DATA_MAX (OCT_GEN_MAX_ARGS * OCT_GEN_ARG_MAX)

/* How to read one argument from the tracepoint record. */
enum oct_gen_arg_kind {
	OCT_GA_NONE = 0,
	OCT_GA_INT = 1,		/* integer of `size` bytes at `offset`, sign per `is_signed` */
	OCT_GA_STR_USER = 2,	/* pointer at `offset` to a user-space NUL-terminated string */
	OCT_GA_STR_KERNEL = 3,	/* pointer at `offset` to a kernel string */
	OCT_GA_BUF_USER = 4,	/* pointer at `offset` to user bytes, length from arg `size_arg` */
	OCT_GA_FD = 5,		/* int fd at `offset`: resolved to the file's path in the task */
	OCT_GA_DATA_LOC = 6,	/* __data_loc: u32 (len << 16 | off) at `offset`, string in record */
	OCT_GA_CONST_BUF = 7,	/* `size` bytes inline at `offset` */
	/* Kernel objects (raw tracepoints, BTF-typed): the slot is a kernel pointer. */
	OCT_GA_FILE = 8,	/* struct file *: struct oct_gen_file_hdr, then path components */
	OCT_GA_PATH = 9,	/* struct path *: same layout */
	OCT_GA_DENTRY = 10,	/* struct dentry *: same layout, components up to its mount root */
	OCT_GA_BINPRM = 11,	/* struct linux_binprm *: its file, same layout */
	OCT_GA_CRED = 12,	/* struct cred *: struct oct_gen_cred */
	/* Memory behind a pointer, user or kernel per oct_gen_arg.user. */
	OCT_GA_SOCKADDR = 13,	/* struct sockaddr *: as many bytes as its family uses */
	OCT_GA_IOVEC = 14,	/* struct iovec *, count in arg `size_arg`: the bytes, joined */
	OCT_GA_BUF_RET = 15,	/* buffer whose length is the return value (returnCopy; exit) */
	OCT_GA_CONST_BUF_PTR = 16, /* `max_data` bytes at the pointer */
};

struct oct_gen_arg {
	__u16 offset;
	__u8 size;
	__u8 kind;	/* enum oct_gen_arg_kind */
	__u8 is_signed;
	__u8 size_arg;	/* for OCT_GA_BUF_USER: index (0-based) of the arg holding the length */
	__u16 max_data;	/* bytes captured at most (<= OCT_GEN_ARG_MAX) */
	__u8 user;	/* pointer kinds: 1 = user memory, 0 = kernel memory */
	__u8 pad[3];
	__u32 chunk_max; /* maxData: bytes beyond the inline capture sent as OCT_MSG_GENERIC_DATA */
};

/* A `resolve:` BTF field path, compiled: starting from the slot value, each step adds
 * `offset` and, when deref_size is set, loads that many bytes (1, 2, 4 or 8) from the result.
 * A final step without deref leaves the address of an embedded field (struct path, char[]). */
#define OCT_GEN_MAX_STEPS 8
struct oct_gen_step {
	__u32 offset;
	__u8 deref_size;
	__u8 pad[3];
};

struct oct_gen_resolve {
	__u8 nsteps;
	__u8 sign_size;	/* sign-extend the result from this many bytes (0: none) */
	__u8 pad[6];
	struct oct_gen_step steps[OCT_GEN_MAX_STEPS];
};

/* Header of OCT_GA_FILE/PATH/DENTRY/BINPRM captures; path components (leaf first) follow. */
struct oct_gen_file_hdr {
	__u32 flags;	/* file->f_flags (0 for path and dentry) */
	__u16 mode;	/* inode->i_mode */
	__u16 pad;
};

/* OCT_GA_CRED capture. */
struct oct_gen_cred {
	__u32 uid, gid, euid, egid, suid, sgid, fsuid, fsgid;
	__u32 securebits;
	__u32 userns_level;
	__u64 cap_permitted, cap_effective, cap_inheritable;
	__u32 userns_uid, userns_gid, userns_inum;
	__u32 pad;
};

/* Filter operators evaluated in the kernel. */
enum oct_gen_op {
	OCT_OP_EQ = 1, OCT_OP_NEQ, OCT_OP_GT, OCT_OP_LT, OCT_OP_MASK, OCT_OP_INRANGE, OCT_OP_NOTINRANGE,
	OCT_OP_PREFIX, OCT_OP_NOTPREFIX, OCT_OP_POSTFIX, OCT_OP_NOTPOSTFIX, OCT_OP_SUBSTRING,
	OCT_OP_INMAP, OCT_OP_NOTINMAP,
};

/* InMap / NotInMap sets live in the hook's gen_inmap hash map under this key. */
struct oct_gen_inmap_key {
	__u32 set;	/* oct_gen_filter.set */
	__u32 pad;
	__u64 value;
};
#define OCT_GEN_INMAP_MAX 4096

struct oct_gen_filter {
	__u8 arg;	/* index into the hook's args; OCT_GEN_RET_ARG for the return value */
	__u8 op;	/* enum oct_gen_op */
	__u8 nvals;
	__u8 is_string;
	__u32 set;	/* InMap/NotInMap: the set's id in gen_inmap */
	__s64 ivals[OCT_GEN_MAX_VALUES * 2];	/* ints; ranges as (min, max) pairs */
	__u16 slen[OCT_GEN_MAX_VALUES];
	char svals[OCT_GEN_MAX_VALUES][OCT_GEN_STR_MAX];
};
#define OCT_GEN_RET_ARG 0xff

enum oct_gen_action {
	OCT_ACT_POST = 1,
	OCT_ACT_NOPOST = 2,
	OCT_ACT_SIGKILL = 3,
	OCT_ACT_SIGNAL = 4,
};

struct oct_gen_selector {
	__u8 nfilters;
	__u8 nreturn_filters;
	__u8 pid_op;	/* 0 none, 1 In, 2 NotIn */
	__u8 npids;
	__u32 pids[OCT_GEN_MAX_PIDS];
	__u8 action;	/* enum oct_gen_action */
	__u8 post;	/* 1 when an event is sent */
	__u8 pad[2];
	__u32 signal;	/* for Sigkill (9) and Signal */
	struct oct_gen_filter filters[OCT_GEN_MAX_FILTERS];
};

/* One hook's plan: written by user space into the config map before attaching. */
struct oct_gen_config {
	__u32 hook_id;	/* user space's handle for the hook (policy + spec entry) */
	__u8 nargs;
	__u8 nselectors;
	__u8 monitor;	/* policy mode monitor: count enforcement, do not do it */
	__u8 mode;	/* enum oct_gen_mode */
	__u16 ret_offset; /* offset of `ret` in the sys_exit record */
	__u16 pad;
	struct oct_gen_arg args[OCT_GEN_MAX_ARGS];
	struct oct_gen_selector selectors[OCT_GEN_MAX_SELECTORS];
	struct oct_gen_resolve resolve[OCT_GEN_MAX_ARGS];
};

/* Where in a syscall a hook instance runs. Syscall hooks that read user memory run as a pair:
 * user pages may not be present at entry (fork does not copy page tables of file mappings,
 * and the read in BPF cannot fault them in), so an entry whose read faulted is finished at
 * the syscall's exit, after the kernel itself touched the memory, and flagged deferred. */
enum oct_gen_mode {
	OCT_MODE_FULL = 0,	  /* read, filter, act and emit here */
	OCT_MODE_STORE = 1,	  /* entry of a return probe: save the raw argument slots */
	OCT_MODE_EXIT = 2,	  /* exit of a return probe: saved slots + return value */
	OCT_MODE_ENTER_DEFER = 3, /* like FULL, but save the slots when a user read faulted */
	OCT_MODE_EXIT_DEFER = 4,  /* exit half of ENTER_DEFER: finish deferred entries only */
};

/* Record of one matched hook invocation. Argument data follows the struct: for each arg,
 * arg_len[i] bytes (ints: 8 bytes; strings/buffers: raw bytes; fd: path components leaf
 * first, as in exec records). */
struct oct_gen_event {
	struct oct_msg_hdr hdr;
	struct oct_proc_key key;	/* the process, as in the process map */
	__u32 hook_id;
	__u32 tid;
	__u8 selector;		/* index of the selector that matched */
	__u8 action;		/* enum oct_gen_action */
	__u8 action_done;	/* enforcement really happened (0 in monitor mode or on failure) */
	__u8 nargs;
	__u32 flags;		/* OCT_GEF_* */
	__s64 ret;		/* return value, for return probes */
	__u16 arg_len[OCT_GEN_MAX_ARGS];
	__u8 arg_flags[OCT_GEN_MAX_ARGS];	/* OCT_GAF_* per arg */
	__u8 pad[5];
	__u32 arg_size[OCT_GEN_MAX_ARGS];	/* buffers: bytes the argument had (all chunks) */
	__u32 pad2;
};

/* maxData char_buf arguments: the first max_data bytes are captured inline, the rest (up to
 * chunk_max more) follows in OCT_MSG_GENERIC_DATA records sent just before the event, on the
 * same CPU, each carrying the event's ktime and tid; user space joins them to the argument. */
#define OCT_GEN_MAXDATA_MAX 327360	/* bytes of one maxData argument at most (Tetragon's) */
#define OCT_GEN_CHUNK_DATA 16384	/* bytes per chunk record at most */

struct oct_gen_chunk {
	struct oct_msg_hdr hdr;	/* op OCT_MSG_GENERIC_DATA; ktime: that of the event */
	__u32 tid;
	__u8 arg;	/* argument index */
	__u8 pad[3];
	__u32 offset;	/* of these bytes in the whole argument */
	__u32 len;	/* bytes following this header */
};

enum oct_gen_event_flag {
	OCT_GEF_HAS_RET = 1 << 0,
	OCT_GEF_NO_PROCESS = 1 << 1,	/* process not in the map: key derived from start time */
	OCT_GEF_DEFERRED = 1 << 2,	/* arguments read at syscall exit (see oct_gen_mode) */
};

enum oct_gen_arg_flag {
	OCT_GAF_TRUNCATED = 1 << 0,	/* more data than captured */
	OCT_GAF_ERROR = 1 << 1,		/* could not be read */
	OCT_GAF_PATH_TRUNCATED = 1 << 2,
	OCT_GAF_CHUNKED = 1 << 3,	/* the rest follows in OCT_MSG_GENERIC_DATA records */
};

/* Per-hook counters, [selector * OCT_GEN_STAT_MAX + stat]. */
enum oct_gen_stat {
	OCT_GS_POST = 0,
	OCT_GS_SIGNAL = 1,
	OCT_GS_MONITOR_SIGNAL = 2,
	OCT_GS_NOPOST = 3,
	OCT_GS_RB_FULL = 4,
	OCT_GS_MAX = 5,
};
