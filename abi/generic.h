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
	OCT_GA_USER_DEREF = 8,	/* `size` bytes of user memory at (u64 at `offset`) + `imm` (USDT) */
	OCT_GA_CONST = 9,	/* the value `imm` itself (USDT constant arguments) */
};

struct oct_gen_arg {
	__u16 offset;
	__u8 size;
	__u8 kind;	/* enum oct_gen_arg_kind */
	__u8 is_signed;
	__u8 size_arg;	/* for OCT_GA_BUF_USER: index (0-based) of the arg holding the length */
	__u16 max_data;	/* bytes captured at most (<= OCT_GEN_ARG_MAX) */
	__s64 imm;	/* OCT_GA_USER_DEREF: displacement; OCT_GA_CONST: the value */
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
	__u8 ret_kind;	/* OCT_MODE_EXIT: OCT_GA_STR_USER captures the string the return value points to */
	__u8 pad2[7];
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
 * first, as in exec records), then ret_len bytes of a returned string (config ret_kind). */
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
	__u16 ret_len;		/* bytes of the returned string, after the args' data */
	__u8 ret_flags;		/* OCT_GAF_* of the returned string */
	__u8 pad2[5];
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
