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
	/* Kernel objects (raw tracepoints, BTF-typed): the slot is a kernel pointer. */
	OCT_GA_FILE = 10,	/* struct file *: struct oct_gen_file_hdr, then path components */
	OCT_GA_PATH = 11,	/* struct path *: same layout */
	OCT_GA_DENTRY = 12,	/* struct dentry *: same layout, components up to its mount root */
	OCT_GA_BINPRM = 13,	/* struct linux_binprm *: its file, same layout */
	OCT_GA_CRED = 14,	/* struct cred *: struct oct_gen_cred */
	/* Memory behind a pointer, user or kernel per oct_gen_arg.user. */
	OCT_GA_SOCKADDR = 15,	/* struct sockaddr *: as many bytes as its family uses */
	OCT_GA_IOVEC = 16,	/* struct iovec *, count in arg `size_arg`: the bytes, joined */
	OCT_GA_BUF_RET = 17,	/* buffer whose length is the return value (returnCopy; exit) */
	OCT_GA_CONST_BUF_PTR = 18, /* `max_data` bytes at the pointer */
	/* More kernel objects (BTF-typed kernel function and raw tracepoint arguments), each
	 * captured as the struct oct_gen_k* named below (lib/extract/kobjects.bpf.h). */
	OCT_GA_SOCK = 19,	/* struct sock * (socket: its ->sk): struct oct_gen_ksock */
	OCT_GA_SKB = 20,	/* struct sk_buff *: struct oct_gen_kskb */
	OCT_GA_USER_NS = 21,	/* struct user_namespace *: struct oct_gen_kuserns */
	OCT_GA_BPF_ATTR = 22,	/* union bpf_attr * (BPF_PROG_LOAD): struct oct_gen_kbpf_prog */
	OCT_GA_BPF_PROG = 23,	/* struct bpf_prog *: struct oct_gen_kbpf_prog */
	OCT_GA_BPF_MAP = 24,	/* struct bpf_map *: struct oct_gen_kbpf_map */
	OCT_GA_PERF_EVENT = 25,	/* struct perf_event *: struct oct_gen_kperf_event */
	OCT_GA_MODULE = 26,	/* struct module *: struct oct_gen_kmodule */
	OCT_GA_LOAD_INFO = 27,	/* struct load_info *: struct oct_gen_kmodule */
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
	__s64 imm;	/* OCT_GA_USER_DEREF: displacement; OCT_GA_CONST: the value */
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
	OCT_OP_FILETYPE, OCT_OP_NOTFILETYPE, /* fd args: (i_mode & S_IFMT) is one of ivals */
	/* sockaddr args, on the captured bytes. Addresses outside AF_INET/AF_INET6 (and ports of
	 * them) never match: the positive operators fail, the Not* ones hold. */
	OCT_OP_SADDR, OCT_OP_NOTSADDR,	/* the address is in the CIDR set OCT_GEN_LPM_ADDR_BASE + set */
	OCT_OP_SPORT, OCT_OP_NOTSPORT,	/* the port (host order) is in one of the nvals (min, max)
					 * pairs of ivals or is a member of `set` in gen_inmap */
	OCT_OP_SPORTPRIV, OCT_OP_NOTSPORTPRIV, /* the port is below 1024 */
	OCT_OP_FAMILY,			/* sa_family is one of the nvals ivals[2 * i] */
	/* Network operators on sock/socket/skb captures (oct_gen_filter.is_string says which
	 * capture: OCT_GEN_NET_SOCK or OCT_GEN_NET_SKB); SADDR..FAMILY above apply to them too,
	 * on the source address and port and the family. */
	OCT_OP_DADDR, OCT_OP_NOTDADDR,	/* the destination address, as SADDR */
	OCT_OP_DPORT, OCT_OP_NOTDPORT,	/* the destination port, as SPORT */
	OCT_OP_DPORTPRIV, OCT_OP_NOTDPORTPRIV,
	OCT_OP_PROTOCOL,		/* the (IP) protocol is one of the nvals ivals[2 * i] */
	OCT_OP_STATE,			/* sock: skc_state is one of the nvals ivals[2 * i] */
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
/* oct_gen_filter.is_string beyond 0/1: string filters on a path argument, compared with its
 * components joined root first, as user space shows it. */
#define OCT_GEN_STR_PATH 2	/* OCT_GA_FD: the capture is the components */
#define OCT_GEN_STR_FILE 3	/* OCT_GA_FILE/PATH/DENTRY/BINPRM: oct_gen_file_hdr, then them */
/* Network operators on a kernel-object capture: which one it is. */
#define OCT_GEN_NET_SOCK 4	/* OCT_GA_SOCK: struct oct_gen_ksock */
#define OCT_GEN_NET_SKB 5	/* OCT_GA_SKB: struct oct_gen_kskb */

enum oct_gen_action {
	OCT_ACT_POST = 1,
	OCT_ACT_NOPOST = 2,
	OCT_ACT_SIGKILL = 3,
	OCT_ACT_SIGNAL = 4,
	OCT_ACT_OVERRIDE = 5,	/* the hooked function returns oct_gen_selector.override_error */
};

/* Process filters of a selector (matchPIDs, matchNamespaces, matchCapabilities and their
 * *Changes variants, matchBinaries, matchParentBinaries), evaluated before matchArgs. */
#define OCT_GEN_MAX_PID_FILTERS 4
#define OCT_GEN_MAX_NS_FILTERS 10 /* one per namespace type */
#define OCT_GEN_MAX_CAP_FILTERS 3 /* one per capability set */
#define OCT_GEN_FOLLOW_DEPTH 16	  /* ancestors looked at by followForks / followChildren */

enum oct_gen_set_op {
	OCT_SET_IN = 1,
	OCT_SET_NOTIN = 2,
};

enum oct_gen_pid_flag {
	OCT_PIDF_NSPID = 1 << 0,  /* isNamespacePID: the pid in the task's own pid namespace */
	OCT_PIDF_FOLLOW = 1 << 1, /* followForks: the process or one of its ancestors */
};

struct oct_gen_pid_filter {
	__u8 op;	/* enum oct_gen_set_op */
	__u8 flags;	/* OCT_PIDF_* */
	__u8 npids;
	__u8 pad;
	__u32 pids[OCT_GEN_MAX_PIDS];
};

/* Namespace indexes: the position of the field in struct oct_namespaces. */
enum oct_ns_index {
	OCT_NS_UTS = 0, OCT_NS_IPC, OCT_NS_MNT, OCT_NS_PID, OCT_NS_PID_FOR_CHILDREN, OCT_NS_NET,
	OCT_NS_TIME, OCT_NS_TIME_FOR_CHILDREN, OCT_NS_CGROUP, OCT_NS_USER, OCT_NS_COUNT,
};

struct oct_gen_ns_filter {
	__u8 ns;	/* enum oct_ns_index */
	__u8 op;	/* enum oct_gen_set_op */
	__u8 nvals;
	__u8 pad;
	__u32 vals[OCT_GEN_MAX_VALUES]; /* inode numbers */
};

struct oct_gen_cap_filter {
	__u8 set;	/* enum oct_cap_set */
	__u8 op;	/* enum oct_gen_set_op */
	__u8 ns_only;	/* isNamespaceCapability: only tasks outside the initial user namespace */
	__u8 pad[5];
	__u64 mask;	/* 1 << CAP_* */
};

/* Binary path sets of matchBinaries / matchParentBinaries live in the hook's gen_binaries
 * LPM trie: data[0] is the set (selector * 2, + 1 for parents), then the value. In/NotIn
 * values end with a NUL (an exact match is then the only prefix match), Prefix values are
 * stored as written, Postfix values reversed (and looked up with the reversed path). */
#define OCT_GEN_LPM_DATA 256
/* InMap / NotInMap on string arguments share that trie: data[0] is this base + the filter's
 * set, then the string and a NUL (so that only an equal string matches). */
#define OCT_GEN_LPM_STRSET_BASE 16
/* SAddr / NotSAddr CIDRs share it too: data[0] is this base + the filter's set, data[1] is 4
 * or 6, then the address in network order; prefixlen is 16 + the CIDR's prefix length. An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is looked up as IPv4 first, then as IPv6. */
#define OCT_GEN_LPM_ADDR_BASE 64
#define OCT_GEN_BINARIES_MAX 1024
struct oct_gen_lpm_key {
	__u32 prefixlen; /* in bits, the set byte included */
	__u8 data[OCT_GEN_LPM_DATA];
};

/* What a hook's selectors need about the process, for the hook body to prepare once. */
enum oct_gen_proc_need {
	OCT_PN_EXEC_INFO = 1 << 0,	/* the current process's exec-info entry */
	OCT_PN_PARENT_INFO = 1 << 1,	/* the parent's exec-info entry */
	OCT_PN_ANCESTOR_INFO = 1 << 2,	/* exec-info entries up to OCT_GEN_FOLLOW_DEPTH ancestors */
	OCT_PN_NAMESPACES = 1 << 3,	/* the current task's namespaces */
	OCT_PN_CAPS = 1 << 4,		/* the current task's capabilities */
};

struct oct_gen_selector {
	__u8 nfilters;
	__u8 nreturn_filters;
	__u8 action;	/* enum oct_gen_action */
	__u8 post;	/* 1 when an event is sent */
	__u8 has_proc;	/* it has process filters below (set by the loader with oct_gen_config.hot) */
	__u8 pad[3];
	__u32 signal;	/* for Sigkill (9) and Signal */
	struct oct_gen_filter filters[OCT_GEN_MAX_FILTERS];
	/* Process filters (matchPIDs, matchNamespaces, matchCapabilities...). */
	__u8 npid_filters;
	__u8 nns_filters;
	__u8 ncap_filters;
	__u8 ncapchg_filters;
	__u8 nschg_op;		/* matchNamespaceChanges: enum oct_gen_set_op, 0 none */
	__u8 bin_op;		/* matchBinaries: OCT_OP_EQ (In), NEQ, PREFIX, NOTPREFIX, POSTFIX, NOTPOSTFIX */
	__u8 bin_follow;	/* followChildren: the process or one of its ancestors */
	__u8 pbin_op;		/* matchParentBinaries, as bin_op */
	__u8 pbin_follow;
	__u8 pad2;
	__u16 nschg_mask;	/* bit i: enum oct_ns_index i */
	struct oct_gen_pid_filter pid_filters[OCT_GEN_MAX_PID_FILTERS];
	struct oct_gen_ns_filter ns_filters[OCT_GEN_MAX_NS_FILTERS];
	__u32 pad3;
	struct oct_gen_cap_filter cap_filters[OCT_GEN_MAX_CAP_FILTERS];
	struct oct_gen_cap_filter capchg_filters[OCT_GEN_MAX_CAP_FILTERS];
	__u64 rate_limit_ns;	/* Post rateLimit: at most one event per window and key (0: off) */
	__u8 rate_limit_scope;	/* enum oct_gen_rl_scope */
	__u8 stack;		/* OCT_GEN_STACK_* captured with the event */
	__u8 user_action;	/* 1: the agent acts on the record (GetUrl, DnsLookup): sent even
				 * when the selector does not post */
	__u8 pad4[5];
	/* Override (alone: action OCT_ACT_OVERRIDE; with Sigkill/Signal: action is the signal's):
	 * the hooked function returns override_error instead of running (fmod_ret, kprobe
	 * override) or the LSM hook denies with it. */
	__s32 override_error;
	__u8 override;
	__u8 pad5[3];
	__u8 ima_hash;	/* Post imaHash: the event carries the hash of the hook's file (BPF-LSM) */
	__u8 sock_action;	/* TrackSock/UntrackSock (enum oct_sock_action) on arg sock_arg */
	__u8 sock_arg;		/* argSock: the position of a sock argument */
	__u8 pad6[5];
};

/* One hook's plan: written by user space into the config map before attaching. */
/* The reject prefilter: necessary conditions of every selector, summarised by the loader into
 * the config's first cache lines so that an event no selector wants is dropped with one memory
 * touch (the config) and almost no branches (on this kind of machine each cold branch and each
 * page touched per syscall costs more than the arithmetic). Each set holds OCT_PRE_MAX values,
 * unused ones repeating the first. Checked before anything else; an event it passes goes
 * through the full selectors. */
#define OCT_PRE_MAX 8
enum oct_gen_prefilter_flag {
	OCT_PRE_PIDS = 1 << 0,	/* the tgid is one of pids[] (every selector: matchPIDs In, no followForks/isNamespacePID) */
	OCT_PRE_INT = 1 << 1,	/* arg int_arg's raw slot is one of ints[] (every selector: Equal) */
	OCT_PRE_STR = 1 << 2,	/* the first 8 bytes of string arg str_arg, masked, equal one of
				 * strs[] (every selector: string Equal or Prefix) */
	OCT_PRE_STR_USER = 1 << 3, /* str_arg points to user memory (else kernel) */
};

struct oct_gen_prefilter {
	__u8 flags;	/* OCT_PRE_* */
	__u8 int_arg;
	__u8 str_arg;
	__u8 pad[5];
	__u32 pids[OCT_PRE_MAX];
	__u64 ints[OCT_PRE_MAX];
	__u64 strs[OCT_PRE_MAX];	/* little-endian first bytes, already masked */
	__u64 str_masks[OCT_PRE_MAX];
};

/* Socket ownership (TrackSock/UntrackSock): a sock allocated in process context is remembered
 * with its process, so that events about it raised elsewhere (softirq, another task sending to
 * it) name the process that owns it. One LRU map for the whole agent (Tetragon: 32000). */
enum oct_sock_action {
	OCT_SOCK_NONE = 0,
	OCT_SOCK_TRACK = 1,
	OCT_SOCK_UNTRACK = 2,
};
#define OCT_SOCKTRACK_ENTRIES 32000

struct oct_sock_owner {
	struct oct_proc_key key;
	__u32 tid;
	__u32 known;	/* 1: the key is the process map's (0: derived, see OCT_GEF_NO_PROCESS) */
};

struct oct_gen_config {
	__u32 hook_id;	/* user space's handle for the hook (policy + spec entry) */
	__u8 nargs;
	__u8 nselectors;
	__u8 monitor;	/* policy mode monitor: count enforcement, do not do it */
	__u8 mode;	/* enum oct_gen_mode */
	__u16 ret_offset; /* offset of `ret` in the sys_exit record */
	__u8 hot;	/* OCT_GCH_*: summary of fields far down this struct, set by the loader */
	__u8 pad;
	__u32 pad0;
	struct oct_gen_prefilter pre; /* set by the loader from the selectors below */
	struct oct_gen_arg args[OCT_GEN_MAX_ARGS];
	struct oct_gen_selector selectors[OCT_GEN_MAX_SELECTORS];
	__u32 proc_needs;	/* OCT_PN_*: what the selectors read about the process */
	__u8 ret_kind;	/* OCT_GA_STR_USER: capture the string the return value points to;
			 * OCT_GA_SOCK: the struct sock it points to */
	__u8 ret_sock_action;	/* returnArgAction: enum oct_sock_action on the returned sock */
	__u8 sock_owner_arg;	/* 1 + position of the first sock argument (0: none): a tracked
				 * sock's owner is the event's process (oct_gen_event flags) */
	__u8 pad2[1];
	struct oct_gen_resolve resolve[OCT_GEN_MAX_ARGS];
	__u8 arg_source[OCT_GEN_MAX_ARGS]; /* enum oct_gen_arg_source: where the slot starts */
	__u8 pad3[3];
	__u8 ret_size;	/* bytes of the return value, sign-extended from them (0: 8) */
	__u8 pad4[7];
	__u8 override_ok; /* the program's return value takes effect (BPF-LSM, fmod_ret, kprobe
			   * with bpf_override_return): Override can happen; 0 = observe only */
	__u8 pad5[7];
};

/* Where an argument's slot value comes from before its `resolve:` steps. Tetragon's data[]
 * entries with `source: current_task` start from the current task_struct. */
enum oct_gen_arg_source {
	OCT_GEN_SRC_CONTEXT = 0,	/* the program's context at oct_gen_arg.offset */
	OCT_GEN_SRC_TASK = 1,		/* the current task (struct task_struct *) */
};

/* oct_gen_config.hot: what a hook needs beyond its first cache lines. An event no selector
 * matches should touch as little memory as possible, so the kernel checks these bits instead of
 * reading proc_needs and resolve[] at the end of the (large) config. */
enum oct_gen_config_hot {
	OCT_GCH_PROC = 1,	/* proc_needs != 0 */
	OCT_GCH_RESOLVE = 2,	/* some resolve[i].nsteps != 0 or arg_source[i] != context */
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
	OCT_MODE_FEXIT = 5,	  /* like FULL, and the return value is in the context too, at
				   * ret_offset (fexit: after the function's arguments) */
};

/* Record of one matched hook invocation. Argument data follows the struct: for each arg,
 * arg_len[i] bytes (ints: 8 bytes; strings/buffers: raw bytes; fd: path components leaf
 * first, as in exec records), then ret_len bytes of a returned string (config ret_kind). */
#define OCT_GEN_IMA_MAX 64	/* digest bytes at most (sha512) */

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
	/* Stack traces follow the argument data: kstack_len bytes of kernel return addresses
	 * (__u64 each, innermost first), then ustack_len bytes of user ones. The returned string
	 * (ret_len bytes) sits between the argument data and the stacks. */
	__u16 kstack_len;
	__u16 ustack_len;
	__u16 ret_len;		/* bytes of the returned string, after the args' data */
	__u8 ret_flags;		/* OCT_GAF_* of the returned string */
	__u8 pad2;
	__u32 arg_size[OCT_GEN_MAX_ARGS];	/* buffers: bytes the argument had (all chunks) */
	__u32 pad3;
	/* Override of the matched selector: the error returned and whether it was (0 in monitor
	 * mode or on a hook whose return value cannot take effect). action/action_done say the
	 * same when Override is the selector's only enforcement action. */
	__s32 override_ret;
	__u8 override;		/* the selector asked for Override */
	__u8 override_done;
	__u8 pad4[2];
	/* Post imaHash (BPF-LSM hooks; the lsm.s program fills it, lsm.bpf.c): ima_algo is the
	 * kernel's enum hash_algo id of ima_digest (4: sha256), or bpf_ima_file_hash's negative
	 * error when ima_state is OCT_IMA_FAILED. */
	__u8 ima_state;		/* enum oct_gen_ima_state */
	__u8 pad6[3];
	__s32 ima_algo;
	__u8 ima_digest[OCT_GEN_IMA_MAX];
};

/* oct_gen_event.ima_state */
enum oct_gen_ima_state {
	OCT_IMA_NONE = 0,	/* no imaHash asked for */
	OCT_IMA_OK = 1,
	OCT_IMA_FAILED = 2,	/* bpf_ima_file_hash failed (ima_algo: its error) */
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
	OCT_GEF_SOCK_OWNER = 1 << 3,	/* key/tid are the tracked owner of the sock argument */
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
	OCT_GS_RATE_LIMITED = 5,	/* event suppressed by the selector's Post rateLimit */
	OCT_GS_SIGNAL_FAILED = 6,	/* bpf_send_signal refused (e.g. kernel thread, busy) */
	OCT_GS_OVERRIDE = 7,		/* Override returned its error */
	OCT_GS_MONITOR_OVERRIDE = 8,	/* Override not done: monitor mode or observe-only hook */
	OCT_GS_MAX = 9,
};

/* Post rateLimitScope: whose events share one rate-limit window. */
enum oct_gen_rl_scope {
	OCT_RL_THREAD = 0,	/* key includes the thread id (Tetragon's default) */
	OCT_RL_PROCESS = 1,	/* key includes the thread group id */
	OCT_RL_GLOBAL = 2,	/* one window for every task */
};

/* oct_gen_selector.stack */
#define OCT_GEN_STACK_KERNEL 1
#define OCT_GEN_STACK_USER 2
#define OCT_GEN_STACK_DEPTH 127	/* frames at most per stack (PERF_MAX_STACK_DEPTH) */
#define OCT_GEN_STACK_BYTES (OCT_GEN_STACK_DEPTH * 8)

/* Key of the per-hook rate-limit map (LRU, value: boot time in ns of the last posted event).
 * Each captured argument contributes a 64-bit hash of its first OCT_GEN_RL_ARG_BYTES bytes
 * and its length, as Tetragon dedups on the first 40 bytes of each argument. */
#define OCT_GEN_RL_ARG_BYTES 40
#define OCT_GEN_RL_ENTRIES 32768
struct oct_gen_rl_key {
	__u32 hook_id;
	__u8 selector;
	__u8 scope;	/* enum oct_gen_rl_scope */
	__u16 pad;
	__u64 scope_id;	/* pid_tgid, tgid or 0 per scope */
	__u64 arg_hash[OCT_GEN_MAX_ARGS];
};

/* Captures of the kernel-object argument kinds OCT_GA_SOCK..OCT_GA_LOAD_INFO. Addresses are
 * in network order (IPv4: the first 4 bytes), ports in host order. */
struct oct_gen_ksock {
	__u16 family;
	__u16 type;		/* sk_type */
	__u16 protocol;		/* sk_protocol */
	__u8 state;		/* skc_state */
	__u8 pad;
	__u32 mark, priority;
	__u16 sport, dport;
	__u64 cookie;
	__u8 saddr[16], daddr[16];
};

struct oct_gen_kskb {
	__u32 hash, len, priority, mark;
	__u16 family;		/* AF_INET/AF_INET6 from the IP header's version (0: not IP) */
	__u8 proto;		/* IP protocol (IPPROTO_*) */
	__u8 pad;
	__u16 sport, dport;	/* TCP/UDP only */
	__u32 sec_path_len, sec_path_olen;
	__u32 pad2;
	__u8 saddr[16], daddr[16];
};

struct oct_gen_kuserns {
	__s32 level;
	__u32 uid, gid, inum;
};

struct oct_gen_kbpf_prog {
	__u32 prog_type;
	__u32 insn_cnt;
	char name[16];
};

struct oct_gen_kbpf_map {
	__u32 map_type, key_size, value_size, max_entries;
	char name[16];
};

#define OCT_GEN_KSYM_LEN 128
struct oct_gen_kperf_event {
	__u32 type;
	__u32 pad;
	__u64 config;
	__u64 probe_offset;
	char kprobe_func[OCT_GEN_KSYM_LEN];
};

#define OCT_GEN_MODULE_NAME_LEN 64
struct oct_gen_kmodule {
	__u64 taints;		/* kernel taint bits (1 << TAINT_*) */
	__u8 sig_ok;
	__u8 has_sig;		/* the kernel has sig_ok (CONFIG_MODULE_SIG) */
	__u8 pad[6];
	char name[OCT_GEN_MODULE_NAME_LEN];
};
