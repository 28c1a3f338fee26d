#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tests of the waitgroup(1) command, for busybox sh inside the test VM (as
# root, with users wgtest 1000 present). Each case asserts exit statuses and
# outputs; processes synchronise through FIFOs or the group's own state,
# never a sleep. Prints TAP and a kselftest "# Totals:" line; exits 0 pass,
# 1 fail, 77 skip (no /dev/waitgroup).

# shellcheck disable=SC1010,SC2016 # "done" is a waitgroup verb; $ in single quotes is for the inner sh
WG=${WG:-waitgroup}
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
N=cmdtest.$$
pass=0 fail=0 skip=0 n=0

# run CMD...: run it, keeping its status in $st, its output in $T/out, $T/err.
run() {
	"$@" >"$T/out" 2>"$T/err"
	st=$?
}

say() { echo "# $*"; }

dump() {
	sed 's/^/#   stdout: /' "$T/out"
	sed 's/^/#   stderr: /' "$T/err"
}

want_status() {
	[ "$st" -eq "$1" ] && return 0
	say "expected status $1, got $st"
	dump
	return 1
}

# want_err TEXT / want_out TEXT: fixed text present.
want_err() {
	grep -qF -- "$1" "$T/err" && return 0
	say "stderr lacks: $1"
	dump
	return 1
}

want_out() {
	grep -qF -- "$1" "$T/out" && return 0
	say "stdout lacks: $1"
	dump
	return 1
}

want_quiet() {
	[ ! -s "$T/out" ] && [ ! -s "$T/err" ] && return 0
	say "expected no output"
	dump
	return 1
}

# A fresh group name per case.
g() { echo "$N.$n"; }

# Poll the group's own state until its info line "$2:" reads $3.
until_info() {
	while ! "$WG" info "$1" | grep -q "^$2: *$3\$"; do
		usleep 1000
	done
}

until_waiters() { until_info "$1" waiters "$2"; }
until_room_waiters() { until_info "$1" "room waits" "$2"; }
until_count() { until_info "$1" count "$2"; }

t_usage() {
	run "$WG"; want_status 64 && want_err "Try 'waitgroup --help'" || return 1
	run "$WG" frobnicate; want_status 64 && want_err "unknown command: frobnicate" || return 1
	run "$WG" wait; want_status 64 && want_err "missing NAME" || return 1
	run "$WG" wait a b --total 2; want_status 64 && want_err "--total needs a single NAME" || return 1
	run "$WG" create x --count -1; want_status 64 || return 1
	run "$WG" create x --count abc; want_status 64 || return 1
	run "$WG" create x --mode 999; want_status 64 || return 1
	run "$WG" wait x --timeout abc; want_status 64 && want_err "not a duration" || return 1
	run "$WG" wait x --timeout -1; want_status 64 || return 1
	run "$WG" wait x --bogus; want_status 64 || return 1
	run "$WG" run x; want_status 64 && want_err "missing command" || return 1
	run "$WG" run x --; want_status 64 || return 1
	run "$WG" go; want_status 64 && want_err "go: missing NAME" || return 1
	run "$WG" go x; want_status 64 && want_err "go x: missing command" || return 1
	run "$WG" go x --; want_status 64 || return 1
	run "$WG" ls --json extra; want_status 64 || return 1
	run "$WG" add x 1 2; want_status 64 || return 1
	run "$WG" --version; want_status 0 && want_out "waitgroup 1." || return 1
}

# One line each, the prefix once.
t_messages() {
	run "$WG" add x abc; want_status 64 || return 1
	[ "$(cat "$T/err")" = "waitgroup: add: not a number: abc" ] || { dump; return 1; }
	run "$WG" add x 99999999999; want_status 64 && want_err "add: not in [" || return 1
	run "$WG" create x --count abc; want_status 64 || return 1
	[ "$(cat "$T/err")" = "waitgroup: --count: not a number: abc" ] || { dump; return 1; }
	run "$WG" wait x --bogus; want_status 64 || return 1
	[ "$(cat "$T/err")" = "waitgroup: wait: unknown option: --bogus" ] || { dump; return 1; }
	run "$WG" info -Z x; want_status 64 || return 1
	[ "$(cat "$T/err")" = "waitgroup: info: unknown option: -Z" ] || { dump; return 1; }
	run "$WG" wait x --timeout; want_status 64 || return 1
	[ "$(cat "$T/err")" = "waitgroup: wait: --timeout needs an argument" ] || { dump; return 1; }
}

# Output that cannot be written fails the command, as close_stdout(3) does.
t_write_error() {
	run sh -c "\"$WG\" --help >/dev/full"; want_status 74 && want_err "waitgroup: write error: No space left" || return 1
	"$WG" create "$(g)" || return 1
	run sh -c "\"$WG\" info \"$(g)\" >/dev/full"; want_status 74 || return 1
	# A pipe whose reader has gone, SIGPIPE ignored: the reader closes its
	# end, then lets the writer start.
	mkfifo "$T/pipe-go" || return 1
	{ trap '' PIPE; read -r _ <"$T/pipe-go"; "$WG" info "$(g)" 2>"$T/err"; echo $? >"$T/st"; } |
		{ exec 0<&-; echo go >"$T/pipe-go"; }
	st=$(cat "$T/st")
	rm -f "$T/pipe-go" "$T/st"
	want_status 74 && want_err "write error: Broken pipe" || return 1
	"$WG" rm "$(g)"
}

# Completion offers the names waitgroup ls lists.
t_completion() {
	c=${WG_COMPLETION:-/opt/wg/share/waitgroup.bash-completion}
	if [ ! -f "$c" ] || ! command -v bash >/dev/null; then say "no bash or no $c"; return 77; fi
	"$WG" create "$(g).comp" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup wait "$2"); COMP_CWORD=2; _waitgroup; echo "${COMPREPLY[*]}"' \
		sh "$c" "$(g).co"
	want_status 0 && want_out "$(g).comp" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup add "$2" ""); COMP_CWORD=3; _waitgroup; echo "n=${#COMPREPLY[@]}"' \
		sh "$c" "$(g).comp"
	want_out "n=0" || return 1
	# ls's header line is not a name.
	run bash -c '. "$1"; COMP_WORDS=(waitgroup wait NAM); COMP_CWORD=2; _waitgroup; echo "n=${#COMPREPLY[@]}"' sh "$c"
	want_out "n=0" || return 1
	# wait takes several names; go is a verb, and takes wait's options.
	run bash -c '. "$1"; COMP_WORDS=(waitgroup wait "$2" "$3"); COMP_CWORD=3; _waitgroup; echo "${COMPREPLY[*]}"' \
		sh "$c" "$(g).comp" "$(g).co"
	want_out "$(g).comp" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup g); COMP_CWORD=1; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "go" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup wait x --a); COMP_CWORD=3; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "--any" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup ls --j); COMP_CWORD=2; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "--json" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup ca); COMP_CWORD=1; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "cancel" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup create x --l); COMP_CWORD=3; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "--limit" || return 1
	# run and go: options before and after NAME, then COMMAND.
	run bash -c '. "$1"; COMP_WORDS=(waitgroup go --timeout 5 "$2"); COMP_CWORD=4; _waitgroup; echo "${COMPREPLY[*]}"' \
		sh "$c" "$(g).co"
	want_out "$(g).comp" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup run x --g); COMP_CWORD=3; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "--grace" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup run x --grace ""); COMP_CWORD=4; _waitgroup; echo "n=${#COMPREPLY[@]}"' sh "$c"
	want_out "n=0" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup run x -- wg-json-chec); COMP_CWORD=4; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "wg-json-check" || return 1
	"$WG" rm "$(g).comp"
}

t_help() {
	run "$WG" --help; want_status 0 && want_out "usage: waitgroup" || return 1
	lines=$(wc -l <"$T/out")
	[ "$lines" -le 24 ] || { say "--help has $lines lines"; return 1; }
	width=$(awk '{ if (length > m) m = length } END { print m }' "$T/out")
	[ "$width" -le 80 ] || { say "--help is $width columns wide"; return 1; }
	run "$WG" wait --help; want_status 0 && want_out "usage: waitgroup" || return 1
}

t_create_info_rm() {
	run "$WG" create "$(g)" --count 2 --mode 0640; want_status 0 && want_quiet || return 1
	run "$WG" info "$(g)"; want_status 0 || return 1
	want_out "name:       $(g)" && want_out "count:      2" &&
		want_out "mode:       0640" && want_out "owner:      0:0" || return 1
	run "$WG" info --json "$(g)"; want_status 0 || return 1
	want_out "{\"name\":\"$(g)\",\"count\":2,\"waiters\":0,\"generation\":0,\"error\":0,\"abandoned\":0,\"uid\":0,\"gid\":0,\"mode\":\"0640\",\"limit\":0,\"room_waiters\":0,\"canceled\":false,\"cancel_error\":0,\"last_canceled\":false,\"batch\":{\"done\":0,\"failed\":0,\"abandoned\":0,\"error\":0}}" || return 1
	run "$WG" create "$(g)" --excl; want_status 3 && want_err "waitgroup: $(g): File exists" || return 1
	run "$WG" create "$(g)" --count 7; want_status 0 || return 1
	want_err "waitgroup: $(g): exists; opened it, its mode, count and limit unchanged" || return 1
	run "$WG" info "$(g)"; want_out "count:      2" || return 1
	run "$WG" rm "$(g)"; want_status 0 && want_quiet || return 1
	run "$WG" info "$(g)"; want_status 3 && want_err "waitgroup: $(g): No such file or directory" || return 1
	run "$WG" rm "$(g)"; want_status 3 && want_err "waitgroup: $(g): No such file or directory" || return 1
}

# A bad name is refused before the kernel is asked, saying what a name is
# (kmod/wg_names.c's rule, and not empty), by every command that takes one.
t_bad_names() {
	rule="invalid name: 1 to 63 printable ASCII characters, no space or '/'"
	run "$WG" create "a/b"; want_status 3 || return 1
	[ "$(cat "$T/err")" = "waitgroup: a/b: $rule" ] || { dump; return 1; }
	long=$(printf '%064d' 0)
	run "$WG" create "$long"; want_status 3 && want_err "waitgroup: $long: $rule" || return 1
	run "$WG" create "${long#0}"; want_status 0 && want_quiet || return 1
	"$WG" rm "${long#0}" || return 1
	for bad in "" "a b" "$(printf 'a\tb')" "$(printf 'caf\303\251')"; do
		for cmd in create info add done wait cancel rm; do
			run "$WG" "$cmd" "$bad"; want_status 3 && want_err "$rule" || return 1
		done
		run "$WG" limit "$bad" 1; want_status 3 && want_err "$rule" || return 1
		run "$WG" run "$bad" -- true; want_status 125 && want_err "$rule" || return 1
		run "$WG" go "$bad" -- true; want_status 125 && want_err "$rule" || return 1
	done
	run "$WG" rm "a/b" "$(g).missing"; want_status 3 && want_err "a/b: $rule" &&
		want_err "$(g).missing: No such file" || return 1
	run "$WG" create "$(g).a"; want_status 0 || return 1
	run "$WG" rm "$(g).a" "$(g).missing"; want_status 3 && want_err "$(g).missing: No such file" || return 1
	run "$WG" info "$(g).a"; want_status 3 || return 1
}

t_add_done_wait() {
	"$WG" create "$(g)" || return 1
	run "$WG" add "$(g)" 3; want_status 0 && want_quiet || return 1
	run "$WG" info "$(g)"; want_out "count:      3" || return 1
	run "$WG" add "$(g)"; want_status 0 || return 1
	run "$WG" add "$(g)" -2; want_status 0 || return 1
	run "$WG" info "$(g)"; want_out "count:      2" || return 1
	run "$WG" wait "$(g)" --timeout 0; want_status 124 || return 1
	"$WG" done "$(g)" && "$WG" done "$(g)" || return 1
	run "$WG" wait "$(g)"; want_status 0 && want_quiet || return 1
	run "$WG" wait -v "$(g)"; want_status 0 && want_out "generation=1 " && want_out "error=0" || return 1
	run "$WG" done "$(g)"; want_status 3 && want_err "waitgroup: $(g): Numerical result out of range" || return 1
	run "$WG" add "$(g)" -1; want_status 3 || return 1
	run "$WG" add "$(g)" 2147483647; want_status 0 || return 1
	run "$WG" add "$(g)" 1; want_status 3 && want_err "Value too large" || return 1
	run "$WG" add "$(g)" -2147483647; want_status 0 || return 1
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "generation: 2" || return 1
	"$WG" rm "$(g)"
}

t_wait_error() {
	"$WG" create "$(g)" --count 3 || return 1
	"$WG" done "$(g)" || return 1
	run "$WG" done "$(g)" --error 5; want_status 0 || return 1
	run "$WG" done "$(g)" --error 6; want_status 0 || return 1
	run "$WG" wait "$(g)"; want_status 1 &&
		want_err "waitgroup: $(g): 2 of 3 tasks failed, the first with error 5" || return 1
	run "$WG" wait -v "$(g)"; want_status 1 &&
		want_out "generation=1 done=3 failed=2 abandoned=0 error=5" || return 1
	run "$WG" info "$(g)"; want_out "error:      5" &&
		want_out "batch:      3 done, 2 failed, 0 abandoned, first error 5" || return 1
	# The batch outlives the generation: a clean one does not hide it.
	"$WG" add "$(g)" && "$WG" done "$(g)" || return 1
	run "$WG" wait "$(g)"; want_status 1 && want_err "2 of 4 tasks failed" || return 1
	# --reset reports it and starts a new batch, which starts clean.
	run "$WG" wait --reset "$(g)"; want_status 1 || return 1
	run "$WG" info "$(g)"; want_out "batch:      0 done, 0 failed, 0 abandoned, first error 0" || return 1
	"$WG" add "$(g)" && "$WG" done "$(g)" || return 1
	run "$WG" wait "$(g)"; want_status 0 || return 1
	"$WG" rm "$(g)"
}

t_wait_counts_tasks() {
	"$WG" create "$(g)" --count 3 || return 1
	"$WG" wait -v "$(g)" >"$T/bg.out" 2>"$T/bg.err" &
	wpid=$!
	until_waiters "$(g)" 1
	"$WG" done "$(g)" && "$WG" done "$(g)" --error 2 && "$WG" done "$(g)" || return 1
	wait "$wpid"
	st=$?
	cp "$T/bg.out" "$T/out"
	cp "$T/bg.err" "$T/err"
	want_status 1 && want_out "generation=1 done=3 failed=1 abandoned=0 error=2" || return 1
	"$WG" rm "$(g)"
}

t_wait_timeout() {
	"$WG" create "$(g)" --count 1 || return 1
	run "$WG" wait "$(g)" --timeout 0.2; want_status 124 && want_err "waitgroup: $(g): timed out" || return 1
	run "$WG" wait "$(g)" --timeout 50ms; want_status 124 || return 1
	run "$WG" wait "$(g)" --timeout 0; want_status 124 || return 1
	run "$WG" wait "$(g)" --timeout 0.1 --progress; want_status 124 || return 1
	"$WG" done "$(g)" || return 1
	run "$WG" wait "$(g)" --timeout 1m; want_status 0 || return 1
	"$WG" rm "$(g)"
}

# Not a terminal: a line per change, at most one a second, and the last.
t_progress_not_tty() {
	"$WG" create "$(g)" --count 1 || return 1
	mkfifo "$T/lines" || return 1
	"$WG" wait --progress "$(g)" >"$T/bg.out" 2>"$T/lines" &
	wpid=$!
	exec 3<"$T/lines"
	read -r first <&3
	[ "$first" = "$(g): 0/1 done" ] || { say "first line: $first"; return 1; }
	"$WG" done "$(g)" || return 1
	cat <&3 >"$T/err"
	exec 3<&-
	wait "$wpid"
	st=$?
	cp "$T/bg.out" "$T/out"
	want_status 0 || return 1
	[ ! -s "$T/out" ] || { say "stdout not empty"; dump; return 1; }
	[ "$(cat "$T/err")" = "$(g): 1/1 done" ] || { say "last lines wrong"; dump; return 1; }
	# Twenty dones in a row in a new batch: far fewer lines, one a
	# second at most.
	"$WG" wait --reset "$(g)" || return 1
	"$WG" add "$(g)" 20 || return 1
	"$WG" wait --progress --total 20 "$(g)" 2>"$T/err" &
	wpid=$!
	t0=$(date +%s)
	i=0
	while [ "$i" -lt 20 ]; do "$WG" done "$(g)" || return 1; i=$((i + 1)); done
	wait "$wpid"
	st=$?
	t1=$(date +%s)
	want_status 0 && want_err "$(g): 20/20 done" || return 1
	lines=$(wc -l <"$T/err")
	[ "$lines" -le $((t1 - t0 + 3)) ] || { say "$lines lines in $((t1 - t0)) s"; dump; return 1; }
	rm -f "$T/lines"
	"$WG" rm "$(g)"
}

# Several groups: wait for all; the worst result; --any; --json.
t_wait_several() {
	"$WG" create "$(g).a" --count 1 && "$WG" create "$(g).b" --count 1 || return 1
	run "$WG" wait "$(g).a" "$(g).b" --timeout 0; want_status 124 &&
		want_err "$(g).a: timed out" && want_err "$(g).b: timed out" || return 1
	run "$WG" wait --any "$(g).a" "$(g).b" --timeout 0; want_status 124 || return 1
	"$WG" done "$(g).b" --error 5 || return 1
	run "$WG" wait --any "$(g).a" "$(g).b" --json; want_status 1 || return 1
	want_out "[{\"name\":\"$(g).a\",\"generation\":null,\"error\":null,\"abandoned\":null,\"canceled\":null,\"status\":\"pending\",\"batch\":{\"done\":0,\"failed\":0,\"abandoned\":0,\"error\":0}}," &&
		want_out "{\"name\":\"$(g).b\",\"generation\":1,\"error\":5,\"abandoned\":0,\"canceled\":false,\"status\":\"failed\",\"batch\":{\"done\":1,\"failed\":1,\"abandoned\":0,\"error\":5}}]" || return 1
	wg-json-check <"$T/out" || { dump; return 1; }
	run "$WG" wait "$(g).a" "$(g).b" --timeout 50ms --json; want_status 124 &&
		want_out "\"generation\":null,\"error\":null,\"abandoned\":null,\"canceled\":null,\"status\":\"timeout\",\"batch\":{\"done\":0,\"failed\":0,\"abandoned\":0,\"error\":0}}" &&
		want_err "$(g).a: timed out" && want_err "$(g).b: a task failed with error 5" || return 1
	wg-json-check <"$T/out" || { dump; return 1; }
	# The wait sees a complete, goes on waiting, and returns for b (in a
	# new batch).
	"$WG" wait --reset "$(g).b" 2>/dev/null
	"$WG" add "$(g).b" || return 1
	rm -f "$T/lines" && mkfifo "$T/lines" || return 1
	"$WG" wait "$(g).a" "$(g).b" --progress --json --verbose >"$T/bg.out" 2>"$T/lines" &
	wpid=$!
	exec 3<"$T/lines"
	read -r l <&3
	[ "$l" = "$(g).a: 0/1 done, $(g).b: 0/1 done" ] || { say "line: $l"; return 1; }
	"$WG" done "$(g).a" || return 1
	read -r l <&3
	[ "$l" = "$(g).a: 1/1 done, $(g).b: 0/1 done" ] || { say "line: $l"; return 1; }
	"$WG" done "$(g).b" || return 1
	cat <&3 >"$T/err"
	exec 3<&-
	wait "$wpid"
	st=$?
	cp "$T/bg.out" "$T/out"
	want_status 0 && want_err "$(g).a: 1/1 done, $(g).b: 1/1 done" || return 1
	want_out "{\"name\":\"$(g).a\",\"generation\":1,\"error\":0,\"abandoned\":0,\"canceled\":false,\"status\":\"ok\",\"batch\":{\"done\":1,\"failed\":0,\"abandoned\":0,\"error\":0}}" &&
		want_out "{\"name\":\"$(g).b\",\"generation\":2,\"error\":0,\"abandoned\":0,\"canceled\":false,\"status\":\"ok\",\"batch\":{\"done\":1,\"failed\":0,\"abandoned\":0,\"error\":0}}" &&
		want_out "name=$(g).b generation=2 done=1 failed=0 abandoned=0 error=0" || return 1
	# The --json array is the first two lines, the --verbose ones follow.
	head -n 2 "$T/out" | wg-json-check || { dump; return 1; }
	rm -f "$T/lines"
	# Worst of the results: abandoned (2) over failed (1).
	"$WG" add "$(g).a" && "$WG" done "$(g).a" --error 3 || return 1
	"$WG" create "$(g).c" || return 1
	{ "$WG" run "$(g).c" -- sh -c 'kill -KILL $PPID'; } 2>/dev/null
	run "$WG" wait "$(g).a" "$(g).c" "$(g).b"; want_status 2 &&
		want_err "$(g).a: a task failed with error 3" &&
		want_err "$(g).c: 1 task abandoned" || return 1
	run "$WG" wait "$(g).b" "$(g).a"; want_status 1 || return 1
	run "$WG" wait "$(g).a" "$(g).missing"; want_status 3 && want_err "$(g).missing: No such file" || return 1
	"$WG" rm "$(g).a" "$(g).b" "$(g).c"
}

# until_in_epoll PID: until it sleeps in epoll_wait(2) (/proc/PID/syscall
# names the call a task sleeps in).
until_in_epoll() {
	while read -r nr _ <"/proc/$1/syscall"; do
		case $nr in 232 | 281 | 441) return 0 ;; esac
		usleep 1000
	done
	return 1
}

# stop_proc PID: SIGSTOP it and return once it is stopped.
stop_proc() {
	kill -STOP "$1" || return 1
	while read -r _ _ state _ <"/proc/$1/stat"; do
		[ "$state" = T ] && return 0
		usleep 1000
	done
	return 1
}

# complete_rearm NAME CODE...: for each CODE, complete the running generation
# with it (0: no error) and re-arm the group.
complete_rearm() {
	name=$1
	shift
	for code in "$@"; do
		if [ "$code" = 0 ]; then "$WG" done "$name"; else "$WG" done "$name" --error "$code"; fi || return 1
		"$WG" add "$name" || return 1
	done
}

# A wait reports the generation it began in, though the group completes,
# is re-armed and completes again while it is stopped: one group (--progress:
# steps of the kernel's wait, which a stop restarts), several (epoll).
t_wait_keeps_generation() {
	"$WG" create "$(g).a" --count 1 && "$WG" create "$(g).b" --count 1 || return 1
	"$WG" wait "$(g).a" --progress --json >"$T/bg.out" 2>"$T/bg.err" &
	wpid=$!
	until_waiters "$(g).a" 1
	stop_proc "$wpid" || return 1
	complete_rearm "$(g).a" 3 4 || return 1
	kill -CONT "$wpid"
	wait "$wpid"
	st=$?
	cp "$T/bg.out" "$T/out"
	cp "$T/bg.err" "$T/err"
	want_status 1 && want_out "{\"name\":\"$(g).a\",\"generation\":1,\"error\":3," &&
		want_err "$(g).a: 2 of 2 tasks failed, the first with error 3" || return 1
	# Several: a is at generation 3 and b at 0; each one's first look
	# happens before the wait sleeps in epoll.
	"$WG" wait "$(g).a" "$(g).b" --json >"$T/bg.out" 2>"$T/bg.err" &
	wpid=$!
	until_in_epoll "$wpid" || { say "no /proc/$wpid/syscall"; return 1; }
	stop_proc "$wpid" || return 1
	complete_rearm "$(g).a" 5 6 || return 1
	"$WG" done "$(g).b" --error 7 || return 1
	kill -CONT "$wpid"
	wait "$wpid"
	st=$?
	cp "$T/bg.out" "$T/out"
	cp "$T/bg.err" "$T/err"
	want_status 1 &&
		want_out "{\"name\":\"$(g).a\",\"generation\":3,\"error\":5,\"abandoned\":0,\"canceled\":false,\"status\":\"failed\",\"batch\":{\"done\":4,\"failed\":4,\"abandoned\":0,\"error\":3}}" &&
		want_out "{\"name\":\"$(g).b\",\"generation\":1,\"error\":7," || return 1
	"$WG" rm "$(g).a" "$(g).b"
}

# A wait that comes back for a generation whose result the kernel no
# longer keeps (more than 8 completed since): its own fields are null, and
# the batch's totals still give the verdict.
t_wait_expired() {
	"$WG" create "$(g).a" --count 1 && "$WG" create "$(g).b" --count 1 || return 1
	"$WG" wait "$(g).a" "$(g).b" --json >"$T/bg.out" 2>"$T/bg.err" &
	wpid=$!
	until_in_epoll "$wpid" || { say "no /proc/$wpid/syscall"; return 1; }
	stop_proc "$wpid" || return 1
	complete_rearm "$(g).a" 1 2 3 4 5 6 7 8 9 || return 1
	"$WG" done "$(g).b" || return 1
	kill -CONT "$wpid"
	wait "$wpid"
	st=$?
	cp "$T/bg.out" "$T/out"
	cp "$T/bg.err" "$T/err"
	want_status 1 &&
		want_out "{\"name\":\"$(g).a\",\"generation\":1,\"error\":null,\"abandoned\":null,\"canceled\":null,\"status\":\"failed\",\"batch\":{\"done\":9,\"failed\":9,\"abandoned\":0,\"error\":1}}" &&
		want_out "{\"name\":\"$(g).b\",\"generation\":1,\"error\":0,\"abandoned\":0,\"canceled\":false,\"status\":\"ok\",\"batch\":{\"done\":1,\"failed\":0,\"abandoned\":0,\"error\":0}}" &&
		want_err "waitgroup: $(g).a: 9 of 9 tasks failed, the first with error 1" || return 1
	wg-json-check <"$T/out" || { dump; return 1; }
	# One group, restarted after the stop; nine clean tasks more.
	"$WG" wait "$(g).a" -v >"$T/bg.out" 2>"$T/bg.err" &
	wpid=$!
	until_waiters "$(g).a" 1
	stop_proc "$wpid" || return 1
	complete_rearm "$(g).a" 0 0 0 0 0 0 0 0 0 || return 1
	kill -CONT "$wpid"
	wait "$wpid"
	st=$?
	cp "$T/bg.out" "$T/out"
	cp "$T/bg.err" "$T/err"
	want_status 1 && want_out "generation=10 done=18 failed=9 abandoned=0 error=1" || return 1
	"$WG" rm "$(g).a" "$(g).b"
}

# One group's --json: the result as info --json has it, valid JSON.
t_wait_json() {
	"$WG" create "$(g)" --count 1 || return 1
	"$WG" done "$(g)" || return 1
	run "$WG" wait "$(g)" --json; want_status 0 || return 1
	[ "$(cat "$T/out")" = "{\"name\":\"$(g)\",\"generation\":1,\"error\":0,\"abandoned\":0,\"canceled\":false,\"status\":\"ok\",\"batch\":{\"done\":1,\"failed\":0,\"abandoned\":0,\"error\":0}}" ] ||
		{ dump; return 1; }
	wg-json-check <"$T/out" || { dump; return 1; }
	# The checker itself tells broken JSON apart.
	printf '{"name":"x",}' | wg-json-check 2>/dev/null && { say "wg-json-check accepts a trailing comma"; return 1; }
	printf '[{"a":1}' | wg-json-check 2>/dev/null && { say "wg-json-check accepts an open array"; return 1; }
	"$WG" rm "$(g)"
}

t_run() {
	"$WG" create "$(g)" || return 1
	run "$WG" run "$(g)" -- true; want_status 0 && want_quiet || return 1
	run "$WG" wait "$(g)"; want_status 0 || return 1
	run "$WG" run "$(g)" sh -c 'echo "group=$WAITGROUP"; exit 4'; want_status 4 &&
		want_out "group=$(g)" || return 1
	run "$WG" wait "$(g)"; want_status 1 && want_err "error 4" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "generation: 2" || return 1
	run "$WG" run "$(g).missing" -- true; want_status 125 &&
		want_err "waitgroup: $(g).missing: No such file or directory" || return 1
	"$WG" rm "$(g)"
}

t_run_not_found() {
	"$WG" create "$(g)" || return 1
	run "$WG" run "$(g)" -- wg-no-such-command; want_status 127 &&
		want_err "waitgroup: wg-no-such-command: No such file or directory" || return 1
	run "$WG" wait --reset "$(g)"; want_status 1 && want_err "error 127" || return 1
	printf '#!/bin/sh\n' >"$T/noexec"
	chmod 644 "$T/noexec"
	run "$WG" run "$(g)" -- "$T/noexec"; want_status 126 && want_err "Permission denied" || return 1
	run "$WG" wait "$(g)"; want_status 1 && want_err "error 126" || return 1
	"$WG" rm "$(g)"
}

# SIGKILL of "waitgroup run" itself: COMMAND holds the task's open file
# too (descriptor 100), is left running and keeps the add; once it exits
# the kernel undoes the add as abandoned.
t_run_sigkill() {
	"$WG" create "$(g)" || return 1
	mkfifo "$T/ready" "$T/go" || return 1
	"$WG" run "$(g)" -- sh -c 'echo $$ $PPID >"$1"; read x <"$2"' sh "$T/ready" "$T/go" &
	rpid=$!
	read -r cpid ppid <"$T/ready"
	[ "$ppid" = "$rpid" ] || { say "run is $ppid, not $rpid"; return 1; }
	[ "$(readlink "/proc/$cpid/fd/100")" = "anon_inode:[waitgroup]" ] ||
		{ say "COMMAND has no waitgroup at descriptor 100"; return 1; }
	run "$WG" info "$(g)"; want_out "count:      1" || return 1
	kill -KILL "$rpid"
	{ wait "$rpid"; } 2>/dev/null	# no "Killed" notice from the shell
	st=$?
	[ "$st" -eq 137 ] || { say "run exited $st, not 137"; return 1; }
	run "$WG" wait "$(g)" --timeout 0; want_status 124 || return 1
	echo >"$T/go"	# COMMAND exits
	run "$WG" wait "$(g)" --timeout 10; want_status 2 &&
		want_err "waitgroup: $(g): 1 task abandoned" || return 1
	run "$WG" wait -v "$(g)"; want_status 2 && want_out "abandoned=1 error=130" || return 1
	rm -f "$T/ready" "$T/go"
	"$WG" rm "$(g)"
}

# SIGKILL of the command: run reports 137 as the task's error.
t_run_command_killed() {
	"$WG" create "$(g)" || return 1
	mkfifo "$T/ready" "$T/go" || return 1
	"$WG" run "$(g)" -- sh -c 'echo $$ >"$1"; read x <"$2"' sh "$T/ready" "$T/go" >/dev/null 2>&1 &
	rpid=$!
	read -r cpid <"$T/ready"
	kill -KILL "$cpid"
	# run dies of SIGKILL too, as its command did; no "Killed" notice.
	{ wait "$rpid"; } 2>/dev/null
	st=$?
	[ "$st" -eq 137 ] || { say "run exited $st, not 137"; return 1; }
	run "$WG" wait "$(g)" --timeout 10; want_status 1 && want_err "a task failed with error 137" || return 1
	run "$WG" wait -v "$(g)"; want_out "abandoned=0 error=137" || return 1
	rm -f "$T/ready" "$T/go"
	"$WG" rm "$(g)"
}

# What the signal forwarding tests run as COMMAND: trap signal $1, report
# it in file $2 and exit 9; $3 is a group that never completes, waited on
# in the background ($4 is waitgroup) because a trapped signal interrupts
# the wait builtin and not a foreground command. It sends the signal to
# its parent, the process that is to forward it.
catcher='trap "echo $1 >\"$2\"; kill \$b; exit 9" "$1"
"$4" wait "$3" --timeout 60 & b=$!
kill -"$1" "$PPID"
wait "$b"
echo none >"$2"
exit 1'

# Is signal number $1 ignored by this shell (a trap of it in a child is then void)?
ignored() {
	mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' /proc/self/status)
	[ $(( (0x$mask >> ($1 - 1)) & 1 )) = 1 ]
}

# Each forwarded signal sent to "waitgroup run" reaches COMMAND.
t_run_signals() {
	"$WG" create "$(g)" && "$WG" create "$(g).never" --count 1 || return 1
	for s in INT:2 TERM:15 HUP:1 QUIT:3 USR1:10 USR2:12; do
		if ignored "${s#*:}"; then say "SIG${s%:*} ignored here: not tested"; continue; fi
		rm -f "$T/got"
		# COMMAND signals its parent, waitgroup run.
		run "$WG" run "$(g)" -- sh -c "$catcher" sh "${s%:*}" "$T/got" "$(g).never" "$WG"
		want_status 9 || return 1
		[ "$(cat "$T/got")" = "${s%:*}" ] || { say "COMMAND got $(cat "$T/got"), not ${s%:*}"; return 1; }
		run "$WG" wait "$(g)"; want_status 1 && want_err "error 9" || return 1
	done
	"$WG" rm "$(g)" "$(g).never"
}

# COMMAND killed by the forwarded signal: run dies of it too (status 143).
t_run_signal_death() {
	"$WG" create "$(g)" && "$WG" create "$(g).never" --count 1 || return 1
	run "$WG" run "$(g)" -- sh -c 'kill -TERM $PPID; exec "$1" wait "$2" --timeout 60' sh "$WG" "$(g).never"
	want_status 143 || return 1
	run "$WG" wait "$(g)"; want_status 1 && want_err "error 143" || return 1
	"$WG" rm "$(g)" "$(g).never"
}

t_go() {
	"$WG" create "$(g)" || return 1
	run "$WG" go "$(g)" -- sh -c 'echo "$WAITGROUP" >"$1"' sh "$T/name"; want_status 0 && want_quiet || return 1
	run "$WG" wait "$(g)"; want_status 0 || return 1
	[ "$(cat "$T/name")" = "$(g)" ] || { say "WAITGROUP was $(cat "$T/name")"; return 1; }
	run "$WG" go "$(g)" sh -c 'exit 4'; want_status 0 && want_quiet || return 1
	run "$WG" wait "$(g)"; want_status 1 && want_err "error 4" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "generation: 2" || return 1
	"$WG" rm "$(g)"
}

# 125 nothing counted; 126 and 127 counted and reported, as run does.
t_go_codes() {
	"$WG" create "$(g)" || return 1
	run "$WG" go "$(g).missing" -- true; want_status 125 &&
		want_err "waitgroup: $(g).missing: No such file or directory" || return 1
	run "$WG" go "$(g)" -- wg-no-such-command; want_status 127 &&
		want_err "waitgroup: wg-no-such-command: No such file or directory" || return 1
	run "$WG" wait --reset "$(g)" --timeout 0; want_status 1 && want_err "error 127" || return 1
	printf '#!/bin/sh\n' >"$T/noexec"
	chmod 644 "$T/noexec"
	run "$WG" go "$(g)" -- "$T/noexec"; want_status 126 && want_err "Permission denied" || return 1
	run "$WG" wait "$(g)" --timeout 0; want_status 1 && want_err "error 126" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "generation: 2" || return 1
	"$WG" rm "$(g)"
}

# The README's loop with fast jobs: each job ends before the next go (the
# wait in the loop makes sure), so the batch spans a generation per job.
# The wait after the loop reports every task of it: a failed job, a job
# SIGKILLed (a failure: its supervisor reports 137), a SIGKILLed
# supervisor (abandoned, the worst); --progress counts the batch's tasks.
t_wait_batch() {
	"$WG" create "$(g)" || return 1
	i=0
	while [ "$i" -lt 12 ]; do
		case $i in
		3) "$WG" go "$(g)" -- sh -c 'exit 3' ;;
		6) "$WG" go "$(g)" -- sh -c 'kill -KILL $$' ;;
		*) "$WG" go "$(g)" -- true ;;
		esac || return 1
		"$WG" wait "$(g)" >/dev/null 2>&1
		i=$((i + 1))
	done
	run "$WG" info "$(g)"; want_out "generation: 12" || return 1
	run "$WG" wait "$(g)" --progress; want_status 1 &&
		want_err "$(g): 2 of 12 tasks failed, the first with error 3" &&
		want_err "$(g): 12/12 done" || return 1
	rm -f "$T/ready" && mkfifo "$T/ready" || return 1
	"$WG" go "$(g)" -- sh -c 'echo $PPID $$ >"$1"; exec sleep 1000' sh "$T/ready" || return 1
	read -r sup job <"$T/ready"
	kill -KILL "$sup" || return 1
	run "$WG" wait "$(g)" --timeout 60 -v; want_status 2 &&
		want_err "$(g): 1 task abandoned" &&
		want_err "$(g): 2 of 13 tasks failed, the first with error 3" &&
		want_out "generation=13 done=12 failed=2 abandoned=1 error=3" || return 1
	kill -KILL "$job" 2>/dev/null
	rm -f "$T/ready"
	"$WG" rm "$(g)"
}

# The classic loop: wait right after it never returns before every task
# has run, because each go returns only once its task is counted.
t_go_loop() {
	"$WG" create "$(g)" || return 1
	: >"$T/lines"
	i=0
	while [ "$i" -lt 200 ]; do
		"$WG" go "$(g)" -- sh -c 'echo "$1" >>"$2"' sh "$i" "$T/lines" || return 1
		i=$((i + 1))
	done
	run "$WG" wait "$(g)" --timeout 300; want_status 0 || return 1
	seen=$(sort -u "$T/lines" | wc -l)
	[ "$seen" -eq 200 ] || { say "$seen lines after the wait, not 200"; return 1; }
	"$WG" rm "$(g)"
}

# create --limit, limit, and what info, info --json and ls show of it.
t_limit() {
	run "$WG" create "$(g)" --limit -1; want_status 64 || return 1
	run "$WG" create "$(g)" --limit 2; want_status 0 || return 1
	run "$WG" info "$(g)"; want_out "limit:      2" && want_out "room waits: 0" || return 1
	run "$WG" info "$(g)" --json; want_out '"limit":2,"room_waiters":0,"canceled":false' || return 1
	"$WG" info "$(g)" --json | wg-json-check || return 1
	run "$WG" add "$(g)" 3; want_status 3 && want_err "Resource temporarily unavailable" || return 1
	run "$WG" add "$(g)" 2; want_status 0 || return 1
	run "$WG" add "$(g)"; want_status 3 || return 1
	run "$WG" limit "$(g)"; want_status 64 && want_err "missing N" || return 1
	run "$WG" limit "$(g)" x; want_status 64 || return 1
	run "$WG" limit "$(g)" 0; want_status 0 && want_quiet || return 1
	run "$WG" add "$(g)"; want_status 0 || return 1
	"$WG" limit "$(g)" 7 || return 1
	run "$WG" ls --json; want_out '"limit":7' || return 1
	run "$WG" limit "$(g).missing" 1; want_status 3 || return 1
	"$WG" add "$(g)" -3 && "$WG" rm "$(g)"
}

# Tasks of eight unrelated scripts share one group with limit 3: each task
# reads the group's own count, which the kernel never lets pass 3, and
# all forty run before the wait returns.
t_go_limit_shared() {
	"$WG" create "$(g)" --limit 3 || return 1
	: >"$T/counts"
	s=0
	while [ "$s" -lt 8 ]; do
		sh -c 'i=0; while [ $i -lt 5 ]; do
			"$1" go "$2" -- sh -c "\"\$1\" info \"\$2\" | sed -n \"s/^count: *//p\" >>\"\$3\"" \
				sh "$1" "$2" "$3" || exit 1
			i=$((i + 1))
		done' sh "$WG" "$(g)" "$T/counts" &
		s=$((s + 1))
	done
	wait || return 1
	run "$WG" wait "$(g)" --timeout 300; want_status 0 || return 1
	lines=$(wc -l <"$T/counts")
	[ "$lines" -eq 40 ] || { say "$lines tasks ran, not 40"; return 1; }
	max=$(sort -n "$T/counts" | tail -n 1)
	[ "$max" -ge 1 ] && [ "$max" -le 3 ] || { say "a task saw count $max"; return 1; }
	"$WG" rm "$(g)"
}

# A slot is free only when its job is gone: a SIGKILLed supervisor's
# COMMAND keeps the slot, which goes, and only it, to the go waiting for
# room once COMMAND has exited.
t_go_limit_sigkill() {
	"$WG" create "$(g)" --limit 1 || return 1
	mkfifo "$T/hold" || return 1
	"$WG" run "$(g)" -- cat "$T/hold" >/dev/null 2>&1 &
	rpid=$!
	until_count "$(g)" 1
	"$WG" go "$(g)" -- true >"$T/go.out" 2>&1 &
	gpid=$!
	until_room_waiters "$(g)" 1
	kill -9 "$rpid"
	{ wait "$rpid"; } 2>/dev/null
	run "$WG" info "$(g)"; want_out "count:      1" && want_out "room waits: 1" || return 1
	echo x >"$T/hold"	# cat exits: its slot goes to the go
	wait "$gpid"; st=$?
	cp "$T/go.out" "$T/err"; : >"$T/out"
	want_status 0 || return 1
	run "$WG" wait "$(g)" --timeout 60 -v; want_status 2 && want_out "abandoned=1" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "room waits: 0" || return 1
	"$WG" rm "$(g)"
}

# A storm of SIGKILLs under limit 2: three scripts start 24 jobs with go,
# and as each job runs, its supervisor, the job, or both are killed. A slot
# is free only when its job is gone: the jobs (wg-slot-job) count
# themselves in a second group, with an undo add only their death takes
# back (its descriptor sits above the slot's, so that it is released
# first when the job dies: wg-slot-job says why), and none ever sees more
# than 2 alive; each holds its slot itself (the ledger's open file,
# inherited at 100 or above); a job whose supervisor is killed dies with
# it, so none is left once the pool drains.
t_go_slot_storm() {
	"$WG" create "$(g)" --limit 2 && "$WG" create "$(g).alive" || return 1
	mkfifo "$T/storm.ready" || return 1
	: >"$T/storm.bad"
	# Open for reading and writing here: no EOF between two jobs' lines.
	exec 4<>"$T/storm.ready"
	l=0 lpids=
	while [ "$l" -lt 3 ]; do
		(
			exec 4<&-
			i=0
			while [ "$i" -lt 8 ]; do
				"$WG" go "$(g)" -- wg-slot-job "$(g).alive" 2 "$T/storm.bad" "$T/storm.ready" ||
					echo "go $?" >"$T/storm.ready"
				i=$((i + 1))
			done
		) &
		lpids="$lpids $!"
		l=$((l + 1))
	done
	k=0 ok=0 jobs=
	while [ "$k" -lt 24 ] && read -r jp sp <&4; do
		k=$((k + 1))
		if [ "$jp" = go ]; then
			say "a go exited $sp"
			ok=1
			continue
		fi
		jobs="$jobs $jp"
		[ "$sp" -gt 1 ] || { say "job $jp has no supervisor"; ok=1; sp=$jp; }
		case $((k % 3)) in
		0) kill -KILL "$sp" ;;
		1) kill -KILL "$jp" ;;
		2) kill -KILL "$sp" "$jp" ;;
		esac
	done
	exec 4<&-
	for p in $lpids; do wait "$p"; done
	[ "$k" -eq 24 ] || { say "$k jobs of 24 ran"; ok=1; }
	# Tasks killed (error 137) or abandoned (their supervisor killed).
	run "$WG" wait "$(g)" --timeout 60
	[ "$st" -eq 1 ] || [ "$st" -eq 2 ] || { say "wait exited $st"; dump; ok=1; }
	run "$WG" info "$(g).alive"
	want_out "count:      0" || { say "jobs still run once the pool drained"; ok=1; }
	if [ -s "$T/storm.bad" ]; then
		sort "$T/storm.bad" | uniq -c | sed 's/^/# /'
		ok=1
	fi
	# Jobs left running (only when the test fails).
	for p in $jobs; do
		grep -q wg-slot-job "/proc/$p/cmdline" 2>/dev/null && kill -KILL "$p"
	done
	rm -f "$T/storm.ready" "$T/storm.bad"
	"$WG" rm "$(g)" "$(g).alive"
	return "$ok"
}

# cancel: a sleeping wait returns at once, exit 1, "canceled"; positive
# adds fail; the generation completes canceled; the next one is clean.
t_cancel() {
	"$WG" create "$(g)" --count 2 || return 1
	run "$WG" cancel "$(g).missing"; want_status 3 || return 1
	run "$WG" cancel "$(g)" --error 0; want_status 64 || return 1
	"$WG" wait "$(g)" >"$T/bg.out" 2>"$T/bg.err" &
	wpid=$!
	until_waiters "$(g)" 1
	run "$WG" cancel "$(g)"; want_status 0 && want_quiet || return 1
	wait "$wpid"; st=$?
	cp "$T/bg.out" "$T/out"; cp "$T/bg.err" "$T/err"
	want_status 1 && want_err "waitgroup: $(g): canceled (error 125)" || return 1
	run "$WG" wait "$(g)" --json; want_status 1 && want_out '"error":125' || return 1
	run "$WG" info "$(g)"; want_out "canceled:   error 125" || return 1
	run "$WG" cancel "$(g)" --error 5; want_status 0 && want_err "nothing to cancel" || return 1
	run "$WG" add "$(g)"; want_status 3 && want_err "Operation canceled" || return 1
	"$WG" done "$(g)" && "$WG" done "$(g)" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "canceled:   the last" || return 1
	"$WG" add "$(g)" || return 1
	run "$WG" wait "$(g)" --timeout 0; want_status 124 || return 1
	"$WG" done "$(g)" || return 1
	run "$WG" wait "$(g)"; want_status 0 || return 1
	run "$WG" cancel "$(g)"; want_status 0 && want_err "nothing to cancel" || return 1
	"$WG" rm "$(g)"
}

# A cancel ends every running COMMAND, of go and of run: SIGTERM, then
# SIGKILL after --grace for one that ignores SIGTERM; every supervisor
# reports, so the canceled generation drains and the next starts clean.
t_cancel_ends_commands() {
	"$WG" create "$(g)" || return 1
	i=0
	while [ "$i" -lt 3 ]; do
		"$WG" go "$(g)" -- sleep 1000 || return 1
		i=$((i + 1))
	done
	"$WG" run "$(g)" -- sleep 1000 >/dev/null 2>&1 &
	rpid=$!
	rm -f "$T/ready" && mkfifo "$T/ready" || return 1
	"$WG" run "$(g)" --grace 100ms -- \
		sh -c 'trap "" TERM; echo >"$1"; exec sleep 1000' sh "$T/ready" &
	kpid=$!
	read -r _ <"$T/ready"
	until_count "$(g)" 5
	run "$WG" cancel "$(g)"; want_status 0 && want_quiet || return 1
	wait "$rpid"; st=$?
	want_status 143 || { say "run's command not ended by SIGTERM"; return 1; }
	wait "$kpid"; st=$?
	want_status 137 || { say "run's command not ended by SIGKILL"; return 1; }
	until_count "$(g)" 0
	run "$WG" info "$(g)"; want_out "canceled:   the last" || return 1
	# A new batch: the group is as good as new.
	"$WG" wait --reset "$(g)" 2>/dev/null
	"$WG" go "$(g)" -- true && "$WG" wait "$(g)" || return 1
	rm -f "$T/ready"
	"$WG" rm "$(g)"
}

# run and go --timeout: no room before it is over, 124, nothing counted.
t_task_timeout() {
	"$WG" create "$(g)" --limit 1 --count 1 || return 1
	run "$WG" go "$(g)" --timeout 50ms -- true; want_status 124 &&
		want_err "waitgroup: $(g): no room for the task before --timeout" || return 1
	run "$WG" run --timeout 0 "$(g)" -- true; want_status 124 || return 1
	run "$WG" run "$(g)" --timeout x -- true; want_status 64 &&
		want_err "waitgroup: --timeout: not a duration: x" || return 1
	run "$WG" go "$(g)" --grace -1 -- true; want_status 64 &&
		want_err "--grace: not a duration" || return 1
	run "$WG" run "$(g)" --grace; want_status 64 && want_err "needs an argument" || return 1
	run "$WG" info "$(g)"; want_out "count:      1" && want_out "room waits: 0" || return 1
	"$WG" done "$(g)" || return 1
	run "$WG" run "$(g)" --timeout 10 --grace 1 -- true; want_status 0 || return 1
	run "$WG" go "$(g)" --timeout 10 -- false; want_status 0 || return 1
	run "$WG" wait "$(g)"; want_status 1 || return 1
	"$WG" rm "$(g)"
}

# wait --cancel-on-error: the first task error cancels the rest.
t_cancel_on_error() {
	"$WG" create "$(g)" --count 3 || return 1
	run "$WG" wait a b --cancel-on-error; want_status 64 || return 1
	"$WG" wait "$(g)" --cancel-on-error >"$T/bg.out" 2>"$T/bg.err" &
	wpid=$!
	until_waiters "$(g)" 1
	"$WG" done "$(g)" || return 1
	"$WG" done "$(g)" --error 7 || return 1
	wait "$wpid"; st=$?
	cp "$T/bg.out" "$T/out"; cp "$T/bg.err" "$T/err"
	want_status 1 && want_err "canceled (error 7)" || return 1
	run "$WG" info "$(g)"; want_out "count:      1" && want_out "canceled:   error 7" || return 1
	"$WG" done "$(g)" && "$WG" rm "$(g)"
}

# "ppid pgrp session" of process $1.
proc_ids() {
	sed 's/.*) //' "/proc/$1/stat" | { read -r _ ppid pgrp sid _; echo "$ppid $pgrp $sid"; }
}

# go returns once COMMAND is executed: its process already has COMMAND's
# argv (before the exec it has waitgroup's), though COMMAND has not run
# (cat blocks opening a FIFO nobody writes). Its parent, the supervisor,
# is not a child of go nor of this shell, and leads its own session.
t_go_exec_confirmed() {
	"$WG" create "$(g)" || return 1
	me=$(sh -c 'echo $PPID')
	k=0
	while [ "$k" -lt 5 ]; do
		mkfifo "$T/blk.$k" || return 1
		"$WG" go "$(g)" -- cat "$T/blk.$k" &
		gpid=$!
		wait "$gpid" || { say "go exited $?"; return 1; }
		cpid=
		for p in /proc/[0-9]*; do
			[ "$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" = "cat $T/blk.$k " ] && cpid=${p#/proc/}
		done
		[ -n "$cpid" ] || { say "no process runs 'cat $T/blk.$k' once go returned"; return 1; }
		# shellcheck disable=SC2046 # three numbers
		set -- $(proc_ids "$cpid")
		sup=$1
		# shellcheck disable=SC2046
		set -- $(proc_ids "$sup")
		if [ "$1" = "$gpid" ] || [ "$1" = "$me" ]; then
			say "supervisor $sup is a child of $1 (go $gpid, shell $me)"; return 1
		fi
		if [ "$3" != "$sup" ] || [ "$2" != "$sup" ]; then
			say "supervisor $sup: group $2, session $3"; return 1
		fi
		echo >"$T/blk.$k"	# cat opens, reads a line, exits
		k=$((k + 1))
	done
	run "$WG" wait "$(g)" --timeout 60; want_status 0 || return 1
	"$WG" rm "$(g)"
}

# The go supervisor forwards signals; SIGKILLed, it takes COMMAND with it
# and the kernel undoes the add once both are gone.
t_go_supervisor() {
	"$WG" create "$(g)" && "$WG" create "$(g).never" --count 1 || return 1
	rm -f "$T/got"
	# COMMAND signals its parent: the supervisor.
	run "$WG" go "$(g)" -- sh -c "$catcher" sh USR1 "$T/got" "$(g).never" "$WG"
	want_status 0 || return 1
	run "$WG" wait "$(g)" --timeout 120; want_status 1 && want_err "error 9" || return 1
	[ "$(cat "$T/got")" = USR1 ] || { say "COMMAND got $(cat "$T/got")"; return 1; }
	mkfifo "$T/ready" "$T/go" || return 1
	run "$WG" go "$(g)" -- sh -c 'echo $PPID >"$1"; read x <"$2"' sh "$T/ready" "$T/go"
	want_status 0 || return 1
	read -r sup <"$T/ready"
	kill -KILL "$sup" || return 1
	# Undone only once COMMAND, which no one lets go, is dead too.
	run "$WG" wait "$(g)" --timeout 60; want_status 2 && want_err "1 task abandoned" || return 1
	rm -f "$T/ready" "$T/go"
	"$WG" rm "$(g)" "$(g).never"
}

t_permissions() {
	[ "$(id -u)" = 0 ] || return 77
	# As user wgtest (1000), who is not in group root. Arguments are
	# words without spaces, so joining them for su -c is safe.
	as_user() { su -s /bin/sh wgtest -c "PATH=$PATH; $*"; }
	run as_user id -u; want_out 1000 || return 77
	"$WG" create "$(g)" --mode 0604 || return 1
	"$WG" create "$(g).private" --count 1 || return 1
	run as_user "$WG" add "$(g)"; want_status 3 && want_err "waitgroup: $(g): Permission denied" || return 1
	run as_user "$WG" run "$(g)" -- true; want_status 125 && want_err "Permission denied" || return 1
	run as_user "$WG" go "$(g)" -- true; want_status 125 && want_err "Permission denied" || return 1
	run as_user "$WG" wait "$(g)"; want_status 0 || return 1
	run as_user "$WG" info "$(g)"; want_status 0 && want_out "mode:       0604" || return 1
	run as_user "$WG" wait "$(g).private" --timeout 0; want_status 3 && want_err "Permission denied" || return 1
	run as_user "$WG" rm "$(g)"; want_status 3 && want_err "Operation not permitted" || return 1
	"$WG" rm "$(g)" "$(g).private"
}

t_ls() {
	run "$WG" ls extra; want_status 64 || return 1
	"$WG" create "$(g).a" || return 1
	"$WG" create "$(g).b" --count 2 --mode 0644 || return 1
	run "$WG" ls; want_status 0 && want_out "$(g).a " && want_out "$(g).b " || return 1
	# A header line first, as ps prints, naming every column.
	[ "$(head -n 1 "$T/out")" = "NAME                        COUNT  WAITERS GENERATION   UID:GID   MODE  LIMIT" ] ||
		{ say "ls header"; dump; return 1; }
	"$WG" limit "$(g).b" 5 || return 1
	run "$WG" ls
	[ "$(awk -v n="$(g).b" '$1 == n { print $2, $3, $4, $5, $6, $7 }' "$T/out")" = "2 0 0 0:0 0644 5" ] ||
		{ say "ls row of $(g).b"; dump; return 1; }
	"$WG" limit "$(g).b" 0 || return 1
	run "$WG" ls --json; want_status 0 || return 1
	want_out "{\"name\":\"$(g).a\",\"count\":0,\"waiters\":0,\"generation\":0,\"error\":0,\"abandoned\":0,\"uid\":0,\"gid\":0,\"mode\":\"0600\",\"limit\":0,\"room_waiters\":0,\"canceled\":false,\"cancel_error\":0,\"last_canceled\":false,\"batch\":{\"done\":0,\"failed\":0,\"abandoned\":0,\"error\":0}}" &&
		want_out "{\"name\":\"$(g).b\",\"count\":2,\"waiters\":0,\"generation\":0,\"error\":0,\"abandoned\":0,\"uid\":0,\"gid\":0,\"mode\":\"0644\",\"limit\":0,\"room_waiters\":0,\"canceled\":false,\"cancel_error\":0,\"last_canceled\":false,\"batch\":{\"done\":0,\"failed\":0,\"abandoned\":0,\"error\":0}}" || return 1
	wg-json-check <"$T/out" || { dump; return 1; }
	[ "$(head -c 1 "$T/out")" = "[" ] || { say "ls --json is not an array"; return 1; }
	"$WG" rm "$(g).a" || return 1
	run "$WG" ls; want_status 0 && want_out "$(g).b " || return 1
	if grep -qF "$(g).a " "$T/out"; then say "ls lists a removed name"; return 1; fi
	if [ "$(id -u)" = 0 ]; then
		# wgtest may wait on the 0644 group, not on a 0600 one.
		"$WG" create "$(g).c" || return 1
		run su -s /bin/sh wgtest -c "PATH=$PATH; $WG ls"
		want_status 0 && want_out "$(g).b " || return 1
		if grep -qF "$(g).c " "$T/out"; then say "ls shows wgtest a 0600 root group"; return 1; fi
		"$WG" rm "$(g).c" || return 1
	fi
	"$WG" rm "$(g).b"
}

# --- waitgroup each ------------------------------------------------------

# each_fifos NAME...: fresh FIFOs $T/NAME (an earlier test may have left one).
each_fifos() {
	for f in "$@"; do
		rm -f "$T/$f" && mkfifo "$T/$f" || return 1
	done
}

# Usage and other errors of each exit 255 (GNU parallel's), as a missing
# group does; no input runs nothing, and the joblog has its header.
t_each_usage() {
	run "$WG" each; want_status 255 && want_err "waitgroup: each: missing NAME" || return 1
	run "$WG" each x; want_status 255 && want_err "waitgroup: each: missing COMMAND" || return 1
	run "$WG" each x -j x true; want_status 255 && want_err "--jobs: not N, +N, -N or N%: x" || return 1
	run "$WG" each x --halt soon true; want_status 255 && want_err "--halt" || return 1
	run "$WG" each x --halt now,fail=5% true; want_status 255 && want_err "only fail=N" || return 1
	run "$WG" each x --retries 0 true; want_status 255 && want_err "--retries" || return 1
	run "$WG" each x --grace; want_status 255 && want_err "--grace needs an argument" || return 1
	run "$WG" each x --bogus true; want_status 255 && want_err "waitgroup: each: unknown option: --bogus" || return 1
	run "$WG" each --help; want_status 0 && want_out "usage: waitgroup each NAME" || return 1
	echo a >"$T/in"
	run "$WG" each "$(g).missing" -- true <"$T/in"; want_status 255 &&
		want_err "waitgroup: $(g).missing: No such file or directory" || return 1
	"$WG" create "$(g)" || return 1
	: >"$T/in"
	run "$WG" each "$(g)" --joblog "$T/log" -- true <"$T/in"; want_status 0 && want_quiet || return 1
	[ "$(cat "$T/log")" = "$(printf 'Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand')" ] ||
		{ say "joblog: $(cat "$T/log")"; return 1; }
	run "$WG" info "$(g)"; want_out "generation: 0" || return 1
	"$WG" rm "$(g)"
}

# Each line is an item (an empty one too, and a last one without newline):
# it replaces every {} in every word, else it is appended. WAITGROUP names
# the group. The whole batch is one generation, even one job at a time:
# the next job's add comes before the done of the one that ended.
t_each_items() {
	"$WG" create "$(g)" || return 1
	printf 'a\nb c\n\nd' >"$T/in"
	run "$WG" each "$(g)" -j 1 -- printf '<%s|x{}y{}>\n' {} <"$T/in"
	want_status 0 || return 1
	[ "$(cat "$T/out")" = "$(printf '<a|xaya>\n<b c|xb cyb c>\n<|xy>\n<d|xdyd>')" ] ||
		{ say "items not in place"; dump; return 1; }
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "generation: 1" || return 1
	run "$WG" each "$(g)" -j 1 -- sh -c 'echo "$WAITGROUP:$#:$1"' sh <"$T/in"; want_status 0 || return 1
	[ "$(cat "$T/out")" = "$(printf '%s:1:a\n%s:1:b c\n%s:1:\n%s:1:d' "$(g)" "$(g)" "$(g)" "$(g)")" ] ||
		{ say "items not appended"; dump; return 1; }
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "generation: 2" || return 1
	"$WG" rm "$(g)"
}

# A job of the -j tests: it counts itself in group $2 and writes the count
# it sees to $3; jobs $4 <= $5 (the first wave) wait until $5 are counted,
# so a launcher that started more than $5 at once would show a higher one.
each_barrier='"$1" add "$2" || exit 1
"$1" info "$2" | sed -n "s/^count: *//p" >>"$3"
if [ "$4" -le "$5" ]; then
	i=0
	while [ "$("$1" info "$2" | sed -n "s/^count: *//p")" -lt "$5" ] && [ $i -lt 20000 ]; do
		usleep 1000
		i=$((i + 1))
	done
fi
"$1" done "$2"'

# -j N bounds the jobs running at once, and so does the group's limit
# (-j 4 under --limit 2: the third job waits for room).
t_each_jobs() {
	"$WG" create "$(g)" && "$WG" create "$(g).c" && "$WG" create "$(g).l" --limit 2 || return 1
	seq 10 >"$T/in"
	: >"$T/counts"
	run "$WG" each "$(g)" -j 3 -- sh -c "$each_barrier" sh "$WG" "$(g).c" "$T/counts" {} 3 <"$T/in"
	want_status 0 || return 1
	lines=$(wc -l <"$T/counts")
	[ "$lines" -eq 10 ] || { say "$lines jobs ran, not 10"; return 1; }
	max=$(sort -n "$T/counts" | tail -n 1)
	[ "$max" -eq 3 ] || { say "$max jobs at once with -j 3"; return 1; }
	: >"$T/counts"
	run "$WG" each "$(g).l" -j 4 -- sh -c "$each_barrier" sh "$WG" "$(g).c" "$T/counts" {} 2 <"$T/in"
	want_status 0 || return 1
	max=$(sort -n "$T/counts" | tail -n 1)
	[ "$max" -eq 2 ] || { say "$max jobs at once under --limit 2"; return 1; }
	run "$WG" info "$(g).l"; want_out "count:      0" && want_out "room waits: 0" &&
		want_out "generation: 1" || return 1
	"$WG" rm "$(g)" "$(g).c" "$(g).l"
}

# The exit status counts the failed jobs (killed by a signal, not found:
# failed too), 101 for more than 100; the group has each job's status.
t_each_failures() {
	"$WG" create "$(g)" || return 1
	seq 5 >"$T/in"
	run "$WG" each "$(g)" -j 1 -- sh -c '[ $(($1 % 2)) = 0 ] || exit $((10 + $1))' sh <"$T/in"
	want_status 3 || return 1
	run "$WG" wait --reset "$(g)"; want_status 1 &&
		want_err "3 of 5 tasks failed, the first with error 11" || return 1
	run "$WG" each "$(g)" -- sh -c 'kill -TERM $$' <"$T/in"; want_status 5 || return 1
	run "$WG" wait --reset "$(g)"; want_status 1 && want_err "error 143" || return 1
	echo x >"$T/in"
	run "$WG" each "$(g)" -- wg-no-such-command <"$T/in"; want_status 1 &&
		want_err "waitgroup: wg-no-such-command: No such file or directory" || return 1
	run "$WG" wait "$(g)"; want_status 1 && want_err "error 127" || return 1
	seq 150 >"$T/in"
	run "$WG" each "$(g)" -j 4 -- false <"$T/in"; want_status 101 || return 1
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "room waits: 0" || return 1
	"$WG" rm "$(g)"
}

# Jobs of the --halt and cancel tests, by item $1: slow says it started
# on FIFO $2 and blocks in cat $3 (deaf too, ignoring SIGTERM); fail waits
# for that and exits 7; any other item writes itself to file $4.
each_halt='case $1 in
slow) echo >"$2"; exec cat "$3" ;;
deaf) trap "" TERM; echo >"$2"; exec cat "$3" ;;
fail) read -r _ <"$2"; exit 7 ;;
*) echo "$1" >>"$4" ;;
esac'

# --halt now,fail=1: the failure ends the running job (SIGTERM; SIGKILL
# after --grace for one that ignores it) and starts no more; each exits
# with the failed job's status, as parallel does.
t_each_halt_now() {
	"$WG" create "$(g)" || return 1
	each_fifos started never || return 1
	: >"$T/ran"
	printf 'slow\nfail\nx\ny\n' >"$T/in"
	run "$WG" each "$(g)" -j 2 --halt now,fail=1 --joblog "$T/log" -- \
		sh -c "$each_halt" sh {} "$T/started" "$T/never" "$T/ran" <"$T/in"
	want_status 7 && want_err "waitgroup: $(g): 1 job failed: starting no more jobs, ending 1 running" || return 1
	[ ! -s "$T/ran" ] || { say "started after the halt: $(cat "$T/ran")"; return 1; }
	[ "$(awk -F '\t' '$9 ~ / slow / { print $7, $8 }' "$T/log")" = "0 15" ] ||
		{ say "slow not ended by SIGTERM"; cat "$T/log"; return 1; }
	printf 'deaf\nfail\n' >"$T/in"
	run "$WG" each "$(g)" -j 2 --halt 2 --grace 100ms --joblog "$T/log" -- \
		sh -c "$each_halt" sh {} "$T/started" "$T/never" "$T/ran" <"$T/in"
	want_status 7 || return 1
	[ "$(awk -F '\t' '$9 ~ / deaf / { print $7, $8 }' "$T/log")" = "0 9" ] ||
		{ say "deaf not ended by SIGKILL"; cat "$T/log"; return 1; }
	run "$WG" wait "$(g)"; want_status 1 && want_err "the first with error 7" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" || return 1
	rm -f "$T/started" "$T/never"
	"$WG" rm "$(g)"
}

# --halt soon,fail=1: no more jobs start, the running one is waited for.
t_each_halt_soon() {
	"$WG" create "$(g)" || return 1
	each_fifos started release msgs || return 1
	: >"$T/ran"
	printf 'slow\nfail\nx\ny\n' >"$T/in"
	"$WG" each "$(g)" -j 2 --halt soon,fail=1 -- sh -c "$each_halt" sh {} "$T/started" "$T/release" "$T/ran" \
		<"$T/in" >"$T/bg.out" 2>"$T/msgs" &
	epid=$!
	exec 3<"$T/msgs"
	read -r line <&3
	[ "$line" = "waitgroup: $(g): 1 job failed: starting no more jobs, waiting for 1 running" ] ||
		{ say "said: $line"; return 1; }
	echo released >"$T/release"	# slow's cat prints it and ends
	cat <&3 >"$T/err"
	exec 3<&-
	wait "$epid"
	st=$?
	cp "$T/bg.out" "$T/out"
	want_status 7 && want_out released || return 1
	[ ! -s "$T/ran" ] || { say "started after the halt: $(cat "$T/ran")"; return 1; }
	run "$WG" info "$(g)"; want_out "count:      0" || return 1
	rm -f "$T/started" "$T/release" "$T/msgs"
	"$WG" rm "$(g)"
}

# --joblog: GNU parallel's format, a line per job as it ends.
t_each_joblog() {
	"$WG" create "$(g)" || return 1
	printf 'ok\nbad\nkilled\nlast\n' >"$T/in"
	t0=$(date +%s)
	run "$WG" each "$(g)" -j 1 --joblog "$T/log" -- \
		sh -c 'case $1 in bad) exit 3 ;; killed) kill -TERM $$ ;; esac' sh {} <"$T/in"
	t1=$(date +%s)
	want_status 2 || return 1
	awk -F '\t' -v t0="$t0" -v t1="$t1" '
	NR == 1 {
		if ($0 != "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand") {
			print "header: " $0; bad = 1
		}
		next
	}
	NF != 9 { print "line " NR ": " NF " fields"; bad = 1 }
	$1 != NR - 1 || $2 != ":" || $5 != "0" || $6 != "0" { print "line " NR ": " $0; bad = 1 }
	$3 !~ /^[0-9]+\.[0-9][0-9][0-9]$/ || $3 < t0 || $3 > t1 + 1 { print "Starttime " $3; bad = 1 }
	length($4) != 10 || $4 !~ /^ *[0-9]+\.[0-9][0-9][0-9]$/ { print "JobRuntime [" $4 "]"; bad = 1 }
	{ st = st $7 "/" $8 " "; n = split($9, w, " "); item = item w[n] " " }
	END {
		if (st != "0/0 3/0 0/15 0/0 ") { print "Exitval/Signal: " st; bad = 1 }
		if (item != "ok bad killed last ") { print "Commands end with: " item; bad = 1 }
		exit bad
	}' "$T/log" || { sed 's/^/#   /' "$T/log"; return 1; }
	# Command: the command line as sh would read it back.
	printf 'plain\na b\nit'"'"'s\n' >"$T/in"
	run "$WG" each "$(g)" -j 1 --joblog "$T/log" -- echo {} <"$T/in"; want_status 0 || return 1
	cut -f 9 "$T/log" >"$T/cmds"
	printf '%s\n' Command 'echo plain' "echo 'a b'" "echo 'it'\\''s'" >"$T/want"
	cmp -s "$T/cmds" "$T/want" || { say "Command fields:"; sed 's/^/#   /' "$T/cmds"; return 1; }
	"$WG" rm "$(g)"
}

# --tag: each line of a job's output, stdout and stderr, starts with its item.
t_each_tag() {
	"$WG" create "$(g)" || return 1
	printf 'a\nb\n' >"$T/in"
	run "$WG" each "$(g)" -j 1 --tag -- sh -c 'echo one; echo two; echo err >&2' sh <"$T/in"
	want_status 0 || return 1
	[ "$(cat "$T/out")" = "$(printf 'a\tone\na\ttwo\nb\tone\nb\ttwo')" ] || { dump; return 1; }
	[ "$(cat "$T/err")" = "$(printf 'a\terr\nb\terr')" ] || { dump; return 1; }
	"$WG" rm "$(g)"
}

# --retries N: N tries in all; only the last one's status and output count.
t_each_retries() {
	"$WG" create "$(g)" || return 1
	printf 'a\nb\n' >"$T/in"
	flaky='if [ -e "$2.$1" ]; then echo "second $1"; else : >"$2.$1"; echo "first $1"; exit 4; fi'
	run "$WG" each "$(g)" -j 1 --retries 2 --joblog "$T/log" -- sh -c "$flaky" sh {} "$T/state" <"$T/in"
	want_status 0 || return 1
	[ "$(cat "$T/out")" = "$(printf 'second a\nsecond b')" ] || { dump; return 1; }
	[ "$(wc -l <"$T/log")" -eq 3 ] || { say "joblog:"; cat "$T/log"; return 1; }
	run "$WG" wait "$(g)"; want_status 0 || return 1
	rm -f "$T/state".*
	run "$WG" each "$(g)" -j 1 -- sh -c "$flaky" sh {} "$T/state" <"$T/in"
	want_status 2 && want_out "first a" || return 1
	run "$WG" wait "$(g)"; want_status 1 && want_err "error 4" || return 1
	: >"$T/tries"
	echo x >"$T/in"
	run "$WG" each "$(g)" --retries 3 -- sh -c 'echo >>"$1"; exit 1' sh "$T/tries" <"$T/in"
	want_status 1 || return 1
	[ "$(wc -l <"$T/tries")" -eq 3 ] || { say "$(wc -l <"$T/tries") tries, not 3"; return 1; }
	rm -f "$T/state".*
	"$WG" rm "$(g)"
}

# --group (the default): a job's output is printed whole when it ends,
# though two jobs write in turns. --line-buffer: each line as soon as it
# is complete, while its job runs; a half line waits for its end.
t_each_output() {
	"$WG" create "$(g)" || return 1
	each_fifos f1 f2 || return 1
	turns='case $1 in
A) echo A1; echo >"$2"; read -r _ <"$3"; echo A2 ;;
B) read -r _ <"$2"; echo B1; echo >"$3"; echo B2 ;;
esac'
	printf 'A\nB\n' >"$T/in"
	run "$WG" each "$(g)" -j 2 -- sh -c "$turns" sh {} "$T/f1" "$T/f2" <"$T/in"
	want_status 0 || return 1
	case $(tr '\n' ' ' <"$T/out") in
	"A1 A2 B1 B2 " | "B1 B2 A1 A2 ") ;;
	*) say "outputs interleaved"; dump; return 1 ;;
	esac
	# Each waits (bounded) until the other's line is out: only passing
	# lines on as they come lets both go on.
	half='until_out() { i=0; while ! grep -q "$1" "$2" && [ $i -lt 20000 ]; do usleep 1000; i=$((i + 1)); done; }
case $1 in
A) printf A-half; echo >"$2"; until_out B-line "$3"; echo " end" ;;
B) read -r _ <"$2"; echo B-line; until_out "A-half end" "$3" ;;
esac'
	run "$WG" each "$(g)" -j 2 --line-buffer -- sh -c "$half" sh {} "$T/f1" "$T/out" <"$T/in"
	want_status 0 || return 1
	[ "$(cat "$T/out")" = "$(printf 'B-line\nA-half end')" ] || { say "lines not passed on whole"; dump; return 1; }
	rm -f "$T/f1" "$T/f2"
	"$WG" rm "$(g)"
}

# Another process's wait sees the batch: begun during the first job, it
# returns once the last has ended, with the error of the one that failed.
t_each_wait_sees_jobs() {
	"$WG" create "$(g)" || return 1
	each_fifos hold || return 1
	printf 'hold\nok\nfail\n' >"$T/in"
	"$WG" each "$(g)" -j 1 -- sh -c 'case $1 in hold) read -r _ <"$2" ;; fail) exit 5 ;; esac' sh {} "$T/hold" \
		<"$T/in" >"$T/bg.out" 2>"$T/bg.err" &
	epid=$!
	until_count "$(g)" 1
	"$WG" wait "$(g)" >"$T/w.out" 2>"$T/w.err" &
	wpid=$!
	until_waiters "$(g)" 1
	echo >"$T/hold"
	wait "$epid"
	st=$?
	cp "$T/bg.out" "$T/out"
	cp "$T/bg.err" "$T/err"
	want_status 1 || return 1
	wait "$wpid"
	st=$?
	cp "$T/w.out" "$T/out"
	cp "$T/w.err" "$T/err"
	want_status 1 && want_err "a task failed with error 5" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "generation: 1" || return 1
	rm -f "$T/hold"
	"$WG" rm "$(g)"
}

# A cancel of the group ends the running job and starts no more: 255.
t_each_cancel() {
	"$WG" create "$(g)" || return 1
	each_fifos started never || return 1
	: >"$T/ran"
	printf 'slow\nx\n' >"$T/in"
	"$WG" each "$(g)" -j 1 -- sh -c "$each_halt" sh {} "$T/started" "$T/never" "$T/ran" \
		<"$T/in" >"$T/bg.out" 2>"$T/bg.err" &
	epid=$!
	read -r _ <"$T/started"
	"$WG" cancel "$(g)" || return 1
	wait "$epid"
	st=$?
	cp "$T/bg.out" "$T/out"
	cp "$T/bg.err" "$T/err"
	want_status 255 && want_err "waitgroup: $(g): canceled (error 125); 1 job not started" || return 1
	[ ! -s "$T/ran" ] || { say "started after the cancel: $(cat "$T/ran")"; return 1; }
	run "$WG" info "$(g)"; want_out "count:      0" && want_out "canceled:   the last" || return 1
	rm -f "$T/started" "$T/never"
	"$WG" rm "$(g)"
}

# each SIGKILLed: the running job holds its own add (it inherited the
# ledger), so its slot stays taken until the job is gone; then the kernel
# undoes the add as abandoned. (The job writes nothing: its output pipe
# has no reader once each is dead.)
t_each_sigkill() {
	"$WG" create "$(g)" --limit 1 || return 1
	each_fifos started go || return 1
	printf 'a\nb\n' >"$T/in"
	"$WG" each "$(g)" -- sh -c 'echo >"$1"; read -r _ <"$2"' sh "$T/started" "$T/go" <"$T/in" >/dev/null 2>&1 &
	epid=$!
	read -r _ <"$T/started"
	kill -KILL "$epid"
	{ wait "$epid"; } 2>/dev/null
	run "$WG" info "$(g)"; want_out "count:      1" || { say "the job's slot was given back"; return 1; }
	run "$WG" add "$(g)"; want_status 3 && want_err "Resource temporarily unavailable" || return 1
	echo x >"$T/go"	# the job reads its line and ends
	run "$WG" wait "$(g)" --timeout 60 -v; want_status 2 && want_out "abandoned=1" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" || return 1
	rm -f "$T/started" "$T/go"
	"$WG" rm "$(g)"
}

# SIGTERM sent to each goes on to the running job, no more start, and
# each dies of it as run does (143); the group has the job's status.
t_each_signal() {
	"$WG" create "$(g)" || return 1
	each_fifos started never || return 1
	: >"$T/ran"
	printf 'slow\nx\n' >"$T/in"
	"$WG" each "$(g)" -j 1 -- sh -c "$each_halt" sh {} "$T/started" "$T/never" "$T/ran" \
		<"$T/in" >/dev/null 2>&1 &
	epid=$!
	read -r _ <"$T/started"
	kill -TERM "$epid"
	{ wait "$epid"; } 2>/dev/null
	st=$?
	[ "$st" -eq 143 ] || { say "each exited $st, not 143"; return 1; }
	[ ! -s "$T/ran" ] || { say "started after SIGTERM: $(cat "$T/ran")"; return 1; }
	run "$WG" wait "$(g)" --timeout 60; want_status 1 && want_err "a task failed with error 143" || return 1
	run "$WG" info "$(g)"; want_out "count:      0" || return 1
	rm -f "$T/started" "$T/never"
	"$WG" rm "$(g)"
}

# each_gone PID [TENTHS]: the background each has exited (a zombie not
# waited for yet counts) within TENTHS tenths of a second (default 200),
# a bound for a regression that hangs, not a synchronisation.
each_gone() {
	i=0
	while [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt "${2:-200}" ] || { say "pid $1 still running"; kill -KILL "$1"; return 1; }
		usleep 100000
	done
}

# A cancel while the second job waits for room under the limit (its add
# in the thread) while the first runs: each ends, several times over (a
# poll that sees the cancel and the thread's answer at once).
t_each_cancel_room() {
	printf 'a\nb\n' >"$T/in"
	for r in 1 2 3 4 5; do
		"$WG" create "$(g).$r" --limit 1 || return 1
		each_fifos started never || return 1
		"$WG" each "$(g).$r" -j 2 -- sh -c 'echo >"$1"; read -r _ <"$2"' sh \
			"$T/started" "$T/never" <"$T/in" >"$T/bg.out" 2>"$T/bg.err" &
		epid=$!
		read -r _ <"$T/started"
		until_room_waiters "$(g).$r" 1
		"$WG" cancel "$(g).$r" || return 1
		each_gone "$epid" || { say "round $r: each hangs after the cancel"; return 1; }
		wait "$epid"
		st=$?
		cp "$T/bg.out" "$T/out"
		cp "$T/bg.err" "$T/err"
		want_status 255 && want_err "canceled (error 125); 1 job not started" || return 1
		rm -f "$T/started" "$T/never"
		"$WG" rm "$(g).$r"
	done
}

# Standard output closed (| head): no more jobs start, the running ones
# end with their own dones (none abandoned), each dies of SIGPIPE.
t_each_epipe() {
	"$WG" create "$(g)" || return 1
	seq 20 >"$T/in"
	{ "$WG" each "$(g)" -j 4 --joblog "$T/log" -- sh -c 'seq 20000' <"$T/in" 2>"$T/err"; echo $? >"$T/st"; } |
		head -n 1 >"$T/out"
	[ "$(cat "$T/st")" = 141 ] || { say "each exited $(cat "$T/st"), not 141"; dump; return 1; }
	[ ! -s "$T/err" ] || { dump; return 1; }
	[ "$(wc -l <"$T/log")" -lt 21 ] || { say "every job started"; return 1; }
	run "$WG" wait "$(g)" --timeout 60 -v; want_status 0 && want_out "abandoned=0" || return 1
	"$WG" rm "$(g)"
}

# SIGTERM while each is blocked writing to a reader that does not read:
# the output is dropped, each dies of the signal.
t_each_signal_stalled() {
	"$WG" create "$(g)" || return 1
	each_fifos started stall || return 1
	sleep 1000 <"$T/stall" &
	hold=$!
	echo x >"$T/in"
	"$WG" each "$(g)" -- sh -c 'head -c 200000 /dev/zero; echo >"$1"' sh "$T/started" \
		<"$T/in" >"$T/stall" 2>/dev/null &
	epid=$!
	read -r _ <"$T/started"
	kill -TERM "$epid"
	each_gone "$epid" || { say "each ignores SIGTERM while writing"; kill "$hold"; return 1; }
	{ wait "$epid"; } 2>/dev/null
	st=$?
	kill "$hold"
	[ "$st" -eq 143 ] || { say "each exited $st, not 143"; return 1; }
	rm -f "$T/started" "$T/stall"
	"$WG" rm "$(g)"
}

# --halt now ends the job's process group: its children too.
t_each_halt_group() {
	"$WG" create "$(g)" || return 1
	each_fifos started || return 1
	printf 'a\nb\n' >"$T/in"
	run "$WG" each "$(g)" -j 2 --halt now,fail=1 -- sh -c \
		'case $1 in a) sleep 1000 & echo $! >"$3"; echo >"$2"; wait ;; b) read -r _ <"$2"; exit 3 ;; esac' \
		sh {} "$T/started" "$T/child" <"$T/in"
	want_status 3 || return 1
	each_gone "$(cat "$T/child")" 50 || { say "the job's child survived --halt now"; return 1; }
	rm -f "$T/started"
	"$WG" rm "$(g)"
}

# The done comes after the job's output and joblog line: a wait that
# returns finds them written.
t_each_done_last() {
	"$WG" create "$(g)" || return 1
	each_fifos go || return 1
	echo a >"$T/in"
	"$WG" each "$(g)" --joblog "$T/log" -- sh -c 'read -r _ <"$1"; echo out' sh "$T/go" \
		<"$T/in" >"$T/bg.out" 2>&1 &
	epid=$!
	until_count "$(g)" 1
	echo >"$T/go"
	"$WG" wait "$(g)" || return 1
	[ "$(wc -l <"$T/log")" = 2 ] || { say "joblog not written when the wait returned"; cat "$T/log"; return 1; }
	[ "$(cat "$T/bg.out")" = out ] || { say "output not written when the wait returned"; return 1; }
	wait "$epid"
	rm -f "$T/go"
	"$WG" rm "$(g)"
}

# A job that cannot start for want of processes (ulimit -u, EAGAIN)
# waits for another to exit, and fails only when none runs: every item
# runs, none fails with 126.
t_each_eagain() {
	"$WG" create "$(g)" --mode 0666 || return 1
	seq 8 >"$T/in"
	run su -s /bin/sh wgtest -c "PATH=$PATH; ulimit -u 4 && $WG each $(g) -j 4 sleep 0.2" <"$T/in"
	want_status 0 && want_quiet || return 1
	run "$WG" info "$(g)"; want_out "count:      0" || return 1
	run "$WG" wait "$(g)" -v; want_status 0 && want_out "done=8 failed=0" || return 1
	"$WG" rm "$(g)"
}

# --progress, not on a terminal: a first line, then a line a second at
# most, and the final state.
t_each_progress() {
	"$WG" create "$(g)" || return 1
	seq 3 >"$T/in"
	run "$WG" each "$(g)" -j 2 --progress -- true <"$T/in"
	want_status 0 || return 1
	[ ! -s "$T/out" ] || { dump; return 1; }
	first=$(head -n 1 "$T/err")
	case $first in
	"$(g): 0/3 done, "*" running, ETA -") ;;
	*) say "first line: $first"; return 1 ;;
	esac
	[ "$(tail -n 1 "$T/err")" = "$(g): 3/3 done, 0 running, ETA 0s" ] || { dump; return 1; }
	"$WG" rm "$(g)"
}

# Completion knows each, its options and their values.
t_each_completion() {
	c=${WG_COMPLETION:-/opt/wg/share/waitgroup.bash-completion}
	if [ ! -f "$c" ] || ! command -v bash >/dev/null; then say "no bash or no $c"; return 77; fi
	run bash -c '. "$1"; COMP_WORDS=(waitgroup ea); COMP_CWORD=1; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "each" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup each x --j); COMP_CWORD=3; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "--jobs --joblog" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup each x --halt ""); COMP_CWORD=4; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "never soon,fail=1 now,fail=1" || return 1
	run bash -c '. "$1"; COMP_WORDS=(waitgroup each -j 4 x -- wg-json-chec); COMP_CWORD=6; _waitgroup; echo "${COMPREPLY[*]}"' sh "$c"
	want_out "wg-json-check" || return 1
}

main() {
	echo "TAP version 13"
	if [ ! -c /dev/waitgroup ]; then
		echo "1..0 # SKIP no /dev/waitgroup"
		echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
		exit 77
	fi
	set -- t_usage t_messages t_write_error t_completion t_help t_create_info_rm t_bad_names t_add_done_wait \
		t_wait_error t_wait_counts_tasks t_wait_timeout t_progress_not_tty t_wait_batch \
		t_wait_several t_wait_keeps_generation t_wait_expired t_wait_json \
		t_run t_run_not_found t_run_sigkill t_run_command_killed \
		t_run_signals t_run_signal_death \
		t_go t_go_codes t_go_loop t_go_exec_confirmed t_go_supervisor \
		t_limit t_go_limit_shared t_go_limit_sigkill t_go_slot_storm t_cancel t_cancel_on_error \
		t_cancel_ends_commands t_task_timeout \
		t_permissions t_ls \
		t_each_usage t_each_items t_each_jobs t_each_failures t_each_halt_now \
		t_each_halt_soon t_each_joblog t_each_tag t_each_retries t_each_output \
		t_each_wait_sees_jobs t_each_cancel t_each_sigkill t_each_signal t_each_progress \
		t_each_completion t_each_cancel_room t_each_epipe t_each_signal_stalled \
		t_each_halt_group t_each_done_last t_each_eagain
	# WG_CMD_TESTS="t_a t_b": only those, when trying a change.
	# shellcheck disable=SC2086 # a list of words
	[ -z "${WG_CMD_TESTS:-}" ] || set -- $WG_CMD_TESTS
	echo "1..$#"
	for t in "$@"; do
		n=$((n + 1))
		(set +e; "$t")
		rc=$?
		case $rc in
		0) pass=$((pass + 1)); echo "ok $n $t" ;;
		77) skip=$((skip + 1)); echo "ok $n $t # SKIP" ;;
		*) fail=$((fail + 1)); echo "not ok $n $t" ;;
		esac
	done
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ "$fail" -eq 0 ]
}

main
