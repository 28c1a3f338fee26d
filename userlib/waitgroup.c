// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup(1): Go's sync.WaitGroup for shell scripts, on /dev/waitgroup.
 *
 * One verb per job, exit statuses a script can branch on (see EXIT_* and
 * waitgroup(1)), errors on stderr as "waitgroup: NAME: reason".
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "waitgroup.h"
#include "each.h"

enum {
	EXIT_TASK_FAILED = 1,	/* wait: a task reported an error */
	EXIT_ABANDONED = 2,	/* wait: a task's holder died before its done */
	EXIT_FAILED = 3,	/* the operation itself failed */
	EXIT_USAGE = EX_USAGE,	/* 64 */
	EXIT_UNAVAILABLE = EX_UNAVAILABLE, /* 69: no module, no kernel support */
	EXIT_IOERR = EX_IOERR,	/* 74: writing standard output failed */
	EXIT_TIMEOUT = 124,	/* wait --timeout expired, as timeout(1) */
	EXIT_RUN_FAILED = 125,	/* run, go: the task not counted, as timeout(1) */
};

static const char usage_text[] =
"usage: waitgroup COMMAND NAME [OPTION]...\n"
"Go's sync.WaitGroup shared by unrelated processes through /dev/waitgroup.\n"
"\n"
"  create NAME [--count N] [--mode MODE] [--excl] [--limit N]  create or open\n"
"  limit NAME N                 at most N tasks counted at once (0: no limit)\n"
"  add NAME [N]   done NAME [--error CODE]   +N (default 1); -1 (CODE: failed)\n"
"  cancel NAME [--error CODE]   release every wait now with CODE (ECANCELED)\n"
"  run NAME [OPT] [--] CMD [ARG]...  add 1 (undone once run and CMD are gone;\n"
"                               waits for room), run CMD, done with its status\n"
"  go NAME [OPT] [--] CMD [ARG]...   as run, in a detached supervisor; returns\n"
"                               once the task is counted and CMD executing\n"
"  each NAME [OPT] [--] CMD [ARG]... as run, for each line of standard input\n"
"  wait NAME... [--any] [--timeout DUR] [--progress] [--total N] [--verbose]\n"
"       [--json] [--cancel-on-error] [--reset]   each group's batch (--any: one)\n"
"  info NAME [--json]   ls [--json]   rm NAME...   show, list, remove names\n"
"\n"
"DUR is seconds, or a number with ms, s, m, h or d. wait exits 0 when every task\n"
"of the batch (since create or --reset) succeeded, 1 when one failed or it was\n"
"canceled, 2 when one was abandoned, 124 on timeout (several groups: the worst).\n"
"Any command: 3 failed, 64 usage, 69 no /dev/waitgroup, 74 output not written.\n"
"run, go: 125 task not counted, 126/127 CMD could not run, 124 no room by OPT\n"
"--timeout DUR; a cancel sends CMD SIGTERM, SIGKILL after OPT --grace DUR (10s);\n"
"SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 go on to CMD. each (-j N at\n"
"once, {} in CMD: the line) exits N failed, 101 more, 255 error; see waitgroup(1)\n";

static const char *prog = "waitgroup";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'waitgroup --help' for more information.\n");
	exit(EXIT_USAGE);
}

/* Report a failed call on @what; returns the exit status to use. */
static int fail(const char *what, int err)
{
	if ((err == ENOENT || err == ENODEV || err == ENXIO) &&
	    access(WG_DEVICE_PATH, F_OK)) {
		fprintf(stderr, "%s: %s: %s (is the waitgroup module loaded?)\n",
			prog, WG_DEVICE_PATH, strerror(err));
		return EXIT_UNAVAILABLE;
	}
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(err));
	return EXIT_FAILED;
}

/* Usage errors exit with this: EXIT_USAGE, or each's 255 (each.c). */
int usage_status = EXIT_USAGE;

long long parse_int(const char *opt, const char *s, long long min,
		    long long max)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (end == s || *end) {
		fprintf(stderr, "%s: %s: not a number: %s\n", prog, opt, s);
		exit(usage_status);
	}
	if (errno || v < min || v > max) {
		fprintf(stderr, "%s: %s: not in [%lld, %lld]: %s\n", prog, opt,
			min, max, s);
		exit(usage_status);
	}
	return v;
}

/* "10", "1.5", "250ms", "2s", "3m", "1h", "1d" -> nanoseconds. */
int64_t parse_duration(const char *opt, const char *s)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "", 1e9 }, { "s", 1e9 }, { "ms", 1e6 }, { "m", 60e9 },
		{ "h", 3600e9 }, { "d", 86400e9 },
	};
	double v;
	char *end;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	if (!errno && end != s && isfinite(v) && v >= 0) {
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			if (strcmp(end, units[i].unit))
				continue;
			v *= units[i].ns;
			return v > 9e18 ? INT64_MAX : (int64_t)v;
		}
	}
	fprintf(stderr, "%s: %s: not a duration: %s\n", prog, opt, s);
	fprintf(stderr, "Try 'waitgroup --help' for more information.\n");
	exit(usage_status);
}

/* The single NAME operand of a command, after its options. */
static const char *one_name(int argc, char **argv, const char *cmd)
{
	if (optind >= argc)
		usage_error("%s: missing NAME", cmd);
	if (optind + 1 < argc)
		usage_error("unexpected argument: %s", argv[optind + 1]);
	return argv[optind];
}

/*
 * Options of every command: handles --help and bad options (one line, not
 * getopt's own message as well); returns the option character. @shortopts
 * starts with ':' (after any '+'), so a missing argument is told apart.
 */
static int next_opt(int argc, char **argv, const char *shortopts,
		    const struct option *longopts)
{
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, shortopts, longopts, NULL);
	if (c == 'h') {
		fputs(usage_text, stdout);
		exit(0);
	}
	if (c == '?' && optopt)
		fprintf(stderr, "%s: %s: unknown option: -%c\n", prog, argv[0], optopt);
	else if (c == '?')
		fprintf(stderr, "%s: %s: unknown option: %s\n", prog, argv[0], argv[optind - 1]);
	else if (c == ':')
		fprintf(stderr, "%s: %s: %s needs an argument\n", prog, argv[0], argv[optind - 1]);
	if (c == '?' || c == ':')
		exit(EXIT_USAGE);
	return c;
}

/* As coreutils' close_stdout: output that did not reach its file fails. */
static void close_stdout(void)
{
	int err;

	if (!fflush(stdout) && !ferror(stdout) && !fclose(stdout))
		return;
	err = errno;
	fprintf(stderr, "%s: write error: %s\n", prog, strerror(err));
	_exit(EXIT_IOERR);
}

/*
 * Names as the kernel's wg_name_valid() (kmod/wg_names.c) takes them, plus
 * not empty: 1 to WG_NAME_MAX - 1 printable ASCII characters other than
 * space and '/'. Returns 0, or says what a name is and returns EXIT_FAILED
 * (the status the kernel's EINVAL or ENAMETOOLONG would have given).
 */
static int check_name(const char *name)
{
	const unsigned char *c = (const unsigned char *)name;

	while (*c > ' ' && *c <= '~' && *c != '/')
		c++;
	if (!*c && c != (const unsigned char *)name &&
	    c - (const unsigned char *)name < WG_NAME_MAX)
		return 0;
	fprintf(stderr, "%s: %s: invalid name: 1 to %d printable ASCII characters, no space or '/'\n",
		prog, name, WG_NAME_MAX - 1);
	return EXIT_FAILED;
}

static int open_group(const char *name, unsigned int access, int *fd)
{
	*fd = -1;
	if (check_name(name))
		return EXIT_FAILED;
	*fd = wg_open(name, WG_CLOEXEC | access);
	return *fd < 0 ? fail(name, -*fd) : 0;
}

/*
 * WG_IOC_CREATE does not say whether it made the group or opened one that
 * existed. Without --excl, create exclusively first, and on EEXIST open
 * what is there and say so: the mode and count asked for were not applied.
 * A name unlinked between the two calls is created after all.
 */
static int create_or_open(const char *name, int count, unsigned int mode,
			  unsigned int flags, unsigned int limit)
{
	int fd;

	if (flags & WG_EXCL)
		return wg_create_limit(name, count, mode, flags, limit);
	for (;;) {
		fd = wg_create_limit(name, count, mode, flags | WG_EXCL, limit);
		if (fd != -EEXIST)
			return fd;
		fd = wg_open(name, flags);
		if (fd != -ENOENT)
			break;
	}
	if (fd >= 0)
		fprintf(stderr, "%s: %s: exists; opened it, its mode, count and limit unchanged\n",
			prog, name);
	return fd;
}

static int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "excl", no_argument, NULL, 'x' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned int flags = WG_CLOEXEC, mode = 0, limit = 0;
	const char *name;
	int c, count = 0, fd;

	while ((c = next_opt(argc, argv, ":c:m:xl:h", opts)) != -1) {
		switch (c) {
		case 'l':
			limit = parse_int("--limit", optarg, 0, INT32_MAX);
			break;
		case 'c':
			count = parse_int("--count", optarg, 0, INT32_MAX);
			break;
		case 'm':
			errno = 0;
			mode = strtoul(optarg, NULL, 8);
			if (errno || !*optarg ||
			    strspn(optarg, "01234567") != strlen(optarg) ||
			    mode > 0777)
				usage_error("--mode: not an octal mode up to 0777: %s",
					    optarg);
			break;
		case 'x':
			flags |= WG_EXCL;
			break;
		}
	}
	name = one_name(argc, argv, "create");
	if (check_name(name))
		return EXIT_FAILED;
	fd = create_or_open(name, count, mode, flags, limit);
	if (fd < 0)
		return fail(name, -fd);
	wg_close(fd);
	return 0;
}

static int cmd_limit(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *name;
	int limit, fd, ret;

	while (next_opt(argc, argv, "+:h", opts) != -1)
		;
	if (optind >= argc)
		usage_error("%s: missing NAME", "limit");
	name = argv[optind];
	if (optind + 1 >= argc)
		usage_error("%s: missing N (0: no limit)", "limit");
	limit = parse_int("limit", argv[optind + 1], 0, INT32_MAX);
	if (optind + 2 < argc)
		usage_error("unexpected argument: %s", argv[optind + 2]);
	ret = open_group(name, WG_ACCESS_ADD, &fd);
	if (ret)
		return ret;
	ret = wg_set_limit(fd, limit);
	wg_close(fd);
	return ret ? fail(name, -ret) : 0;
}

static int cmd_cancel(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "error", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, error = 0, fd, ret;
	const char *name;

	while ((c = next_opt(argc, argv, ":e:h", opts)) != -1) {
		if (c == 'e')
			error = parse_int("--error", optarg, 1, INT32_MAX);
	}
	name = one_name(argc, argv, "cancel");
	ret = open_group(name, WG_ACCESS_ADD, &fd);
	if (ret)
		return ret;
	ret = wg_cancel(fd, error);
	wg_close(fd);
	if (ret < 0)
		return fail(name, -ret);
	if (!ret)
		fprintf(stderr, "%s: %s: nothing to cancel (no task counted, or already canceled)\n",
			prog, name);
	return 0;
}

static int cmd_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *name;
	int delta = 1, fd, ret;

	/* "-1" is a delta, not an option: stop at the first operand. */
	while (next_opt(argc, argv, "+:h", opts) != -1)
		;
	if (optind >= argc)
		usage_error("%s: missing NAME", "add");
	name = argv[optind];
	if (optind + 1 < argc) {
		delta = parse_int("add", argv[optind + 1], INT32_MIN, INT32_MAX);
		if (optind + 2 < argc)
			usage_error("unexpected argument: %s", argv[optind + 2]);
	}
	ret = open_group(name, WG_ACCESS_ADD, &fd);
	if (ret)
		return ret;
	ret = wg_add(fd, delta, 0);
	wg_close(fd);
	return ret ? fail(name, -ret) : 0;
}

static int cmd_done(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "error", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, error = 0, fd, ret;
	const char *name;

	while ((c = next_opt(argc, argv, ":e:h", opts)) != -1) {
		if (c == 'e')
			error = parse_int("--error", optarg, INT32_MIN,
					  INT32_MAX);
	}
	name = one_name(argc, argv, "done");
	ret = open_group(name, WG_ACCESS_ADD, &fd);
	if (ret)
		return ret;
	ret = wg_done_error(fd, error);
	wg_close(fd);
	return ret ? fail(name, -ret) : 0;
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		putchar(*s);
	}
	putchar('"');
}

static uint64_t now_ns(void)
{
	return wg_deadline(0);
}

/* Milliseconds for epoll_wait() until @deadline, rounded up; -1: never. */
static int ms_until(uint64_t deadline)
{
	uint64_t now, ms;

	if (deadline == WG_FOREVER)
		return -1;
	now = now_ns();
	if (now >= deadline)
		return 0;
	ms = (deadline - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

/*
 * Whether @fd is a terminal that a bar may be redrawn on: not with TERM
 * unset or dumb (scripts/vm-run sets dumb when its own output is not a
 * terminal, though the guest's is).
 */
static int can_redraw(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && term && *term && strcmp(term, "dumb");
}

/* The live bar on stderr: finished/total of the batch. */
static void draw_bar(uint64_t done, uint64_t total)
{
	static uint64_t last_done = UINT64_MAX, last_total = UINT64_MAX;
	const uint64_t width = 40;
	uint64_t i, fill = total > 0 ? done * width / total : 0;

	if (done == last_done && total == last_total)
		return;
	last_done = done;
	last_total = total;

	fputs("\r[", stderr);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : '-', stderr);
	fprintf(stderr, "] %" PRIu64 "/%" PRIu64 " done\033[K", done, total);
	fflush(stderr);
}

/**
 * struct group - one NAME operand of wait
 * @name: as given
 * @fd: open with WG_ACCESS_WAIT
 * @max: the batch's tasks: --total, or the most seen (done, abandoned
 *	and counted)
 * @count: the count last seen
 * @tot: the batch's totals last seen: from WG_IOC_INFO while it runs,
 *	from the wait once it has completed
 * @call: the group's wait, one from the first step to the last: the
 *	target the kernel leaves in it when a step ends without a result
 *	makes the next step wait for the same generation
 * @look: several groups: look at this one again (its descriptor was
 *	readable, or it has not been looked at yet)
 * @res: the completed generation's result; generation WG_NO_GENERATION
 *	while it has not completed
 */
struct group {
	const char *name;
	int fd;
	uint64_t max;
	int count;
	struct wg_totals tot;
	struct wg_wait call;
	int look;
	struct wg_wait res;
};

static int completed(const struct group *g)
{
	return g->res.generation != WG_NO_GENERATION;
}

/* The batch's tasks that have ended: done or abandoned. */
static uint64_t finished(const struct group *g)
{
	return g->tot.done + g->tot.abandoned;
}

/* The highest count of tasks seen, or --total. */
static void seen(struct group *g)
{
	uint64_t n = finished(g) + (uint64_t)(g->count > 0 ? g->count : 0);

	if (n > g->max)
		g->max = n;
}

struct wait_opts {
	uint64_t deadline;
	int total;
	int progress;
	int any;
	int verbose;
	int json;
};

/* Count and highest count of every group still running; 0 or -errno. */
static int update_counts(struct group *gs, int n)
{
	struct wg_info info;
	int i, ret;

	for (i = 0; i < n; i++) {
		if (completed(&gs[i]))
			continue;
		ret = wg_info(gs[i].fd, &info);
		if (ret)
			return ret;
		gs[i].count = info.count;
		gs[i].tot = info.totals;
		seen(&gs[i]);
	}
	return 0;
}

/*
 * Progress for a log: one line, "NAME: F/T done" for each group, when
 * what it says changed, at most one a second; @last is the final call,
 * which prints a line that changed however soon.
 */
static void progress_line(const struct group *gs, int n, int last)
{
	static char shown[1024];
	static uint64_t shown_at;
	char line[sizeof(shown)];
	size_t len = 0;
	int i;

	for (i = 0; i < n && len < sizeof(line); i++)
		len += snprintf(line + len, sizeof(line) - len,
				"%s%s: %" PRIu64 "/%" PRIu64 " done",
				i ? ", " : "", gs[i].name, finished(&gs[i]),
				gs[i].max);
	if (!strcmp(line, shown))
		return;
	if (!last && shown_at && now_ns() - shown_at < 1000000000ULL)
		return;
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	strcpy(shown, line);
	shown_at = now_ns();
}

static void show_progress(const struct group *gs, int n, int tty, int last)
{
	uint64_t done = 0, total = 0;
	int i;

	if (!tty) {
		progress_line(gs, n, last);
		return;
	}
	for (i = 0; i < n; i++) {
		done += finished(&gs[i]);
		total += gs[i].max;
	}
	draw_bar(done, total);
}

/*
 * WG_WAIT_TOTALS, and WG_WAIT_CANCEL_ON_ERROR for --cancel-on-error (a
 * single group), WG_WAIT_RESET for --reset. A module before 1.4 has no
 * totals: the verdict is then the generation's (no_totals).
 */
static unsigned int wait_flags = WG_WAIT_TOTALS;
static int no_totals;

/*
 * The group's wait, resumed, until @deadline (0: only a look): 0 with the
 * result in g->res, -ETIMEDOUT (the target kept for the next call), or
 * another -errno.
 */
static int group_wait(struct group *g, uint64_t deadline)
{
	int ret;

	g->call.deadline_ns = deadline;
	g->call.flags = wait_flags;
	do
		ret = wg_wait_call(g->fd, &g->call);
	while (ret == -EINTR);
	/*
	 * A module of 1.2 or 1.3 refuses the flag (EINVAL); one before 1.2
	 * knows no flags nor the size (ENOTTY), and the library falls back
	 * to its first size only for a call without flags.
	 */
	if ((ret == -EINVAL || ret == -ENOTTY) &&
	    (wait_flags & WG_WAIT_TOTALS) && !(wait_flags & WG_WAIT_RESET) &&
	    !g->call.target) {
		no_totals = 1;
		wait_flags &= ~WG_WAIT_TOTALS;
		return group_wait(g, deadline);
	}
	if (!ret) {
		g->res = g->call;
		g->count = 0;
		if (!no_totals)
			g->tot = g->res.totals;
		seen(g);
	}
	return ret;
}

/*
 * Several groups, watched by @ep (every group registered, then each
 * looked at once): look at the ones marked, in the order given; with
 * --any stop at the first that completed. Returns 1 when the wait is
 * over, 0 if not, or -errno.
 */
static int look_groups(struct group *gs, int n, int any, int ep)
{
	int i, left = 0, ret;

	for (i = 0; i < n; i++) {
		if (completed(&gs[i]))
			continue;
		if (gs[i].look) {
			gs[i].look = 0;
			ret = group_wait(&gs[i], 0);
			if (ret && ret != -ETIMEDOUT)
				return ret;
			if (!ret) {
				epoll_ctl(ep, EPOLL_CTL_DEL, gs[i].fd, NULL);
				if (any)
					return 1;
				continue;
			}
		}
		left++;
	}
	return !left;
}

/*
 * One step of the wait over the groups still running, until @deadline:
 * every one, or with --any the first. Their results go to gs[i].res. 0,
 * -ETIMEDOUT or another -errno.
 */
static int wait_step(struct group *gs, int n, int any, int ep,
		     uint64_t deadline)
{
	struct epoll_event evs[16];
	int i, m, ret, last;

	/* One group: the kernel's own wait, so it counts among the waiters. */
	if (n == 1)
		return group_wait(&gs[0], deadline);
	for (;;) {
		ret = look_groups(gs, n, any, ep);
		if (ret)
			return ret < 0 ? ret : 0;
		/* One left: in the kernel, as a single group. */
		for (i = 0, m = 0, last = 0; i < n; i++) {
			if (!completed(&gs[i])) {
				m++;
				last = i;
			}
		}
		if (m == 1)
			return group_wait(&gs[last], deadline);
		m = epoll_wait(ep, evs, 16, ms_until(deadline));
		if (m < 0 && errno != EINTR)
			return -errno;
		if (!m && deadline != WG_FOREVER && now_ns() >= deadline)
			return -ETIMEDOUT;
		for (i = 0; i < m; i++)
			gs[evs[i].data.u32].look = 1;
	}
}

/*
 * Several groups: one epoll instance for the whole wait, every group
 * registered before it is first looked at, so that a completion after
 * that look makes it readable; -1 for a single group.
 */
static int watch_groups(struct group *gs, int n, int *ep)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int i;

	*ep = -1;
	if (n == 1)
		return 0;
	*ep = epoll_create1(EPOLL_CLOEXEC);
	if (*ep < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		ev.data.u32 = i;
		gs[i].look = 1;
		if (epoll_ctl(*ep, EPOLL_CTL_ADD, gs[i].fd, &ev))
			return errno == EEXIST ? -EINVAL : -errno;
	}
	return 0;
}

/*
 * Wait, showing progress from WG_IOC_INFO: a bar on a terminal, lines
 * otherwise, redrawn every 200 ms. The wait goes in steps of that length;
 * each group's wait carries its target from one step to the next, so a
 * group that completes between two steps, even re-armed at once and
 * completed again, is reported with the generation the wait began in.
 */
static int wait_progress(struct group *gs, int n, int ep,
			 const struct wait_opts *o)
{
	int ret, tty = can_redraw(STDERR_FILENO);
	uint64_t step;

	for (;;) {
		ret = update_counts(gs, n);
		if (ret)
			break;
		show_progress(gs, n, tty, 0);
		step = now_ns() + 200000000ULL;
		if (step > o->deadline)
			step = o->deadline;
		ret = wait_step(gs, n, o->any, ep, step);
		if (ret != -ETIMEDOUT || step == o->deadline)
			break;
	}
	if (ret != -ETIMEDOUT && ret)
		return ret;
	update_counts(gs, n);
	show_progress(gs, n, tty, 1);
	if (tty)
		fputc('\n', stderr);
	return ret;
}

static int expired(const struct group *g)
{
	return !!(g->res.outflags & WG_RESULT_EXPIRED);
}

/*
 * A completed group's verdict, from its batch's totals: 0 every task
 * succeeded, 1 one failed or the generation was canceled, 2 one was
 * abandoned. Without totals (an older module), from the generation's
 * result, and 3 if that expired (the kernel no longer kept it when the
 * wait came back for it): how its tasks went is not known.
 */
static int verdict(const struct group *g)
{
	if (no_totals && expired(g))
		return EXIT_FAILED;
	if (no_totals)
		return g->res.abandoned ? EXIT_ABANDONED :
		       g->res.error ? EXIT_TASK_FAILED : 0;
	if (g->tot.abandoned)
		return EXIT_ABANDONED;
	if (g->tot.failed || (g->res.outflags & WG_RESULT_CANCELED))
		return EXIT_TASK_FAILED;
	return 0;
}

static const char *status_word(const struct group *g, int timed_out)
{
	static const char *const words[] = {
		[0] = "ok",
		[EXIT_TASK_FAILED] = "failed",
		[EXIT_ABANDONED] = "abandoned",
		[EXIT_FAILED] = "expired",
	};

	if (completed(g))
		return words[verdict(g)];
	return timed_out ? "timeout" : "pending";
}

/* ,"batch":{...}: the batch's totals, in wait --json and info --json. */
static void print_totals_json(const struct wg_totals *t)
{
	printf(",\"batch\":{\"done\":%" PRIu64 ",\"failed\":%" PRIu64
	       ",\"abandoned\":%" PRIu64 ",\"error\":%d}",
	       (uint64_t)t->done, (uint64_t)t->failed, (uint64_t)t->abandoned,
	       t->error);
}

static void print_wait_json(const struct group *gs, int n, int timed_out)
{
	int i;

	if (n > 1)
		putchar('[');
	for (i = 0; i < n; i++) {
		const struct group *g = &gs[i];

		fputs(i ? ",\n{\"name\":" : "{\"name\":", stdout);
		print_json_string(g->name);
		if (completed(g) && expired(g))
			printf(",\"generation\":%" PRIu64 ",\"error\":null,\"abandoned\":null,\"canceled\":null",
			       (uint64_t)g->res.generation);
		else if (completed(g))
			printf(",\"generation\":%" PRIu64 ",\"error\":%d,\"abandoned\":%u,\"canceled\":%s",
			       (uint64_t)g->res.generation, g->res.error,
			       g->res.abandoned,
			       g->res.outflags & WG_RESULT_CANCELED ? "true" : "false");
		else
			fputs(",\"generation\":null,\"error\":null,\"abandoned\":null,\"canceled\":null",
			      stdout);
		printf(",\"status\":\"%s\"", status_word(g, timed_out));
		if (!no_totals)
			print_totals_json(&g->tot);
		putchar('}');
	}
	puts(n > 1 ? "]" : "");
}

static void print_wait_verbose(const struct group *g, int named)
{
	const struct wg_wait *r = &g->res;

	if (named)
		printf("name=%s ", g->name);
	if (no_totals && expired(g)) {
		printf("generation=%" PRIu64 " expired\n", (uint64_t)r->generation);
		return;
	}
	if (no_totals) {
		printf("generation=%" PRIu64 " abandoned=%u error=%d\n",
		       (uint64_t)r->generation, r->abandoned, r->error);
		return;
	}
	/* The batch's: every task since the group's creation or reset. */
	printf("generation=%" PRIu64 " done=%" PRIu64 " failed=%" PRIu64
	       " abandoned=%" PRIu64 " error=%d\n", (uint64_t)r->generation,
	       (uint64_t)g->tot.done, (uint64_t)g->tot.failed,
	       (uint64_t)g->tot.abandoned, g->tot.error);
}

/* What went wrong in a completed group's batch, on standard error. */
static void report_totals(const struct group *g, int v)
{
	const struct wg_totals *t = &g->tot;

	if (!v)
		return;
	if (g->res.outflags & WG_RESULT_CANCELED)
		fprintf(stderr, "%s: %s: canceled (error %d)\n", prog, g->name,
			g->res.error);
	if (t->abandoned)
		fprintf(stderr, "%s: %s: %" PRIu64 " task%s abandoned (holder died before done)\n",
			prog, g->name, (uint64_t)t->abandoned,
			t->abandoned == 1 ? "" : "s");
	if (t->failed == 1)
		fprintf(stderr, "%s: %s: a task failed with error %d\n",
			prog, g->name, t->error);
	else if (t->failed)
		fprintf(stderr, "%s: %s: %" PRIu64 " of %" PRIu64 " tasks failed, the first with error %d\n",
			prog, g->name, (uint64_t)t->failed,
			(uint64_t)(t->done + t->abandoned), t->error);
}

/* Say what became of each group; returns the worst exit status. */
static int wait_report(const struct group *gs, int n, int timed_out,
		       const struct wait_opts *o)
{
	int i, v, status = timed_out ? EXIT_TIMEOUT : 0;

	if (o->json)
		print_wait_json(gs, n, timed_out);
	for (i = 0; i < n; i++) {
		const struct group *g = &gs[i];

		if (!completed(g)) {
			if (timed_out)
				fprintf(stderr, "%s: %s: timed out\n", prog, g->name);
			continue;
		}
		if (o->verbose)
			print_wait_verbose(g, n > 1);
		v = verdict(g);
		if (!no_totals)
			report_totals(g, v);
		else if (expired(g))
			fprintf(stderr, "%s: %s: generation %" PRIu64 " completed, but its result is no longer kept\n",
				prog, g->name, (uint64_t)g->res.generation);
		else if (v == EXIT_ABANDONED)
			fprintf(stderr, "%s: %s: %u task%s abandoned (holder died before done)\n",
				prog, g->name, g->res.abandoned,
				g->res.abandoned == 1 ? "" : "s");
		else if (v == EXIT_TASK_FAILED &&
			 (g->res.outflags & WG_RESULT_CANCELED))
			fprintf(stderr, "%s: %s: canceled (error %d)\n",
				prog, g->name, g->res.error);
		else if (v == EXIT_TASK_FAILED)
			fprintf(stderr, "%s: %s: a task failed with error %d\n",
				prog, g->name, g->res.error);
		if (v > status && status != EXIT_TIMEOUT)
			status = v;
	}
	return status;
}

static int cmd_wait(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "progress", no_argument, NULL, 'p' },
		{ "total", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "any", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "cancel-on-error", no_argument, NULL, 'C' },
		{ "reset", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct wait_opts o = { .deadline = WG_FOREVER };
	unsigned int access = WG_ACCESS_WAIT;
	int c, i, n, ret = 0, ep = -1;
	struct group *gs;

	while ((c = next_opt(argc, argv, ":t:pT:vajCRh", opts)) != -1) {
		switch (c) {
		case 'C':
			wait_flags |= WG_WAIT_CANCEL_ON_ERROR;
			break;
		case 'R':
			/* A new batch: the descriptor must be an adder's. */
			wait_flags |= WG_WAIT_RESET;
			access |= WG_ACCESS_ADD;
			break;
		case 't':
			o.deadline = wg_deadline(parse_duration("--timeout", optarg));
			break;
		case 'p':
			o.progress = 1;
			break;
		case 'T':
			o.total = parse_int("--total", optarg, 1, INT32_MAX);
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'a':
			o.any = 1;
			break;
		case 'j':
			o.json = 1;
			break;
		}
	}
	n = argc - optind;
	if (n < 1)
		usage_error("%s: missing NAME", "wait");
	if (n > 1 && o.total)
		usage_error("%s: --total needs a single NAME", "wait");
	if (n > 1 && (wait_flags & WG_WAIT_CANCEL_ON_ERROR))
		usage_error("%s: --cancel-on-error needs a single NAME", "wait");
	gs = calloc(n, sizeof(*gs));
	if (!gs)
		return fail("wait", ENOMEM);
	for (i = 0; i < n && !ret; i++) {
		gs[i].name = argv[optind + i];
		gs[i].max = o.total;
		gs[i].res.generation = WG_NO_GENERATION;
		ret = open_group(gs[i].name, access, &gs[i].fd);
		if (ret)
			gs[i].fd = -1;
	}
	if (!ret) {
		ret = update_counts(gs, n);
		if (!ret)
			ret = watch_groups(gs, n, &ep);
		if (!ret && o.progress)
			ret = wait_progress(gs, n, ep, &o);
		else if (!ret)
			ret = wait_step(gs, n, o.any, ep, o.deadline);
		if (ret && ret != -ETIMEDOUT)
			ret = fail(n > 1 ? "wait" : gs[0].name, -ret);
		else
			ret = wait_report(gs, n, ret == -ETIMEDOUT, &o);
	}
	if (ep >= 0)
		close(ep);
	for (i = 0; i < n; i++) {
		if (gs[i].fd >= 0)
			wg_close(gs[i].fd);
	}
	free(gs);
	return ret;
}

/* The members after "name" of info --json's object, and its close. */
static void print_info_json(const struct wg_info *info)
{
	printf(",\"count\":%d,\"waiters\":%u,\"generation\":%" PRIu64
	       ",\"error\":%d,\"abandoned\":%u,\"uid\":%u,\"gid\":%u,\"mode\":\"%04o\""
	       ",\"limit\":%u,\"room_waiters\":%u,\"canceled\":%s,\"cancel_error\":%d"
	       ",\"last_canceled\":%s",
	       info->count, info->waiters, (uint64_t)info->generation,
	       info->error, info->abandoned, info->uid, info->gid,
	       info->mode, info->limit, info->room_waiters,
	       info->flags & WG_INFO_CANCELED ? "true" : "false",
	       info->cancel_error,
	       info->flags & WG_INFO_LAST_CANCELED ? "true" : "false");
	print_totals_json(&info->totals);
	putchar('}');
}

static int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, fd, ret, json = 0;
	struct wg_info info;
	const char *name;

	while ((c = next_opt(argc, argv, ":jh", opts)) != -1)
		json |= c == 'j';
	name = one_name(argc, argv, "info");
	ret = open_group(name, WG_ACCESS_WAIT, &fd);
	if (ret)
		return ret;
	ret = wg_info(fd, &info);
	wg_close(fd);
	if (ret)
		return fail(name, -ret);
	info.name[WG_NAME_MAX - 1] = '\0';
	if (json) {
		fputs("{\"name\":", stdout);
		print_json_string(info.name);
		print_info_json(&info);
		putchar('\n');
		return 0;
	}
	printf("name:       %s\n"
	       "count:      %d\n"
	       "waiters:    %u\n"
	       "generation: %" PRIu64 "\n"
	       "error:      %d\n"
	       "abandoned:  %u\n"
	       "owner:      %u:%u\n"
	       "mode:       %04o\n"
	       "limit:      %u\n"
	       "room waits: %u\n",
	       info.name, info.count, info.waiters, (uint64_t)info.generation,
	       info.error, info.abandoned, info.uid, info.gid, info.mode,
	       info.limit, info.room_waiters);
	if (info.flags & WG_INFO_CANCELED)
		printf("canceled:   error %d (running generation)\n",
		       info.cancel_error);
	else if (info.flags & WG_INFO_LAST_CANCELED)
		printf("canceled:   the last completed generation\n");
	printf("batch:      %" PRIu64 " done, %" PRIu64 " failed, %" PRIu64
	       " abandoned, first error %d\n", (uint64_t)info.totals.done,
	       (uint64_t)info.totals.failed, (uint64_t)info.totals.abandoned,
	       info.totals.error);
	return 0;
}

/* Call @fn for every name the caller may wait on; 0 or -errno. */
static int list_names(void (*fn)(const char *name))
{
	static char names[WG_LIST_MAX][WG_NAME_MAX];
	uint64_t cursor = 0;
	int i, n;

	do {
		n = wg_list(names, WG_LIST_MAX, &cursor);
		if (n == -ENOTTY)
			return -EOPNOTSUPP;	/* a module without WG_IOC_LIST */
		if (n < 0)
			return n;
		for (i = 0; i < n; i++)
			fn(names[i]);
	} while (cursor);
	return 0;
}

/* ls: the header line, as ps(1) prints one; see waitgroup(1). */
static void print_name_header(void)
{
	printf("%-24s %8s %8s %10s %5s:%-5s %-4s %6s\n", "NAME", "COUNT",
	       "WAITERS", "GENERATION", "UID", "GID", "MODE", "LIMIT");
}

static void print_name_line(const char *name)
{
	struct wg_info info;
	int fd = wg_open(name, WG_CLOEXEC | WG_ACCESS_WAIT);

	if (fd < 0 || wg_info(fd, &info)) {
		printf("%-24s %8s %8s %10s %11s %4s %6s\n", name, "-", "-",
		       "-", "-", "-", "-");
	} else {
		printf("%-24s %8d %8u %10" PRIu64 " %5u:%-5u %04o %6u\n", name,
		       info.count, info.waiters, (uint64_t)info.generation,
		       info.uid, info.gid, info.mode, info.limit);
	}
	if (fd >= 0)
		wg_close(fd);
}

static int json_listed;	/* names printed so far by print_name_json() */

/* One element of ls --json's array: info --json's object, or nulls. */
static void print_name_json(const char *name)
{
	struct wg_info info;
	int fd = wg_open(name, WG_CLOEXEC | WG_ACCESS_WAIT);

	fputs(json_listed++ ? ",\n{\"name\":" : "{\"name\":", stdout);
	print_json_string(name);
	if (fd < 0 || wg_info(fd, &info))
		fputs(",\"count\":null,\"waiters\":null,\"generation\":null,\"error\":null,\"abandoned\":null,\"uid\":null,\"gid\":null,\"mode\":null,\"limit\":null,\"room_waiters\":null,\"canceled\":null,\"cancel_error\":null,\"last_canceled\":null}",
		      stdout);
	else
		print_info_json(&info);
	if (fd >= 0)
		wg_close(fd);
}

static int cmd_ls(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, ret, json = 0;

	while ((c = next_opt(argc, argv, "+:jh", opts)) != -1)
		json |= c == 'j';
	if (optind < argc)
		usage_error("unexpected argument: %s", argv[optind]);
	if (access(WG_DEVICE_PATH, F_OK))
		return fail(WG_DEVICE_PATH, errno);
	if (json)
		putchar('[');
	else
		print_name_header();
	ret = list_names(json ? print_name_json : print_name_line);
	if (json)
		puts("]");
	if (ret == -EOPNOTSUPP) {
		fprintf(stderr, "%s: ls: listing names needs kernel support that this module lacks\n",
			prog);
		return EXIT_UNAVAILABLE;
	}
	return ret ? fail("ls", -ret) : 0;
}

static int cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int ret, status = 0;

	while (next_opt(argc, argv, "+:h", opts) != -1)
		;
	if (optind >= argc)
		usage_error("%s: missing NAME", "rm");
	for (; optind < argc; optind++) {
		if (check_name(argv[optind])) {
			status = EXIT_FAILED;
			continue;
		}
		ret = wg_unlink(argv[optind]);
		if (ret)
			status = fail(argv[optind], -ret);
	}
	return status;
}

/*
 * The operands of run and go: NAME [--timeout DUR] [--grace DUR] [--]
 * COMMAND [ARG]... (the options may also come before NAME); returns the
 * index of COMMAND in @argv, NAME in *name, the options in *o.
 */
static int task_operands(int argc, char **argv, const char *cmd,
			 const char **name, struct wg_task_opts *o)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "grace", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	*name = NULL;
	for (;;) {
		c = next_opt(argc, argv, "+:t:g:h", opts);
		if (c == 't') {
			o->room_deadline = wg_deadline(parse_duration("--timeout", optarg));
		} else if (c == 'g') {
			o->grace_ns = parse_duration("--grace", optarg);
		} else if (!*name && optind < argc && strcmp(argv[optind], "--")) {
			/* NAME, and the options that follow it. */
			*name = argv[optind++];
		} else {
			break;
		}
	}
	if (!*name)
		usage_error("%s: missing NAME", cmd);
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc) {
		char what[16 + WG_NAME_MAX];

		snprintf(what, sizeof(what), "%s %s", cmd, *name);
		usage_error("%s: missing command", what);
	}
	return optind;
}

/*
 * Open the group a task is counted in; 0, or the exit status to use. Its
 * supervisor also polls it for a cancel, which takes WG_ACCESS_WAIT: a
 * user who may only add gets a task that a cancel does not end.
 */
int open_task_group(const char *name, int *fd)
{
	int ret;

	if (check_name(name))
		return EXIT_RUN_FAILED;
	*fd = wg_open(name, WG_CLOEXEC | WG_ACCESS_ADD | WG_ACCESS_WAIT);
	if (*fd == -EACCES || *fd == -EPERM)
		ret = open_group(name, WG_ACCESS_ADD, fd);
	else
		ret = *fd < 0 ? fail(name, -*fd) : 0;
	if (ret)
		return ret == EXIT_FAILED ? EXIT_RUN_FAILED : ret;
	setenv("WAITGROUP", name, 1);
	return 0;
}

/*
 * A task that could not be counted (wstatus -1: 125) or started (126,
 * 127); @err is the -errno the library returned.
 */
static int task_failed(const char *name, const char *command, int err,
		       int wstatus)
{
	if (wstatus == -1 && err == -ETIMEDOUT) {
		fprintf(stderr, "%s: %s: no room for the task before --timeout\n",
			prog, name);
		return EXIT_TIMEOUT;
	}
	if (wstatus == -1) {
		fprintf(stderr, "%s: %s: %s\n", prog, name, strerror(-err));
		return EXIT_RUN_FAILED;
	}
	fprintf(stderr, "%s: %s: %s\n", prog, command, strerror(-err));
	err = wg_status_error(wstatus);
	return err == 126 || err == 127 ? err : EXIT_RUN_FAILED;
}

/*
 * Exit as a command killed by @sig did, as timeout(1) does: the same
 * signal, at its default action, without a core dump of our own. Returns
 * 128 + @sig if that did not end the process.
 */
int exit_by_signal(int sig)
{
	struct rlimit no_core = { 0, 0 };
	sigset_t set;

	fflush(stdout);
	setrlimit(RLIMIT_CORE, &no_core);
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	/* Of this thread: each's helper thread keeps its signals blocked. */
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	return 128 + sig;
}

static int cmd_run(int argc, char **argv)
{
	struct wg_task_opts o = WG_TASK_OPTS_INIT;
	int fd, ret, wstatus, cmd;
	const char *name;

	cmd = task_operands(argc, argv, "run", &name, &o);
	ret = open_task_group(name, &fd);
	if (ret)
		return ret;
	ret = wg_run_opts(fd, argv + cmd, &o, &wstatus);
	wg_close(fd);
	if (ret)
		return task_failed(name, argv[cmd], ret, wstatus);
	if (WIFSIGNALED(wstatus))
		return exit_by_signal(WTERMSIG(wstatus));
	return wg_status_error(wstatus);
}

static int cmd_go(int argc, char **argv)
{
	struct wg_task_opts o = WG_TASK_OPTS_INIT;
	int fd, ret, wstatus, cmd;
	const char *name;
	pid_t pid;

	cmd = task_operands(argc, argv, "go", &name, &o);
	ret = open_task_group(name, &fd);
	if (ret)
		return ret;
	pid = wg_go_opts(fd, argv + cmd, &o, &wstatus);
	wg_close(fd);
	return pid < 0 ? task_failed(name, argv[cmd], pid, wstatus) : 0;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "create", cmd_create }, { "add", cmd_add }, { "done", cmd_done },
	{ "limit", cmd_limit }, { "cancel", cmd_cancel },
	{ "run", cmd_run }, { "go", cmd_go }, { "wait", cmd_wait }, { "info", cmd_info },
	{ "ls", cmd_ls }, { "rm", cmd_rm },
	{ "each", cmd_each },
};

int main(int argc, char **argv)
{
	size_t i;

	atexit(close_stdout);
	if (argc < 2)
		usage_error("%s", "missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("waitgroup %s\n", WG_VERSION);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name))
			continue;
		/* Each command parses its own options after its name. */
		optind = 1;
		return commands[i].fn(argc - 1, argv + 1);
	}
	usage_error("unknown command: %s", argv[1]);
	return EXIT_USAGE;
}
