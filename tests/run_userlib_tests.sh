#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the libwaitgroup and waitgroup(1) tests (inside the test VM, as root).
# Each prints TAP and a kselftest "# Totals:" line that scripts/check sums.
# With WG_PKGCONFIG_PROG=PATH (a program built against a DESTDIR install
# with pkg-config) and WG_PKGCONFIG_LIBDIR=DIR (that install's libdir), it
# also runs that program against the installed library and counts it.
# Exits nonzero if anything failed.

status=0
for t in wg-lib-test wg-cmd-test; do
	echo "# ==== $t ===="
	"$t"
	rc=$?
	echo "# ==== $t exit $rc ===="
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ] || status=1
done

if [ -n "${WG_PKGCONFIG_PROG:-}" ]; then
	echo "# ==== pkg-config program ===="
	out=$(LD_LIBRARY_PATH=$WG_PKGCONFIG_LIBDIR "$WG_PKGCONFIG_PROG" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	# It must have run, and loaded the installed copy of the library.
	if [ "$rc" -eq 0 ] && echo "$out" | grep -qF "library: $WG_PKGCONFIG_LIBDIR/"; then
		echo "ok 1 program built with pkg-config runs against the installed library"
		echo "# Totals: pass:1 fail:0 xfail:0 xpass:0 skip:0 error:0"
	else
		echo "not ok 1 program built with pkg-config runs against the installed library"
		echo "# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
		status=1
	fi
fi
exit $status
