// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup each: one job per line of standard input, as xargs -P and GNU
 * parallel run them, every job counted as a task of a group.
 *
 * A job is counted as waitgroup run counts its command: 1 added with
 * WG_UNDO on a private open file of the group (WG_IOC_DUP), before the
 * job starts, and a done carrying its exit status when it has ended. That
 * file is close-on-exec here and handed to its own job only (a dup2 file
 * action onto itself, which clears close-on-exec in posix_spawn's child),
 * so if the launcher dies (SIGKILL) each job still holds its add: the
 * group's slot stays taken until the job is gone, and then the kernel
 * undoes the add as abandoned.
 *
 * There is no supervisor per job. The one process starts each job with
 * posix_spawnp(3) (no copy of this process), in a process group of its
 * own, and watches them all in one poll(2) loop: SIGCHLD and the
 * forwarded signals through a signalfd, each job's standard output and
 * error through pipes, a cancel of the group through one running job's
 * ledger, the grace period of --halt now through a timerfd. A job's done
 * comes after its output and joblog line are written. A job that finds no room under
 * the group's limit waits for it (WG_ADD_WAIT, first come first served)
 * in a thread, so the loop goes on meanwhile.
 *
 * The count does not touch 0 between jobs: when a job ends and another is
 * to start in its place, the new one's add comes before the old one's
 * done whenever the limit lets it in (under a limit of 1 it cannot), so a
 * "waitgroup wait" started during the batch returns when the batch ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "waitgroup.h"
#include "each.h"

extern char **environ;

/* Exit statuses of each, as GNU parallel's (between them: failed jobs). */
enum {
	EACH_MANY_FAILED = 101,	/* more than 100 jobs failed */
	EACH_ERROR = 255,	/* usage, or an error of each itself */
};

enum halt_when { HALT_NEVER, HALT_SOON, HALT_NOW };

/* The forwarded signals, as a supervisor's (spawn.c); the first four stop the batch. */
static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2,
};

#define N_FORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))
#define READ_SIZE 65536

static const char each_usage_text[] =
"usage: waitgroup each NAME [OPTION]... [--] COMMAND [ARG]...\n"
"Run COMMAND once for each line of standard input: the line replaces every {}\n"
"in COMMAND and ARG, or is appended. Each job is a task of group NAME, added\n"
"with undo before it starts and done with its exit status when it ends.\n"
"\n"
"  -j, --jobs N        at most N jobs at once (default: CPUs; 0: as many as\n"
"                      descriptors allow; +N, -N, N%: of CPUs), always within\n"
"                      the group's limit: a job waits for room\n"
"  --halt WHEN,fail=N  after N failed jobs start no more (WHEN soon), or also\n"
"                      end the running ones (now: SIGTERM, SIGKILL after\n"
"                      --grace DUR, default 10s); default never\n"
"  --retries N         try a failing job up to N times in all\n"
"  --joblog FILE       GNU parallel's job log (-: standard output)\n"
"  --group             print a job's output when it ends (the default)\n"
"  --line-buffer       print each line of output when it is complete\n"
"  --tag               start each line of output with the item and a tab\n"
"  --progress          done/total and ETA on standard error\n"
"\n"
"Exit status: 0 every job succeeded, 1-100 the number that failed, 101 more\n"
"(--halt ...,fail=1: the failed job's status), 255 usage or other error.\n"
"See waitgroup(1).\n";

static const char prog[] = "waitgroup";

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

/**
 * struct job - a slot of -j, and the item it runs
 * @lfd: the private open file whose ledger holds the job's add; -1: slot free
 * @item: the item's index in the input (the joblog's Seq less 1)
 * @pid: the running try, or 0
 * @fd: read ends of the try's standard output and error pipes, or -1
 * @out: what was read from them and not printed yet
 * @tries: the tries that failed before this one
 * @killed: sent SIGTERM (halt now, cancel): not tried again
 * @waiting: its add is made, its start failed for want of a resource:
 *	started again when a job has exited
 * @start_real: when the try started (CLOCK_REALTIME), the joblog's Starttime
 * @start_mono: the same on CLOCK_MONOTONIC, for its JobRuntime
 */
struct job {
	int lfd;
	size_t item;
	pid_t pid;
	int fd[2];
	struct buf out[2];
	int tries;
	int killed;
	int waiting;
	int64_t start_real;
	int64_t start_mono;
};

/**
 * struct room - the thread that waits for room under the group's limit
 * @thread: running while @busy
 * @efd: eventfd the thread writes when the add has returned
 * @lfd: the ledger the add is made on
 * @ret: the add's result, read once the thread is joined
 * @stop: the add is no longer wanted: an EINTR ends it
 * @busy: a thread is waiting (or has answered and is not joined yet)
 */
struct room {
	pthread_t thread;
	int efd;
	int lfd;
	int ret;
	atomic_int stop;
	int busy;
};

struct progress {
	int on;
	int tty;
	int shown;		/* the bar is on the terminal's last line */
	int64_t shown_at;	/* CLOCK_MONOTONIC */
	size_t shown_done;
	int shown_running;
	int64_t t0;
};

/**
 * struct each - the batch
 * @name: the group's name
 * @gfd: the group, opened to add (and wait, for the cancel watch)
 * @cmd: COMMAND and its ARGs, the templates of every job's argv
 * @ncmd: their number
 * @append: no {} in them: the item is appended
 * @items: the lines of standard input
 * @nitems: their number
 * @next: the next item to start
 * @jobs: the slots, @max_jobs of them
 * @running: slots in use
 * @ready: a ledger with the next job's add, made before a done, or -1
 * @spare: a ledger without its add (no room yet), or -1
 */
struct each {
	const char *name;
	int gfd;
	char **cmd;
	int ncmd;
	int append;
	char **items;
	size_t nitems;
	size_t next;
	struct job *jobs;
	int max_jobs;
	int running;
	int ready;
	int spare;
	struct room room;

	/* options */
	enum halt_when halt_when;
	int halt_fail;
	int retries;
	int line_buffer;
	int tag;
	int64_t grace_ns;
	FILE *joblog;
	struct progress progress;

	/* what happened */
	size_t started;
	size_t finished;
	size_t failed;
	int stopping;		/* start no more jobs */
	int halted;		/* --halt triggered: @halt_status is the exit status */
	int halt_status;
	int canceled;		/* the group was canceled: @cancel_error */
	int cancel_error;
	int signal;		/* the first stopping signal received */
	int error;		/* an error of each itself: exit 255 */
	int write_error;	/* errno of the first failed write, reported once */
	int watch;		/* poll a running job's ledger for a cancel */
	int epipe;		/* standard output is closed: die of SIGPIPE at the end */
	int blocked;		/* a start failed for want of a resource: none until a job exits */
	int child;		/* a SIGCHLD was read and not reaped yet */

	int sigfd;
	int tfd;		/* the grace period of ending the jobs, or -1 */
	int nullfd;		/* the jobs' standard input */
	sigset_t oldmask;	/* the mask each was started with: the jobs' */
	posix_spawnattr_t attr;	/* the jobs': that mask, own process group */
	struct buf scratch;	/* output with tags */
	char *rbuf;		/* what a read of a job's output brings, READ_SIZE */
	struct pollfd *pfd;
	struct job **pjob;	/* the job of each pipe in @pfd */
	int *pk;		/* and which of its streams */
};

static int64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void __attribute__((noreturn)) each_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: each: ", prog);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'waitgroup each --help' for more information.\n", stderr);
	exit(EACH_ERROR);
}

/* An error of each itself: said on stderr, and the exit status is 255. */
static void each_error(struct each *e, const char *what, int err)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(err));
	e->error = 1;
}

/* -j: N (0: as many as descriptors allow), +N and -N CPUs, N% of them. */
static int parse_jobs(const char *s)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long long v;
	char *end;

	if (cpus < 1)
		cpus = 1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno || (*end && strcmp(end, "%")) ||
	    (*end && (*s == '+' || *s == '-')) || v > INT_MAX / 100 ||
	    (v < 0 && *s != '-'))
		each_usage("--jobs: not N, +N, -N or N%%: %s", s);
	if (*end)
		v = cpus * v / 100;
	else if (*s == '+' || *s == '-')
		v += cpus;
	else
		return v;
	return v < 1 ? 1 : v;
}

/* --halt never|soon,fail=N|now,fail=N, or parallel's 0, 1 and 2. */
static void parse_halt(struct each *e, const char *s)
{
	const char *rest;

	if (!strcmp(s, "never") || !strcmp(s, "0")) {
		e->halt_when = HALT_NEVER;
		return;
	}
	if (!strcmp(s, "1"))
		s = "soon,fail=1";
	else if (!strcmp(s, "2"))
		s = "now,fail=1";
	if (!strncmp(s, "soon,", 5)) {
		e->halt_when = HALT_SOON;
		rest = s + 5;
	} else if (!strncmp(s, "now,", 4)) {
		e->halt_when = HALT_NOW;
		rest = s + 4;
	} else {
		each_usage("--halt: not never, soon,fail=N or now,fail=N: %s", s);
	}
	if (strncmp(rest, "fail=", 5) || strchr(rest, '%'))
		each_usage("--halt: only fail=N (a number of jobs) is supported: %s", s);
	e->halt_fail = parse_int("--halt", rest + 5, 1, INT_MAX);
}

/*
 * The operands, as run's: NAME [OPTION]... [--] COMMAND [ARG]... (the
 * options may also come before NAME).
 */
static void parse_args(struct each *e, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "halt", required_argument, NULL, 'H' },
		{ "retries", required_argument, NULL, 'r' },
		{ "joblog", required_argument, NULL, 'L' },
		{ "group", no_argument, NULL, 'G' },
		{ "line-buffer", no_argument, NULL, 'B' },
		{ "tag", no_argument, NULL, 'T' },
		{ "progress", no_argument, NULL, 'p' },
		{ "grace", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *joblog = NULL;
	int c;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, "+:j:h", opts, NULL);
		if (c == -1 && !e->name && optind < argc &&
		    strcmp(argv[optind], "--")) {
			/* NAME, and the options that follow it. */
			e->name = argv[optind++];
			continue;
		}
		if (c == -1)
			break;
		switch (c) {
		case 'j':
			e->max_jobs = parse_jobs(optarg);
			break;
		case 'H':
			parse_halt(e, optarg);
			break;
		case 'r':
			e->retries = parse_int("--retries", optarg, 1, INT_MAX);
			break;
		case 'L':
			joblog = optarg;
			break;
		case 'G':
			e->line_buffer = 0;
			break;
		case 'B':
			e->line_buffer = 1;
			break;
		case 'T':
			e->tag = 1;
			break;
		case 'p':
			e->progress.on = 1;
			break;
		case 'g':
			e->grace_ns = parse_duration("--grace", optarg);
			break;
		case 'h':
			fputs(each_usage_text, stdout);
			exit(0);
		case ':':
			each_usage("%s needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				fprintf(stderr, "%s: each: unknown option: -%c\n", prog, optopt);
			else
				fprintf(stderr, "%s: each: unknown option: %s\n", prog, argv[optind - 1]);
			fputs("Try 'waitgroup each --help' for more information.\n", stderr);
			exit(EACH_ERROR);
		}
	}
	if (!e->name)
		each_usage("%s", "missing NAME");
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind >= argc)
		each_usage("%s", "missing COMMAND");
	e->cmd = argv + optind;
	e->ncmd = argc - optind;
	/* The log is written from the start, as parallel's is. */
	if (joblog && !strcmp(joblog, "-")) {
		e->joblog = stdout;
	} else if (joblog) {
		e->joblog = fopen(joblog, "we");
		if (!e->joblog) {
			fprintf(stderr, "%s: %s: %s\n", prog, joblog, strerror(errno));
			exit(EACH_ERROR);
		}
	}
}

/* Lines of standard input, read to its end: the total is known from the start. */
static int read_items(struct each *e)
{
	size_t len = 0, cap = READ_SIZE, n, i;
	char *p = malloc(cap), *s;
	ssize_t got;

	if (!p)
		return -ENOMEM;
	for (;;) {
		if (cap - len < READ_SIZE / 2) {
			s = realloc(p, cap * 2);
			if (!s)
				goto out_nomem;
			p = s;
			cap *= 2;
		}
		got = read(STDIN_FILENO, p + len, cap - len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			free(p);
			return -errno;
		}
		if (!got)
			break;
		len += got;
	}
	p[len] = '\0';
	for (i = 0, n = 0; i < len; i++)
		n += p[i] == '\n';
	if (len && p[len - 1] != '\n')
		n++;
	e->items = malloc((n ? n : 1) * sizeof(*e->items));
	if (!e->items)
		goto out_nomem;
	for (s = p, i = 0; i < n; i++) {
		char *nl = memchr(s, '\n', p + len - s);

		/* A NUL byte in a line ends its item, as it would its argument. */
		e->items[i] = s;
		s = nl ? nl : p + len;
		*s++ = '\0';
	}
	e->nitems = n;
	return 0;

out_nomem:
	free(p);
	return -ENOMEM;
}

/* @tmpl with every {} replaced by @item; malloc'ed. */
static char *replace(const char *tmpl, const char *item)
{
	size_t n = 0, ilen = strlen(item), len;
	const char *s, *b;
	char *out, *o;

	for (s = tmpl; (s = strstr(s, "{}")); s += 2)
		n++;
	len = strlen(tmpl) - 2 * n + n * ilen;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	for (s = tmpl, o = out; (b = strstr(s, "{}")); s = b + 2) {
		memcpy(o, s, b - s);
		o += b - s;
		memcpy(o, item, ilen);
		o += ilen;
	}
	memcpy(o, s, strlen(s) + 1);
	return out;
}

static void free_argv(struct each *e, char **argv)
{
	int i;

	for (i = 0; i < e->ncmd; i++) {
		if (argv[i] != e->cmd[i])
			free(argv[i]);
	}
	free(argv);
}

/* The job's command line: the templates with the item in. */
static char **job_argv(struct each *e, const char *item)
{
	char **argv = calloc(e->ncmd + 2, sizeof(*argv));
	int i;

	if (!argv)
		return NULL;
	for (i = 0; i < e->ncmd; i++) {
		argv[i] = e->cmd[i];
		if (!e->append && strstr(e->cmd[i], "{}")) {
			argv[i] = replace(e->cmd[i], item);
			if (!argv[i]) {
				argv[i] = e->cmd[i];
				free_argv(e, argv);
				return NULL;
			}
		}
	}
	if (e->append)
		argv[e->ncmd] = (char *)item;
	return argv;
}

static int buf_reserve(struct buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

static void buf_add(struct buf *b, const char *p, size_t len)
{
	if (!buf_reserve(b, len)) {
		memcpy(b->p + b->len, p, len);
		b->len += len;
	}
}

static void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* A word of the command line as sh(1) would read it back, on one line. */
static void quote_word(struct buf *b, const char *w)
{
	static const char safe[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
	const char *s;
	char hex[8];
	int ctl = 0;

	if (*w && strspn(w, safe) == strlen(w)) {
		buf_add(b, w, strlen(w));
		return;
	}
	for (s = w; *s; s++)
		ctl |= (unsigned char)*s < ' ' || *s == 0x7f;
	if (!ctl) {
		buf_add(b, "'", 1);
		for (s = w; *s; s++) {
			if (*s == '\'')
				buf_add(b, "'\\''", 4);
			else
				buf_add(b, s, 1);
		}
		buf_add(b, "'", 1);
		return;
	}
	/* Tabs and newlines would break the joblog's fields and lines. */
	buf_add(b, "$'", 2);
	for (s = w; *s; s++) {
		if (*s == '\t') {
			buf_add(b, "\\t", 2);
		} else if (*s == '\n') {
			buf_add(b, "\\n", 2);
		} else if (*s == '\'' || *s == '\\') {
			buf_add(b, "\\", 1);
			buf_add(b, s, 1);
		} else if ((unsigned char)*s < ' ' || *s == 0x7f) {
			snprintf(hex, sizeof(hex), "\\x%02x", (unsigned char)*s);
			buf_add(b, hex, 4);
		} else {
			buf_add(b, s, 1);
		}
	}
	buf_add(b, "'", 1);
}

/* The command line of @j as a string, for the joblog. */
static void command_line(struct each *e, struct job *j, struct buf *b)
{
	char **argv = job_argv(e, e->items[j->item]);
	int i;

	b->len = 0;
	if (argv) {
		for (i = 0; argv[i]; i++) {
			if (i)
				buf_add(b, " ", 1);
			quote_word(b, argv[i]);
		}
		free_argv(e, argv);
	}
	buf_add(b, "", 1);
}

/* --- output ------------------------------------------------------------ */

static void progress_hide(struct each *e);
static void stop_starting(struct each *e);
static void read_signals(struct each *e);

/*
 * A write failed with @err: no more jobs start. EPIPE (SIGPIPE is ignored
 * here): the reader is gone, each dies of SIGPIPE once the running jobs
 * have ended, as a filter would have at once.
 */
static void write_failed(struct each *e, const char *what, int err)
{
	if (err == EPIPE) {
		e->epipe = 1;
	} else if (!e->write_error) {
		e->write_error = err;
		each_error(e, what, err);
	}
	stop_starting(e);
}

/*
 * All of @p, in pieces a pipe takes without blocking once it polls
 * writable, and the signals read meanwhile: a stopping signal while @fd
 * does not take more (a stalled reader) drops what is left.
 */
static void write_all(struct each *e, int fd, const char *p, size_t len)
{
	struct pollfd pfd[2];
	ssize_t n;

	while (len) {
		if (e->sigfd >= 0) {
			pfd[0] = (struct pollfd){ .fd = fd, .events = POLLOUT };
			pfd[1] = (struct pollfd){ .fd = e->sigfd, .events = POLLIN };
			n = poll(pfd, e->signal ? 1 : 2, e->signal ? 0 : -1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0 && !e->signal && pfd[1].revents) {
				read_signals(e);
				continue;
			}
			if (!n)
				return;		/* stopping, and nobody reads */
		}
		n = write(fd, p, len < PIPE_BUF ? len : PIPE_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			write_failed(e, "write error", errno);
			return;
		}
		p += n;
		len -= n;
	}
}

/*
 * Output of the job of @item on @fd: whole lines, and the last one
 * unfinished only when @len ends the job's output. --tag puts the item
 * and a tab at the start of each.
 */
static void emit(struct each *e, int fd, size_t item, const char *p, size_t len)
{
	struct buf *b = &e->scratch;
	const char *nl, *end = p + len;
	size_t tlen;

	if (!len)
		return;
	progress_hide(e);
	if (!e->tag) {
		write_all(e, fd, p, len);
		return;
	}
	tlen = strlen(e->items[item]);
	b->len = 0;
	while (p < end) {
		nl = memchr(p, '\n', end - p);
		nl = nl ? nl + 1 : end;
		buf_add(b, e->items[item], tlen);
		buf_add(b, "\t", 1);
		buf_add(b, p, nl - p);
		p = nl;
	}
	write_all(e, fd, b->p, b->len);
}

/* --line-buffer: print the complete lines of stream @k of @j. */
static void emit_lines(struct each *e, struct job *j, int k)
{
	struct buf *b = &j->out[k];
	char *nl = b->len ? memrchr(b->p, '\n', b->len) : NULL;
	size_t n;

	if (!nl)
		return;
	n = nl + 1 - b->p;
	emit(e, k + 1, j->item, b->p, n);
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

/*
 * One read of stream @k of @j, which poll(2) said would not block
 * (@revents), added to its buffer; at its end (or an error) close it.
 * Returns 1 once closed.
 */
static int read_stream(struct each *e, struct job *j, int k, short revents)
{
	ssize_t n = 0;

	/* POLLHUP alone: the writers are gone and nothing is left. */
	if (!(revents & POLLIN))
		goto out_close;
	do
		n = read(j->fd[k], e->rbuf, READ_SIZE);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		buf_add(&j->out[k], e->rbuf, n);	/* no memory: lost */
		if (e->line_buffer)
			emit_lines(e, j, k);
		return 0;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
out_close:
	close(j->fd[k]);
	j->fd[k] = -1;
	return 1;
}

/*
 * The job has exited: what it wrote is in the pipes (a writer blocks
 * until its data is in). Read that, then close them: what comes later is
 * not the job's (a child of its still writing).
 */
static void drain_streams(struct each *e, struct job *j)
{
	struct pollfd p;
	int k, i;

	for (k = 0; k < 2; k++) {
		for (i = 0; j->fd[k] >= 0 && i < 64; i++) {
			p = (struct pollfd){ .fd = j->fd[k], .events = POLLIN };
			if (poll(&p, 1, 0) <= 0 || read_stream(e, j, k, p.revents))
				break;
		}
		if (j->fd[k] >= 0) {
			close(j->fd[k]);
			j->fd[k] = -1;
		}
	}
}

/* The output of @j's last try: stdout, then stderr (parallel's --group). */
static void print_output(struct each *e, struct job *j)
{
	int k;

	for (k = 0; k < 2; k++) {
		emit(e, k + 1, j->item, j->out[k].p, j->out[k].len);
		buf_free(&j->out[k]);
	}
}

/* GNU parallel's line: Seq Host Starttime JobRuntime Send Receive Exitval Signal Command. */
static void joblog_line(struct each *e, struct job *j, int status, int64_t end)
{
	int64_t start_ms = j->start_real / 1000000;
	int64_t run_ms = (end - j->start_mono) / 1000000;

	if (!e->joblog)
		return;
	command_line(e, j, &e->scratch);
	fprintf(e->joblog, "%zu\t:\t%lld.%03lld\t%10.3f\t0\t0\t%d\t%d\t%s\n",
		j->item + 1, (long long)(start_ms / 1000), (long long)(start_ms % 1000),
		run_ms / 1000.0,
		WIFEXITED(status) ? WEXITSTATUS(status) : 0,
		WIFSIGNALED(status) ? WTERMSIG(status) : 0, e->scratch.p);
	if (fflush(e->joblog))
		write_failed(e, "--joblog", errno);
}

/* --- progress ---------------------------------------------------------- */

static void format_eta(struct each *e, char *s, size_t size)
{
	int64_t left;
	double per;

	if (!e->finished) {
		snprintf(s, size, "-");
		return;
	}
	per = (double)(clock_ns(CLOCK_MONOTONIC) - e->progress.t0) / e->finished;
	left = (int64_t)(per * (e->nitems - e->finished) / 1e9 + 0.5);
	if (left < 60)
		snprintf(s, size, "%llds", (long long)left);
	else if (left < 3600)
		snprintf(s, size, "%lldm%02llds", (long long)left / 60, (long long)left % 60);
	else
		snprintf(s, size, "%lldh%02lldm", (long long)left / 3600,
			 (long long)left / 60 % 60);
}

/* Clear the bar before other output goes to the terminal. */
static void progress_hide(struct each *e)
{
	struct progress *p = &e->progress;

	if (!p->shown)
		return;
	p->shown = 0;
	write_all(e, STDERR_FILENO, "\r\033[K", 4);
}

/* Something to show: the counts changed, or the bar was cleared for output. */
static int progress_pending(struct each *e)
{
	struct progress *p = &e->progress;

	return !p->shown_at || p->shown_done != e->finished ||
	       p->shown_running != e->running || (p->tty && !p->shown);
}

/*
 * "NAME: 3/64 done, 4 running, ETA 12s": on a terminal redrawn in place
 * (at most ten times a second), else a line when it has changed, at most
 * one a second; @last: the final state, however soon after the one before.
 */
static void progress_show(struct each *e, int last)
{
	struct progress *p = &e->progress;
	int64_t now, interval = p->tty ? 100000000 : 1000000000;
	char line[WG_NAME_MAX + 128], eta[32];
	int n;

	if (!p->on || !progress_pending(e))
		return;
	now = clock_ns(CLOCK_MONOTONIC);
	if (!last && p->shown_at && now - p->shown_at < interval)
		return;
	format_eta(e, eta, sizeof(eta));
	n = snprintf(line, sizeof(line), "%s%s: %zu/%zu done, %d running, ETA %s%s",
		     p->tty ? "\r" : "", e->name, e->finished, e->nitems,
		     e->running, eta, p->tty ? (last ? "\033[K\n" : "\033[K") : "\n");
	write_all(e, STDERR_FILENO, line, n);
	p->shown = p->tty && !last;
	p->shown_at = now;
	p->shown_done = e->finished;
	p->shown_running = e->running;
}

/* Milliseconds until what is not shown yet may be; -1: nothing to show. */
static int progress_timeout(struct each *e)
{
	struct progress *p = &e->progress;
	int64_t interval = p->tty ? 100000000 : 1000000000, due;

	if (!p->on || !progress_pending(e))
		return -1;
	due = p->shown_at + interval - clock_ns(CLOCK_MONOTONIC);
	return due <= 0 ? 0 : (int)((due + 999999) / 1000000);
}

/* --- room under the limit ---------------------------------------------- */

static void room_interrupt(int sig)
{
	(void)sig;
}

static void *room_wait(void *arg)
{
	struct room *r = arg;
	uint64_t one = 1;
	sigset_t set;
	int ret;

	/* The one signal it takes: what ends its wait early. */
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	do
		ret = wg_add_wait(r->lfd, 1, WG_UNDO, WG_FOREVER);
	while (ret == -EINTR && !atomic_load(&r->stop));
	r->ret = ret;
	while (write(r->efd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	return NULL;
}

/* Wait for room for the next job, e->spare's add, in the thread. */
static void room_start(struct each *e)
{
	struct room *r = &e->room;
	int ret;

	r->lfd = e->spare;
	e->spare = -1;
	atomic_store(&r->stop, 0);
	ret = pthread_create(&r->thread, NULL, room_wait, r);
	if (ret) {
		wg_close(r->lfd);
		each_error(e, e->name, ret);
		stop_starting(e);
		return;
	}
	r->busy = 1;
}

/*
 * The thread has answered (the eventfd, non-blocking, polled readable):
 * join it; returns the add's result, the ledger in *lfd.
 */
static int room_collect(struct each *e, int *lfd)
{
	struct room *r = &e->room;
	uint64_t n;

	while (read(r->efd, &n, sizeof(n)) < 0 && errno == EINTR)
		;
	pthread_join(r->thread, NULL);
	r->busy = 0;
	*lfd = r->lfd;
	return r->ret;
}

/*
 * The next job is not wanted after all: end the thread's wait (a signal
 * interrupts it; sent again until the thread answers, as one that comes
 * before it sleeps does nothing), and take back an add it got meanwhile.
 */
static void room_abort(struct each *e)
{
	struct room *r = &e->room;
	struct pollfd p = { .fd = r->efd, .events = POLLIN };
	int lfd;

	if (!r->busy)
		return;
	atomic_store(&r->stop, 1);
	do
		pthread_kill(r->thread, SIGRTMIN);
	while (poll(&p, 1, 10) <= 0);
	if (!room_collect(e, &lfd))
		wg_done(lfd);
	wg_close(lfd);
}

/* --- jobs -------------------------------------------------------------- */

/*
 * Start no more jobs; give back an add made for one, and those of jobs
 * waiting to start again (not started after all).
 */
static void stop_starting(struct each *e)
{
	int i;

	if (e->stopping)
		return;
	e->stopping = 1;
	for (i = 0; i < e->max_jobs; i++) {
		struct job *j = &e->jobs[i];

		if (!j->waiting)
			continue;
		wg_done(j->lfd);
		wg_close(j->lfd);
		j->lfd = -1;
		j->waiting = 0;
		e->running--;
		e->started--;
	}
	if (e->ready >= 0) {
		wg_done(e->ready);
		wg_close(e->ready);
		e->ready = -1;
	}
	if (e->spare >= 0) {
		wg_close(e->spare);
		e->spare = -1;
	}
	room_abort(e);
}

/*
 * End every running job, its process group: SIGTERM, then SIGKILL once
 * --grace is over.
 */
static void end_jobs(struct each *e)
{
	struct itimerspec its;
	int i, sig = e->grace_ns ? SIGTERM : SIGKILL;

	for (i = 0; i < e->max_jobs; i++) {
		struct job *j = &e->jobs[i];

		if (j->pid > 0 && !j->killed)
			kill(-j->pid, sig);
		if (j->lfd >= 0)
			j->killed = 1;
	}
	if (sig == SIGKILL || e->tfd >= 0)
		return;
	e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = e->grace_ns / 1000000000;
	its.it_value.tv_nsec = e->grace_ns % 1000000000;
	if (e->tfd >= 0 && timerfd_settime(e->tfd, 0, &its, NULL)) {
		close(e->tfd);
		e->tfd = -1;
	}
	/* No timer to count the grace period with: it is over now. */
	if (e->tfd < 0) {
		for (i = 0; i < e->max_jobs; i++) {
			if (e->jobs[i].pid > 0)
				kill(-e->jobs[i].pid, SIGKILL);
		}
	}
}

static void grace_over(struct each *e)
{
	int i;

	for (i = 0; i < e->max_jobs; i++) {
		if (e->jobs[i].pid > 0)
			kill(-e->jobs[i].pid, SIGKILL);
	}
	close(e->tfd);
	e->tfd = -1;
}

static void group_canceled(struct each *e)
{
	struct wg_info info;

	if (e->canceled)
		return;
	e->canceled = 1;
	e->watch = 0;
	memset(&info, 0, sizeof(info));
	if (!wg_info(e->gfd, &info) && (info.flags & WG_INFO_CANCELED))
		e->cancel_error = info.cancel_error;
	stop_starting(e);
	end_jobs(e);
}

/* An add for a job failed with @err (not EAGAIN). */
static void add_failed(struct each *e, int err)
{
	if (err == -ECANCELED) {
		group_canceled(e);
		return;
	}
	each_error(e, e->name, -err);
	stop_starting(e);
}

/*
 * A ledger for the next job, with its add: 0, the ledger in *lfd.
 * -EAGAIN: no room now, the ledger kept in e->spare; other: the batch
 * stops (a cancel, an error).
 */
static int next_add(struct each *e, int *lfd)
{
	int fd = e->spare, ret;

	e->spare = -1;
	if (fd < 0)
		fd = wg_dup(e->gfd, WG_CLOEXEC);
	if (fd < 0) {
		each_error(e, e->name, -fd);
		stop_starting(e);
		return fd;
	}
	ret = wg_add(fd, 1, WG_UNDO);
	if (ret == -EAGAIN) {
		e->spare = fd;
		return ret;
	}
	if (ret) {
		wg_close(fd);
		add_failed(e, ret);
		return ret;
	}
	*lfd = fd;
	return 0;
}

/* A start that failed for want of a resource, which a job's exit may give back. */
static int spawn_again(int err)
{
	return err == EAGAIN || err == ENOMEM || err == EMFILE || err == ENFILE;
}

/*
 * Start a try of @j: pipes for its output, its ledger left open across
 * the exec (a dup2 onto itself clears close-on-exec), in a process group
 * of its own. A file without #! is run by /bin/sh, as execvp() runs it
 * (posix_spawnp() does not). Returns 0, or -errno of the exec (most
 * often) or of what came before it, said on stderr as waitgroup run says
 * it unless it is for want of a resource (tried again, job_try()).
 */
static int job_spawn(struct each *e, struct job *j)
{
	static const char sh_exec[] = "exec \"$0\" \"$@\"";
	posix_spawn_file_actions_t fa;
	int p[2][2] = { { -1, -1 }, { -1, -1 } }, err = 0, k;
	char **argv = job_argv(e, e->items[j->item]);
	pid_t pid;

	if (!argv)
		return -ENOMEM;
	for (k = 0; k < 2 && !err; k++) {
		if (pipe2(p[k], O_CLOEXEC))
			err = errno;
	}
	if (!err)
		err = posix_spawn_file_actions_init(&fa);
	if (!err) {
		if (posix_spawn_file_actions_adddup2(&fa, e->nullfd, STDIN_FILENO) ||
		    posix_spawn_file_actions_adddup2(&fa, p[0][1], STDOUT_FILENO) ||
		    posix_spawn_file_actions_adddup2(&fa, p[1][1], STDERR_FILENO) ||
		    posix_spawn_file_actions_adddup2(&fa, j->lfd, j->lfd))
			err = ENOMEM;
		if (e->joblog) {
			j->start_real = clock_ns(CLOCK_REALTIME);
			j->start_mono = clock_ns(CLOCK_MONOTONIC);
		}
		if (!err)
			err = posix_spawnp(&pid, argv[0], &fa, &e->attr, argv, environ);
		if (err == ENOEXEC) {
			char **sh = calloc(e->ncmd + 5, sizeof(*sh));

			err = ENOMEM;
			if (sh) {
				sh[0] = "sh";
				sh[1] = "-c";
				sh[2] = (char *)sh_exec;
				memcpy(sh + 3, argv, (e->ncmd + 2) * sizeof(*sh));
				err = posix_spawn(&pid, "/bin/sh", &fa, &e->attr, sh, environ);
				free(sh);
			}
		}
		posix_spawn_file_actions_destroy(&fa);
	}
	if (!err)
		j->pid = pid;
	else if (!spawn_again(err))
		fprintf(stderr, "%s: %s: %s\n", prog, argv[0], strerror(err));
	free_argv(e, argv);
	for (k = 0; k < 2; k++) {
		if (p[k][1] >= 0)
			close(p[k][1]);
		j->fd[k] = p[k][0];
		if (err && p[k][0] >= 0) {
			close(p[k][0]);
			j->fd[k] = -1;
		}
	}
	return -err;
}

static int failed(int status)
{
	return !WIFEXITED(status) || WEXITSTATUS(status);
}

/* A job's final status is known: does it halt the batch? */
static void halt_check(struct each *e, int status)
{
	if (e->halt_when == HALT_NEVER || e->halted ||
	    e->failed < (size_t)e->halt_fail)
		return;
	e->halted = 1;
	/* parallel's: with fail=1 the job's own status (128+N if killed). */
	if (e->halt_fail == 1)
		e->halt_status = wg_status_error(status);
	else
		e->halt_status = e->failed > 100 ? EACH_MANY_FAILED : (int)e->failed;
	stop_starting(e);
	/* @running still counts the job that failed. */
	fprintf(stderr, "%s: %s: %zu job%s failed: starting no more jobs, %s %d running\n",
		prog, e->name, e->failed, e->failed == 1 ? "" : "s",
		e->halt_when == HALT_NOW ? "ending" : "waiting for", e->running - 1);
	if (e->halt_when == HALT_NOW)
		end_jobs(e);
}

static int can_start(struct each *e)
{
	return !e->stopping && !e->blocked && e->next < e->nitems &&
	       !e->room.busy && e->ready < 0 && e->running < e->max_jobs;
}

/*
 * The job's last try is over: print it, log it, then its done, so that a
 * wait that returns finds them written.
 */
static void job_final(struct each *e, struct job *j, int status)
{
	int64_t end = e->joblog ? clock_ns(CLOCK_MONOTONIC) : 0;
	int lfd = j->lfd, ret, ready;

	e->finished++;
	if (failed(status)) {
		e->failed++;
		halt_check(e, status);
	}
	j->lfd = -1;
	e->running--;
	/*
	 * The next job's add before this one's done, so that the count does
	 * not touch 0 in between. No room (the limit): the done first.
	 */
	if (can_start(e) && !next_add(e, &ready))
		e->ready = ready;
	print_output(e, j);
	joblog_line(e, j, status, end);
	ret = wg_done_error(lfd, wg_status_error(status));
	if (ret)
		each_error(e, e->name, -ret);
	wg_close(lfd);
}

/* A job has a process: its exit may give back what a start lacked. */
static int any_running(struct each *e)
{
	int i;

	for (i = 0; i < e->max_jobs; i++) {
		if (e->jobs[i].pid > 0)
			return 1;
	}
	return 0;
}

/*
 * Tries of @j until one runs, or the last has failed to. A start that
 * failed for want of a resource (processes, memory, descriptors) is not
 * a try: the job keeps its add and waits for another to exit, and no
 * other starts meanwhile; it fails only when no job runs.
 */
static void job_try(struct each *e, struct job *j)
{
	int err;

	for (;;) {
		err = job_spawn(e, j);
		j->waiting = 0;
		if (!err)
			return;
		if (spawn_again(-err) && !e->stopping && any_running(e)) {
			j->waiting = 1;
			e->blocked = 1;
			return;
		}
		if (spawn_again(-err))
			fprintf(stderr, "%s: %s: %s\n", prog, e->cmd[0], strerror(-err));
		/* As sh(1) and waitgroup run: 127 not found, else 126. */
		if (++j->tries >= e->retries || e->stopping) {
			job_final(e, j, (err == -ENOENT ? 127 : 126) << 8);
			return;
		}
	}
}

/* Start the next item in a free slot, its add made (in @lfd). */
static void launch(struct each *e, int lfd)
{
	struct job *j = e->jobs;

	while (j->lfd >= 0)
		j++;
	memset(j, 0, sizeof(*j));
	j->lfd = lfd;
	j->fd[0] = j->fd[1] = -1;
	j->item = e->next++;
	e->started++;
	e->running++;
	job_try(e, j);
}

#define FILL_MAX 64

/*
 * Start jobs while -j, the group's limit and the input let us: first
 * those waiting to start again, then the one whose add was made before a
 * done (job_final()). Returns 1 after FILL_MAX, with more to start: the
 * loop looks at the running jobs before it starts the rest.
 */
static int fill(struct each *e)
{
	int lfd, ret, n = 0, i;

	for (i = 0; i < e->max_jobs && !e->blocked && !e->stopping; i++) {
		if (e->jobs[i].waiting) {
			job_try(e, &e->jobs[i]);
			n++;
		}
	}
	for (; n < FILL_MAX; n++) {
		if (e->ready >= 0) {
			lfd = e->ready;
			e->ready = -1;
			launch(e, lfd);
			continue;
		}
		if (!can_start(e))
			return 0;
		ret = next_add(e, &lfd);
		if (ret == -EAGAIN) {
			room_start(e);
			return 0;
		}
		if (ret)
			return 0;
		launch(e, lfd);
	}
	return can_start(e) || e->ready >= 0;
}

/* The thread's add has returned. */
static void room_answered(struct each *e)
{
	int lfd, ret;

	/* Not when a cancel or signal in the same poll has collected it. */
	if (!e->room.busy)
		return;
	ret = room_collect(e, &lfd);

	if (!ret && !e->stopping) {
		launch(e, lfd);
		return;
	}
	if (!ret)
		wg_done(lfd);
	wg_close(lfd);
	if (ret && !e->stopping)
		add_failed(e, ret);
}

/* A try has exited with @status. */
static void job_exited(struct each *e, struct job *j, int status)
{
	int k;

	drain_streams(e, j);
	j->pid = 0;
	e->blocked = 0;
	if (failed(status) && !j->killed && !e->stopping &&
	    ++j->tries < e->retries) {
		/* Only the last try counts, and only its output is printed. */
		for (k = 0; k < 2; k++)
			j->out[k].len = 0;
		job_try(e, j);
		return;
	}
	job_final(e, j, status);
}

static void reap(struct each *e)
{
	int status, i;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < e->max_jobs; i++) {
			if (e->jobs[i].pid == pid) {
				job_exited(e, &e->jobs[i], status);
				break;
			}
		}
	}
}

/*
 * The signals: SIGCHLD (e->child: to reap), and the forwarded ones,
 * passed on to every job's process group (a terminal's ^C too: the jobs
 * are not in its foreground group). SIGHUP, SIGINT, SIGQUIT and SIGTERM
 * also end the batch: no more jobs start.
 */
static void read_signals(struct each *e)
{
	struct signalfd_siginfo si[16];
	int i, k, n, sig;
	ssize_t got;

	do {
		got = read(e->sigfd, si, sizeof(si));
		n = got > 0 ? got / sizeof(si[0]) : 0;
		for (k = 0; k < n; k++) {
			sig = si[k].ssi_signo;
			if (sig == SIGCHLD) {
				e->child = 1;
				continue;
			}
			if (sig != SIGUSR1 && sig != SIGUSR2) {
				if (!e->signal)
					e->signal = sig;
				stop_starting(e);
			}
			for (i = 0; i < e->max_jobs; i++) {
				if (e->jobs[i].pid > 0)
					kill(-e->jobs[i].pid, sig);
			}
		}
	} while (n == (int)(sizeof(si) / sizeof(si[0])));
}

static void take_signals(struct each *e)
{
	read_signals(e);
	/* One SIGCHLD may stand for several children: reap every one. */
	if (e->child) {
		e->child = 0;
		reap(e);
	}
}

/*
 * A running job's ledger polled readable, so the count is not 0 by its
 * add: the group is canceled, or a generation completed that this file
 * had not reported (taken), or dones with no add of theirs took the count
 * to 0 (level-triggered: no longer watched); POLLERR: a descriptor that
 * may not wait (no cancel watch). As a supervisor's (spawn.c).
 */
static void ledger_readable(struct each *e, int lfd, short revents)
{
	struct wg_info info;

	memset(&info, 0, sizeof(info));
	if ((revents & (POLLERR | POLLNVAL)) || wg_info(lfd, &info)) {
		e->watch = 0;
		return;
	}
	if (info.flags & WG_INFO_CANCELED)
		group_canceled(e);
	else if (!info.count)
		e->watch = 0;
	else
		wg_trywait(lfd, NULL);
}

enum { P_SIGNALS, P_ROOM, P_GRACE, P_CANCEL, P_JOBS };

static void each_loop(struct each *e)
{
	struct pollfd *pfd = e->pfd;
	int i, k, n, ret, watched, more;

	for (;;) {
		more = fill(e);
		if (e->child) {		/* read while writing output */
			take_signals(e);
			continue;
		}
		progress_show(e, 0);
		if (!e->running && !e->room.busy && e->ready < 0)
			break;
		pfd[P_SIGNALS] = (struct pollfd){ .fd = e->sigfd, .events = POLLIN };
		pfd[P_ROOM] = (struct pollfd){ .fd = e->room.busy ? e->room.efd : -1,
					       .events = POLLIN };
		pfd[P_GRACE] = (struct pollfd){ .fd = e->tfd, .events = POLLIN };
		pfd[P_CANCEL] = (struct pollfd){ .fd = -1, .events = POLLIN };
		n = P_JOBS;
		for (i = 0; i < e->max_jobs; i++) {
			struct job *j = &e->jobs[i];

			if (j->pid <= 0)
				continue;
			if (e->watch && pfd[P_CANCEL].fd < 0)
				pfd[P_CANCEL].fd = j->lfd;
			for (k = 0; k < 2; k++) {
				if (j->fd[k] < 0)
					continue;
				e->pjob[n] = j;
				e->pk[n] = k;
				pfd[n++] = (struct pollfd){ .fd = j->fd[k], .events = POLLIN };
			}
		}
		watched = pfd[P_CANCEL].fd;
		ret = poll(pfd, n, more ? 0 : progress_timeout(e));
		if (ret < 0 && errno != EINTR) {
			each_error(e, "poll", errno);
			stop_starting(e);
			end_jobs(e);
			continue;
		}
		if (ret <= 0)
			continue;
		/* Output first: a job reaped below has its pipes drained and closed. */
		for (i = P_JOBS; i < n; i++) {
			struct job *j = e->pjob[i];

			if (!pfd[i].revents)
				continue;
			k = e->pk[i];
			if (j->fd[k] == pfd[i].fd)
				read_stream(e, j, k, pfd[i].revents);
		}
		if (pfd[P_CANCEL].revents)
			ledger_readable(e, watched, pfd[P_CANCEL].revents);
		if (pfd[P_GRACE].revents)
			grace_over(e);
		if (pfd[P_ROOM].revents && e->room.busy)
			room_answered(e);
		if (pfd[P_SIGNALS].revents)
			take_signals(e);
	}
}

/* --- setup ------------------------------------------------------------- */

/* Descriptors 0, 1 and 2 open, so no pipe or ledger is given one of them. */
static void std_fds(void)
{
	int fd;

	for (fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			open("/dev/null", O_RDWR);
	}
}

/*
 * -j: at most the items, and what the descriptors allow (a job holds
 * three: its ledger and two pipes, and two more while it starts).
 */
static int slots(struct each *e)
{
	struct rlimit rl;
	long long fit = INT_MAX;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY)
		fit = ((long long)rl.rlim_cur - 16) / 3;
	if (fit < 1)
		fit = 1;
	if (e->max_jobs > fit) {
		fprintf(stderr, "%s: each: descriptors for %lld jobs at once only (ulimit -n)\n",
			prog, fit);
		e->max_jobs = fit;
	}
	/* -j 0: nor more than the user's processes (ulimit -u). */
	if (!e->max_jobs && !getrlimit(RLIMIT_NPROC, &rl) &&
	    rl.rlim_cur != RLIM_INFINITY && (long long)rl.rlim_cur < fit)
		fit = rl.rlim_cur > 1 ? rl.rlim_cur : 1;
	if (!e->max_jobs)
		e->max_jobs = fit;
	if ((size_t)e->max_jobs > e->nitems)
		e->max_jobs = e->nitems;
	e->jobs = calloc(e->max_jobs, sizeof(*e->jobs));
	e->pfd = calloc(P_JOBS + 2 * e->max_jobs, sizeof(*e->pfd));
	e->pjob = calloc(P_JOBS + 2 * e->max_jobs, sizeof(*e->pjob));
	e->pk = calloc(P_JOBS + 2 * e->max_jobs, sizeof(*e->pk));
	e->rbuf = malloc(READ_SIZE);
	if (!e->jobs || !e->pfd || !e->pjob || !e->pk || !e->rbuf)
		return -ENOMEM;
	for (e->running = 0; e->running < e->max_jobs; e->running++)
		e->jobs[e->running].lfd = -1;
	e->running = 0;
	return 0;
}

/*
 * Block SIGCHLD and the forwarded signals, read through a signalfd, and
 * SIGRTMIN, which only the room thread takes; ignore SIGPIPE (a write's
 * EPIPE). The jobs start with the mask each was given, the default action
 * of every signal that has a handler here (exec resets it) and of SIGPIPE
 * unless each was started with it ignored, in a process group of their own.
 */
static int setup_signals(struct each *e)
{
	struct sigaction sa, old;
	sigset_t set, def;
	size_t i;
	int err;

	signal(SIGCHLD, SIG_DFL);	/* reaped here, not by an inherited SIG_IGN */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&def);
	if (!sigaction(SIGPIPE, &sa, &old) && old.sa_handler == SIG_DFL)
		sigaddset(&def, SIGPIPE);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (i = 0; i < N_FORWARDED; i++)
		sigaddset(&set, forwarded[i]);
	e->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (e->sigfd < 0)
		return -errno;
	sigaddset(&set, SIGRTMIN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = room_interrupt;	/* no SA_RESTART: the add returns EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGRTMIN, &sa, NULL))
		return -errno;
	err = pthread_sigmask(SIG_BLOCK, &set, &e->oldmask);
	if (!err)
		err = posix_spawnattr_init(&e->attr);
	if (!err)
		err = posix_spawnattr_setflags(&e->attr, POSIX_SPAWN_SETSIGMASK |
					       POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	if (!err)
		err = posix_spawnattr_setsigmask(&e->attr, &e->oldmask);
	if (!err)
		err = posix_spawnattr_setsigdefault(&e->attr, &def);
	if (!err)
		err = posix_spawnattr_setpgroup(&e->attr, 0);
	return -err;
}

static int each_status(struct each *e)
{
	char code[32] = "";
	size_t left = e->nitems - e->started;

	/* The code is not known to a user who may only add to the group. */
	if (e->cancel_error)
		snprintf(code, sizeof(code), " (error %d)", e->cancel_error);
	if (e->canceled)
		fprintf(stderr, "%s: %s: canceled%s; %zu job%s not started\n",
			prog, e->name, code, left, left == 1 ? "" : "s");
	if (e->signal)
		return exit_by_signal(e->signal);
	if (e->epipe)
		return exit_by_signal(SIGPIPE);
	if (e->error || e->canceled)
		return EACH_ERROR;
	if (e->halted)
		return e->halt_status;
	return e->failed > 100 ? EACH_MANY_FAILED : (int)e->failed;
}

int cmd_each(int argc, char **argv)
{
	struct each e = {
		.gfd = -1, .ready = -1, .spare = -1, .tfd = -1, .sigfd = -1,
		.retries = 1, .grace_ns = WG_GRACE_DEFAULT, .watch = 1,
		.room = { .efd = -1 },
	};
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int i, ret;

	e.max_jobs = cpus < 1 ? 1 : cpus;
	usage_status = EACH_ERROR;
	std_fds();
	parse_args(&e, argc, argv);
	e.append = 1;
	for (i = 0; i < e.ncmd; i++) {
		if (strstr(e.cmd[i], "{}"))
			e.append = 0;
	}
	/* As run and go open it: to add, and to wait if it may (the cancel
	 * watch; a user who may only add gets jobs a cancel does not end). */
	if (open_task_group(e.name, &e.gfd))
		return EACH_ERROR;
	if (e.joblog) {
		fputs("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n",
		      e.joblog);
		if (fflush(e.joblog)) {
			each_error(&e, "--joblog", errno);
			return EACH_ERROR;
		}
	}
	ret = read_items(&e);
	if (ret) {
		each_error(&e, "standard input", -ret);
		return EACH_ERROR;
	}
	if (!e.nitems) {
		if (e.joblog && e.joblog != stdout)
			fclose(e.joblog);
		wg_close(e.gfd);
		return 0;
	}
	e.nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	e.room.efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (e.nullfd < 0 || e.room.efd < 0) {
		each_error(&e, "each", errno);
		return EACH_ERROR;
	}
	ret = slots(&e);
	if (!ret)
		ret = setup_signals(&e);
	if (ret) {
		each_error(&e, "each", -ret);
		return EACH_ERROR;
	}
	e.progress.tty = isatty(STDERR_FILENO);
	e.progress.t0 = clock_ns(CLOCK_MONOTONIC);
	each_loop(&e);
	progress_show(&e, 1);
	if (e.joblog && e.joblog != stdout && fclose(e.joblog) && !e.write_error)
		each_error(&e, "--joblog", errno);
	wg_close(e.gfd);
	return each_status(&e);
}
