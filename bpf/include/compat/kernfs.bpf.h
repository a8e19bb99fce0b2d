/* kernfs_node's parent pointer was renamed from `parent` to `__parent` in Linux 6.15
 * (commit 633488947ef6, "kernfs: Use RCU to access kernfs_node::parent"). */
#pragma once

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

struct kernfs_node___pre615 {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

struct kernfs_node___615 {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *oct_kernfs_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___615, __parent))
		return BPF_CORE_READ((struct kernfs_node___615 *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___pre615 *)kn, parent);
}
