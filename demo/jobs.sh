#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The main job (make demo runs it in a VM; on a host with the module loaded,
# run it as "sh demo/jobs.sh"): a coordinator fans out a dozen workers as
# unrelated processes and waits for them through one named waitgroup.
#
#   - every worker is started by "waitgroup go GROUP -- worker", which
#     returns once the worker is counted (add 1 with WG_UNDO) and executing,
#     under a supervisor in its own session, reparented to init; the
#     supervisor reports the worker's exit status as the task's error.
#     Fast workers may end a generation between two go's: the wait after
#     the loop still waits for every worker (each go has counted its own
#     before it returns) and reports the whole batch, every task since
#     the group's creation, from the totals the kernel keeps;
#   - each worker verifies the SHA-256 sums of its generated files;
#   - worker FAIL_ID finds a corrupted file and exits 3;
#   - worker STUCK_ID hangs mid-task; a watchdog SIGKILLs its whole session
#     (its supervisor included) once every other task has finished;
#   - "waitgroup wait" reports 12 tasks: 11 done, 1 of them failed (first
#     error 3), 1 abandoned (the kernel undid the killed supervisor's add,
#     once its worker was gone too) and exits 2.
#
# Then a pool: twelve jobs launched by "waitgroup go" into a group with a
# limit of 3 kept by the kernel (go waits for a free slot), watched by
# "waitgroup wait --cancel-on-error":
#   - jobs 1-6 succeed, never more than 3 at once (each job reads the
#     group's own count when it starts);
#   - job 7 fails once the pool is full and the launcher waits for room;
#     its error cancels the group: the wait returns "canceled (error 4)";
#   - the supervisors of the hung jobs 8 and 9 end them: job 8 on SIGTERM,
#     job 9, which ignores SIGTERM, by SIGKILL after --grace 500ms;
#   - the launcher's go for job 10 fails at once (canceled: status 125),
#     so it launches no more; the pool drains to 0.
#
# Synchronisation is the groups' own state, never a sleep. The script
# checks the outcome itself and exits nonzero if anything is wrong.
set -u

WG=${WG:-waitgroup}
WORKERS=12
FILES=8
FAIL_ID=5
STUCK_ID=9
G=demo.jobs.$$			# the job group
STUCK=$G.stuck			# what worker STUCK_ID waits for, forever
POOL=$G.pool			# the pool of act two, limit 3

dir=$(mktemp -d "${TMPDIR:-/tmp}/wg-demo.XXXXXX") || exit 1
tty=
[ -t 2 ] && [ "${TERM:-dumb}" != dumb ] && tty=1

say() { printf '%s\n' "$*"; }
# A line that may interrupt the progress bar starts by erasing it.
say_over_bar() { printf '%s%s\n' "${tty:+$(printf '\r\033[K')}" "$*"; }
fail() { say "demo: FAILED: $*"; status=1; }
cleanup() {
	for f in "$dir"/w*.pid; do
		[ -f "$f" ] || continue
		read -r _ run _ <"$f"
		kill -KILL "$run" 2>/dev/null
	done
	for f in "$dir"/job*.pid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	"$WG" rm "$G" "$STUCK" "$POOL" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
status=0

command -v "$WG" >/dev/null || { echo "demo: no $WG command on PATH" >&2; exit 1; }
[ -c /dev/waitgroup ] || { echo "demo: no /dev/waitgroup: load the module" >&2; exit 1; }

say "== waitgroup demo: one coordinator, $WORKERS unrelated workers, one named group =="

# --- the work: files and their manifests ------------------------------------
i=1
while [ "$i" -le "$WORKERS" ]; do
	mkdir -p "$dir/$i"
	f=1
	while [ "$f" -le "$FILES" ]; do
		head -c 131072 /dev/urandom >"$dir/$i/part$f"
		f=$((f + 1))
	done
	(cd "$dir/$i" && sha256sum part* >MANIFEST)
	i=$((i + 1))
done
# The failing worker's fourth file is corrupted after its sum was taken.
printf 'X' | dd of="$dir/$FAIL_ID/part4" bs=1 seek=4096 conv=notrunc 2>/dev/null
say "coordinator: generated $WORKERS x $FILES files of 128 KiB and a SHA-256 manifest for each"

cat >"$dir/worker.sh" <<'EOF'
# worker ID DIR STUCK STUCK_ID: verify this worker's files.
id=$1 dir=$2 stuck=$3 stuck_id=$4
me=$(printf 'worker %02d' "$id")
# This shell, its supervisor, and that one's parent and session.
read -r _ _ _ ppid _ sid _ <"/proc/$PPID/stat"
echo "$$ $PPID $ppid $sid" >"$dir/w$id.pid"
echo "$me: counted in group $WAITGROUP, starting"
total=$(wc -l <"$dir/$id/MANIFEST")
n=0
while read -r sum file; do
	n=$((n + 1))
	got=$(sha256sum "$dir/$id/$file" | cut -d' ' -f1)
	if [ "$got" != "$sum" ]; then
		echo "$me: FAILED: checksum mismatch in $file ($n/$total)"
		exit 3
	fi
	echo "$me: $file ok ($n/$total)"
	if [ "$id" = "$stuck_id" ] && [ "$n" = 3 ]; then
		echo "$me: stuck, waiting for a resource that never comes"
		waitgroup wait "$stuck"
	fi
done <"$dir/$id/MANIFEST"
echo "$me: all $total files verified"
EOF

# --- the groups ---------------------------------------------------------------
"$WG" create "$G" --excl --mode 0600 || exit 1
"$WG" create "$STUCK" --excl --count 1 || exit 1
say "coordinator: waitgroup create $G (a new group: a new batch)"

# --- launch: each worker counted and executing before go returns ----------------
i=1
while [ "$i" -le "$WORKERS" ]; do
	"$WG" go "$G" -- sh "$dir/worker.sh" "$i" "$dir" "$STUCK" "$STUCK_ID" \
		</dev/null >"$dir/w$i.log" 2>&1 || { fail "waitgroup go exited $?"; exit 1; }
	i=$((i + 1))
done
c=$("$WG" info --json "$G" | sed 's/.*"count":\([0-9]*\).*/\1/')
say "coordinator: launched $WORKERS x 'waitgroup go $G -- sh worker.sh N'; count is $c at once"
# Not "= WORKERS": the fast ones may have finished already.
[ "$c" -le "$WORKERS" ] || fail "count $c after $WORKERS go's"

# --- the watchdog: kill the stuck worker once everyone else is done -----------
(
	# Worker STUCK_ID is stuck once it sleeps in a wait on STUCK, and
	# it is the last one once the job group's count is 1.
	while :; do
		w=$("$WG" info --json "$STUCK" | sed 's/.*"waiters":\([0-9]*\).*/\1/')
		c=$("$WG" info --json "$G" | sed 's/.*"count":\([0-9]*\).*/\1/')
		[ "$w" = 1 ] && [ "$c" = 1 ] && break
		usleep 20000	# poll interval only: the condition is the state
	done
	read -r _ run _ <"$dir/w$STUCK_ID.pid"
	say_over_bar "watchdog: worker $(printf %02d "$STUCK_ID") is stuck and all others are done:" \
		"SIGKILL to its session (its supervisor, pid $run)"
	kill -KILL "-$run"	# the supervisor leads the group: both go
) &
watchdog=$!

# --- wait ---------------------------------------------------------------------
say "coordinator: waitgroup wait $G --progress --total $WORKERS --verbose"
"$WG" wait "$G" --progress --total "$WORKERS" --verbose --timeout 300 >"$dir/result"
rc=$?
wait "$watchdog"
result=$(cat "$dir/result")
say "coordinator: waitgroup wait exited $rc: $result"

# --- what happened ------------------------------------------------------------
unrelated=0
i=1
while [ "$i" -le "$WORKERS" ]; do
	read -r _ sup ppid sid <"$dir/w$i.pid"
	[ "$ppid" != "$$" ] && [ "$sid" = "$sup" ] && unrelated=$((unrelated + 1))
	i=$((i + 1))
done
say "coordinator: $unrelated of the $WORKERS supervisors led their own session, none was the coordinator's child"
[ "$unrelated" -eq "$WORKERS" ] || fail "workers are not unrelated processes"
say ""
say "-- what each worker said (last line of its log) --"
ok=0 failed=0 killed=0
i=1
while [ "$i" -le "$WORKERS" ]; do
	last=$(tail -n 1 "$dir/w$i.log")
	say "  $last"
	case $last in
	*"all $FILES files verified") ok=$((ok + 1)) ;;
	*"FAILED: checksum mismatch in part4"*) [ "$i" = "$FAIL_ID" ] && failed=$((failed + 1)) ;;
	*"stuck, waiting"*) [ "$i" = "$STUCK_ID" ] && killed=$((killed + 1)) ;;
	esac
	i=$((i + 1))
done
read -r _ run _ <"$dir/w$STUCK_ID.pid"
[ ! -d "/proc/$run" ] || fail "the killed worker's supervisor is still alive"

# --- verdict ------------------------------------------------------------------
say ""
expect="done=$((WORKERS - 1)) failed=1 abandoned=1 error=3"
[ "$rc" -eq 2 ] || fail "waitgroup wait exited $rc, not 2 (a task was abandoned)"
case $result in
*"$expect") ;;
*) fail "waitgroup wait reported '$result', expected '... $expect'" ;;
esac
[ "$ok" -eq $((WORKERS - 2)) ] || fail "$ok workers verified their files, not $((WORKERS - 2))"
[ "$failed" -eq 1 ] || fail "worker $FAIL_ID did not report its corrupted file"
[ "$killed" -eq 1 ] || fail "worker $STUCK_ID was not killed while stuck"
c=$("$WG" info --json "$G" | sed 's/.*"count":\([0-9]*\).*/\1/')
[ "$c" = 0 ] || fail "group count is $c after the wait, not 0"

if [ "$status" -eq 0 ]; then
	say "act one: PASS: all $WORKERS tasks accounted for:"
	say "  $ok succeeded; worker $FAIL_ID failed with exit 3, the generation's first error;"
	say "  worker $STUCK_ID was SIGKILLed mid-task with its supervisor, and the kernel undid its add (abandoned=1),"
	say "  so the coordinator's wait returned instead of hanging, and exited 2."
fi

# === act two: a pool of 3 slots, and the first error cancels the rest ========
say ""
say "== act two: 12 jobs through 'waitgroup go' into a pool with a limit of 3, the first error cancels =="
cat >"$dir/job.sh" <<'EOF'
# job ID DIR POOL: jobs 1-6 verify act one's files of workers 7-12 (no
# corrupted one there), 7 fails, 8 and 9 hang.
id=$1 dir=$2 pool=$3
exec >"$dir/job$id.log" 2>&1
echo $$ >"$dir/job$id.pid"
# The kernel's count when this job starts: never above the limit.
waitgroup info "$pool" | sed -n 's/^count: *//p' >>"$dir/counts"
case $id in
[1-6])
	(cd "$dir/$((id + 6))" && sha256sum -c MANIFEST >/dev/null) || exit 1
	echo "job $id: verified"
	;;
7)
	# Fail once jobs 8 and 9 hang beside this one, so the pool is full,
	# the launcher waits for room, and the coordinator's wait sleeps.
	until [ -f "$dir/job8.hung" ] && [ -f "$dir/job9.hung" ] &&
		waitgroup info "$pool" | grep -q '^room waits: *1$' &&
		waitgroup info "$pool" | grep -q '^waiters: *1$'; do
		usleep 10000	# poll interval only: the condition is the state
	done
	echo "job 7: FAILED with exit 4 while the pool was full"
	exit 4
	;;
8)
	trap 'echo "job 8: SIGTERM: cleaned up"; kill "$s"; exit 143' TERM
	echo "job 8: hung"
	sleep 3600 &
	s=$!
	: >"$dir/job8.hung"
	wait "$s"
	;;
9)
	trap '' TERM
	echo "job 9: hung, ignoring SIGTERM"
	: >"$dir/job9.hung"
	exec sleep 3600
	;;
*)
	echo "job $id: ran, but should not have"
	;;
esac
EOF
: >"$dir/counts"
"$WG" create "$POOL" --excl --limit 3 || exit 1
say "coordinator: waitgroup create $POOL --limit 3"
(
	i=1
	while [ "$i" -le 12 ]; do
		"$WG" go "$POOL" --grace 500ms -- sh "$dir/job.sh" "$i" "$dir" "$POOL" \
			</dev/null
		rc=$?
		echo "$i $rc" >>"$dir/launched"
		[ "$rc" -eq 0 ] || break
		i=$((i + 1))
	done
) 2>"$dir/launcher.err" &
launcher=$!
# Not before job 7 runs: a wait on a count of 0 (before the first go, or
# between two quick jobs) would return at once, done. Job 7 holds its
# slot until this wait sleeps, so from its start the count stays above 0.
until [ -f "$dir/job7.pid" ]; do
	usleep 10000	# poll interval only: the condition is the state
done
say "coordinator: job 7 runs: waitgroup wait $POOL --cancel-on-error"
"$WG" wait "$POOL" --cancel-on-error --timeout 300 2>"$dir/pool.err"
prc=$?
say "coordinator: waitgroup wait exited $prc: $(cat "$dir/pool.err")"
wait "$launcher"
# The canceled generation completes once every supervisor has reported.
until "$WG" info "$POOL" | grep -q '^count: *0$'; do
	usleep 10000	# poll interval only: the condition is the state
done
say "coordinator: the pool drained to 0; the launcher's last go: job $(tail -n 1 "$dir/launched")," \
	"$(cat "$dir/launcher.err")"
say ""
say "-- what each job said --"
for i in 1 2 3 4 5 6 7 8 9; do
	say "  $(tail -n 1 "$dir/job$i.log")"
done
max=$(sort -n "$dir/counts" | tail -n 1)
say "coordinator: the most tasks counted when a job started: $max (limit 3)"
verified=$(cat "$dir"/job[1-6].log | grep -c 'verified$')
[ "$prc" -eq 1 ] || fail "the pool's wait exited $prc, not 1 (canceled)"
grep -q "canceled (error 4)" "$dir/pool.err" || fail "the pool's wait did not say canceled (error 4)"
[ "$verified" -eq 6 ] || fail "$verified of jobs 1-6 verified their files"
[ "$max" -ge 1 ] && [ "$max" -le 3 ] || fail "a job saw $max tasks counted under a limit of 3"
grep -q "SIGTERM: cleaned up" "$dir/job8.log" || fail "job 8 was not sent SIGTERM"
[ ! -d "/proc/$(cat "$dir/job9.pid")" ] || fail "job 9 still runs: no SIGKILL after the grace"
[ "$(tail -n 1 "$dir/launched")" = "10 125" ] || fail "the go of job 10 did not fail as canceled"
grep -q "Operation canceled" "$dir/launcher.err" || fail "the launcher's go did not say canceled"
[ ! -f "$dir/job10.pid" ] || fail "job 10 ran after the cancel"
if [ "$status" -eq 0 ]; then
	say "act two: PASS: at most 3 jobs at once, kept by the kernel; job 7's error canceled the pool:"
	say "  the wait returned at once, job 8 ended on SIGTERM, job 9 by SIGKILL after the grace,"
	say "  job 10 was never counted, and the pool drained to 0."
	say "demo: PASS"
fi
exit "$status"
