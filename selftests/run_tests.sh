#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every waitgroup selftest (inside the test VM, as root), in the
# order of wg-selftests.programs, the list installed beside this script
# (selftests/programs). Each harness binary prints its own TAP and
# "# Totals:" line; the exit status is nonzero if any program failed.

dir=$(dirname "$(readlink -f "$0")")
list=$dir/wg-selftests.programs
status=0

if [ ! -r "$list" ]; then
	echo "not ok wg-selftests # missing $list"
	exit 1
fi

for t in $(sed -e 's/#.*//' "$list"); do
	if [ -x "$dir/$t" ]; then
		bin="$dir/$t"
	elif command -v "$t" >/dev/null 2>&1; then
		bin=$(command -v "$t")
	else
		echo "not ok $t # missing"
		status=1
		continue
	fi
	echo "# ==== $t ===="
	"$bin"
	rc=$?
	echo "# ==== $t exit $rc ===="
	# 4 is kselftest's SKIP (no /dev/waitgroup): not a failure.
	[ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] || status=1
done

exit $status
