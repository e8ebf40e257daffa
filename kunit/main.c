// SPDX-License-Identifier: GPL-2.0
/*
 * nipsec KUnit tests: the suites live in *_test.c and run when this
 * module loads (after nipsec.ko, whose KUnit-only exports they use).
 */
#include <linux/module.h>

MODULE_DESCRIPTION("KUnit tests for nipsec");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
