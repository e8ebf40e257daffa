/* SPDX-License-Identifier: GPL-2.0 */
/*
 * strongSwan plugin "nipsec": charon's kernel-ipsec interface on the nipsec
 * kernel module (generic netlink, no XFRM). Loaded by Debian's unmodified
 * charon from /usr/lib/ipsec/plugins/libstrongswan-nipsec.so.
 */
#ifndef NIPSEC_PLUGIN_H_
#define NIPSEC_PLUGIN_H_

#include <plugins/plugin.h>

typedef struct nipsec_plugin_t nipsec_plugin_t;

struct nipsec_plugin_t {
	plugin_t plugin;
};

/* charon finds the plugin by this name: <plugin name>_plugin_create */
plugin_t *nipsec_plugin_create(void);

#endif /* NIPSEC_PLUGIN_H_ */
