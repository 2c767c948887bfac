/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* IPv4 masquerade for a container's subnet, as nftables rules made with libnftnl: a table of
 * the container's own ("ip corral-NAME"), so removing it removes everything. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "masquerade.h"

/* Sends the batch and reads one ack per message in it (acks), each possibly in one read:
 * -errno of the first error. */
static int send_batch(struct mnl_socket *nl, struct mnl_nlmsg_batch *b, int acks)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0)
                return -errno;
        unsigned portid = mnl_socket_get_portid(nl);
        while (acks > 0) {
                ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n < 0)
                        return -errno;
                int len = (int)n;
                for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len)) {
                        if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_pid != portid)
                                continue;
                        const struct nlmsgerr *err = mnl_nlmsg_get_payload(h);
                        if (err->error)
                                return err->error;
                        acks--;
                }
        }
        return 0;
}

static struct mnl_nlmsg_batch *begin(char *buf, size_t size, unsigned *seq)
{
        struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, size);
        nftnl_batch_begin(mnl_nlmsg_batch_current(b), (*seq)++);
        mnl_nlmsg_batch_next(b);
        return b;
}

static void end(struct mnl_nlmsg_batch *b, unsigned *seq)
{
        nftnl_batch_end(mnl_nlmsg_batch_current(b), (*seq)++);
        mnl_nlmsg_batch_next(b);
}

static void add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
        nftnl_rule_add_expr(r, e);
}

int masquerade_remove(struct mnl_socket *nl, const char *table)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        unsigned seq = (unsigned)time(NULL);
        struct nftnl_table *t = nftnl_table_alloc();
        if (!t)
                return -ENOMEM;
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
        struct mnl_nlmsg_batch *b = begin(buf, sizeof(buf), &seq);
        struct nlmsghdr *h = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_DELTABLE, NFPROTO_IPV4, NLM_F_ACK, seq++);
        nftnl_table_nlmsg_build_payload(h, t);
        mnl_nlmsg_batch_next(b);
        end(b, &seq);
        nftnl_table_free(t);
        int r = send_batch(nl, b, 1);
        mnl_nlmsg_batch_stop(b);
        return r == -ENOENT ? 0 : r;
}

int masquerade_add(struct mnl_socket *nl, const char *table, uint32_t net, unsigned len, const char *hostif)
{
        char buf[MNL_SOCKET_BUFFER_SIZE * 2], name[IFNAMSIZ] = "";
        unsigned seq = (unsigned)time(NULL);
        uint32_t mask = htonl(~UINT32_C(0) << (32 - len)), nnet = htonl(net & (~UINT32_C(0) << (32 - len))), zero = 0;
        strncpy(name, hostif, sizeof(name) - 1);

        (void)masquerade_remove(nl, table); /* a stale one of a supervisor killed earlier */
        struct nftnl_table *t = nftnl_table_alloc();
        struct nftnl_chain *c = nftnl_chain_alloc();
        struct nftnl_rule *r = nftnl_rule_alloc();
        if (!t || !c || !r)
                return -ENOMEM;
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, "postrouting");
        nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "nat");
        nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_POST_ROUTING);
        nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, 100); /* srcnat */
        nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "postrouting");
        nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);

        /* ip saddr & mask == net */
        struct nftnl_expr *e = nftnl_expr_alloc("payload");
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, 12);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, 4);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
        add_expr(r, e);
        e = nftnl_expr_alloc("bitwise");
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
        add_expr(r, e);
        e = nftnl_expr_alloc("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &nnet, 4);
        add_expr(r, e);
        /* oifname != the container's own link (traffic to the container stays as it is) */
        e = nftnl_expr_alloc("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_OIFNAME);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
        add_expr(r, e);
        e = nftnl_expr_alloc("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_NEQ);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, name, IFNAMSIZ);
        add_expr(r, e);
        add_expr(r, nftnl_expr_alloc("masq"));

        struct mnl_nlmsg_batch *b = begin(buf, sizeof(buf), &seq);
        struct nlmsghdr *h = nftnl_table_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWTABLE, NFPROTO_IPV4, NLM_F_CREATE | NLM_F_ACK, seq++);
        nftnl_table_nlmsg_build_payload(h, t);
        mnl_nlmsg_batch_next(b);
        h = nftnl_chain_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWCHAIN, NFPROTO_IPV4, NLM_F_CREATE | NLM_F_ACK, seq++);
        nftnl_chain_nlmsg_build_payload(h, c);
        mnl_nlmsg_batch_next(b);
        h = nftnl_rule_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWRULE, NFPROTO_IPV4, NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, seq++);
        nftnl_rule_nlmsg_build_payload(h, r);
        mnl_nlmsg_batch_next(b);
        end(b, &seq);
        nftnl_table_free(t);
        nftnl_chain_free(c);
        nftnl_rule_free(r);
        int rr = send_batch(nl, b, 3);
        mnl_nlmsg_batch_stop(b);
        return rr;
}
