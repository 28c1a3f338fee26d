#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# install-check.sh OUTDIR: "make install DESTDIR=OUTDIR/destdir PREFIX=/usr"
# must give the tree a packager expects; a program built against it with
# pkg-config must link (shared and static) and goes to OUTDIR/wg-pkgconfig-prog
# for the VM to run; the dkms source tree must build against KDIR.
set -u
out=${1:?usage: install-check.sh OUTDIR}
top=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$out"
mkdir -p "$out" && out=$(cd "$out" && pwd) || exit 1
dest=$out/destdir
fail() { echo "install-check: FAIL: $*"; exit 1; }
version=$(cat "$top/VERSION") || fail "no VERSION"

make -s -C "$top" install DESTDIR="$dest" PREFIX=/usr >"$out/install.log" 2>&1 ||
	{ cat "$out/install.log"; fail "make install"; }
echo "make install DESTDIR=$dest PREFIX=/usr: ok"

for f in usr/lib/libwaitgroup.so.$version usr/lib/libwaitgroup.a \
	usr/lib/pkgconfig/libwaitgroup.pc usr/include/waitgroup.h \
	usr/include/linux/waitgroup.h usr/bin/waitgroup \
	usr/share/man/man1/waitgroup.1 usr/share/man/man4/waitgroup.4 \
	usr/share/man/man3/libwaitgroup.3 usr/share/man/man3/wg_spawn.3 \
	usr/share/man/man3/wg_run.3 usr/share/man/man3/wg_go.3 \
	usr/share/man/man3/wg_run_opts.3 usr/share/man/man3/wg_go_opts.3 \
	usr/share/man/man3/wg_wait_all.3 usr/share/man/man3/wg_wait_any.3 \
	usr/share/bash-completion/completions/waitgroup \
	usr/lib/udev/rules.d/60-waitgroup.rules; do
	[ -f "$dest/$f" ] || fail "missing $f"
done
[ "$(readlink "$dest/usr/lib/libwaitgroup.so.1")" = libwaitgroup.so.$version ] || fail "libwaitgroup.so.1 link"
[ "$(readlink "$dest/usr/lib/libwaitgroup.so")" = libwaitgroup.so.1 ] || fail "libwaitgroup.so link"
soname=$(objdump -p "$dest/usr/lib/libwaitgroup.so.$version" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = libwaitgroup.so.1 ] || fail "soname is '$soname'"
# (LIBWAITGROUP_1.0): a non-default version, the 1.0 wg_wait and wg_info.
exported=$(objdump -T "$dest/usr/lib/libwaitgroup.so.$version" |
	awk '/ wg_/ { v = $(NF-1); gsub(/[()]/, "", v); print v }' | sort -u)
[ "$exported" = "$(printf 'LIBWAITGROUP_1.0\nLIBWAITGROUP_1.1\nLIBWAITGROUP_1.2\nLIBWAITGROUP_1.3\nLIBWAITGROUP_1.4')" ] || fail "symbol versions: $exported"
objdump -T "$dest/usr/lib/libwaitgroup.so.$version" | grep -q 'LIBWAITGROUP_1\.1 *wg_list$' || fail "wg_list is not in LIBWAITGROUP_1.1"
for f in wg_go wg_go_opts wg_run_opts wg_spawn_opts wg_wait_all wg_wait_any; do
	objdump -T "$dest/usr/lib/libwaitgroup.so.$version" | grep -Eq "LIBWAITGROUP_1\.2\)? *$f\$" || fail "$f is not in LIBWAITGROUP_1.2"
done
for f in wg_wait_call wg_wait wg_wait_timeout wg_trywait wg_wait_flags wg_wait_all wg_wait_any; do
	objdump -T "$dest/usr/lib/libwaitgroup.so.$version" | grep -Eq "LIBWAITGROUP_1\.3\)? *$f\$" || fail "$f is not in LIBWAITGROUP_1.3"
done
for f in wg_totals wg_info wg_wait wg_wait_timeout wg_trywait wg_wait_flags wg_wait_all wg_wait_any; do
	objdump -T "$dest/usr/lib/libwaitgroup.so.$version" | grep -q "LIBWAITGROUP_1\.4 *$f\$" || fail "$f is not in LIBWAITGROUP_1.4"
done
objdump -T "$dest/usr/lib/libwaitgroup.so.$version" | awk '$4 == ".text" && $NF !~ /^wg_/ { bad = 1; print } END { exit bad }' ||
	fail "symbols outside wg_ exported"
grep -q 'MODE="0666"' "$dest/usr/lib/udev/rules.d/60-waitgroup.rules" || fail "udev rule mode"
[ -x "$dest/usr/bin/waitgroup" ] || fail "waitgroup not executable"
readelf -d "$dest/usr/bin/waitgroup" | grep -qE 'RPATH|RUNPATH' && fail "installed waitgroup has an rpath"
# The build tree's command finds build/lib through its own rpath.
env -u LD_LIBRARY_PATH "$top/build/bin/waitgroup" --version >/dev/null ||
	fail "build/bin/waitgroup does not run from the build tree"
find "$dest" -name '*.o' | grep -q . && fail "object files installed"
echo "tree: library with soname links, static library, headers, pkg-config, command, man pages, completion, udev rule: ok"

# The Python package, where Debian's python3 looks for a distribution's
# packages (a sys.path entry of /usr/bin/python3), imports from there.
pydir=usr/lib/python3/dist-packages
for f in __init__.py _abi.py _group.py _spawn.py errors.py py.typed; do
	[ -f "$dest/$pydir/waitgroup/$f" ] || fail "missing $pydir/waitgroup/$f"
done
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 -c 'import sys; sys.exit("/'"$pydir"'" not in sys.path)' ||
		fail "/$pydir is not on /usr/bin/python3's path"
	PYTHONPATH=$dest/$pydir /usr/bin/python3 -B -c 'import sys, waitgroup
sys.exit(not (waitgroup.__file__.startswith(sys.argv[1]) and waitgroup.__version__ == sys.argv[2]))' \
		"$dest/$pydir/waitgroup/" "$version" || fail "the installed waitgroup package does not import, or is not $version"
fi
echo "python package in /$pydir, on python3's path, imports: ok"

export PKG_CONFIG_PATH="" PKG_CONFIG_LIBDIR="$dest/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
flags=$(pkg-config --cflags --libs libwaitgroup) || fail "pkg-config libwaitgroup"
[ "$(pkg-config --modversion libwaitgroup)" = "$version" ] || fail "pkg-config version"
echo "pkg-config --cflags --libs libwaitgroup: $flags"
# shellcheck disable=SC2086 # flags are words
cc -Wall -Wextra -Werror -o "$out/wg-pkgconfig-prog" "$top/tests/pkgconfig_prog.c" $flags -ldl ||
	fail "building against the installed library"
readelf -d "$out/wg-pkgconfig-prog" | grep -q 'NEEDED.*libwaitgroup.so.1' || fail "program does not need libwaitgroup.so.1"
# shellcheck disable=SC2046 # flags are words
cc -Wall -Wextra -Werror -o "$out/wg-pkgconfig-static" "$top/tests/pkgconfig_prog.c" \
	$(pkg-config --cflags libwaitgroup) "$dest/usr/lib/libwaitgroup.a" -ldl ||
	fail "linking the static library"
readelf -d "$out/wg-pkgconfig-static" | grep -q 'NEEDED.*libwaitgroup' && fail "static program needs the shared library"
echo "program built with pkg-config (shared) and against libwaitgroup.a: ok"

make -s -C "$top" install-dkms DESTDIR="$dest" >>"$out/install.log" 2>&1 || fail "make install-dkms"
src=$dest/usr/src/waitgroup-$version
[ -f "$src/dkms.conf" ] || fail "no dkms.conf in $src"
grep -q "^PACKAGE_VERSION=\"$version\"$" "$src/dkms.conf" || fail "dkms.conf's version is not $version"
[ "$(cat "$src/VERSION")" = "$version" ] || fail "no VERSION in the dkms tree"
kdir=$(make -s -C "$top" --no-print-directory -f Makefile -p 2>/dev/null | awk -F' = ' '$1 == "KDIR" { print $2; exit }')
if [ -n "$kdir" ] && [ -d "$kdir" ]; then
	make -s -C "$kdir" M="$src" modules >"$out/dkms-build.log" 2>&1 ||
		{ tail -n 20 "$out/dkms-build.log"; fail "dkms source tree does not build"; }
	[ -f "$src/kmod/waitgroup.ko" ] || fail "dkms build made no kmod/waitgroup.ko"
	[ "$(modinfo -F version "$src/kmod/waitgroup.ko")" = "$version" ] ||
		fail "the dkms-built module's version is not $version"
	echo "dkms source tree builds waitgroup.ko against $kdir: ok"
	rm -rf "$dest/usr/src"
fi
echo "install-check: PASS"
