#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run every waitgroup selftest in order (inside the test VM, as root).
# Each harness binary prints its own TAP and "# Totals:" line; the exit
# status is nonzero if any program failed. wg_module_test unloads and
# reloads the module, so it runs last.

dir=$(dirname "$(readlink -f "$0")")
status=0

for t in wg_abi_smoke waitgroup_test wg_wait_test wg_proc_test wg_ns_test wg_robust_test wg_limits_test wg_list_test wg_registry_test wg_sample_test wg_module_test; do
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
