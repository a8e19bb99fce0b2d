/* Reads a struct cred (CO-RE) into any record with the fields uid..fsgid, securebits and the
 * three capability sets: the process records (oct_creds) and cred arguments (oct_gen_cred). */
#pragma once

#include "lib/base/common.bpf.h"

/* kernel_cap_t is 64 bits wide in every layout (u32[2] before 6.3, u64 since). */
#define OCT_READ_CRED(dst, cred)                                                       \
	do {                                                                           \
		(dst)->uid = BPF_CORE_READ(cred, uid.val);                             \
		(dst)->gid = BPF_CORE_READ(cred, gid.val);                             \
		(dst)->suid = BPF_CORE_READ(cred, suid.val);                           \
		(dst)->sgid = BPF_CORE_READ(cred, sgid.val);                           \
		(dst)->euid = BPF_CORE_READ(cred, euid.val);                           \
		(dst)->egid = BPF_CORE_READ(cred, egid.val);                           \
		(dst)->fsuid = BPF_CORE_READ(cred, fsuid.val);                         \
		(dst)->fsgid = BPF_CORE_READ(cred, fsgid.val);                         \
		(dst)->securebits = BPF_CORE_READ(cred, securebits);                   \
		bpf_probe_read_kernel(&(dst)->cap_permitted, 8, &(cred)->cap_permitted);     \
		bpf_probe_read_kernel(&(dst)->cap_effective, 8, &(cred)->cap_effective);     \
		bpf_probe_read_kernel(&(dst)->cap_inheritable, 8, &(cred)->cap_inheritable); \
	} while (0)
