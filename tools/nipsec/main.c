// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec: manage the nipsec kernel module's SAs and policies, with the
 * words of ip-xfrm(8). Parsing is in parse*.c, output in print.c, netlink in
 * the library; this file runs commands, batches and network namespaces.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nipsec.h"

#define EXIT_USAGE 2
#define MAX_WORDS 512

struct ctx {
	struct nipsec_handle *h;	/* opened at the first command needing it */
	struct printer pr;
	struct parse_env env;
	const char *errmsg;	/* the tool's own reason, before the kernel's */
};

static const char usage_text[] =
"Usage: nipsec [-j] [-s] [-n NETNS] [-b FILE] OBJECT COMMAND [ARGS]\n"
"\n"
"  nipsec sa add|update src ADDR dst ADDR proto esp|ah spi SPI\n"
"          [mode transport|tunnel] [reqid N] [replay-window N] [flag esn]\n"
"          [aead NAME KEY ICVBITS | enc NAME KEY [auth NAME KEY |\n"
"           auth-trunc NAME KEY BITS] | proposal NAME KEY [KEY]]\n"
"          [sel src PREFIX dst PREFIX [proto P] [sport N] [dport N]\n"
"               [type N] [code N]]\n"
"          [limit time-soft S|time-hard S|time-use-soft S|time-use-hard S|\n"
"                 byte-soft N|byte-hard N|packet-soft N|packet-hard N ...]\n"
"          [encap espinudp SPORT DPORT OADDR [rebind]] [replay-oseq N]\n"
"  nipsec sa del|get [src ADDR] dst ADDR proto esp|ah spi SPI\n"
"  nipsec sa list [src ADDR] [dst ADDR] [proto esp|ah] [spi SPI] [reqid N]\n"
"  nipsec sa flush [proto esp|ah]\n"
"  nipsec spi alloc src ADDR dst ADDR proto esp|ah [reqid N]\n"
"          [min SPI max SPI] [timeout S]\n"
"  nipsec policy add [src PREFIX] [dst PREFIX] [proto P] [sport N] [dport N]\n"
"          [type N] [code N] dir in|out|fwd [priority N]\n"
"          [action allow|block|protect|bypass|discard]\n"
"          [tmpl [src ADDR] [dst ADDR] proto esp|ah [spi SPI]\n"
"                [mode transport|tunnel] [reqid N] [level required]]\n"
"  nipsec policy del|get id N | dir in|out|fwd [SELECTOR]\n"
"  nipsec policy list|flush [dir in|out|fwd]\n"
"  nipsec stats [sa SPI dst ADDR proto esp|ah]\n"
"  nipsec monitor\n"
"  nipsec help [OBJECT]\n"
"\n"
"KEY: 0xHEX, @FILE (hex in a file), - (hex on standard input) or a string.\n"
"Options: -j JSON output, -s usage and counters of SAs and policies,\n"
"         -n NETNS run in /run/netns/NETNS,\n"
"         -b FILE run the commands of FILE (- for standard input).\n"
"See nipsec(8).\n";

static void usage(FILE *f, const char *topic)
{
	const char *p = usage_text;
	char head[64];
	bool on = false;

	if (!topic) {
		fputs(usage_text, f);
		return;
	}
	/* the lines of one object: "  nipsec OBJECT ..." and continuations */
	snprintf(head, sizeof(head), "  nipsec %s", topic);
	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = (int)(nl - p);

		if (!strncmp(p, "  nipsec ", 9))
			on = !strncmp(p, head, strlen(head)) &&
			     (p[strlen(head)] == ' ' || p[strlen(head)] == '\n');
		else if (strncmp(p, "        ", 8))
			on = false;
		if (on)
			fprintf(f, "%.*s\n", len, p);
		p = nl + 1;
	}
}

static int open_handle(struct ctx *c)
{
	int err;

	if (c->h)
		return 0;
	c->h = nipsec_open(&err);
	if (c->h)
		return 0;
	if (err == -ENOENT)
		fprintf(stderr, "Error: the nipsec module is not loaded (no generic netlink family \"%s\").\n",
			NIPSEC_FAMILY_NAME);
	else
		fprintf(stderr, "Error: cannot open a netlink socket: %s.\n",
			strerror(-err));
	return err;
}

/* Report a failed request with the kernel's own words when it sent any. */
static void report(struct ctx *c, const char *what, int err)
{
	const char *msg = c->errmsg ?: nipsec_errmsg(c->h);

	if (msg && *msg)
		fprintf(stderr, "Error: %s: %s.\n", what, msg);
	else if (err == -EPERM)
		fprintf(stderr, "Error: %s: %s (nipsec needs CAP_NET_ADMIN).\n",
			what, strerror(-err));
	else
		fprintf(stderr, "Error: %s: %s.\n", what, strerror(-err));
}

static int print_sa_cb(const struct nipsec_sa *sa, void *arg)
{
	print_sa(arg, sa);
	return 0;
}

static int print_policy_cb(const struct nipsec_policy *pol, void *arg)
{
	print_policy(arg, pol);
	return 0;
}

/* ip xfrm's "index N dir D": the policy of that id, if it has that dir */
static int policy_by_id(struct ctx *c, const struct cmd *cmd,
			struct nipsec_policy *pol)
{
	int err = nipsec_policy_get(c->h, cmd->policy_id, pol);

	if (!err && cmd->id_dir && pol->cfg.dir != cmd->pol.dir) {
		c->errmsg = "the policy of that index has another dir";
		return -ENOENT;
	}
	return err;
}

/* sa count, policy count: the dump callbacks differ only in their type */
static int count_cb(unsigned int *n)
{
	++*n;
	return 0;
}

static int count_sa_cb(const struct nipsec_sa *sa, void *arg)
{
	(void)sa;
	return count_cb(arg);
}

static int count_policy_cb(const struct nipsec_policy *pol, void *arg)
{
	(void)pol;
	return count_cb(arg);
}

static int policy_get(struct ctx *c, const struct cmd *cmd)
{
	struct nipsec_policy pol;
	int err;

	if (cmd->by_id) {
		err = policy_by_id(c, cmd, &pol);
		if (!err)
			print_policy(&c->pr, &pol);
		return err;
	}
	/* the kernel looks the selector up as policy del does */
	err = nipsec_policy_get_sel(c->h, cmd->pol.dir, &cmd->pol.sel, &pol);
	if (!err)
		print_policy(&c->pr, &pol);
	return err;
}

struct monitor_ctx {
	struct printer *pr;
	unsigned int events;	/* bit per event type; 0: every one */
};

static int event_cb(const struct nipsec_event *ev, void *arg)
{
	struct monitor_ctx *m = arg;

	if (!m->events || (m->events & (1u << ev->type)))
		print_event(m->pr, ev);
	return 0;
}

static int monitor(struct ctx *c, unsigned int events)
{
	struct monitor_ctx m = { .pr = &c->pr, .events = events };
	int err = 0;

	/* drops only when asked for by name: "all" means ip xfrm's objects */
	if (!events || events & NIPSEC_EVENTS_XFRM)
		err = nipsec_event_subscribe(c->h);
	if (!err && events & NIPSEC_EVENTS_DROPS)
		err = nipsec_drops_subscribe(c->h);

	while (!err) {
		err = nipsec_event_loop(c->h, event_cb, &m);
		if (err == -ENOBUFS) {
			/* say so and go on: a monitor is for watching */
			fprintf(stderr, "Warning: %s.\n", nipsec_errmsg(c->h));
			err = 0;
		}
	}
	return err;
}

static const char *const op_names[] = {
	[OP_HELP] = "help", [OP_SA_ADD] = "sa add", [OP_SA_UPDATE] = "sa update",
	[OP_SA_DEL] = "sa del", [OP_SA_GET] = "sa get", [OP_SA_LIST] = "sa list",
	[OP_SA_FLUSH] = "sa flush", [OP_SPI_ALLOC] = "spi alloc",
	[OP_POLICY_ADD] = "policy add", [OP_POLICY_DEL] = "policy del",
	[OP_POLICY_GET] = "policy get", [OP_POLICY_LIST] = "policy list",
	[OP_POLICY_FLUSH] = "policy flush", [OP_STATS] = "stats",
	[OP_MONITOR] = "monitor", [OP_SA_COUNT] = "sa count",
	[OP_POLICY_COUNT] = "policy count",
};

static int execute(struct ctx *c, const struct cmd *cmd)
{
	struct nipsec_sa sa;
	struct nipsec_stats st;
	uint32_t u;
	int err;

	switch (cmd->op) {
	case OP_SA_ADD:
		return nipsec_sa_new(c->h, &cmd->sa);
	case OP_SA_UPDATE:
		return nipsec_sa_update(c->h, &cmd->sa);
	case OP_SA_DEL:
		return nipsec_sa_del(c->h, &cmd->id);
	case OP_SA_GET:
		err = nipsec_sa_get(c->h, &cmd->id, &sa);
		if (!err)
			print_sa(&c->pr, &sa);
		return err;
	case OP_SA_LIST:
		print_list_begin(&c->pr);
		err = nipsec_sa_dump(c->h, &cmd->filter, print_sa_cb, &c->pr);
		print_list_end(&c->pr);
		return err;
	case OP_SA_FLUSH:
		return nipsec_sa_flush(c->h, cmd->proto);
	case OP_SPI_ALLOC:
		err = nipsec_spi_alloc(c->h, &cmd->spi, &u);
		if (!err)
			print_spi(&c->pr, u);
		return err;
	case OP_POLICY_ADD:
		err = nipsec_policy_new(c->h, &cmd->pol, &u);
		if (!err && c->pr.json)
			print_policy_id(&c->pr, u);
		return err;
	case OP_POLICY_DEL:
		if (cmd->by_id && cmd->id_dir) {
			struct nipsec_policy pol;

			err = policy_by_id(c, cmd, &pol);
			if (err)
				return err;
		}
		if (cmd->by_id)
			return nipsec_policy_del(c->h, cmd->policy_id);
		return nipsec_policy_del_sel(c->h, cmd->pol.dir, &cmd->pol.sel);
	case OP_POLICY_GET:
		return policy_get(c, cmd);
	case OP_POLICY_LIST:
		print_list_begin(&c->pr);
		err = nipsec_policy_dump(c->h, cmd->dir, print_policy_cb, &c->pr);
		print_list_end(&c->pr);
		return err;
	case OP_POLICY_FLUSH:
		return nipsec_policy_flush(c->h, cmd->dir);
	case OP_STATS:
		err = nipsec_stats_get(c->h, cmd->has_id ? &cmd->id : NULL, &st);
		if (!err)
			print_stats(&c->pr, &st, cmd->has_id ? &cmd->id : NULL);
		return err;
	case OP_MONITOR:
		return monitor(c, cmd->events);
	case OP_SA_COUNT:
	case OP_POLICY_COUNT: {
		unsigned int n = 0;

		err = cmd->op == OP_SA_COUNT ?
		      nipsec_sa_dump(c->h, &cmd->filter, count_sa_cb, &n) :
		      nipsec_policy_dump(c->h, -1, count_policy_cb, &n);
		if (!err)
			print_count(&c->pr, cmd->op == OP_SA_COUNT ? "sa" : "policy", n);
		return err;
	}
	case OP_HELP:
		break;
	}
	return 0;
}

/* One command: 0, 1 (it failed) or 2 (usage error). */
static int run(struct ctx *c, int argc, char **argv)
{
	struct cmd *cmd = calloc(1, sizeof(*cmd));
	char err[ERRLEN];
	int ret;

	if (!cmd) {
		fprintf(stderr, "Error: out of memory.\n");
		return EXIT_FAILURE;
	}
	if (parse_cmd(argc, argv, &c->env, cmd, err)) {
		fprintf(stderr, "Error: %s.\n", err);
		ret = EXIT_USAGE;
		goto out;
	}
	if (cmd->op == OP_HELP) {
		usage(stdout, cmd->topic);
		ret = EXIT_SUCCESS;
		goto out;
	}
	ret = open_handle(c);
	if (ret) {
		ret = EXIT_FAILURE;
		goto out;
	}
	c->errmsg = NULL;
	ret = execute(c, cmd);
	fflush(stdout);
	if (ret) {
		report(c, op_names[cmd->op], ret);
		ret = EXIT_FAILURE;
	}
out:
	cmd_wipe(cmd);
	free(cmd);
	return ret;
}

static int batch(struct ctx *c, const char *name)
{
	FILE *f = strcmp(name, "-") ? fopen(name, "re") : stdin;
	char *line = NULL, *words[MAX_WORDS];
	size_t cap = 0;
	unsigned int lineno = 0;
	int ret = EXIT_SUCCESS;

	if (!f) {
		fprintf(stderr, "Error: cannot open %s: %s.\n", name, strerror(errno));
		return EXIT_FAILURE;
	}
	/* "-" keys cannot come from the stream the commands come from */
	if (f == stdin)
		c->env.key_stdin = NULL;
	while (getline(&line, &cap, f) > 0) {
		int n;

		lineno++;
		n = split_words(line, words, MAX_WORDS);
		if (n < 0) {
			fprintf(stderr, "Error: unterminated quote or too many words.\n");
			ret = EXIT_USAGE;
		} else if (n > 0) {
			ret = run(c, n, words);
		}
		explicit_bzero(line, cap);	/* keys may have been on it */
		if (ret) {
			fprintf(stderr, "Command failed %s:%u\n", name, lineno);
			break;
		}
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return ret;
}

static int enter_netns(const char *name)
{
	char path[4096];
	int fd;

	if (strchr(name, '/'))
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Error: cannot open network namespace \"%s\": %s.\n",
			name, strerror(errno));
		return -1;
	}
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "Error: cannot enter network namespace \"%s\": %s.\n",
			name, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c = { .env = { .key_stdin = stdin } };
	const char *netns = NULL, *batch_file = NULL;
	bool json = false, stats = false;
	int i, ret;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "--")) {
			i++;
			break;
		}
		if (!strcmp(o, "-j") || !strcmp(o, "-json") || !strcmp(o, "--json")) {
			json = true;
		} else if (!strcmp(o, "-s") || !strcmp(o, "-stats") ||
			   !strcmp(o, "--stats")) {
			stats = true;
		} else if (!strcmp(o, "-n") || !strcmp(o, "-netns") ||
			   !strcmp(o, "--netns") || !strcmp(o, "-b") ||
			   !strcmp(o, "-batch") || !strcmp(o, "--batch")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "Error: option \"%s\" needs a value.\n", o);
				return EXIT_USAGE;
			}
			if (o[strspn(o, "-")] == 'n')
				netns = argv[++i];
			else
				batch_file = argv[++i];
		} else if (!strcmp(o, "-h") || !strcmp(o, "-help") ||
			   !strcmp(o, "--help")) {
			usage(stdout, NULL);
			return EXIT_SUCCESS;
		} else {
			fprintf(stderr, "Error: unknown option \"%s\".\n%s", o, usage_text);
			return EXIT_USAGE;
		}
	}
	if (!batch_file && i >= argc) {
		usage(stderr, NULL);
		return EXIT_USAGE;
	}
	if (batch_file && i < argc) {
		fprintf(stderr, "Error: -b takes no command on the command line.\n");
		return EXIT_USAGE;
	}
	if (netns && enter_netns(netns))
		return EXIT_FAILURE;
	printer_init(&c.pr, stdout, json);
	c.pr.stats = stats;
	if (batch_file)
		ret = batch(&c, batch_file);
	else
		ret = run(&c, argc - i, argv + i);
	nipsec_close(c.h);
	if (fflush(stdout) && !ret) {
		perror("nipsec: stdout");
		ret = EXIT_FAILURE;
	}
	return ret;
}
