# SPDX-License-Identifier: GPL-2.0
#
# waitgroup: make builds everything, make check runs every test lane.
#
#   make                 module (against Debian's headers), library, tools, tests
#   make check           build lane (W=1 -Werror, sparse, checkpatch, spin model) + vm lane
#                        on every kernel + debug lane; ends with "N passed, N failed"
#   make model           the protocol's spin model, coverage and mutations (model/README.md)
#   make module KERNEL=6.12   the module for one of Debian's kernels
#                        (6.1, 6.12, 7.3: scripts/kernel), in build/kernel/6.12
#   make KDIR=/lib/modules/$(uname -r)/build   build for a real host

KABI	?= $(shell scripts/kernel-abi 2>/dev/null)
KDIR	?= $(if $(KABI),/usr/src/linux-headers-$(KABI),/lib/modules/$(shell uname -r)/build)
BUILD	:= $(CURDIR)/build
KMAKE	= $(MAKE) -C $(KDIR) M=$(CURDIR) W=1 KCFLAGS=-Werror

export KDIR BUILD

# KDIR's release as the kernel reports it (uname -r, the modules directory's
# name): UTS_RELEASE, not kernel.release, which is 6.1.192 in Debian's 6.1
# headers while uname -r says 6.1.0-57-amd64.
WG_KRELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h 2>/dev/null)

.PHONY: all module selftests check clean deps sparse checkpatch
.PHONY: userlib install install-dkms demo man-check fuzz fuzz-build bench bench-build
.PHONY: go-build
.PHONY: model

all: module selftests userlib bench-build fuzz-build

deps:
	scripts/install-deps

# KERNEL=6.1|6.12|7.3: build for that Debian kernel, with its toolchain.
ifdef KERNEL
module:
	scripts/kernel $(KERNEL) module

sparse:
	scripts/kernel $(KERNEL) module C=2 CHECK="sparse -Wsparse-error"
else
module:
	$(KMAKE) modules

sparse:
	$(KMAKE) C=2 CHECK="sparse -Wsparse-error" modules
endif

checkpatch:
	scripts/checkpatch-tree

# The Promela model of the protocol, checked exhaustively with spin, and
# its mutations, each of which spin must catch (model/README.md).
model:
	scripts/check-model verify
	scripts/check-model cover
	scripts/check-model mutations

selftests:
	$(MAKE) -C selftests

check: deps fuzz-build bench-build
	scripts/check

# libwaitgroup, the waitgroup command and their tests, into build/.
userlib:
	$(MAKE) -C userlib
	$(MAKE) -C tests

# make install [DESTDIR=...] [PREFIX=/usr/local]: library, headers,
# pkg-config file, command, man pages, completion, udev rule, the Python
# package (bindings/python/Makefile says where); the module
# too when KDIR is the running kernel's (and no DESTDIR), or INSTALL_MODULE=1.
install: userlib
	$(MAKE) -C userlib install
	$(MAKE) -C bindings/python install
	@if [ "$(INSTALL_MODULE)" = 1 ] || { [ -z "$(DESTDIR)" ] && \
	    [ "$(WG_KRELEASE)" = "$$(uname -r)" ]; }; then \
		$(MAKE) module && \
		$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install && \
		{ [ -n "$(DESTDIR)" ] || depmod -a; }; \
	else \
		echo "install: module not installed: KDIR is not the running kernel's (INSTALL_MODULE=1 forces it)"; \
	fi

# The module's source under /usr/src for dkms(8) (DESTDIR honoured).
install-dkms:
	$(MAKE) -C userlib install-dkms

# wg-bench (built with -Werror as part of all; never part of check).
bench-build:
	$(MAKE) -C bench

# Benchmarks in two VM boots (2 and 4 vCPUs): build/bench/results.{csv,txt},
# latency.png, throughput.png. Timed figures are reported, never asserted.
bench: module bench-build userlib
	bench/run

# The Go binding: go vet, then its tests as one static binary,
# build/bin/wg-go-test, which the vm lane runs in each kernel's VM
# (wg-go-test -test.v | bindings/go/test2tap counts them). No network.
GO_ENV = CGO_ENABLED=0 GOPROXY=off GOTOOLCHAIN=local GOFLAGS=-mod=mod
go-build:
	mkdir -p $(BUILD)/bin
	cd bindings/go && unformatted=$$(gofmt -l .) && \
		{ [ -z "$$unformatted" ] || { echo "gofmt: $$unformatted" >&2; exit 1; }; } && \
		$(GO_ENV) go vet ./... && \
		$(GO_ENV) go test -c -ldflags="-s -w" -o $(BUILD)/bin/wg-go-test .

# The main job: unrelated processes coordinating through one group, in a VM.
demo: deps module userlib
	scripts/vm-run $(if $(KERNEL),--kernel $(KERNEL)) --add demo/jobs.sh -- sh jobs.sh

# Every man page through groff with all warnings; any warning fails.
man-check:
	tests/man-check.sh man/*.[0-9]

# The fuzzer, build/bin/wg-fuzz (the debug lane runs a short pass of it).
fuzz-build:
	$(MAKE) -C fuzz

# make fuzz [FUZZ_SECONDS=1800] [FUZZ_SEED=S]: a long fuzzer run in the
# debug kernel's VM (KASAN, lockdep, kmemleak) if it is built, else in the
# normal VM; then the module must unload. Prints the ioctls issued.
FUZZ_SECONDS ?= 1800
fuzz: fuzz-build
	fuzz/run --auto --seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	rm -rf $(BUILD)

.PHONY: uninstall deb deb-check

# make uninstall [DESTDIR=...] [PREFIX=/usr/local]: what make install put
# there; the module when KDIR is the running kernel's (and no DESTDIR), or
# INSTALL_MODULE=1.
uninstall:
	$(MAKE) -C userlib uninstall
	$(MAKE) -C bindings/python uninstall
	@if [ "$(INSTALL_MODULE)" = 1 ] || { [ -z "$(DESTDIR)" ] && [ "$(WG_KRELEASE)" = "$$(uname -r)" ]; }; then \
		d="$(DESTDIR)/lib/modules/$(WG_KRELEASE)/extra/kmod" && \
		rm -f "$$d"/waitgroup.ko* "$$d"/waitgroup_kunit.ko* "$$d"/samples/waitgroup_sample.ko* && \
		{ rmdir "$$d/samples" "$$d" 2>/dev/null || :; } && \
		{ [ -n "$(DESTDIR)" ] || depmod -a; }; \
	else \
		echo "uninstall: module not removed: KDIR is not the running kernel's (INSTALL_MODULE=1 forces it)"; \
	fi

# make deb: the Debian packages of debian/ (waitgroup-dkms, libwaitgroup1,
# libwaitgroup-dev, waitgroup), into build/deb/. dpkg-buildpackage runs in
# build/deb/src, a copy of the tree's files (committed or not, as git
# ls-files lists them), never in the checkout: its clean step is its own.
deb:
	rm -rf $(BUILD)/deb
	mkdir -p $(BUILD)/deb/src
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do if [ -e "$$f" ] || [ -L "$$f" ]; then printf "%s\0" "$$f"; fi; done' sh | \
		tar -c --null -T - -f - | tar -x -C $(BUILD)/deb/src -f -
	cd $(BUILD)/deb/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD -u KDIR \
		dpkg-buildpackage -us -uc -b

# The packages built, checked with lintian, installed on this host with
# dkms (6.1 and 6.12 headers), checked, then purged (root; see the script).
deb-check: deps
	tests/deb-check.sh
