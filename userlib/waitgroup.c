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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "waitgroup.h"

enum {
	EXIT_TASK_FAILED = 1,	/* wait: a task reported an error */
	EXIT_ABANDONED = 2,	/* wait: a task's holder died before its done */
	EXIT_FAILED = 3,	/* the operation itself failed */
	EXIT_USAGE = EX_USAGE,	/* 64 */
	EXIT_UNAVAILABLE = EX_UNAVAILABLE, /* 69: no module, no kernel support */
	EXIT_IOERR = EX_IOERR,	/* 74: writing standard output failed */
	EXIT_TIMEOUT = 124,	/* wait --timeout expired, as timeout(1) */
	EXIT_RUN_FAILED = 125,	/* run could not count the task, as timeout(1) */
};

static const char usage_text[] =
"usage: waitgroup COMMAND NAME [OPTION]...\n"
"Go's sync.WaitGroup shared by unrelated processes through /dev/waitgroup.\n"
"\n"
"  create NAME [--count N] [--mode MODE] [--excl]   create (or open) a group\n"
"  add NAME [N]                 add N (default 1) to the counter\n"
"  done NAME [--error CODE]     subtract 1, reporting a failed task if CODE\n"
"  run NAME [--] CMD [ARG]...   count CMD as a task: add 1 (undone by the\n"
"                               kernel if run dies), run CMD, done with its\n"
"                               exit status as the error; exits with it\n"
"  wait NAME [--timeout DUR] [--progress] [--total N] [--verbose]\n"
"                               wait for the counter to reach zero\n"
"  info NAME [--json]           show count, waiters, generation, owner\n"
"  ls                           list names (needs kernel support)\n"
"  rm NAME...                   remove names; open groups keep working\n"
"\n"
"DUR is seconds, or a number with ms, s, m, h or d. wait exits 0 when every\n"
"task succeeded, 1 when one reported an error, 2 when one was abandoned,\n"
"124 on timeout. Any command: 3 if the operation failed, 64 usage error,\n"
"69 no /dev/waitgroup, 74 output not written. run: CMD's status (128+N\n"
"if killed by signal N), 125 if the task could not be counted, 126/127 if\n"
"CMD could not run.\n"
"See waitgroup(1).\n";

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

static long long parse_int(const char *opt, const char *s, long long min,
			   long long max)
{
	long long v;
	char *end;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (end == s || *end) {
		fprintf(stderr, "%s: %s: not a number: %s\n", prog, opt, s);
		exit(EXIT_USAGE);
	}
	if (errno || v < min || v > max) {
		fprintf(stderr, "%s: %s: not in [%lld, %lld]: %s\n", prog, opt,
			min, max, s);
		exit(EXIT_USAGE);
	}
	return v;
}

/* "10", "1.5", "250ms", "2s", "3m", "1h", "1d" -> nanoseconds. */
static int64_t parse_duration(const char *s)
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
	usage_error("--timeout: not a duration: %s", s);
	return 0;
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

static int open_group(const char *name, unsigned int access, int *fd)
{
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
			  unsigned int flags)
{
	int fd;

	if (flags & WG_EXCL)
		return wg_create(name, count, mode, flags);
	for (;;) {
		fd = wg_create(name, count, mode, flags | WG_EXCL);
		if (fd != -EEXIST)
			return fd;
		fd = wg_open(name, flags);
		if (fd != -ENOENT)
			break;
	}
	if (fd >= 0)
		fprintf(stderr, "%s: %s: exists; opened it, its mode and count unchanged\n",
			prog, name);
	return fd;
}

static int cmd_create(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'm' },
		{ "excl", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	unsigned int flags = WG_CLOEXEC, mode = 0;
	const char *name;
	int c, count = 0, fd;

	while ((c = next_opt(argc, argv, ":c:m:xh", opts)) != -1) {
		switch (c) {
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
	fd = create_or_open(name, count, mode, flags);
	if (fd < 0)
		return fail(name, -fd);
	wg_close(fd);
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

static uint64_t now_ns(void)
{
	return wg_deadline(0);
}

/* The live bar on stderr: finished/total of the running generation. */
static void draw_bar(int done, int total)
{
	static int last_done = -1, last_total = -1;
	const int width = 40;
	int i, fill = total > 0 ? (int)((long long)done * width / total) : 0;

	if (done == last_done && total == last_total)
		return;
	last_done = done;
	last_total = total;

	fputs("\r[", stderr);
	for (i = 0; i < width; i++)
		fputc(i < fill ? '#' : '-', stderr);
	fprintf(stderr, "] %d/%d done\033[K", done, total);
	fflush(stderr);
}

struct wait_opts {
	uint64_t deadline;
	int total;
	int progress;
};

/*
 * Wait, redrawing the bar from WG_IOC_INFO until poll(2) reports the
 * group readable (a wait would return at once) or the deadline passes.
 * Returns wg_wait()'s result; *max is the highest count seen.
 */
static int wait_progress(int fd, const struct wait_opts *o, int *max,
			 struct wg_wait *res)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct wg_info info;
	int ret, ms;

	for (;;) {
		ret = wg_info(fd, &info);
		if (ret)
			return ret;
		if (info.count > *max)
			*max = info.count;
		draw_bar(*max - info.count, *max);
		ret = wg_trywait(fd, res);
		if (ret != -EAGAIN)
			break;
		ms = 200;
		if (o->deadline != WG_FOREVER) {
			uint64_t now = now_ns();

			if (now >= o->deadline) {
				ret = -ETIMEDOUT;
				break;
			}
			if (o->deadline - now < 200000000ULL)
				ms = (o->deadline - now + 999999) / 1000000;
		}
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return -errno;
	}
	if (!ret)
		draw_bar(*max, *max);
	fputc('\n', stderr);
	return ret;
}

static int cmd_wait(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "progress", no_argument, NULL, 'p' },
		{ "total", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct wait_opts o = { .deadline = WG_FOREVER };
	struct wg_wait res;
	struct wg_info info;
	int c, fd, ret, verbose = 0, max;
	const char *name;

	while ((c = next_opt(argc, argv, ":t:pT:vh", opts)) != -1) {
		switch (c) {
		case 't':
			o.deadline = wg_deadline(parse_duration(optarg));
			break;
		case 'p':
			o.progress = 1;
			break;
		case 'T':
			o.total = parse_int("--total", optarg, 1, INT32_MAX);
			break;
		case 'v':
			verbose = 1;
			break;
		}
	}
	name = one_name(argc, argv, "wait");
	ret = open_group(name, WG_ACCESS_WAIT, &fd);
	if (ret)
		return ret;
	ret = wg_info(fd, &info);
	max = o.total;
	if (!ret && info.count > max)
		max = info.count;
	if (!ret && o.progress && isatty(STDERR_FILENO))
		ret = wait_progress(fd, &o, &max, &res);
	else if (!ret)
		ret = wg_wait(fd, o.deadline, &res);
	wg_close(fd);
	if (ret == -ETIMEDOUT) {
		fprintf(stderr, "%s: %s: timed out\n", prog, name);
		return EXIT_TIMEOUT;
	}
	if (ret)
		return fail(name, -ret);
	if (verbose)
		printf("generation=%" PRIu64 " tasks=%d finished=%d abandoned=%u error=%d\n",
		       (uint64_t)res.generation, max,
		       max > (int)res.abandoned ? max - (int)res.abandoned : 0,
		       res.abandoned, res.error);
	if (res.abandoned) {
		fprintf(stderr, "%s: %s: %u task%s abandoned (holder died before done)\n",
			prog, name, res.abandoned, res.abandoned == 1 ? "" : "s");
		return EXIT_ABANDONED;
	}
	if (res.error) {
		fprintf(stderr, "%s: %s: a task failed with error %d\n",
			prog, name, res.error);
		return EXIT_TASK_FAILED;
	}
	return 0;
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
		printf(",\"count\":%d,\"waiters\":%u,\"generation\":%" PRIu64
		       ",\"error\":%d,\"abandoned\":%u,\"uid\":%u,\"gid\":%u,\"mode\":\"%04o\"}\n",
		       info.count, info.waiters, (uint64_t)info.generation,
		       info.error, info.abandoned, info.uid, info.gid,
		       info.mode);
		return 0;
	}
	printf("name:       %s\n"
	       "count:      %d\n"
	       "waiters:    %u\n"
	       "generation: %" PRIu64 "\n"
	       "error:      %d\n"
	       "abandoned:  %u\n"
	       "owner:      %u:%u\n"
	       "mode:       %04o\n",
	       info.name, info.count, info.waiters, (uint64_t)info.generation,
	       info.error, info.abandoned, info.uid, info.gid, info.mode);
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

static void print_name_line(const char *name)
{
	struct wg_info info;
	int fd = wg_open(name, WG_CLOEXEC | WG_ACCESS_WAIT);

	if (fd < 0 || wg_info(fd, &info)) {
		printf("%-24s %8s %8s %10s %11s %5s\n", name, "-", "-", "-",
		       "-", "-");
	} else {
		printf("%-24s %8d %8u %10" PRIu64 " %5u:%-5u %04o\n", name,
		       info.count, info.waiters, (uint64_t)info.generation,
		       info.uid, info.gid, info.mode);
	}
	if (fd >= 0)
		wg_close(fd);
}

static int cmd_ls(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int ret;

	while (next_opt(argc, argv, "+:h", opts) != -1)
		;
	if (optind < argc)
		usage_error("unexpected argument: %s", argv[optind]);
	if (access(WG_DEVICE_PATH, F_OK))
		return fail(WG_DEVICE_PATH, errno);
	ret = list_names(print_name_line);
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
		ret = wg_unlink(argv[optind]);
		if (ret)
			status = fail(argv[optind], -ret);
	}
	return status;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int fd, ret, wstatus;
	const char *name;

	while (next_opt(argc, argv, "+:h", opts) != -1)
		;
	if (optind >= argc)
		usage_error("%s: missing NAME", "run");
	name = argv[optind++];
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		usage_error("run %s: missing command", name);
	fd = wg_open(name, WG_CLOEXEC | WG_ACCESS_ADD);
	if (fd < 0) {
		ret = fail(name, -fd);
		return ret == EXIT_FAILED ? EXIT_RUN_FAILED : ret;
	}
	setenv("WAITGROUP", name, 1);
	ret = wg_run(fd, argv + optind, 0, &wstatus);
	wg_close(fd);
	if (ret && wstatus == -1) {
		fprintf(stderr, "%s: %s: %s\n", prog, name, strerror(-ret));
		return EXIT_RUN_FAILED;
	}
	if (ret) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[optind],
			strerror(-ret));
		ret = wg_status_error(wstatus);
		return ret == 126 || ret == 127 ? ret : EXIT_RUN_FAILED;
	}
	return wg_status_error(wstatus);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "create", cmd_create }, { "add", cmd_add }, { "done", cmd_done },
	{ "run", cmd_run }, { "wait", cmd_wait }, { "info", cmd_info },
	{ "ls", cmd_ls }, { "rm", cmd_rm },
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
