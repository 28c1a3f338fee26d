# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2034 # status: read by the scripts that source this
# The guest side of the test lanes: sourced (busybox sh) by
# scripts/debug-lane-guest and fuzz/guest.sh, which --add it to the VM.
# Defines functions and counters; nothing runs on its own.
#
#   ok MSG / not_ok MSG   a TAP line, counted; not_ok sets status=1
#   lane_totals           the kselftest "# Totals:" line of those counts
#   lane_rmmod            unload waitgroup once its last user has gone
#   lane_kmemleak WHAT    fail on any leak kmemleak reports (77: no kmemleak)

status=0 passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); status=1; }

lane_totals() {
	echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:0 error:0"
}

# A process's last files may still be on their way out (deferred fput)
# when it has been reaped: wait, 10 s at most, for the module's reference
# count to drop to 0, then rmmod, which must succeed.
lane_rmmod() { # what: what ran before, for the message
	i=0
	while [ "$(cat /sys/module/waitgroup/refcnt 2>/dev/null)" != 0 ] && [ $i -lt 1000 ]; do
		usleep 10000
		i=$((i + 1))
	done
	if rmmod waitgroup 2>/tmp/rmmod.err; then
		ok "rmmod waitgroup after $1"
	else
		not_ok "rmmod waitgroup after $1: $(cat /tmp/rmmod.err)" \
			"(refcnt $(cat /sys/module/waitgroup/refcnt 2>/dev/null))"
		return 1
	fi
}

# kmemleak reports an object once it is older than 5 s and was found
# unreferenced by two scans. Its file always has size 0 (test -s says
# nothing), so read it.
lane_kmemleak() { # what
	[ -e /sys/kernel/debug/kmemleak ] || return 77
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	echo scan >/sys/kernel/debug/kmemleak
	if grep -q '^unreferenced object' /sys/kernel/debug/kmemleak; then
		not_ok "kmemleak found leaks after $1:"
		head -n 60 /sys/kernel/debug/kmemleak
		return 1
	fi
	ok "kmemleak: no leaks after $1"
}
