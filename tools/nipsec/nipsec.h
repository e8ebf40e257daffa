/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The nipsec tool's internal interfaces: the command line parser (a pure
 * function from words to library structs, unit-tested on the host), the
 * name tables, and the printers.
 */
#ifndef NIPSEC_TOOL_H
#define NIPSEC_TOOL_H

#include <stdio.h>
#include "nipsec_client.h"
#include "json.h"

enum nipsec_op {
	OP_HELP,
	OP_SA_ADD,
	OP_SA_UPDATE,
	OP_SA_DEL,
	OP_SA_GET,
	OP_SA_LIST,
	OP_SA_FLUSH,
	OP_SPI_ALLOC,
	OP_POLICY_ADD,
	OP_POLICY_DEL,
	OP_POLICY_GET,
	OP_POLICY_LIST,
	OP_POLICY_FLUSH,
	OP_STATS,
	OP_MONITOR,
	OP_SA_COUNT,
	OP_POLICY_COUNT,
};

/* One parsed command: which fields are meaningful depends on op. */
struct cmd {
	enum nipsec_op op;
	struct nipsec_sa_cfg sa;	/* sa add, sa update */
	struct nipsec_sa_id id;		/* sa del, sa get, stats of one SA */
	bool has_id;			/* stats: one SA rather than global */
	struct nipsec_sa_filter filter;	/* sa list */
	uint8_t proto;			/* sa flush: 0 for all */
	struct nipsec_spi_req spi;	/* spi alloc */
	struct nipsec_policy_cfg pol;	/* policy add; selector of del/get */
	bool by_id;			/* policy del/get by id */
	uint32_t policy_id;
	bool id_dir;			/* ...and pol.dir must be its dir */
	int dir;			/* policy list/flush: -1 for all */
	const char *topic;		/* help OBJECT */
	unsigned int events;		/* monitor: bit per event type, 0 all */
};

/*
 * monitor's event classes: ip xfrm's objects (the events group; "all")
 * and nipsec's dropped packets (the drops group, only when named)
 */
#define NIPSEC_EVENTS_DROPS	(1u << NIPSEC_EVENT_DROP)
#define NIPSEC_EVENTS_XFRM	(~NIPSEC_EVENTS_DROPS)

/* What the parser may read besides its arguments ("-" keys). */
struct parse_env {
	FILE *key_stdin;		/* NULL: "-" keys are refused */
};

#define ERRLEN 256

/*
 * Parse OBJECT COMMAND ARGS... into cmd. Returns 0, or -1 with a message
 * in err (a usage error). Touches nothing but cmd, err and key files.
 */
int parse_cmd(int argc, char **argv, const struct parse_env *env,
	      struct cmd *cmd, char *err);

/*
 * Split a line of a batch file into words in place: blanks separate,
 * '...' and "..." quote, backslash escapes, # starts a comment. Returns
 * the number of words, or -1 (unterminated quote, more than max words).
 */
int split_words(char *line, char **words, int max);

/* Wipe key material (commands are on the stack of a long batch). */
void cmd_wipe(struct cmd *cmd);

/* ---- names.c: words of the command line and of the output ---- */

struct name_val {
	const char *name;
	int val;
};

extern const struct name_val xfrm_protos[];	/* esp, ah */
extern const struct name_val modes[];
extern const struct name_val dirs[];
extern const struct name_val actions[];		/* output names */
extern const struct name_val sa_states[];
extern const struct name_val limits[];
extern const struct name_val ul_protos[];	/* tcp, udp, icmp, ... */

int name_lookup(const struct name_val *t, const char *name);	/* -1 */
const char *name_of(const struct name_val *t, int val);		/* NULL */

/* key: 0x-hex, @FILE, "-" (stdin) or a literal string like ip xfrm */
int parse_key(const char *arg, const struct parse_env *env, uint8_t *key,
	      uint16_t *len, char *err);

enum alg_kind { ALG_AEAD, ALG_ENC, ALG_AUTH };

/*
 * Check an algorithm name, key and bits; store the kernel's canonical name
 * (aliases like "sha256" become "hmac(sha256)") in alg->name.
 * bits_given: 0 when the command gave no ICV or truncation length.
 */
int alg_check(enum alg_kind kind, const char *name, struct nipsec_alg *alg,
	      bool bits_given, char *err);

/* strongSwan proposal ("aes256gcm16", "aes128-sha256-modp2048-esn") */
struct proposal {
	char enc[NIPSEC_ALG_NAME_LEN];	/* kernel name, "" if none */
	bool aead;
	uint16_t enc_key_len;
	uint32_t icv_bits;
	char auth[NIPSEC_ALG_NAME_LEN];
	uint16_t auth_key_len;
	uint32_t trunc_bits;
	bool esn;
};
int proposal_parse(const char *name, struct proposal *p, char *err);
int proposal_nkeys(const struct proposal *p);

/* ---- print.c ---- */

struct printer {
	FILE *out;
	bool json;
	bool stats;			/* text: usage and counters too (-s) */
	bool in_list;			/* JSON: inside print_list_begin/end */
	struct json j;
};

void printer_init(struct printer *p, FILE *out, bool json);
/* JSON lists are arrays; text lists are the records one after another */
void print_list_begin(struct printer *p);
void print_list_end(struct printer *p);
void print_sa(struct printer *p, const struct nipsec_sa *sa);
void print_policy(struct printer *p, const struct nipsec_policy *pol);
void print_stats(struct printer *p, const struct nipsec_stats *st,
		 const struct nipsec_sa_id *id);
void print_event(struct printer *p, const struct nipsec_event *ev);
void print_spi(struct printer *p, uint32_t spi);
void print_count(struct printer *p, const char *what, unsigned int n);
void print_policy_id(struct printer *p, uint32_t id);
const char *addr_str(const struct nipsec_addr *a, char *buf, size_t len);

#endif /* NIPSEC_TOOL_H */
