/* Generic TracingPolicy hook on a BPF-LSM hook (`lsmhooks:`). Its context is the hook's
 * arguments as an array of u64 (argument i at offset 8 * i), followed by the return value of
 * the LSM programs before this one. The program denies the operation with the error of an
 * Override (oct_generic's result) only when the loader set oct_lsm_may_deny: the hook returns
 * int and the policy has an Override. Otherwise it returns 0, which void hooks require (the
 * verifier knows the read-only value and checks only the branch that runs).
 *
 * Post imaHash: bpf_ima_file_hash exists only in sleepable programs, which may not use every
 * map oct_generic does (no LPM trie: matchBinaries). So when the matched selector asks for the
 * hash, oct_gen_lsm leaves the finished event in gen_ima_pending (key: pid_tgid) and allows the
 * operation; oct_gen_lsm_ima, a sleepable lsm.s program on the same hook that runs right after
 * it (the loader attaches it first: a BPF trampoline runs the last attached program first),
 * hashes the hook's file into the event, sends it and returns the Override's error. */
#define OCT_GEN_FINISH(cfg, s, h, pid_tgid) oct_lsm_stash(cfg, s, h, pid_tgid)
static inline __attribute__((always_inline)) int oct_lsm_stash(void *cfg, int s, void *h,
							       unsigned long long pid_tgid);

#include "lib/generic/hook.bpf.h"

#define OCT_MAX_ERRNO 4095
#define OCT_IMA_PENDING_MAX 32

const volatile __u8 oct_lsm_may_deny = 0;
/* Post imaHash: what the hook's first argument is (0: no hash; 1: struct file *, 2: struct
 * linux_binprm *, whose file is hashed). Set by the loader with the lsm.s program. */
const volatile __u8 oct_lsm_ima_file = 0;

struct oct_gen_ima_buf {
	char data[OCT_EXEC_DATA_MAX]; /* struct oct_gen_event and its data, as sent */
};

/* Events waiting for their file's hash, per thread (one max entry unless the loader sizes it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, struct oct_gen_ima_buf);
} gen_ima_pending SEC(".maps");

/* 1 when the event (finished in h->data) waits in gen_ima_pending for the lsm.s program. */
static inline __attribute__((always_inline)) int oct_lsm_stash(void *c, int s, void *heap,
							       unsigned long long pid_tgid)
{
	struct oct_gen_config *cfg = c;
	struct oct_exec_heap *h = heap;
	struct oct_gen_event *ev = (struct oct_gen_event *)h->data;
	__u64 key = pid_tgid;

	if (!oct_lsm_ima_file || !cfg->nselectors || s < 0 || s >= OCT_GEN_MAX_SELECTORS ||
	    !cfg->selectors[s].ima_hash)
		return 0;
	if (bpf_map_update_elem(&gen_ima_pending, &key, h->data, BPF_ANY) == 0)
		return 1;
	ev->ima_state = OCT_IMA_FAILED; /* sent here without the hash */
	ev->ima_algo = -28;		 /* ENOSPC */
	return 0;
}

/* long: the bounds the verifier checks (Linux 6.12+: [-4095, 0] for int hooks, 0 for void ones)
 * hold for the whole 64-bit register, whatever width it checks. */
SEC("lsm")
long oct_gen_lsm(void *ctx)
{
	long rc = oct_generic(ctx);

	/* One 64-bit register for the check and the return (else clang may check a 32-bit copy
	 * and return the sign-extended one, whose bounds the verifier then does not know). */
	asm volatile("" : "+r"(rc));
	if (!oct_lsm_may_deny)
		return 0;
	/* An LSM returns 0 or -errno (the compiler allows only argError in [-4095, -1]); a
	 * positive rc: the event waits for oct_gen_lsm_ima, which returns the error. */
	if (rc < -OCT_MAX_ERRNO || rc > 0)
		return 0;
	return rc;
}

SEC("lsm.s")
long oct_gen_lsm_ima(__u64 *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct oct_gen_event *ev;
	struct file *file = NULL;
	__u32 size;
	long n, rc = 0;

	ev = bpf_map_lookup_elem(&gen_ima_pending, &pid_tgid);
	if (!ev)
		return 0;
	/* Typed context reads (not probe reads): bpf_ima_file_hash takes a BTF struct file *. */
	if (oct_lsm_ima_file == 2) {
		struct linux_binprm *bprm = (struct linux_binprm *)ctx[0];

		if (bprm)
			file = bprm->file;
	} else {
		file = (struct file *)ctx[0];
	}
	ev->ima_state = OCT_IMA_FAILED;
	ev->ima_algo = -2; /* ENOENT: no file */
	if (file) {
		n = bpf_ima_file_hash(file, ev->ima_digest, sizeof(ev->ima_digest));
		ev->ima_algo = (__s32)n;
		if (n >= 0)
			ev->ima_state = OCT_IMA_OK;
	}
	size = ev->hdr.size;
	if (size > OCT_EXEC_DATA_MAX)
		size = OCT_EXEC_DATA_MAX;
	if (bpf_ringbuf_output(&process_events, ev, size, oct_rb_flags()) < 0)
		oct_count_miss(OCT_MSG_GENERIC, OCT_MISS_RB_FULL);
	if (oct_lsm_may_deny && ev->override_done)
		rc = ev->override_ret;
	bpf_map_delete_elem(&gen_ima_pending, &pid_tgid);
	asm volatile("" : "+r"(rc));
	if (rc < -OCT_MAX_ERRNO || rc > 0)
		return 0;
	return rc;
}

char LICENSE[] SEC("license") = "GPL";
