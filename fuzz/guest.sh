#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the VM for fuzz/run: the fuzzer, then rmmod waitgroup (which
# must succeed once the fuzzer is gone), then a kmemleak scan if the kernel
# has kmemleak. Arguments go to wg-fuzz.
status=0
wg-fuzz "$@" || status=1
# A worker's last files may still be on their way out (deferred fput).
for _ in 1 2 3 4 5; do
	grep -q '^waitgroup ' /proc/modules || break
	rmmod waitgroup 2>/tmp/rmmod.err && break
	sleep 1
done
if grep -q '^waitgroup ' /proc/modules; then
	echo "not ok - rmmod waitgroup after the fuzzer: $(cat /tmp/rmmod.err)"
	grep '^waitgroup ' /proc/modules
	status=1
else
	echo "ok - rmmod waitgroup after the fuzzer"
fi
if [ -e /sys/kernel/debug/kmemleak ]; then
	# kmemleak reports only objects older than 5 s
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	if [ -s /sys/kernel/debug/kmemleak ]; then
		echo "not ok - kmemleak after the fuzzer:"
		head -60 /sys/kernel/debug/kmemleak
		status=1
	else
		echo "ok - kmemleak: no leaks after the fuzzer and rmmod"
	fi
fi
exit $status
