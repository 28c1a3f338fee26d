#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# man-check PAGE...: render every page with all of man's and groff's
# warnings; any warning, or a .so link to a page that does not exist, fails.
status=0
for page in "$@"; do
	first=$(head -n 1 "$page")
	case $first in
	".so "*)
		target=$(dirname "$page")/$(basename "${first#.so }")
		[ -f "$target" ] || { echo "$page: .so to missing $target"; status=1; }
		continue
		;;
	esac
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=all -l "$page" 2>&1 >/dev/null)
	out2=$(groff -man -ww -z "$page" 2>&1)
	if [ -n "$out$out2" ]; then
		echo "$page:"
		printf '%s\n%s\n' "$out" "$out2" | sed '/^$/d; s/^/  /'
		status=1
	else
		echo "$page: clean"
	fi
done
exit $status
