# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Shared helpers for scripts/install-deps, scripts/kernel-abi, scripts/vm-run.
# Source it; it defines functions and WG_ROOT, nothing runs on its own.

# shellcheck disable=SC2034 # used by the scripts that source this
WG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Cache outside the checkout: the unpacked Debian kernel, console logs.
wg_cache_dir() {
	printf '%s\n' "${WG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/waitgroup}"
}

wg_die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 1
}

wg_warn() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# Run as root, or through sudo when there is one.
wg_as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		wg_die "need root for: $*"
	fi
}

# "ABI VERSION" of the kernel that linux-headers-amd64 depends on, e.g.
# "6.1.0-56-amd64 6.1.192-2". From dpkg's status when the meta package is
# installed, else from apt's package lists.
wg_kernel_abi_and_version() {
	local deps
	if deps=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null) &&
		[[ -n $deps ]]; then
		:
	else
		deps=$(apt-cache show --no-all-versions linux-headers-amd64 2>/dev/null |
			sed -n 's/^Depends: //p' | head -n 1)
	fi
	local re='linux-headers-([0-9][^[:space:],]*-amd64)([[:space:]]*\(=[[:space:]]*([^)[:space:]]+)\))?'
	if [[ $deps =~ $re ]]; then
		printf '%s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"
	else
		wg_die "cannot find the kernel ABI: linux-headers-amd64 is neither installed nor known to apt (run scripts/install-deps)"
	fi
}
