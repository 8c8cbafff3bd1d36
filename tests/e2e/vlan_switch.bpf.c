/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A two-VLAN trunk for the VLAN gateway test (test_vlan.sh), since this kernel has no 802.1Q
 * devices: tc-BPF on the veths of one namespace. Frames from the access veths get a tag (100 or
 * 200) and go out of the trunk veth; tagged frames from the trunk lose their tag and go to the
 * access veth of their VLAN; anything else from the trunk is dropped. The interface indexes are
 * given at build time (-DTRUNK_IF=... -DACCESS100_IF=... -DACCESS200_IF=...).
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

static __always_inline int
to_trunk(struct __sk_buff *skb, __u16 vid)
{
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), vid) != 0)
		return TC_ACT_SHOT;
	return bpf_redirect(TRUNK_IF, 0);
}

SEC("tc/access100")
int
access100(struct __sk_buff *skb)
{
	return to_trunk(skb, 100);
}

SEC("tc/access200")
int
access200(struct __sk_buff *skb)
{
	return to_trunk(skb, 200);
}

/* The receive path has moved the tag into the skb's metadata before tc sees the frame. */
SEC("tc/trunk")
int
trunk(struct __sk_buff *skb)
{
	__u16 vid;

	if (!skb->vlan_present)
		return TC_ACT_SHOT;
	vid = skb->vlan_tci & 0xfff;
	if (bpf_skb_vlan_pop(skb) != 0)
		return TC_ACT_SHOT;
	if (vid == 100)
		return bpf_redirect(ACCESS100_IF, 0);
	if (vid == 200)
		return bpf_redirect(ACCESS200_IF, 0);
	return TC_ACT_SHOT;
}

char _license[] SEC("license") = "Dual BSD/GPL";
