/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's nftables table, made with libnftnl (no nft process): masquerade, port
 * forwards and the loopback guard, all in "ip corral-NAME", so removing it removes everything.
 * The table is normally owned by the supervisor's netlink socket: the kernel removes it when
 * the supervisor ends, however it ends. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nat.h"

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

/* A batch under construction: messages between begin and end, each acked. */
typedef struct Batch {
        struct mnl_nlmsg_batch *b;
        unsigned seq;
        int acks;
} Batch;

static void batch_begin(Batch *t, char *buf, size_t size)
{
        t->b = mnl_nlmsg_batch_start(buf, size);
        t->seq = (unsigned)time(NULL);
        t->acks = 0;
        nftnl_batch_begin(mnl_nlmsg_batch_current(t->b), t->seq++);
        mnl_nlmsg_batch_next(t->b);
}

static struct nlmsghdr *batch_message(Batch *t, uint16_t type, uint16_t flags)
{
        t->acks++;
        return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(t->b), type, NFPROTO_IPV4, flags | NLM_F_ACK, t->seq++);
}

static int batch_send(struct mnl_socket *nl, Batch *t)
{
        nftnl_batch_end(mnl_nlmsg_batch_current(t->b), t->seq++);
        mnl_nlmsg_batch_next(t->b);
        int r = send_batch(nl, t->b, t->acks);
        mnl_nlmsg_batch_stop(t->b);
        return r;
}

int nat_table_remove(struct mnl_socket *nl, const char *table)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nftnl_table *t = nftnl_table_alloc();
        if (!t)
                return -ENOMEM;
        nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
        Batch b;
        batch_begin(&b, buf, sizeof(buf));
        nftnl_table_nlmsg_build_payload(batch_message(&b, NFT_MSG_DELTABLE, 0), t);
        mnl_nlmsg_batch_next(b.b);
        nftnl_table_free(t);
        int r = batch_send(nl, &b);
        return r == -ENOENT ? 0 : r;
}

/* Expressions, appended to rule r. */
static void e_meta(struct nftnl_rule *r, uint32_t key)
{
        struct nftnl_expr *e = nftnl_expr_alloc("meta");
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
        nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
        nftnl_rule_add_expr(r, e);
}

static void e_payload(struct nftnl_rule *r, uint32_t base, uint32_t offset, uint32_t len)
{
        struct nftnl_expr *e = nftnl_expr_alloc("payload");
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, offset);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
        nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
        nftnl_rule_add_expr(r, e);
}

static void e_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
        struct nftnl_expr *e = nftnl_expr_alloc("cmp");
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
        nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
        nftnl_rule_add_expr(r, e);
}

static void e_mask(struct nftnl_rule *r, uint32_t mask)
{
        uint32_t zero = 0;
        struct nftnl_expr *e = nftnl_expr_alloc("bitwise");
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, 4);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, 4);
        nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
        nftnl_rule_add_expr(r, e);
}

static void e_immediate(struct nftnl_rule *r, uint32_t reg, const void *data, uint32_t len)
{
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
        nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
        nftnl_rule_add_expr(r, e);
}

static void e_drop(struct nftnl_rule *r)
{
        struct nftnl_expr *e = nftnl_expr_alloc("immediate");
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
        nftnl_rule_add_expr(r, e);
}

/* meta iifname/oifname OP link */
static void e_link(struct nftnl_rule *r, uint32_t key, uint32_t op, const char *link)
{
        char name[IFNAMSIZ] = "";
        strncpy(name, link, sizeof(name) - 1);
        e_meta(r, key);
        e_cmp(r, op, name, IFNAMSIZ);
}

/* ip saddr/daddr (at offset) in 127.0.0.0/8 */
static void e_loopback(struct nftnl_rule *r, uint32_t offset)
{
        uint8_t first = 127;
        e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, offset, 1);
        e_cmp(r, NFT_CMP_EQ, &first, 1);
}

/* ip saddr net/len */
static void e_saddr_in(struct nftnl_rule *r, uint32_t net, unsigned len)
{
        uint32_t mask = len ? ~UINT32_C(0) << (32 - len) : 0, nnet = htonl(net & mask);
        e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 12, 4);
        e_mask(r, htonl(mask));
        e_cmp(r, NFT_CMP_EQ, &nnet, 4);
}

/* fib daddr type local meta l4proto P th dport HOSTPORT dnat to ADDRESS:PORT */
static void e_forward(struct nftnl_rule *r, const NatForward *f)
{
        uint32_t local = RTN_LOCAL, address = htonl(f->address);
        uint16_t host_port = htons(f->host_port), port = htons(f->port);
        struct nftnl_expr *e = nftnl_expr_alloc("fib");
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_ADDRTYPE);
        nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
        nftnl_rule_add_expr(r, e);
        e_cmp(r, NFT_CMP_EQ, &local, 4);
        e_meta(r, NFT_META_L4PROTO);
        e_cmp(r, NFT_CMP_EQ, &f->protocol, 1);
        e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2);
        e_cmp(r, NFT_CMP_EQ, &host_port, 2);
        e_immediate(r, NFT_REG_1, &address, 4);
        e_immediate(r, NFT_REG_2, &port, 2);
        e = nftnl_expr_alloc("nat");
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
        nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG_2);
        nftnl_rule_add_expr(r, e);
}

static void add_chain(Batch *b, const char *table, const char *name, const char *type, uint32_t hook, int32_t prio)
{
        struct nftnl_chain *c = nftnl_chain_alloc();
        nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table);
        nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
        nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
        nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
        nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
        nftnl_chain_nlmsg_build_payload(batch_message(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE), c);
        mnl_nlmsg_batch_next(b->b);
        nftnl_chain_free(c);
}

static struct nftnl_rule *rule_new(const char *table, const char *chain)
{
        struct nftnl_rule *r = nftnl_rule_alloc();
        nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
        nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
        nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
        return r;
}

static void add_rule(Batch *b, struct nftnl_rule *r)
{
        nftnl_rule_nlmsg_build_payload(batch_message(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND), r);
        mnl_nlmsg_batch_next(b->b);
        nftnl_rule_free(r);
}

static int build_and_send(struct mnl_socket *nl, const NatTable *t, bool owned)
{
        size_t size = MNL_SOCKET_BUFFER_SIZE * 2 + t->n_forwards * 1024;
        char *buf = malloc(size);
        struct nftnl_table *tab = nftnl_table_alloc();
        if (!buf || !tab) {
                free(buf);
                nftnl_table_free(tab);
                return -ENOMEM;
        }
        Batch b;
        batch_begin(&b, buf, size);
        nftnl_table_set_str(tab, NFTNL_TABLE_NAME, t->name);
        nftnl_table_set_u32(tab, NFTNL_TABLE_FLAGS, owned ? NFT_TABLE_F_OWNER : 0);
        nftnl_table_nlmsg_build_payload(batch_message(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE | NLM_F_EXCL), tab);
        mnl_nlmsg_batch_next(b.b);
        nftnl_table_free(tab);

        if (t->n_forwards > 0) {
                add_chain(&b, t->name, "prerouting", "nat", NF_INET_PRE_ROUTING, -100);
                add_chain(&b, t->name, "output", "nat", NF_INET_LOCAL_OUT, -100);
                for (size_t i = 0; i < t->n_forwards; i++)
                        for (int k = 0; k < 2; k++) {
                                struct nftnl_rule *r = rule_new(t->name, k ? "output" : "prerouting");
                                e_forward(r, &t->forwards[i]);
                                add_rule(&b, r);
                        }
        }
        if (t->masquerade || t->loopback)
                add_chain(&b, t->name, "postrouting", "nat", NF_INET_POST_ROUTING, 100);
        if (t->masquerade) {
                /* ip saddr NET/LEN oifname != LINK masquerade (traffic to the container stays as it is) */
                struct nftnl_rule *r = rule_new(t->name, "postrouting");
                e_saddr_in(r, t->net, t->len);
                e_link(r, NFT_META_OIFNAME, NFT_CMP_NEQ, t->link);
                nftnl_rule_add_expr(r, nftnl_expr_alloc("masq"));
                add_rule(&b, r);
        }
        if (t->loopback) {
                /* oifname LINK ip saddr 127.0.0.0/8 masquerade: forwarded from the host's loopback */
                struct nftnl_rule *r = rule_new(t->name, "postrouting");
                e_link(r, NFT_META_OIFNAME, NFT_CMP_EQ, t->link);
                e_loopback(r, 12);
                nftnl_rule_add_expr(r, nftnl_expr_alloc("masq"));
                add_rule(&b, r);
                /* iifname LINK ip daddr 127.0.0.0/8 drop, and the same for saddr: route_localnet
                 * on LINK must not open the host's loopback to the container. */
                add_chain(&b, t->name, "guard", "filter", NF_INET_PRE_ROUTING, -300);
                for (uint32_t offset = 12; offset <= 16; offset += 4) {
                        r = rule_new(t->name, "guard");
                        e_link(r, NFT_META_IIFNAME, NFT_CMP_EQ, t->link);
                        e_loopback(r, offset);
                        e_drop(r);
                        add_rule(&b, r);
                }
        }
        int r = batch_send(nl, &b);
        free(buf);
        return r;
}

int nat_table_add(struct mnl_socket *nl, const NatTable *t, bool *ret_owned)
{
        /* A table of the name from a run before owned tables (or of a kernel without them). */
        int r = nat_table_remove(nl, t->name);
        if (r < 0)
                return r;
        *ret_owned = true;
        r = build_and_send(nl, t, true);
        if (r == -EOPNOTSUPP) { /* before Linux 5.12: the supervisor removes it at the end */
                *ret_owned = false;
                r = build_and_send(nl, t, false);
        }
        return r;
}
