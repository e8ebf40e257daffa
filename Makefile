# SPDX-License-Identifier: GPL-2.0
#
# nipsec top-level Makefile.  The module itself is described by ./Kbuild
# (kbuild reads Kbuild, not this file, when it builds M=$(CURDIR)).
#
#   make [KDIR=...] [W=1] [C=2]   module + tool
#   make check                    full test run (see Documentation/testing.rst)
#   make vmtest T=name [KERNEL=stock|debug|stock61]
#   make demo [IKE=strongswan]    demo; with charon on nipsec through the plugin
#   make install-test             make install, modprobe, DKMS 6.12/6.1 in a VM
#   make deps                     the Debian packages (tools/testing/deps.sh)
#
# demo, check, bench, strongswan, install and dkms-install first install the
# Debian packages they need (make deps; NIPSEC_SKIP_DEPS=1 skips that), then
# compute KDIR in a sub-make, so they work on a machine that had no headers.
#
# W= and C= given on the command line reach kbuild through MAKEFLAGS.

SHELL := /bin/bash

# Debian 6.12 headers: the running kernel's if it is a 6.12, else the newest.
RUNNING_BUILD := /lib/modules/$(shell uname -r)/build
ifneq ($(filter 6.12.%,$(shell uname -r)),)
KDIR ?= $(RUNNING_BUILD)
endif
KDIR ?= $(lastword $(shell ls -d /usr/src/linux-headers-6.12.*-amd64 2>/dev/null | sort -V))
KDIR61 ?= $(lastword $(shell ls -d /usr/src/linux-headers-6.1.[0-9]*-amd64 2>/dev/null | grep -v -e cloud -e '-rt-' | sort -V))
KVER ?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)

NIPSEC_CACHE ?= /var/cache/nipsec
KSRC ?= $(NIPSEC_CACHE)/linux-source-6.12
CHECKPATCH ?= $(KSRC)/scripts/checkpatch.pl
BENCH := $(CURDIR)/tools/testing/bench.sh
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\?\([^"]*\)"\?/\1/p' dkms.conf)
DESTDIR ?=
PREFIX ?= /usr/local

T ?= smoke
KERNEL ?= stock
IKE ?=

export NIPSEC_CACHE

.PHONY: all module tool compat style sparse install dkms-install regen clean \
	vmtest demo bench check kernel-debug help strongswan deps install-test \
	install-built dkms-install-built strongswan-built

all: module tool

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))
	@echo "targets: all module tool compat style sparse install dkms-install regen clean"
	@echo "         check vmtest demo bench kernel-debug deps install-test"

deps:
	@if [ "$(NIPSEC_SKIP_DEPS)" != 1 ]; then tools/testing/deps.sh; fi

module:
	@test -f Kbuild || { echo "no ./Kbuild yet: nothing to build"; exit 1; }
	@test -n "$(KDIR)" && test -d "$(KDIR)" || { echo "no kernel headers (KDIR=$(KDIR))"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

tool:
	@if [ -f tools/Makefile ]; then \
		$(MAKE) -C tools; \
	else \
		echo "tools/Makefile not present yet: skipping the tool"; \
	fi

# the strongSwan kernel-ipsec plugin (fetches and configures Debian's
# strongSwan source once, in $(NIPSEC_CACHE)): tools/strongswan
strongswan: deps
	@$(MAKE) --no-print-directory NIPSEC_SKIP_DEPS=1 strongswan-built
strongswan-built: tool
	$(MAKE) -C tools/strongswan all check test

# The 6.1 build happens in a private copy so the in-tree 6.12 objects stay.
compat:
	@test -n "$(KDIR61)" || { echo "no Debian 6.1 headers (linux-headers-6.1.*-amd64)"; exit 1; }
	KDIR=$(KDIR61) $(BENCH) build compat

style:
	@test -f $(CHECKPATCH) || { echo "no $(CHECKPATCH): install linux-source-6.12 (tools/testing/deps.sh)"; exit 1; }
	@files="$$(ls module/*.[ch] kunit/*.c uapi/linux/*.h 2>/dev/null | grep -v -e "\.mod\.c$$" -e "compat\.h$$" -e "trace\.h$$")"; \
	if [ -z "$$files" ]; then echo "style: no sources yet"; exit 0; fi; \
	$(CHECKPATCH) --no-tree --strict --show-types --terse -f $$files \
		| grep -v -e '^total: 0 errors, 0 warnings, 0 checks' ; \
	rc=$${PIPESTATUS[0]}; \
	# compat.h exists to test kernel versions: that one check does not apply \
	$(CHECKPATCH) --no-tree --strict --show-types --terse \
		--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f module/compat.h \
		| grep -v -e '^total: 0 errors, 0 warnings, 0 checks' ; \
	rc=$$(( rc | $${PIPESTATUS[0]} )); \
	# a TRACE_EVENT() and its EM() lists are laid out as include/trace/events/ \
	$(CHECKPATCH) --no-tree --strict --show-types --terse \
		--ignore PARENTHESIS_ALIGNMENT,OPEN_ENDED_LINE,COMPLEX_MACRO,MACRO_ARG_UNUSED,TRAILING_SEMICOLON -f module/trace.h \
		| grep -v -e '^total: 0 errors, 0 warnings, 0 checks' ; \
	exit $$(( rc | $${PIPESTATUS[0]} ))

sparse:
	KDIR=$(KDIR) $(BENCH) sparse

kernel-debug:
	tools/testing/vm/build-kernel.sh

install: deps
	@$(MAKE) --no-print-directory NIPSEC_SKIP_DEPS=1 install-built
install-built: module tool
	install -D -m 644 module/nipsec.ko $(DESTDIR)/lib/modules/$(KVER)/extra/nipsec.ko
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi
	@if [ -x tools/nipsec/nipsec ]; then \
		install -D -m 755 tools/nipsec/nipsec $(DESTDIR)$(PREFIX)/sbin/nipsec; \
	else echo "tools/nipsec/nipsec not built: not installed"; fi
	@if [ -f tools/nipsec/nipsec.8 ]; then \
		install -D -m 644 tools/nipsec/nipsec.8 $(DESTDIR)$(PREFIX)/share/man/man8/nipsec.8; \
	else echo "tools/nipsec/nipsec.8 missing: not installed"; fi
	@if [ -f tools/strongswan/libstrongswan-nipsec.so ]; then \
		$(MAKE) -C tools/strongswan install; \
	else echo "strongSwan plugin not built (make strongswan): not installed"; fi

# DKMS builds from a copy in /usr/src/nipsec-<version> (dkms.conf says how),
# for each kernel in DKMS_KERNELS (default: KVER, the 6.12 one), then installs
# the tool and the man page as make install does.
DKMS_KERNELS ?= $(KVER)
dkms-install: deps
	@$(MAKE) --no-print-directory NIPSEC_SKIP_DEPS=1 dkms-install-built
dkms-install-built: tool
	@test -n "$(VERSION)" || { echo "no PACKAGE_VERSION in dkms.conf"; exit 1; }
	@test -n "$(DKMS_KERNELS)" || { echo "no kernel headers (KDIR=$(KDIR))"; exit 1; }
	rm -rf /usr/src/nipsec-$(VERSION)
	mkdir -p /usr/src/nipsec-$(VERSION)
	cp -a dkms.conf Kbuild module uapi /usr/src/nipsec-$(VERSION)/
	if [ -d kunit ]; then cp -a kunit /usr/src/nipsec-$(VERSION)/; fi
	find /usr/src/nipsec-$(VERSION) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' \
		-o -name '*.mod.c' -o -name '.*.cmd' -o -name modules.order \
		-o -name Module.symvers \) -delete
	-dkms remove -m nipsec -v $(VERSION) --all
	dkms add -m nipsec -v $(VERSION)
	for k in $(DKMS_KERNELS); do \
		dkms build -m nipsec -v $(VERSION) -k $$k && \
		dkms install -m nipsec -v $(VERSION) -k $$k || exit 1; \
	done
	install -D -m 755 tools/nipsec/nipsec $(DESTDIR)$(PREFIX)/sbin/nipsec
	install -D -m 644 tools/nipsec/nipsec.8 $(DESTDIR)$(PREFIX)/share/man/man8/nipsec.8

regen:
	uapi/regen.sh

clean:
	-if [ -f Kbuild ] && [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	-if [ -f tools/Makefile ]; then $(MAKE) -C tools clean; fi
	rm -rf .build

vmtest:
	@$(BENCH) vmtest "$(T)" $(KERNEL)

demo:
	@IKE=$(IKE) $(BENCH) demo

install-test:
	@$(BENCH) installtest

bench: deps
	@if [ -x tools/testing/bench/run.sh ] || [ -f tools/testing/bench/run.sh ]; then \
		JSON="$(JSON)" bash tools/testing/bench/run.sh; \
	else \
		echo "tools/testing/bench/run.sh not present yet"; \
	fi

check:
	@$(BENCH) check

# the packet fuzzer on the debug kernel (FUZZ_PACKETS=1000000, FUZZ_SEED=1,
# FUZZ_SKIP=class,..., FUZZ_TRACE=class,...): tools/testing/fuzz/,
# Documentation/testing.rst
.PHONY: fuzz
fuzz:
	@$(BENCH) fuzz $(if $(filter command line,$(origin KERNEL)),$(KERNEL),debug)

# deliberate defects in module/, one at a time, each against the tests that
# should catch it (M=id,... for some): tools/testing/mutate/mutate.py
.PHONY: mutate
mutate: module tool
	@/usr/bin/python3 tools/testing/mutate/mutate.py $(if $(M),--only $(M))
