/* matchArgs on sockaddr arguments (SAddr, SPort, SPortPriv, Family and their Not* forms),
 * evaluated on the bytes the hook captured (lib/extract/objects.bpf.h): sa_family in host
 * order at 0, then for AF_INET the port (network order) at 2 and the address at 4, for
 * AF_INET6 the port at 2 and the address at 8. */
#pragma once

#include "lib/extract/objects.bpf.h"
#include "maps/generic.bpf.h"

#define OCT_PORT_PRIV_END 1024 /* privileged ports: 0-1023 */

/* Looks up `n` address bytes at h->data[from] in the filter's CIDR set. */
static __always_inline int oct_addr_lookup(struct oct_gen_filter *f, struct oct_exec_heap *h,
					   __u32 from, __u32 n)
{
	struct oct_gen_lpm_key *k = oct_scratch_lpm_key(); /* see oct_scratch_lpm_key */

	if (!k || from > OCT_EXEC_DATA_MAX - 16)
		return 0;
	k->data[0] = (__u8)(OCT_GEN_LPM_ADDR_BASE + f->set);
	k->data[1] = n == 4 ? 4 : 6;
	if (n == 4)
		__builtin_memcpy(&k->data[2], &h->data[from], 4);
	else
		__builtin_memcpy(&k->data[2], &h->data[from], 16);
	k->prefixlen = 16 + n * 8;
	return bpf_map_lookup_elem(&gen_binaries, k) != NULL;
}

/* Whether the IPv6 address at h->data[from] is IPv4-mapped (::ffff:a.b.c.d). */
static __always_inline int oct_addr_v4_mapped(struct oct_exec_heap *h, __u32 from)
{
	const __u8 *d;
	__u32 i;

	if (from > OCT_EXEC_DATA_MAX - 16)
		return 0;
	d = (const __u8 *)&h->data[from];
	for (i = 0; i < 10; i++)
		if (d[i])
			return 0;
	return d[10] == 0xff && d[11] == 0xff;
}

/* Whether port `port` (host order) is one of the filter's ports or ranges. */
static __always_inline int oct_port_in(struct oct_gen_filter *f, __u32 port)
{
	struct oct_gen_inmap_key k = {.set = f->set, .value = port};
	__u32 v;

	for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
		if (v >= f->nvals)
			break;
		if ((__s64)port >= f->ivals[(2 * v) & 7] && (__s64)port <= f->ivals[(2 * v + 1) & 7])
			return 1;
	}
	return bpf_map_lookup_elem(&gen_inmap, &k) != NULL;
}

/* A sockaddr filter on the captured argument f->arg. A global function: verified once. */
__noinline int oct_sockaddr_match(struct oct_gen_filter *f, struct oct_gen_scratch *sc,
				  struct oct_exec_heap *h)
{
	__u32 a, off, len, v, any = 0, inet, port;
	const __u8 *d;
	__u16 family;
	__u8 op;

	if (!f || !sc || !h)
		return 0;
	a = f->arg;
	op = f->op;
	if (a >= OCT_GEN_MAX_ARGS)
		return 0;
	off = sc->off[a & 7];
	len = sc->len[a & 7];
	if (off > OCT_EXEC_DATA_MAX - OCT_GEN_ARG_MAX - 8)
		return 0;
	d = (const __u8 *)&h->data[off];
	/* sa_family is in host order, the port in network order (big endian). */
	family = 0xffff;
	if (len >= 2)
		__builtin_memcpy(&family, d, sizeof(family));
	inet = (family == AF_INET && len >= 8) || (family == AF_INET6 && len >= 24);
	port = inet ? ((__u32)d[2] << 8) | d[3] : 0;
	switch (op) {
	case OCT_OP_FAMILY:
		for (v = 0; v < OCT_GEN_MAX_VALUES; v++) {
			if (v >= f->nvals)
				break;
			if (len >= 2 && (__s64)family == f->ivals[(2 * v) & 7])
				return 1;
		}
		return 0;
	case OCT_OP_SPORTPRIV:
	case OCT_OP_NOTSPORTPRIV:
		any = inet && port < OCT_PORT_PRIV_END;
		break;
	case OCT_OP_SPORT:
	case OCT_OP_NOTSPORT:
		any = inet && oct_port_in(f, port);
		break;
	case OCT_OP_SADDR:
	case OCT_OP_NOTSADDR:
		if (!inet)
			break;
		if (family == AF_INET) {
			any = oct_addr_lookup(f, h, off + 4, 4);
			break;
		}
		if (oct_addr_v4_mapped(h, off + 8))
			any = oct_addr_lookup(f, h, off + 20, 4);
		if (!any)
			any = oct_addr_lookup(f, h, off + 8, 16);
		break;
	default:
		return 0;
	}
	if (op == OCT_OP_NOTSADDR || op == OCT_OP_NOTSPORT || op == OCT_OP_NOTSPORTPRIV)
		return !any;
	return any;
}
