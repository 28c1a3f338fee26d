// SPDX-License-Identifier: GPL-2.0
/*
 * jobs: what a shell user pays for a job pool kept by the kernel. The same
 * 64 short jobs, at most 4 at once, two ways, taking turns round by round:
 *
 *   waitgroup-go  a loop of "waitgroup go POOL -- JOB" into a group with a
 *                 limit of 4 (each go waits for a free slot), then
 *                 "waitgroup wait POOL";
 *   xargs-P4      "seq 64 | xargs -P 4 -n 1 JOB", the usual way;
 *   waitgroup-each  "seq 64 | waitgroup each POOL -j 4 -- JOB": one
 *                 process launches them all, each job counted in a group
 *                 made before the rounds;
 *   start-64      a loop of "waitgroup --version": no group, no job, only
 *                 the 64 starts of the command that go pays and xargs
 *                 does not (in the guest, xargs and sh are busybox's, and
 *                 a dynamically linked glibc program costs some tens of
 *                 ms to start under TCG).
 *
 * Each sample is the wall time of one whole run, from a fork of sh to its
 * reaped exit; bench/report.py prints the ratio of the medians.
 */
#include "bench.h"

#define JOBS	64
#define SLOTS	4
/* A short job: a little shell arithmetic, a few ms under TCG. */
#define JOB	"i=0; while [ $i -lt 100 ]; do i=$((i + 1)); done"

/* Wall time of "sh -c @script" in ns; dies if it does not exit 0. */
static double run_sh(const char *script)
{
	struct timespec t0, t1;
	int status;
	pid_t pid;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (!pid) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid: %s", strerror(errno));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("jobs: '%s' failed (status %#x)", script, status);
	return (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
}

void run_jobs(int rounds)
{
	char go[512], xargs[256], start[256], each[256], name[64], mk[160];
	double *tgo, *txa, *tst, *tea;
	int r;

	snprintf(name, sizeof(name), "bench.jobs.%d", (int)getpid());
	snprintf(go, sizeof(go),
		 "waitgroup create %s --excl --limit %d || exit 1; n=0; "
		 "while [ $n -lt %d ]; do "
		 "waitgroup go %s -- sh -c '%s' </dev/null || exit 1; n=$((n + 1)); "
		 "done; waitgroup wait %s; s=$?; waitgroup rm %s; exit $s",
		 name, SLOTS, JOBS, name, JOB, name, name);
	snprintf(xargs, sizeof(xargs),
		 "seq %d | xargs -P %d -n 1 sh -c '%s' sh", JOBS, SLOTS, JOB);
	snprintf(each, sizeof(each),
		 "seq %d | waitgroup each %s.each -j %d -- sh -c '%s' sh",
		 JOBS, name, SLOTS, JOB);
	snprintf(start, sizeof(start),
		 "n=0; while [ $n -lt %d ]; do "
		 "waitgroup --version >/dev/null || exit 1; n=$((n + 1)); done",
		 JOBS);
	tgo = calloc(rounds, sizeof(*tgo));
	txa = calloc(rounds, sizeof(*txa));
	tst = calloc(rounds, sizeof(*tst));
	tea = calloc(rounds, sizeof(*tea));
	if (!tgo || !txa || !tst || !tea)
		die("out of memory");
	note("jobs: %d jobs, %d at once: waitgroup go and waitgroup each"
	     " against xargs -P %d, and 64 starts of the command, %d rounds",
	     JOBS, SLOTS, SLOTS, rounds);
	snprintf(mk, sizeof(mk), "waitgroup create %s.each --excl", name);
	run_sh(mk);
	/* One warm-up of each, discarded: page cache, dentries. */
	run_sh(go);
	run_sh(xargs);
	run_sh(each);
	run_sh(start);
	for (r = 0; r < rounds; r++) {
		/* Taking turns, so a drift of the emulator hits all alike. */
		if (r % 2) {
			txa[r] = run_sh(xargs);
			tea[r] = run_sh(each);
			tgo[r] = run_sh(go);
		} else {
			tgo[r] = run_sh(go);
			tea[r] = run_sh(each);
			txa[r] = run_sh(xargs);
		}
		tst[r] = run_sh(start);
	}
	emit("jobs", "64-jobs-4-at-once", "waitgroup-go", "ns", summarize(tgo, rounds), 1);
	emit("jobs", "64-jobs-4-at-once", "xargs-P4", "ns", summarize(txa, rounds), 1);
	emit("jobs", "64-jobs-4-at-once", "waitgroup-each", "ns", summarize(tea, rounds), 1);
	emit("jobs", "64-jobs-4-at-once", "start-64", "ns", summarize(tst, rounds), 1);
	snprintf(mk, sizeof(mk), "waitgroup rm %s.each", name);
	run_sh(mk);
	free(tea);
	free(tgo);
	free(txa);
	free(tst);
}
