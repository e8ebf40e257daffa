// SPDX-License-Identifier: GPL-2.0
/* Host unit tests of libnipsec and the nipsec tool's parser and printers. */
#include <stdio.h>

#include "tap.h"

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	test_parse();
	test_attr();
	test_print();
	test_xact();
	test_xfrm_words();
	printf("%d passed, %d failed\n", tap_passed(), tap_failed());
	return tap_failed() ? 1 : 0;
}
