/* SPDX-License-Identifier: GPL-2.0 */
/* charon's kernel_ipsec_t on nipsec (tools/lib's client library). */
#ifndef NIPSEC_IPSEC_H_
#define NIPSEC_IPSEC_H_

#include <kernel/kernel_ipsec.h>

/* NULL if the nipsec family is not there (module not loaded). */
kernel_ipsec_t *kernel_nipsec_ipsec_create(void);

#endif /* NIPSEC_IPSEC_H_ */
