# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# The kernels waitgroup is built and tested on, from Debian's own packages.
# Source it after common.sh. Nothing runs on its own.
#
#   line  suite               headers built with   toolchain
#   6.1   bookworm            gcc-12 (the host's)  the host
#   6.12  bookworm-backports  gcc-12               the host (headers unpacked
#                                                  into the cache)
#   7.3   trixie-backports    gcc-14, glibc 2.38   a Debian 13 root made with
#                                                  debootstrap, in the cache
#
# Packages of suites other than the host's are reached through an apt
# configuration of the project's own (sources, lists and archives under
# the cache): apt-get download and apt-cache only, never an install, so
# the host's packages are never upgraded.

# shellcheck disable=SC2034 # used by the scripts that source this
WG_KERNEL_LINES=(6.1 6.12 7.3)
WG_KERNEL_DEFAULT=6.1
WG_DEBIAN_MIRROR=${WG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What the Debian 13 root has: the toolchain of a Debian 13 user who builds
# an out-of-tree module, plus sparse for the build lane.
WG_TRIXIE_PKGS=gcc-14,make,libc6-dev,libelf-dev,bc,kmod,pahole,sparse

wg_kernel_line_valid() {
	local l
	for l in "${WG_KERNEL_LINES[@]}"; do
		[[ $1 == "$l" ]] && return 0
	done
	return 1
}

wg_kernel_suite() {
	case $1 in
	6.1) echo bookworm ;;
	6.12) echo bookworm-backports ;;
	7.3) echo trixie-backports ;;
	*) wg_die "unknown kernel line: $1 (one of ${WG_KERNEL_LINES[*]})" ;;
	esac
}

# Lines whose headers need the Debian 13 root.
wg_kernel_needs_root() {
	[[ $1 == 7.3 ]]
}

# apt-get or apt-cache on the project's own sources.
wg_apt() { # apt-get|apt-cache ARG...
	local dir
	dir=$(wg_cache_dir)/apt
	"$1" -q -o Dir::Etc::sourcelist="$dir/sources.list" \
		-o Dir::Etc::sourceparts=/nonexistent \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o Dir::Cache::Archives="$dir/archives" \
		-o APT::Sandbox::User=root "${@:2}"
}

# Write the project's sources and fetch its lists, once a day at most.
wg_apt_update() {
	local dir keyring=/usr/share/keyrings/debian-archive-keyring.gpg s lock
	dir=$(wg_cache_dir)/apt
	mkdir -p "$dir/lists/partial" "$dir/cache" "$dir/archives/partial"
	exec {lock}>"$dir/.lock"
	flock "$lock"
	{
		for s in bookworm bookworm-backports trixie trixie-backports; do
			echo "deb [signed-by=$keyring] $WG_DEBIAN_MIRROR $s main"
		done
	} >"$dir/sources.list.new"
	if ! cmp -s "$dir/sources.list.new" "$dir/sources.list" ||
		[[ -z $(find "$dir/updated" -mmin -1440 2>/dev/null) ]]; then
		mv "$dir/sources.list.new" "$dir/sources.list"
		wg_warn "apt-get update of the project's own sources ($dir)"
		wg_apt apt-get update >&2 || wg_die "apt-get update of $dir/sources.list failed"
		: >"$dir/updated"
	else
		rm -f "$dir/sources.list.new"
	fi
	exec {lock}>&-
}

# "ABI VERSION" of a line's kernel, e.g. "6.12.95+deb12-amd64 6.12.95-1~bpo12+1":
# what linux-headers-amd64 of the line's suite depends on (for 6.1, of the
# host's own apt, as before).
wg_kernel_abi() { # LINE
	local line=$1 suite ver deps re abi
	if [[ $line == 6.1 ]]; then
		wg_kernel_abi_and_version
		return
	fi
	suite=$(wg_kernel_suite "$line")
	wg_apt_update
	ver=$(wg_apt apt-cache madison linux-headers-amd64 |
		awk -F'|' -v s=" $suite/" 'index($3, s) { gsub(/ /, "", $2); print $2; exit }')
	[[ -n $ver ]] || wg_die "no linux-headers-amd64 in $suite"
	deps=$(wg_apt apt-cache show "linux-headers-amd64=$ver" | sed -n 's/^Depends: //p' | head -n 1)
	re='linux-headers-([0-9][^[:space:],]*-amd64)'
	[[ $deps =~ $re ]] || wg_die "cannot read the kernel ABI from linux-headers-amd64=$ver"
	abi=${BASH_REMATCH[1]}
	[[ $abi == "$line".* ]] ||
		wg_die "$suite's kernel is $abi now, not a $line kernel: update WG_KERNEL_LINES"
	printf '%s %s\n' "$abi" "$ver"
}

# Download PKG=VERSION into DIR with the project's apt.
wg_apt_download() { # DIR PKG...
	local dir=$1
	shift
	(cd "$dir" && wg_apt apt-get download "$@" >&2)
}

# The Debian 13 root with LINE's headers installed; prints its path.
wg_trixie_root() { # ABI
	local abi=$1 cache root lock tmp
	cache=$(wg_cache_dir)
	root=$cache/trixie-$abi
	if [[ -e $root/.done ]]; then
		printf '%s\n' "$root"
		return
	fi
	mkdir -p "$cache"
	exec {lock}>"$cache/.trixie.lock"
	flock "$lock"
	if [[ ! -e $root/.done ]]; then
		command -v debootstrap >/dev/null ||
			wg_die "debootstrap missing (run scripts/install-deps)"
		wg_warn "debootstrap: a Debian 13 root with linux-headers-$abi in $root"
		rm -rf "$root" "$root.tmp"
		debootstrap --variant=minbase --extra-suites=trixie-backports \
			--include="$WG_TRIXIE_PKGS,linux-headers-$abi" \
			trixie "$root.tmp" "$WG_DEBIAN_MIRROR" >&2 ||
			{ tmp=$root.tmp/debootstrap/debootstrap.log
			  [[ ! -f $tmp ]] || tail -n 20 "$tmp" >&2
			  wg_die "debootstrap of the Debian 13 root failed"; }
		rm -rf "$root.tmp/var/cache/apt/archives/"*.deb
		# The headers' Makefile runs scripts/checker-valid.sh before
		# sparse (C=1, C=2), and the package lacks it: without it, kbuild
		# turns sparse off with only a warning. Take it from the source.
		tmp=$(wg_newest_source_files scripts/checker-valid.sh)
		install -m 755 "$tmp/scripts/checker-valid.sh" \
			"$root.tmp/usr/src/linux-headers-$abi/scripts/checker-valid.sh"
		: >"$root.tmp/.done"
		mv "$root.tmp" "$root"
		# Older roots of the same line are no longer used.
		find "$cache" -maxdepth 1 -name 'trixie-*' ! -name "trixie-$abi" \
			-exec rm -rf {} + 2>/dev/null || :
	fi
	exec {lock}>&-
	printf '%s\n' "$root"
}

# A line's headers, unpacked for the host's toolchain; prints the tree.
wg_unpacked_headers() { # ABI VERSION
	local abi=$1 ver=$2 cache dir lock tmp flavour common kbuild deb
	cache=$(wg_cache_dir)/headers
	dir=$cache/$abi
	if [[ ! -e $dir/.done ]]; then
		mkdir -p "$cache"
		exec {lock}>"$cache/.lock"
		flock "$lock"
	fi
	if [[ ! -e $dir/.done ]]; then
		wg_warn "fetching linux-headers-$abi into $cache"
		rm -rf "$dir"
		tmp=$(mktemp -d "$cache/.tmp.XXXXXX")
		flavour=-${abi##*-}
		common=linux-headers-${abi%"$flavour"}-common
		kbuild=linux-kbuild-${abi%"$flavour"}
		wg_apt_download "$tmp" "linux-headers-$abi=$ver" "$common=$ver" "$kbuild=$ver" ||
			wg_die "cannot download the headers of $abi"
		for deb in "$tmp"/*.deb; do
			dpkg-deb -x "$deb" "$tmp/root"
		done
		# The flavour's Makefile includes the common tree by absolute
		# path; make it this copy's. The other links are relative.
		sed -i "s|^include /usr/src/|include $dir/usr/src/|" \
			"$tmp/root/usr/src/linux-headers-$abi/Makefile"
		rm -f "$tmp"/*.deb
		mv "$tmp/root" "$dir"
		rmdir "$tmp"
		: >"$dir/.done"
	fi
	printf '%s\n' "$dir/usr/src/linux-headers-$abi"
}

# A line's kernel image, unpacked once into the cache; prints the path of
# the image to boot (an uncompressed PVH vmlinux when the bzImage has one).
wg_kernel_image() { # LINE
	local line=$1 abi version kdir tmp lock pkg found=
	read -r abi version < <(wg_kernel_abi "$line")
	kdir=$(wg_cache_dir)/kernel/$abi
	if [[ ! -e $kdir/.done ]]; then
		mkdir -p "${kdir%/*}"
		exec {lock}>"${kdir%/*}/.lock"
		flock "$lock"
	fi
	if [[ ! -e $kdir/.done ]]; then
		wg_warn "fetching the $abi kernel image into ${kdir%/*}"
		tmp=$(mktemp -d "${kdir%/*}/.tmp.XXXXXX")
		# linux-image-ABI-unsigned holds the image up to 6.x; on 7.x
		# it is a metapackage and the image is in linux-binary-unsigned-ABI.
		for pkg in "linux-image-$abi-unsigned" "linux-binary-unsigned-$abi"; do
			if [[ $line == 6.1 ]]; then
				wg_host_download "$tmp" "$pkg" "$version" 2>/dev/null || continue
			else
				wg_apt_download "$tmp" "$pkg=$version" 2>/dev/null || continue
			fi
			dpkg-deb -x "$tmp/${pkg}_"*.deb "$tmp/root"
			for found in "$tmp/root/boot/vmlinuz-$abi" "$tmp/root/usr/lib/modules/$abi/vmlinuz" \
				"$tmp/root/usr/lib/modules/$abi/vmlinuz.unsigned" ""; do
				[[ -z $found || -f $found ]] && break
			done
			[[ -z $found ]] || break
		done
		[[ -n $found ]] || wg_die "no kernel image for $abi in linux-image-$abi-unsigned or linux-binary-unsigned-$abi"
		# Only the image is used: the modules (~390 MB) stay out.
		rm -rf "$kdir"
		mkdir -p "$kdir"
		mv "$found" "$kdir/vmlinuz"
		rm -rf "$tmp"
		wg_extract_pvh_vmlinux "$kdir/vmlinuz" "$kdir/vmlinux" ||
			wg_warn "note: no PVH vmlinux in the $abi image; booting the bzImage (slower)"
		: >"$kdir/.done"
	fi
	if [[ -f $kdir/vmlinux ]]; then
		printf '%s\n' "$kdir/vmlinux"
	else
		printf '%s\n' "$kdir/vmlinuz"
	fi
}

# Download PKG (VERSION if it can) with the host's own apt, into DIR.
wg_host_download() { # DIR PKG VERSION
	local dl=(apt-get download -q)
	# As root, apt drops to user _apt, who cannot write to a directory
	# under /root; download as root instead.
	[[ $EUID -ne 0 ]] || dl+=(-o APT::Sandbox::User=root)
	(cd "$1" && { "${dl[@]}" "$2${3:+=$3}" || "${dl[@]}" "$2"; } >&2) && return 0
	wg_warn "apt-get download failed; running apt-get update"
	wg_as_root apt-get update -q >&2
	(cd "$1" && "${dl[@]}" "$2" >&2)
}

# XEN_ELFNOTE_PHYS32_ENTRY (18): qemu -kernel can boot this ELF via PVH.
wg_has_pvh_note() {
	LC_ALL=C readelf -n "$1" 2>/dev/null | grep -q 'Xen.*(0x00000012)'
}

# An uncompressed vmlinux with a PVH entry point boots straight away; a
# bzImage first spends ~3 s inflating itself under TCG. Writes OUT from the
# XZ or zstd payload of bzImage IN; fails if that is not possible.
wg_extract_pvh_vmlinux() { # IN OUT
	local in=$1 out=$2 off magic tool
	for magic in '\xfd7zXZ\x00:xz' '\x28\xb5\x2f\xfd:zstd'; do
		tool=${magic##*:}
		command -v "$tool" >/dev/null || continue
		off=$(LC_ALL=C grep -obUaP -m 1 "${magic%:*}" "$in" | head -n 1 | cut -d: -f1) || continue
		[[ $off =~ ^[0-9]+$ ]] || continue
		# (tail gets SIGPIPE when the decoder stops at the end of its
		# stream, and zstd complains of the trailing bytes: not errors)
		"$tool" -dc < <(tail -c +"$((off + 1))" "$in") >"$out.tmp" 2>/dev/null
		if wg_has_pvh_note "$out.tmp"; then
			mv "$out.tmp" "$out"
			return 0
		fi
	done
	rm -f "$out.tmp"
	return 1
}

# Where a line's module is built: the checkout itself for 6.1 (what a plain
# "make module" builds), build/kernel/LINE for the others.
wg_kernel_moddir() { # LINE
	if [[ $1 == 6.1 ]]; then
		printf '%s\n' "$WG_ROOT"
	else
		printf '%s\n' "$WG_ROOT/build/kernel/$1"
	fi
}

# Debian's linux-source-LINE tarball, downloaded once into the cache (not
# installed); prints "TARBALL VERSION". Its code, docs and selftests are the
# reference for the newest kernel: the debug kernel, checkpatch.pl and the
# ioctl-number table come from it.
wg_linux_source() { # LINE
	local line=$1 suite ver dir lock tmp tarball
	if [[ $line == 6.1 ]]; then
		[[ -f /usr/src/linux-source-6.1.tar.xz ]] ||
			wg_die "no /usr/src/linux-source-6.1.tar.xz (run scripts/install-deps)"
		printf '%s %s\n' /usr/src/linux-source-6.1.tar.xz \
			"$(dpkg-query -W -f='${Version}' linux-source-6.1)"
		return
	fi
	suite=$(wg_kernel_suite "$line")
	wg_apt_update
	ver=$(wg_apt apt-cache madison "linux-source-$line" |
		awk -F'|' -v s=" $suite/" 'index($3, s) { gsub(/ /, "", $2); print $2; exit }')
	[[ -n $ver ]] || wg_die "no linux-source-$line in $suite"
	dir=$(wg_cache_dir)/source
	tarball=$dir/linux-source-${line}_$ver.tar.xz
	if [[ ! -f $tarball ]]; then
		mkdir -p "$dir"
		exec {lock}>"$dir/.lock"
		flock "$lock"
		if [[ ! -f $tarball ]]; then
			wg_warn "fetching linux-source-$line $ver into $dir"
			tmp=$(mktemp -d "$dir/.tmp.XXXXXX")
			wg_apt_download "$tmp" "linux-source-$line=$ver" ||
				wg_die "cannot download linux-source-$line=$ver"
			dpkg-deb --fsys-tarfile "$tmp"/*.deb |
				tar -xf - -C "$tmp" "./usr/src/linux-source-$line.tar.xz"
			mv "$tmp/usr/src/linux-source-$line.tar.xz" "$tarball"
			rm -rf "$tmp"
			# Older versions of the same line are no longer used.
			find "$dir" -maxdepth 1 -name "linux-source-${line}_*.tar.xz" \
				! -name "${tarball##*/}" -delete
		fi
		exec {lock}>&-
	fi
	printf '%s %s\n' "$tarball" "$ver"
}

# Files of the newest line's linux-source (checkpatch.pl, the ioctl-number
# table, ...), extracted once into build/tools/linux-source-VERSION; prints
# that directory.
wg_newest_source_files() { # PATH-IN-TREE...
	local tarball ver top dir f missing=()
	read -r tarball ver < <(wg_linux_source "${WG_KERNEL_LINES[-1]}")
	[[ -n ${tarball:-} ]] || wg_die "no linux-source for ${WG_KERNEL_LINES[-1]}"
	dir=$WG_ROOT/build/tools/linux-source-$ver
	for f in "$@"; do
		[[ -e $dir/$f ]] || missing+=("$f")
	done
	if [[ ${#missing[@]} -gt 0 ]]; then
		top=linux-source-${WG_KERNEL_LINES[-1]}
		mkdir -p "$dir"
		tar -xJf "$tarball" -C "$dir" --strip-components=1 "${missing[@]/#/$top/}" ||
			wg_die "cannot extract ${missing[*]} from $tarball"
	fi
	printf '%s\n' "$dir"
}
