#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for fuzz/run: the fuzzer, then rmmod waitgroup (which
# must succeed once the fuzzer is gone), then a kmemleak scan if the kernel
# has kmemleak. Arguments go to wg-fuzz.
# shellcheck source=scripts/lib/lane-guest.sh
. ./lane-guest.sh
if wg-fuzz "$@"; then
	ok "wg-fuzz $*"
else
	not_ok "wg-fuzz $*"
fi
lane_rmmod "the fuzzer" && lane_kmemleak "the fuzzer and rmmod"
[ $? = 77 ] && echo "# no kmemleak in this kernel"
lane_totals
exit "$status"
