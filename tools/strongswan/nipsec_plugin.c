// SPDX-License-Identifier: GPL-2.0
/*
 * The plugin object: it provides the "kernel-ipsec" feature. Load it before
 * kernel-netlink (which still provides "kernel-net": addresses, routes)
 * so that charon's kernel interface takes nipsec's kernel-ipsec, the first
 * one registered.
 */
#include "nipsec_plugin.h"
#include "nipsec_ipsec.h"

#include <daemon.h>

typedef struct private_nipsec_plugin_t private_nipsec_plugin_t;

struct private_nipsec_plugin_t {
	nipsec_plugin_t public;
};

METHOD(plugin_t, get_name, char *, private_nipsec_plugin_t *this)
{
	return "nipsec";
}

METHOD(plugin_t, get_features, int, private_nipsec_plugin_t *this,
       plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK(kernel_ipsec_register, kernel_nipsec_ipsec_create),
			PLUGIN_PROVIDE(CUSTOM, "kernel-ipsec"),
	};

	*features = f;
	return countof(f);
}

METHOD(plugin_t, destroy, void, private_nipsec_plugin_t *this)
{
	free(this);
}

__attribute__((visibility("default")))
plugin_t *nipsec_plugin_create(void)
{
	private_nipsec_plugin_t *this;

	INIT(this,
		.public = {
			.plugin = {
				.get_name = _get_name,
				.get_features = _get_features,
				.destroy = _destroy,
			},
		},
	);
	return &this->public.plugin;
}
