/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The parser's inside, shared by its files: the common words (parse.c),
 * the SA and SPI words (parse-sa.c), the policy words (parse-policy.c).
 */
#ifndef NIPSEC_PARSE_H
#define NIPSEC_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nipsec.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct ps {
	int argc;
	char **argv;
	int i;
	char *err;
	const struct parse_env *env;
	struct cmd *cmd;
	char what[32];			/* "sa add", for messages */
	/* words seen for the sa and spi commands */
	bool has_spi, has_min, has_max;
	/* and for policies */
	bool has_dir, has_action_word;
	const char *action_word;
};

/* a keyword of a table: the function that takes its values */
struct kw {
	const char *name;
	int (*fn)(struct ps *p, const char *kw);
	unsigned int ops;		/* bit per enum nipsec_op */
	bool repeat;			/* may come more than once */
};

#define KW(n, f, o) { .name = n, .fn = f, .ops = o }
#define OPS(x) (1u << (x))
#define SA_CFG (OPS(OP_SA_ADD) | OPS(OP_SA_UPDATE))
#define SA_KEY (SA_CFG | OPS(OP_SA_DEL) | OPS(OP_SA_GET))
#define SA_ANY (SA_KEY | OPS(OP_SA_LIST))

int ps_fail(struct ps *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));	/* userspace: no __printf() */
const char *ps_peek(struct ps *p);
int ps_arg(struct ps *p, const char *kw, const char **val);
int ps_get_u32(struct ps *p, const char *kw, uint32_t *v, uint32_t min,
	       uint32_t max);
int ps_get_u16(struct ps *p, const char *kw, uint16_t *v);
int ps_get_limit(struct ps *p, const char *kw, uint64_t *v);
int ps_get_addr(struct ps *p, const char *kw, struct nipsec_addr *a);
int ps_get_name(struct ps *p, const char *kw, const struct name_val *t,
		int *v);
int ps_get_xfrm_proto(struct ps *p, const char *kw, uint8_t *proto);
int ps_no_op_word(struct ps *p, const char *kw);
int ps_get_mode(struct ps *p, const char *kw, uint8_t *mode);
int ps_run_table(struct ps *p, const struct kw *t, size_t n,
		 unsigned int op, bool stop_unknown);
int ps_sel_src(struct ps *p, const char *kw);
int ps_sel_dst(struct ps *p, const char *kw);
int ps_sel_proto(struct ps *p, const char *kw);
int ps_sel_sport(struct ps *p, const char *kw);
int ps_sel_dport(struct ps *p, const char *kw);
int ps_sel_type(struct ps *p, const char *kw);
int ps_sel_code(struct ps *p, const char *kw);
int ps_sel_check(struct ps *p, struct nipsec_sel *s, const char *name);
int ps_sel_words(struct ps *p);

/* parse-sa.c, parse-policy.c: the words of an object's commands */
int ps_sa_words(struct ps *p);
int ps_policy_words(struct ps *p);

#endif /* NIPSEC_PARSE_H */
