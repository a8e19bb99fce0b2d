/* Kernel objects behind BTF-typed arguments of kernel-function hooks and raw tracepoints:
 * sockets, packets, user namespaces, BPF programs and maps, perf events and modules, each
 * read with CO-RE into its abi/generic.h capture struct (struct oct_gen_k*). Fields a kernel
 * lacks (bpf_core_field_exists) read as 0; the compiler refuses a type whose essential fields
 * the running kernel's BTF does not have. */
#pragma once

#include "lib/base/common.bpf.h"
#include <bpf/bpf_endian.h>
#include "abi/generic.h"

#ifndef AF_INET
#define AF_INET 2
#define AF_INET6 10
#endif
#define OCT_IPPROTO_TCP 6
#define OCT_IPPROTO_UDP 17

/* Kernel types not in every kernel's BTF (struct load_info is internal to kernel/module; the
 * module signature fields exist with CONFIG_MODULE_SIG only). */
struct load_info___oct {
	const char *name;
	struct module *mod;
	bool sig_ok;
} __attribute__((preserve_access_index));

struct module___oct {
	bool sig_ok;
} __attribute__((preserve_access_index));

static __always_inline __u32 oct_kobj_room(__u32 pos, __u32 size)
{
	return pos <= OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8 && size <= OCT_GEN_ARG_MAX;
}

static __always_inline __u32 oct_capture_sock(struct oct_exec_heap *h, __u32 pos, struct sock *sk)
{
	struct oct_gen_ksock *o;

	if (!oct_kobj_room(pos, sizeof(*o)))
		return 0;
	o = (struct oct_gen_ksock *)&h->data[pos];
	__builtin_memset(o, 0, sizeof(*o));
	o->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	o->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	o->type = BPF_CORE_READ(sk, sk_type);
	o->protocol = BPF_CORE_READ(sk, sk_protocol);
	o->mark = BPF_CORE_READ(sk, sk_mark);
	o->priority = BPF_CORE_READ(sk, sk_priority);
	o->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	o->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	o->cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
	if (o->family == AF_INET) {
		bpf_core_read(o->saddr, 4, &sk->__sk_common.skc_rcv_saddr);
		bpf_core_read(o->daddr, 4, &sk->__sk_common.skc_daddr);
	} else if (o->family == AF_INET6 &&
		   bpf_core_field_exists(sk->__sk_common.skc_v6_daddr)) {
		bpf_core_read(o->saddr, 16, &sk->__sk_common.skc_v6_rcv_saddr);
		bpf_core_read(o->daddr, 16, &sk->__sk_common.skc_v6_daddr);
	}
	return sizeof(*o);
}

/* IPsec state of a packet: its sec_path extension's len and olen. */
static __always_inline void oct_skb_sec_path(struct oct_gen_kskb *o, struct sk_buff *skb)
{
	struct skb_ext *ext;
	struct sec_path *sp;
	__u8 active = 0, off = 0;
	int id;

	if (!bpf_core_field_exists(skb->extensions) ||
	    !bpf_core_enum_value_exists(enum skb_ext_id, SKB_EXT_SEC_PATH))
		return;
	id = bpf_core_enum_value(enum skb_ext_id, SKB_EXT_SEC_PATH);
	active = BPF_CORE_READ(skb, active_extensions);
	if (id < 0 || id > 7 || !(active & (1 << id)))
		return;
	ext = BPF_CORE_READ(skb, extensions);
	if (!ext || bpf_probe_read_kernel(&off, 1, (__u8 *)&ext->offset + id))
		return;
	sp = (struct sec_path *)((char *)ext + ((__u32)off << 3)); /* SKB_EXT_ALIGN_SHIFT */
	o->sec_path_len = BPF_CORE_READ(sp, len);
	o->sec_path_olen = BPF_CORE_READ(sp, olen);
}

/* The packet's metadata and, when its network header is IP, addresses, protocol and (TCP,
 * UDP) ports from the headers. */
static __always_inline __u32 oct_capture_skb(struct oct_exec_heap *h, __u32 pos, struct sk_buff *skb)
{
	struct oct_gen_kskb *o;
	unsigned char *head;
	__u16 l3, l4;
	__u8 ver = 0;
	__u16 ports[2] = {};

	if (!oct_kobj_room(pos, sizeof(*o)))
		return 0;
	o = (struct oct_gen_kskb *)&h->data[pos];
	__builtin_memset(o, 0, sizeof(*o));
	o->hash = BPF_CORE_READ(skb, hash);
	o->len = BPF_CORE_READ(skb, len);
	o->priority = BPF_CORE_READ(skb, priority);
	o->mark = BPF_CORE_READ(skb, mark);
	oct_skb_sec_path(o, skb);
	head = BPF_CORE_READ(skb, head);
	l3 = BPF_CORE_READ(skb, network_header);
	l4 = BPF_CORE_READ(skb, transport_header);
	if (!head || l3 == 0xffff || bpf_probe_read_kernel(&ver, 1, head + l3))
		return sizeof(*o);
	ver >>= 4;
	if (ver == 4) {
		struct iphdr ip;

		if (bpf_probe_read_kernel(&ip, sizeof(ip), head + l3))
			return sizeof(*o);
		o->family = AF_INET;
		o->proto = ip.protocol;
		__builtin_memcpy(o->saddr, &ip.saddr, 4);
		__builtin_memcpy(o->daddr, &ip.daddr, 4);
		if (l4 == 0xffff || l4 == l3) /* transport header not set yet: after the IP one */
			l4 = l3 + ((ip.ihl & 0xf) << 2);
	} else if (ver == 6) {
		struct ipv6hdr ip6;

		if (bpf_probe_read_kernel(&ip6, sizeof(ip6), head + l3))
			return sizeof(*o);
		o->family = AF_INET6;
		o->proto = ip6.nexthdr;
		__builtin_memcpy(o->saddr, &ip6.saddr, 16);
		__builtin_memcpy(o->daddr, &ip6.daddr, 16);
		if (l4 == 0xffff || l4 == l3)
			l4 = l3 + sizeof(ip6);
	} else {
		return sizeof(*o);
	}
	if ((o->proto == OCT_IPPROTO_TCP || o->proto == OCT_IPPROTO_UDP) &&
	    !bpf_probe_read_kernel(ports, sizeof(ports), head + l4)) {
		o->sport = bpf_ntohs(ports[0]);
		o->dport = bpf_ntohs(ports[1]);
	}
	return sizeof(*o);
}

static __always_inline __u32 oct_capture_userns(struct oct_exec_heap *h, __u32 pos,
						struct user_namespace *ns)
{
	struct oct_gen_kuserns *o;

	if (!oct_kobj_room(pos, sizeof(*o)))
		return 0;
	o = (struct oct_gen_kuserns *)&h->data[pos];
	o->level = BPF_CORE_READ(ns, level);
	o->uid = BPF_CORE_READ(ns, owner.val);
	o->gid = BPF_CORE_READ(ns, group.val);
	o->inum = BPF_CORE_READ(ns, ns.inum);
	return sizeof(*o);
}

/* union bpf_attr of BPF_PROG_LOAD, or a loaded struct bpf_prog. */
static __always_inline __u32 oct_capture_bpf_prog(struct oct_exec_heap *h, __u32 pos, __u64 ptr,
						  __u8 kind)
{
	struct oct_gen_kbpf_prog *o;

	if (!oct_kobj_room(pos, sizeof(*o)))
		return 0;
	o = (struct oct_gen_kbpf_prog *)&h->data[pos];
	__builtin_memset(o, 0, sizeof(*o));
	if (kind == OCT_GA_BPF_ATTR) {
		union bpf_attr *attr = (union bpf_attr *)ptr;

		o->prog_type = BPF_CORE_READ(attr, prog_type);
		o->insn_cnt = BPF_CORE_READ(attr, insn_cnt);
		bpf_core_read(o->name, sizeof(o->name), &attr->prog_name);
	} else {
		struct bpf_prog *prog = (struct bpf_prog *)ptr;
		struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);

		o->prog_type = BPF_CORE_READ(prog, type);
		o->insn_cnt = BPF_CORE_READ(prog, len);
		if (aux)
			bpf_core_read(o->name, sizeof(o->name), &aux->name);
	}
	o->name[sizeof(o->name) - 1] = 0;
	return sizeof(*o);
}

static __always_inline __u32 oct_capture_bpf_map(struct oct_exec_heap *h, __u32 pos, struct bpf_map *map)
{
	struct oct_gen_kbpf_map *o;

	if (!oct_kobj_room(pos, sizeof(*o)))
		return 0;
	o = (struct oct_gen_kbpf_map *)&h->data[pos];
	__builtin_memset(o, 0, sizeof(*o));
	o->map_type = BPF_CORE_READ(map, map_type);
	o->key_size = BPF_CORE_READ(map, key_size);
	o->value_size = BPF_CORE_READ(map, value_size);
	o->max_entries = BPF_CORE_READ(map, max_entries);
	bpf_core_read(o->name, sizeof(o->name), &map->name);
	o->name[sizeof(o->name) - 1] = 0;
	return sizeof(*o);
}

/* A perf event's attributes; kprobe_func (config1) is the user's pointer to the probed
 * function's name while perf_event_open runs. */
static __always_inline __u32 oct_capture_perf_event(struct oct_exec_heap *h, __u32 pos,
						    struct perf_event *ev)
{
	struct oct_gen_kperf_event *o;
	__u64 func;

	if (!oct_kobj_room(pos, sizeof(*o)))
		return 0;
	o = (struct oct_gen_kperf_event *)&h->data[pos];
	o->type = BPF_CORE_READ(ev, attr.type);
	o->pad = 0;
	o->config = BPF_CORE_READ(ev, attr.config);
	o->probe_offset = BPF_CORE_READ(ev, attr.probe_offset);
	func = BPF_CORE_READ(ev, attr.kprobe_func);
	o->kprobe_func[0] = 0;
	if (func && bpf_probe_read_user_str(o->kprobe_func, sizeof(o->kprobe_func), (void *)func) < 0)
		bpf_probe_read_kernel_str(o->kprobe_func, sizeof(o->kprobe_func), (void *)func);
	return sizeof(*o);
}

/* struct module (kind OCT_GA_MODULE) or the struct load_info of a module being loaded. */
static __always_inline __u32 oct_capture_module(struct oct_exec_heap *h, __u32 pos, __u64 ptr,
						__u8 kind)
{
	struct oct_gen_kmodule *o;
	struct module *mod = (struct module *)ptr;

	if (!oct_kobj_room(pos, sizeof(*o)))
		return 0;
	o = (struct oct_gen_kmodule *)&h->data[pos];
	__builtin_memset(o, 0, sizeof(*o));
	if (kind == OCT_GA_LOAD_INFO) {
		struct load_info___oct *info = (struct load_info___oct *)ptr;
		const char *name;

		if (!bpf_core_type_exists(struct load_info___oct))
			return sizeof(*o);
		name = BPF_CORE_READ(info, name);
		if (name)
			bpf_probe_read_kernel_str(o->name, sizeof(o->name), name);
		if (bpf_core_field_exists(info->sig_ok)) {
			o->has_sig = 1;
			o->sig_ok = BPF_CORE_READ(info, sig_ok);
		}
		mod = BPF_CORE_READ(info, mod);
		if (mod)
			o->taints = BPF_CORE_READ(mod, taints);
		return sizeof(*o);
	}
	bpf_core_read_str(o->name, sizeof(o->name), &mod->name);
	o->taints = BPF_CORE_READ(mod, taints);
	if (bpf_core_field_exists(((struct module___oct *)mod)->sig_ok)) {
		o->has_sig = 1;
		o->sig_ok = BPF_CORE_READ((struct module___oct *)mod, sig_ok);
	}
	return sizeof(*o);
}

/* Captures a kernel-object argument of kind OCT_GA_SOCK..OCT_GA_LOAD_INFO at h->data[pos];
 * returns the bytes written (0 for another kind). A global function: verified once. */
__noinline int oct_capture_kobject(struct oct_exec_heap *h, __u32 pos, __u64 ptr, __u32 kind)
{
	if (!h || !ptr)
		return 0;
	switch (kind) {
	case OCT_GA_SOCK:
		return oct_capture_sock(h, pos, (struct sock *)ptr);
	case OCT_GA_SKB:
		return oct_capture_skb(h, pos, (struct sk_buff *)ptr);
	case OCT_GA_USER_NS:
		return oct_capture_userns(h, pos, (struct user_namespace *)ptr);
	case OCT_GA_BPF_ATTR:
	case OCT_GA_BPF_PROG:
		return oct_capture_bpf_prog(h, pos, ptr, kind);
	case OCT_GA_BPF_MAP:
		return oct_capture_bpf_map(h, pos, (struct bpf_map *)ptr);
	case OCT_GA_PERF_EVENT:
		return oct_capture_perf_event(h, pos, (struct perf_event *)ptr);
	case OCT_GA_MODULE:
	case OCT_GA_LOAD_INFO:
		return oct_capture_module(h, pos, ptr, kind);
	}
	return 0;
}
