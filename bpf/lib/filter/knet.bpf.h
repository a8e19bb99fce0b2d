/* matchArgs network operators on sock, socket and skb arguments (SAddr, DAddr, SPort, DPort,
 * *PortPriv, Family, Protocol, State and the Not* forms), evaluated on the capture the hook
 * made of the object (struct oct_gen_ksock or oct_gen_kskb, lib/extract/kobjects.bpf.h). As on
 * sockaddr arguments, addresses and ports of other families than AF_INET/AF_INET6 never match:
 * the positive operators fail, the Not* ones hold. */
#pragma once

#include "lib/filter/sockaddr.bpf.h"

/* The fields the operators read, from either capture. */
struct oct_knet_view {
	__u32 saddr, daddr;	/* offsets of the addresses in the heap */
	__u16 family, protocol, sport, dport;
	__u8 state;
};

static __always_inline int oct_knet_view(struct oct_gen_filter *f, struct oct_exec_heap *h, __u32 off,
					 __u32 len, struct oct_knet_view *v)
{
	if (f->is_string == OCT_GEN_NET_SKB) {
		struct oct_gen_kskb *o = (struct oct_gen_kskb *)&h->data[off];

		if (len < sizeof(*o))
			return 0;
		v->family = o->family;
		v->protocol = o->proto;
		v->sport = o->sport;
		v->dport = o->dport;
		v->state = 0;
		v->saddr = off + __builtin_offsetof(struct oct_gen_kskb, saddr);
		v->daddr = off + __builtin_offsetof(struct oct_gen_kskb, daddr);
		return 1;
	}
	struct oct_gen_ksock *o = (struct oct_gen_ksock *)&h->data[off];

	if (len < sizeof(*o))
		return 0;
	v->family = o->family;
	v->protocol = o->protocol;
	v->sport = o->sport;
	v->dport = o->dport;
	v->state = o->state;
	v->saddr = off + __builtin_offsetof(struct oct_gen_ksock, saddr);
	v->daddr = off + __builtin_offsetof(struct oct_gen_ksock, daddr);
	return 1;
}

/* The IP address at heap offset `at` of a `family` object is in the filter's CIDR set. */
static __always_inline int oct_knet_addr_in(struct oct_gen_filter *f, struct oct_exec_heap *h, __u16 family,
					    __u32 at)
{
	int any = 0;

	if (family == AF_INET)
		return oct_addr_lookup(f, h, at, 4);
	if (family != AF_INET6)
		return 0;
	if (oct_addr_v4_mapped(h, at))
		any = oct_addr_lookup(f, h, at + 12, 4);
	return any || oct_addr_lookup(f, h, at, 16);
}

static __always_inline int oct_knet_value_in(struct oct_gen_filter *f, __s64 x)
{
	__u32 v;

	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		if (x == f->ivals[(2 * v) & 7])
			return 1;
	}
	return 0;
}

/* A network filter on the sock/skb capture of argument f->arg. A global function: verified
 * once, and its branches stay out of the hook body's states. */
__noinline int oct_knet_match(struct oct_gen_filter *f, struct oct_gen_scratch *sc, struct oct_exec_heap *h)
{
	struct oct_knet_view v = {};
	__u32 a, off, inet, any = 0;
	__u8 op;

	if (!f || !sc || !h)
		return 0;
	a = f->arg;
	op = f->op;
	if (a >= OCT_GEN_MAX_ARGS)
		return 0;
	off = sc->off[a & 7];
	if (off > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	if (!oct_knet_view(f, h, off, sc->len[a & 7], &v))
		return 0;
	inet = v.family == AF_INET || v.family == AF_INET6;
	switch (op) {
	case OCT_OP_FAMILY:
		return oct_knet_value_in(f, v.family);
	case OCT_OP_PROTOCOL:
		return oct_knet_value_in(f, v.protocol);
	case OCT_OP_STATE:
		return f->is_string == OCT_GEN_NET_SOCK && oct_knet_value_in(f, v.state);
	case OCT_OP_SPORTPRIV:
	case OCT_OP_NOTSPORTPRIV:
		any = inet && v.sport < OCT_PORT_PRIV_END;
		break;
	case OCT_OP_DPORTPRIV:
	case OCT_OP_NOTDPORTPRIV:
		any = inet && v.dport < OCT_PORT_PRIV_END;
		break;
	case OCT_OP_SPORT:
	case OCT_OP_NOTSPORT:
		any = inet && oct_port_in(f, v.sport);
		break;
	case OCT_OP_DPORT:
	case OCT_OP_NOTDPORT:
		any = inet && oct_port_in(f, v.dport);
		break;
	case OCT_OP_SADDR:
	case OCT_OP_NOTSADDR:
		any = oct_knet_addr_in(f, h, v.family, v.saddr);
		break;
	case OCT_OP_DADDR:
	case OCT_OP_NOTDADDR:
		any = oct_knet_addr_in(f, h, v.family, v.daddr);
		break;
	default:
		return 0;
	}
	if (op == OCT_OP_NOTSADDR || op == OCT_OP_NOTDADDR || op == OCT_OP_NOTSPORT || op == OCT_OP_NOTDPORT ||
	    op == OCT_OP_NOTSPORTPRIV || op == OCT_OP_NOTDPORTPRIV)
		return !any;
	return any;
}
