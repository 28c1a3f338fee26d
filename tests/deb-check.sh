#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb-check.sh: the Debian packages, end to end, on this host (root).
#
# Builds them (make deb), runs lintian, installs the four with apt-get and
# Debian's dkms, which must build and install the module for the 6.1
# headers (linux-headers-amd64) and the 6.12 ones (scripts/kernel's
# unpacked copy, shown to dkms as /lib/modules/ABI/build for the test),
# and skip an unsupported kernel without failing its hooks; checks where
# the files landed; builds kmod/samples/waitgroup_sample.c as an outside
# module would, from the installed header and Module.symvers only; then
# purges everything and puts the host back as it was (also on failure or
# interruption). Nothing is loaded: this host cannot load modules.
#
# Output: "ok N - ..." / "not ok N - ..." lines and a kselftest totals line;
# exit 0 only if all passed, 4 (skip) if not root. Logs: build/deb-check/.

# The checks are sh -c scripts that take their values as arguments.
# shellcheck disable=SC2016
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
log_dir=$top/build/deb-check
pkgs=(waitgroup-dkms libwaitgroup1 libwaitgroup-dev waitgroup)
arch=$(uname -m)
pass=0 fail=0 n=0

if [[ $(id -u) -ne 0 ]]; then
	echo "ok 1 - deb-check # SKIP needs root (apt-get, dkms)"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 4
fi

rm -rf "$log_dir"
mkdir -p "$log_dir"
tmp=$(mktemp -d /tmp/wg-deb-check.XXXXXX)
log=$log_dir/deb-check.log
: >"$log"

ok() { n=$((n + 1)) pass=$((pass + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)) fail=$((fail + 1)); echo "not ok $n - $*"; }
# check DESCRIPTION COMMAND...: one test line; the output goes to the log.
check() {
	local desc=$1
	shift
	echo "=== $desc: $*" >>"$log"
	if "$@" >>"$log" 2>&1; then ok "$desc"; else not_ok "$desc (see $log)"; fi
}
note() { printf '# %s\n' "$@"; }

# --- what the host looks like before, to put it back afterwards ----------

# The trees dkms, depmod and this test write to; whatever appears there
# goes again at the end.
state_dirs=(/lib/modules /var/lib/dkms /usr/src)
snapshot() { # FILE: installed packages and every path under state_dirs
	{
		dpkg-query -W -f='${db:Status-Status} ${Package}:${Architecture}\n' |
			awk '$1 == "installed" { print "pkg " $2 }'
		find "${state_dirs[@]}" -mindepth 1 \( -path /usr/src/linux-headers-\* -prune \) -o -printf 'path %p\n' 2>/dev/null
	} | sort >"$1"
}
snapshot "$tmp/before"

k61=$("$top/scripts/kernel" 6.1 abi 2>>"$log" | cut -d' ' -f1)
k12=$("$top/scripts/kernel" 6.12 abi 2>>"$log" | cut -d' ' -f1)
k12dir=$("$top/scripts/kernel" 6.12 kdir 2>>"$log")
# A kernel the module does not support, with a headers tree that is only
# enough for dkms's "are the headers there" test.
kold=5.10.0-0-wgtest-amd64
version=$(cat "$top/VERSION")
made=() # directories this test created under /lib/modules

restore() {
	local d
	[[ -n ${restored:-} ]] && return
	restored=1
	echo "=== restore" >>"$log"
	installed=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${pkgs[@]}" 2>/dev/null |
		awk '$1 != "not-installed" { print $2 }')
	if [[ -n $installed ]]; then
		# shellcheck disable=SC2086 # package names are words
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $installed >>"$log" 2>&1
	fi
	for d in "${made[@]}"; do
		rm -rf "$d"
	done
	# Packages apt pulled in for ours, and the files dkms and depmod left
	# (signing key, modules.dep of kernels that had none, ...).
	snapshot "$tmp/after"
	new_pkgs=$(comm -13 "$tmp/before" "$tmp/after" | sed -n 's/^pkg //p')
	if [[ -n $new_pkgs ]]; then
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q $new_pkgs >>"$log" 2>&1
	fi
	snapshot "$tmp/after"
	comm -13 "$tmp/before" "$tmp/after" | sed -n 's/^path //p' | sort -r |
		while read -r d; do
			if [[ -d $d && ! -L $d ]]; then rmdir "$d"; else rm -f "$d"; fi
		done >>"$log" 2>&1
	snapshot "$tmp/after"
	rm -rf "$tmp/sample" "$tmp/destdir" "$tmp/oldhdr"
}
trap 'restore; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# --- build and lint --------------------------------------------------------

busy=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "${pkgs[@]}" 2>/dev/null |
	awk '$1 != "not-installed" { print $2 }')
if [[ -n $busy || -e /var/lib/dkms/waitgroup || -e /usr/src/waitgroup-$version ]]; then
	not_ok "host has no waitgroup package or dkms tree yet (found: ${busy:-/var/lib/dkms/waitgroup or /usr/src/waitgroup-$version}; purge them first)"
	trap - EXIT
	rm -rf "$tmp"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
	exit 1
fi
ok "host has no waitgroup package or dkms tree yet"

check "make deb builds the four packages into build/deb/" \
	sh -c 'make -C "$1" deb >"$2/make-deb.log" 2>&1 || { tail -n 30 "$2/make-deb.log"; exit 1; }
	       for p in waitgroup-dkms_$3_all libwaitgroup1_$3_$4 libwaitgroup-dev_$3_$4 waitgroup_$3_$4; do
		       [ -f "$1/build/deb/$p.deb" ] || { echo "no $p.deb"; exit 1; }
	       done' sh "$top" "$log_dir" "$version" "$(dpkg --print-architecture)"
deb_dir=$top/build/deb
changes=$deb_dir/waitgroup_${version}_$(dpkg --print-architecture).changes

# lintian refuses nothing as root but says it should not be; run it as
# nobody when nobody can read the packages.
# shellcheck disable=SC2054 # --fail-on takes a comma-separated list
lint=(lintian -I --pedantic --fail-on error,warning,info,pedantic "$changes")
if setpriv --reuid=nobody --regid=nogroup --clear-groups test -r "$changes" 2>/dev/null; then
	lint=(setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$tmp" TMPDIR="$tmp" "${lint[@]}")
	chmod 1777 "$tmp"
fi
if "${lint[@]}" >"$log_dir/lintian.log" 2>&1; then
	ok "lintian -I --pedantic: no tag but the overridden ones"
else
	not_ok "lintian -I --pedantic: no tag but the overridden ones"
	sed 's/^/# /' "$log_dir/lintian.log"
fi
chmod 0700 "$tmp"
# (--show-overrides would make --fail-on count the overridden tags too)
grep -h '^[a-z]' "$top"/debian/*.lintian-overrides | sed 's/^/# lintian override: /'

# The symbols file and the version script (with wg.c's .symver defaults)
# must list the same symbols
# (the build's dpkg-gensymbols -c4 compares the file with the library).
check "debian/libwaitgroup1.symbols lists exactly userlib/libwaitgroup.map's symbols" \
	cmp <(sed -n 's/^ \([a-z_][a-z0-9_]*\)@\(LIBWAITGROUP_[0-9.]*\) .*/\2 \1/p' "$top/debian/libwaitgroup1.symbols" | sort) \
	<({ awk '/^LIBWAITGROUP_[0-9.]+ *\{/ { node = $1 } /^[ \t]+[a-z_][a-z0-9_]*;/ { s = $1; sub(/;/, "", s); print node, s }' \
		"$top/userlib/libwaitgroup.map"
		# The versions that wg.c binds with .symver, beside the map's.
		sed -n 's/^WG_DEFAULT(\([a-z_0-9]*\), v[0-9]*, \(LIBWAITGROUP_[0-9.]*\));$/\2 \1/p' "$top/userlib/wg.c"
		sed -n 's/^WG_COMPAT([a-z_0-9]*, \([a-z_0-9]*\), \(LIBWAITGROUP_[0-9.]*\));$/\2 \1/p' "$top/userlib/wg.c"; } | sort -u)

# Every license and exception an SPDX line (line 1 or 2 of a file, as in
# the kernel) names has its text in LICENSES/, in the kernel's layout.
spdx_ids_have_licenses() {
	local ids id
	ids=$(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 awk 'FNR <= 2 && sub(/.*SPDX-License-Identifier: /, "") {
			sub(/ *\*\/.*/, ""); gsub(/[()]/, ""); print }' 2>/dev/null |
		tr ' ' '\n' | grep -vx 'OR\|AND\|WITH' | sort -u)
	[[ -n $ids ]] || return 1
	echo "identifiers: ${ids//$'\n'/ }"
	for id in $ids; do
		grep -qx "\(Valid-License\|SPDX-Exception\)-Identifier: $id" "$top"/LICENSES/*/* ||
			{ echo "no LICENSES/ file for $id"; return 1; }
	done
}
check "every SPDX identifier in the tree has its LICENSES/ file" spdx_ids_have_licenses

# make install and make uninstall, in the copy make deb exported (the
# checkout's build/ may be in use): nothing may be left but directories.
check "make uninstall removes all that make install DESTDIR=... PREFIX=/usr INSTALL_MODULE=1 put" \
	sh -c 'make -s -C "$1" install DESTDIR="$2" PREFIX=/usr INSTALL_MODULE=1 &&
	       [ -x "$2/usr/bin/waitgroup" ] && find "$2/lib/modules" -name waitgroup.ko | grep . &&
	       make -s -C "$1" uninstall DESTDIR="$2" PREFIX=/usr INSTALL_MODULE=1 &&
	       left=$(find "$2" ! -type d) && [ -z "$left" ] || { echo "left: $left"; exit 1; }' \
	sh "$deb_dir/src" "$tmp/destdir"

# --- install ---------------------------------------------------------------

# 6.12: the unpacked headers, where dkms and its postinst look for them.
if [[ -n $k12 && -d $k12dir ]]; then
	if [[ ! -e /lib/modules/$k12 ]]; then
		mkdir -p "/lib/modules/$k12" && made+=("/lib/modules/$k12")
	fi
	if [[ ! -e /lib/modules/$k12/build ]]; then
		ln -s "$k12dir" "/lib/modules/$k12/build" && made+=("/lib/modules/$k12/build")
	fi
fi
mkdir -p "$tmp/oldhdr/include" "/lib/modules/$kold" && made+=("/lib/modules/$kold")
ln -s "$tmp/oldhdr" "/lib/modules/$kold/build"
note "kernels: $k61 ($(readlink "/lib/modules/$k61/build")), $k12 ($k12dir), $kold (unsupported, empty headers)"

debs=()
for p in "${pkgs[@]}"; do
	a=$(dpkg --print-architecture)
	[[ $p != *-dkms ]] || a=all
	debs+=("$deb_dir/${p}_${version}_$a.deb")
done
start=$SECONDS
check "apt-get install of the four .debs (dkms builds for every kernel with headers)" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${debs[@]}"
note "install took $((SECONDS - start)) s"

status=$(dkms status -m waitgroup 2>>"$log")
printf '%s\n' "$status" | sed 's/^/# dkms status: /'
for k in "$k61" "$k12"; do
	check "dkms status: waitgroup/$version, $k, $arch: installed" \
		grep -qx "waitgroup/$version, $k, $arch: installed" <<<"$status"
	check "waitgroup.ko for $k in updates/dkms, vermagic $k, in modules.dep" \
		sh -c 'ko=/lib/modules/$1/updates/dkms/waitgroup.ko &&
		       modinfo -F vermagic "$ko" | grep -q "^$1 " &&
		       grep -q "^updates/dkms/waitgroup.ko:" "/lib/modules/$1/modules.dep"' sh "$k"
	check "Module.symvers for $k kept in /var/lib/dkms/waitgroup/kernel-$k-$arch/" \
		grep -q "[[:space:]]waitgroup_add[[:space:]].*[[:space:]]WAITGROUP$" \
		"/var/lib/dkms/waitgroup/kernel-$k-$arch/Module.symvers"
done
check "$kold (unsupported) skipped: not built, and its kernel hooks succeed" \
	sh -c '! dkms status -m waitgroup -k "$1" | grep -F "$1" &&
	       /etc/kernel/header_postinst.d/dkms "$1" && /etc/kernel/postinst.d/dkms "$1" &&
	       ! dkms status -m waitgroup -k "$1" | grep -F "$1"' sh "$kold"
check "autoinstall for the running kernel ($(uname -r), no headers) succeeds" \
	/usr/lib/dkms/dkms_autoinstaller start

# --- the files -------------------------------------------------------------

check "/usr/lib/modules-load.d/waitgroup.conf loads waitgroup at boot" \
	grep -qx waitgroup /usr/lib/modules-load.d/waitgroup.conf
check "udev rule /lib/udev/rules.d/60-waitgroup.rules (mode 0666)" \
	grep -q 'KERNEL=="waitgroup".*MODE="0666"' /lib/udev/rules.d/60-waitgroup.rules
check "libwaitgroup.so.1 in ld.so's cache, soname libwaitgroup.so.1" \
	sh -c 'lib=$(ldconfig -p | awk "/libwaitgroup\.so\.1 / { print \$NF; exit }") && [ -n "$lib" ] &&
	       objdump -p "$lib" | grep -q "SONAME *libwaitgroup\.so\.1$"'
check "waitgroup --version says $version" \
	sh -c '[ "$(waitgroup --version)" = "waitgroup $1" ]' sh "$version"
check "pkg-config libwaitgroup $version; a program builds and links with it" \
	sh -c '[ "$(pkg-config --modversion libwaitgroup)" = "$2" ] &&
	       cc -Wall -Wextra -Werror -o "$3/pkgconfig-prog" "$1/tests/pkgconfig_prog.c" \
		       $(pkg-config --cflags --libs libwaitgroup) -ldl &&
	       readelf -d "$3/pkgconfig-prog" | grep -q "NEEDED.*libwaitgroup\.so\.1"' \
	sh "$top" "$version" "$tmp"
check "man pages: waitgroup(1), waitgroup(4), libwaitgroup(3), wg_create(3), wg_done(3)" \
	sh -c 'for p in 1/waitgroup 4/waitgroup 3/libwaitgroup 3/wg_create 3/wg_done; do
		       man -w "${p%%/*}" "${p#*/}" || exit 1
	       done'
check "bash completion for waitgroup" \
	test -s /usr/share/bash-completion/completions/waitgroup

# --- an outside module against the installed kernel API --------------------

# Only installed paths: the header under /usr/src/waitgroup-VERSION and the
# Module.symvers dkms's build left for this kernel
# (Documentation/core-api/waitgroup.rst).
mkdir -p "$tmp/sample"
cp "$top/kmod/samples/waitgroup_sample.c" "$tmp/sample/"
cat >"$tmp/sample/Kbuild" <<EOF
obj-m += waitgroup_sample.o
WAITGROUP := /usr/src/waitgroup-$version
# <linux/waitgroup.h> alone: it spells the symbol namespace for any kernel.
ccflags-y += -I\$(WAITGROUP)/kmod/include
KBUILD_EXTRA_SYMBOLS := /var/lib/dkms/waitgroup/kernel-\$(KERNELRELEASE)-$arch/Module.symvers
EOF
check "the sample module builds against the installed header and Module.symvers ($k61)" \
	sh -c 'make -C "/lib/modules/$1/build" M="$2" modules >"$3/sample-build.log" 2>&1 &&
	       ! grep -i "warning" "$3/sample-build.log" && [ -f "$2/waitgroup_sample.ko" ] ||
	       { cat "$3/sample-build.log"; exit 1; }' sh "$k61" "$tmp/sample" "$log_dir"
# With MODVERSIONS the sample must carry the CRCs of this kernel's build.
check "the sample's waitgroup_* CRCs are those of the installed module ($k61)" \
	bash -c 'want=$(awk "\$2 ~ /^waitgroup_/ { print \$1, \$2 }" "/var/lib/dkms/waitgroup/kernel-$1-$3/Module.symvers" | sort)
	       got=$(modprobe --dump-modversions "$2/waitgroup_sample.ko" | awk "\$2 ~ /^waitgroup_/ { print \$1, \$2 }" | sort)
	       [ -n "$got" ] && [ -z "$(comm -13 <(echo "$want") <(echo "$got"))" ] ||
	       { echo "want: $want"; echo "got: $got"; exit 1; }' bash "$k61" "$tmp/sample" "$arch"

# An upgrade is a prerm "upgrade" (dkms remove --all) and a new postinst.
check "reinstalling waitgroup-dkms rebuilds it for $k61 and $k12" \
	sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall "$1" &&
	       s=$(dkms status -m waitgroup) && echo "$s" &&
	       echo "$s" | grep -qx "waitgroup/$2, $3, $5: installed" &&
	       echo "$s" | grep -qx "waitgroup/$2, $4, $5: installed"' \
	sh "${debs[0]}" "$version" "$k61" "$k12" "$arch"

# --- purge and restore -----------------------------------------------------

check "apt-get purge of the four packages" \
	env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "${pkgs[@]}"
check "nothing of waitgroup left: dkms tree, /usr/src, modules, modules-load.d, udev rule" \
	sh -c '! dkms status -m waitgroup | grep -q . && [ ! -e /var/lib/dkms/waitgroup ] &&
	       [ ! -e "/usr/src/waitgroup-$1" ] && [ ! -e /usr/lib/modules-load.d/waitgroup.conf ] &&
	       [ ! -e /lib/udev/rules.d/60-waitgroup.rules ] &&
	       ! find /lib/modules -name "waitgroup*.ko*" | grep .' sh "$version"
restore
check "host restored: the same packages, and nothing new in ${state_dirs[*]}" \
	sh -c 'diff "$1" "$2"' sh "$tmp/before" "$tmp/after"

note "deb-check took $SECONDS s"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[[ $fail -eq 0 ]]
