/* SPDX-License-Identifier: GPL-2.0 */
/* A minimal TAP producer for the host unit tests. */
#ifndef NIPSEC_TAP_H
#define NIPSEC_TAP_H

#include <stdbool.h>

/* Print "ok N - desc" or "not ok N - desc"; returns cond. */
bool tap_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A "# ..." diagnostic line under the last result. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int tap_failed(void);
int tap_passed(void);

void test_parse(void);
void test_attr(void);
void test_print(void);
void test_xact(void);
void test_xfrm_words(void);

#endif /* NIPSEC_TAP_H */
