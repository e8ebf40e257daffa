// SPDX-License-Identifier: GPL-2.0
/* A minimal TAP producer for the host unit tests. */
#include <stdarg.h>
#include <stdio.h>

#include "tap.h"

static int n_pass, n_fail;

bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", n_pass + n_fail + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (cond)
		n_pass++;
	else
		n_fail++;
	return cond;
}

void tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int tap_failed(void)
{
	return n_fail;
}

int tap_passed(void)
{
	return n_pass;
}
