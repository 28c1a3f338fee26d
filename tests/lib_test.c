// SPDX-License-Identifier: GPL-2.0
/*
 * libwaitgroup tests: every call, every errno it can report, the spawn and
 * run helpers (including SIGKILL of the process holding the undo ledger),
 * and epoll integration. Each case runs in its own forked process under an
 * alarm. Prints TAP and a kselftest "# Totals:" line; exits 0 pass, 1 fail,
 * 77 skip (no /dev/waitgroup).
 *
 * No sleep synchronises anything: a process signals readiness through a
 * pipe, or the test reads the group's own state.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include <waitgroup.h>

#define CASE_TIMEOUT 60

static char name_buf[WG_NAME_MAX];

/* A name no other test run shares. */
static const char *uname_(const char *tag)
{
	snprintf(name_buf, sizeof(name_buf), "libtest.%d.%s", (int)getpid(), tag);
	return name_buf;
}

#define FAIL(...) do { \
	printf("# %s:%d: ", __FILE__, __LINE__); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	fflush(stdout); \
	return 1; \
} while (0)

#define EQ(expected, actual) do { \
	long long e_ = (long long)(expected), a_ = (long long)(actual); \
	if (e_ != a_) \
		FAIL("%s == %s: expected %lld, got %lld", #expected, #actual, e_, a_); \
} while (0)

#define TRUE(cond) do { \
	if (!(cond)) \
		FAIL("%s is false", #cond); \
} while (0)

static int count_of(int fd)
{
	struct wg_info info;
	int ret = wg_info(fd, &info);

	return ret ? ret : info.count;
}

static int read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;

	while (n + 1 < len) {
		ssize_t r = read(fd, buf + n, 1);

		if (r <= 0)
			break;
		if (buf[n] == '\n')
			break;
		n++;
	}
	buf[n] = '\0';
	return n;
}

/* A shell command reading fd @r after writing its pid to fd @w. */
static char *blocker(int w, int r)
{
	static char cmd[128];

	snprintf(cmd, sizeof(cmd), "echo $$ >&%d; read x <&%d", w, r);
	return cmd;
}

static int t_create_anon(void)
{
	struct wg_info info;
	int fd;

	fd = wg_create(NULL, 3, 0, 0);
	TRUE(fd >= 0);
	memset(&info, 0xcc, sizeof(info));
	EQ(0, wg_info(fd, &info));
	EQ(3, info.count);
	EQ(0, info.waiters);
	EQ(0, info.generation);
	EQ(0, info.mode);
	EQ('\0', info.name[0]);
	EQ(0, wg_close(fd));
	EQ(-EBADF, wg_close(fd));
	fd = wg_create("", 0, 0, 0);
	TRUE(fd >= 0);
	EQ(0, count_of(fd));
	return wg_close(fd);
}

static int t_create_named(void)
{
	const char *name = uname_("named");
	struct wg_info info;
	int fd, fd2;

	fd = wg_create(name, 2, 0640, WG_EXCL);
	TRUE(fd >= 0);
	EQ(0, wg_info(fd, &info));
	EQ(2, info.count);
	EQ(0640, info.mode);
	EQ(0, strcmp(name, info.name));
	EQ(getuid(), info.uid);
	EQ(-EEXIST, wg_create(name, 5, 0640, WG_EXCL));
	fd2 = wg_create(name, 5, 0, 0);	/* opens it; count ignored */
	TRUE(fd2 >= 0);
	EQ(2, count_of(fd2));
	EQ(0, wg_close(fd2));
	fd2 = wg_open(name, 0);
	TRUE(fd2 >= 0);
	EQ(0, wg_unlink(name));
	EQ(-ENOENT, wg_unlink(name));
	EQ(-ENOENT, wg_open(name, 0));
	/* Open descriptors outlive the name. */
	EQ(0, wg_done(fd2));
	EQ(1, count_of(fd));
	EQ(0, wg_done(fd));
	EQ(0, count_of(fd2));
	wg_close(fd2);
	return wg_close(fd);
}

static int t_create_invalid(void)
{
	char longname[WG_NAME_MAX + 1];

	memset(longname, 'a', WG_NAME_MAX);
	longname[WG_NAME_MAX] = '\0';
	EQ(-ENAMETOOLONG, wg_create(longname, 0, 0, 0));
	EQ(-ENAMETOOLONG, wg_open(longname, 0));
	EQ(-ENAMETOOLONG, wg_unlink(longname));
	longname[WG_NAME_MAX - 1] = '\0';	/* 63 characters: fine */
	longname[0] = 'L';
	snprintf(longname + 1, 12, "%010d", (int)getpid());
	longname[11] = 'x';
	{
		int fd = wg_create(longname, 0, 0, WG_EXCL);

		TRUE(fd >= 0);
		EQ(0, wg_unlink(longname));
		wg_close(fd);
	}
	EQ(-EINVAL, wg_create("a/b", 0, 0, 0));
	EQ(-EINVAL, wg_create("a b", 0, 0, 0));
	EQ(-EINVAL, wg_open("", 0));
	EQ(-EINVAL, wg_open(NULL, 0));
	EQ(-EINVAL, wg_unlink(""));
	EQ(-EINVAL, wg_create(NULL, 0, 0600, 0));	/* mode on anonymous */
	EQ(-EINVAL, wg_create(NULL, 0, 0, WG_EXCL));
	EQ(-ERANGE, wg_create(uname_("neg"), -1, 0, 0));
	EQ(-EINVAL, wg_create(uname_("flag"), 0, 0, 1u << 31));
	EQ(-EINVAL, wg_create(uname_("mode"), 0, 01000, 0));
	EQ(-EINVAL, wg_open(uname_("flag"), 1u << 31));
	EQ(-ENOENT, wg_open(uname_("missing"), 0));
	return 0;
}

static int t_errno_untouched(void)
{
	errno = 4242;
	EQ(-ENOENT, wg_open(uname_("missing"), 0));
	EQ(4242, errno);
	EQ(-EBADF, wg_done(-1));
	EQ(-EBADF, wg_info(-1, NULL));
	EQ(-EBADF, wg_dup(-1, 0));
	EQ(4242, errno);
	return 0;
}

static int t_add_done(void)
{
	int fd = wg_create(NULL, 0, 0, 0);

	TRUE(fd >= 0);
	EQ(0, wg_add(fd, 3, 0));
	EQ(3, count_of(fd));
	EQ(0, wg_add(fd, -1, 0));
	EQ(2, count_of(fd));
	EQ(0, wg_done(fd));
	EQ(0, wg_done_error(fd, 0));
	EQ(0, count_of(fd));
	EQ(-ERANGE, wg_done(fd));
	EQ(-ERANGE, wg_add(fd, -1, 0));
	EQ(0, count_of(fd));
	EQ(0, wg_add(fd, INT_MAX, 0));
	EQ(-EOVERFLOW, wg_add(fd, 1, 0));
	EQ(INT_MAX, count_of(fd));
	EQ(0, wg_add(fd, -INT_MAX, 0));
	EQ(-EINVAL, wg_add_error(fd, 1, 0, 5));	/* error needs delta < 0 */
	EQ(-EINVAL, wg_add(fd, 1, 0x80));
	EQ(0, count_of(fd));
	return wg_close(fd);
}

static int t_access(void)
{
	const char *name = uname_("access");
	struct wg_info info;
	int fd, w, a;

	fd = wg_create(name, 1, 0600, WG_EXCL);
	w = wg_open(name, WG_ACCESS_WAIT);
	a = wg_open(name, WG_ACCESS_ADD);
	TRUE(fd >= 0 && w >= 0 && a >= 0);
	EQ(-EBADF, wg_add(w, 1, 0));
	EQ(-EBADF, wg_done(w));
	EQ(-EBADF, wg_done_error(w, 3));
	EQ(0, wg_info(w, &info));
	EQ(-EAGAIN, wg_trywait(w, NULL));
	EQ(-EBADF, wg_info(a, &info));
	EQ(-EBADF, wg_wait(a, 0, NULL));
	EQ(-EBADF, wg_trywait(a, NULL));
	/* A dup keeps the access of its original. */
	{
		int d = wg_dup(w, 0);

		TRUE(d >= 0);
		EQ(-EBADF, wg_done(d));
		wg_close(d);
	}
	EQ(0, wg_done(a));
	EQ(0, wg_trywait(w, NULL));
	EQ(0, wg_unlink(name));
	wg_close(w);
	wg_close(a);
	return wg_close(fd);
}

static int t_wait(void)
{
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0);

	TRUE(fd >= 0);
	memset(&res, 0xcc, sizeof(res));
	EQ(0, wg_wait(fd, WG_FOREVER, &res));	/* zero: at once */
	EQ(0, res.generation);
	EQ(0, res.error);
	EQ(0, res.abandoned);
	EQ(0, wg_add(fd, 1, 0));
	EQ(-EAGAIN, wg_trywait(fd, &res));
	EQ(-ETIMEDOUT, wg_wait(fd, 0, NULL));
	EQ(-ETIMEDOUT, wg_wait_timeout(fd, 1000000, NULL));
	EQ(-ETIMEDOUT, wg_wait(fd, wg_deadline(2000000), NULL));
	EQ(0, wg_done_error(fd, 42));
	EQ(0, wg_wait(fd, WG_FOREVER, &res));
	EQ(1, res.generation);
	EQ(42, res.error);
	EQ(0, res.abandoned);
	/* The next generation starts clean. */
	EQ(0, wg_add(fd, 2, 0));
	EQ(0, wg_add_error(fd, -2, 0, 7));
	EQ(0, wg_wait_timeout(fd, -1, &res));
	EQ(2, res.generation);
	EQ(7, res.error);
	EQ(0, wg_add(fd, 1, 0));
	EQ(0, wg_done(fd));
	EQ(0, wg_wait(fd, 0, &res));
	EQ(3, res.generation);
	EQ(0, res.error);
	return wg_close(fd);
}

static int t_deadline(void)
{
	uint64_t before = wg_deadline(0), d;

	EQ(WG_FOREVER, wg_deadline(-1));
	d = wg_deadline(1000000000);
	TRUE(d >= before + 1000000000);
	TRUE(wg_deadline(0) >= before);
	TRUE(wg_deadline(INT64_MAX) != WG_FOREVER);
	TRUE(wg_deadline(INT64_MAX) > before);
	return 0;
}

/* A waiter blocked in another process is released by the last done. */
static int t_wait_blocks(void)
{
	struct wg_wait res;
	struct wg_info info;
	int fd = wg_create(NULL, 1, 0, 0), p[2];
	pid_t pid;

	TRUE(fd >= 0);
	TRUE(!pipe(p));
	pid = fork();
	TRUE(pid >= 0);
	if (!pid) {
		int ret = wg_wait(fd, WG_FOREVER, &res);

		if (ret || write(p[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	/* Until the child sleeps in the wait (the group's own state). */
	do {
		EQ(0, wg_info(fd, &info));
		EQ(1, info.count);
	} while (info.waiters < 1 && !usleep(1000));
	EQ(1, info.waiters);
	EQ(0, wg_done_error(fd, 9));
	EQ(sizeof(res), read(p[0], &res, sizeof(res)));
	EQ(1, res.generation);
	EQ(9, res.error);
	{
		int st;

		EQ(pid, waitpid(pid, &st, 0));
		EQ(0, st);
	}
	return wg_close(fd);
}

/*
 * Go's rule: a generation that completed (and was re-armed) before the
 * wait began is not waited for; the wait waits for the running one.
 */
static int t_generation_before_wait(void)
{
	struct wg_wait res;
	int fd = wg_create(NULL, 1, 0, 0), w;

	TRUE(fd >= 0);
	w = wg_dup(fd, 0);
	TRUE(w >= 0);
	EQ(0, wg_done(fd));
	EQ(0, wg_add(fd, 1, 0));
	EQ(-EAGAIN, wg_trywait(w, &res));
	EQ(0, wg_done(fd));
	EQ(0, wg_trywait(w, &res));
	EQ(2, res.generation);
	wg_close(w);
	return wg_close(fd);
}

static int t_epoll(void)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct wg_wait res;
	int fd = wg_create(NULL, 1, 0, 0), ep;

	TRUE(fd >= 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	TRUE(ep >= 0);
	ev.data.fd = fd;
	EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EQ(0, epoll_wait(ep, &out, 1, 0));
	EQ(0, wg_done(fd));
	EQ(1, epoll_wait(ep, &out, 1, 5000));
	TRUE(out.events & EPOLLIN);
	EQ(fd, out.data.fd);
	EQ(0, wg_trywait(fd, &res));
	EQ(1, res.generation);
	EQ(0, wg_add(fd, 1, 0));
	EQ(0, epoll_wait(ep, &out, 1, 0));
	/* Completed and re-armed before anyone looked: still readable. */
	EQ(0, wg_done(fd));
	EQ(0, wg_add(fd, 1, 0));
	EQ(1, epoll_wait(ep, &out, 1, 5000));
	EQ(0, wg_trywait(fd, &res));
	EQ(2, res.generation);
	EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
	return wg_close(fd);
}

static int t_dup(void)
{
	int fd = wg_create(NULL, 0, 0, WG_CLOEXEC), d;

	TRUE(fd >= 0);
	TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	d = wg_dup(fd, WG_CLOEXEC);
	TRUE(d >= 0 && d != fd);
	TRUE(fcntl(d, F_GETFD) & FD_CLOEXEC);
	wg_close(d);
	d = wg_dup(fd, 0);
	TRUE(d >= 0);
	TRUE(!(fcntl(d, F_GETFD) & FD_CLOEXEC));
	EQ(0, wg_add(d, 1, 0));
	EQ(1, count_of(fd));	/* same group */
	EQ(0, wg_done(fd));
	wg_close(d);
	EQ(-EINVAL, wg_dup(fd, 0x10));
	EQ(-EBADF, wg_dup(-1, 0));
	return wg_close(fd);
}

/* Closing an open file undoes what its ledger still holds. */
static int t_undo_close(void)
{
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), d;

	TRUE(fd >= 0);
	d = wg_dup(fd, 0);
	EQ(0, wg_add(d, 1, WG_UNDO));
	EQ(0, wg_done(d));		/* drawn from the ledger */
	wg_close(d);
	EQ(0, wg_wait(fd, 0, &res));
	EQ(0, res.abandoned);
	EQ(0, res.error);
	d = wg_dup(fd, 0);
	EQ(0, wg_add(d, 3, WG_UNDO));
	EQ(0, wg_add(d, 1, 0));	/* not in the ledger */
	EQ(0, wg_done(d));
	EQ(3, count_of(fd));
	wg_close(d);
	EQ(1, count_of(fd));
	EQ(0, wg_done(fd));
	EQ(0, wg_wait(fd, 0, &res));
	EQ(2, res.abandoned);
	EQ(EOWNERDEAD, res.error);
	return wg_close(fd);
}

/* A process killed with SIGKILL gives its ledger back. */
static int t_undo_sigkill(void)
{
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), p[2], st;
	pid_t pid;
	char c;

	TRUE(fd >= 0);
	TRUE(!pipe(p));
	pid = fork();
	TRUE(pid >= 0);
	if (!pid) {
		int d = wg_dup(fd, 0);

		if (d < 0 || wg_add(d, 2, WG_UNDO) || write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	EQ(1, read(p[0], &c, 1));
	EQ(2, count_of(fd));
	EQ(0, kill(pid, SIGKILL));
	EQ(pid, waitpid(pid, &st, 0));
	TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	EQ(2, res.abandoned);
	EQ(EOWNERDEAD, res.error);
	EQ(0, count_of(fd));
	return wg_close(fd);
}

static int t_status_error(void)
{
	int st;
	pid_t pid;

	EQ(0, wg_status_error(0));
	pid = fork();
	if (!pid)
		_exit(3);
	waitpid(pid, &st, 0);
	EQ(3, wg_status_error(st));
	pid = fork();
	if (!pid) {
		raise(SIGKILL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	EQ(128 + SIGKILL, wg_status_error(st));
	return 0;
}

static int t_spawn(void)
{
	char *ok[] = { "sh", "-c", "exit 0", NULL };
	char *bad[] = { "sh", "-c", "exit 3", NULL };
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	pid_t pid;

	TRUE(fd >= 0);
	pid = wg_spawn(fd, ok, 0);
	TRUE(pid > 0);
	EQ(pid, waitpid(pid, &st, 0));
	EQ(0, wg_status_error(st));
	EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	EQ(0, res.error);
	EQ(0, count_of(fd));

	pid = wg_spawn(fd, bad, 0);
	TRUE(pid > 0);
	EQ(pid, waitpid(pid, &st, 0));
	EQ(3, wg_status_error(st));
	EQ(0, wg_wait(fd, 0, &res));
	EQ(3, res.error);
	EQ(0, res.abandoned);

	/* The add is made before wg_spawn() returns. */
	TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = wg_spawn(fd, blk, 0);
	TRUE(pid > 0);
	EQ(1, count_of(fd));
	TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	EQ(1, write(q[1], "\n", 1));
	EQ(pid, waitpid(pid, &st, 0));
	EQ(0, wg_status_error(st));
	EQ(0, wg_wait(fd, 0, &res));
	EQ(0, res.error);
	EQ(0, count_of(fd));
	return wg_close(fd);
}

static int t_spawn_errors(void)
{
	char *missing[] = { "/nonexistent/wg-no-such-command", NULL };
	char *ok[] = { "true", NULL };
	char *empty[] = { NULL };
	int fd = wg_create(NULL, 1, 0, 0), w;

	TRUE(fd >= 0);
	EQ(-ENOENT, wg_spawn(fd, missing, 0));
	EQ(1, count_of(fd));		/* the add was taken back */
	EQ(-EINVAL, wg_spawn(fd, ok, 1));
	EQ(-EINVAL, wg_spawn(fd, NULL, 0));
	EQ(-EINVAL, wg_spawn(fd, empty, 0));
	EQ(-EBADF, wg_spawn(-1, ok, 0));
	EQ(-EBADF, wg_spawn(999, ok, 0));
	w = open("/dev/null", O_RDONLY | O_CLOEXEC);
	EQ(-ENOTTY, wg_spawn(w, ok, 0));	/* not a waitgroup */
	close(w);
	EQ(1, count_of(fd));
	EQ(0, wg_done(fd));
	return wg_close(fd);
}

/* SIGKILL of the supervisor wg_spawn() returns: the kernel undoes. */
static int t_spawn_supervisor_killed(void)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	struct wg_wait res;
	pid_t pid;

	TRUE(fd >= 0);
	TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = wg_spawn(fd, blk, 0);
	TRUE(pid > 0);
	TRUE(read_line(p[0], buf, sizeof(buf)) > 0);	/* command runs */
	EQ(0, kill(pid, SIGKILL));
	EQ(pid, waitpid(pid, &st, 0));
	TRUE(WIFSIGNALED(st));
	EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	EQ(1, res.abandoned);
	EQ(EOWNERDEAD, res.error);
	EQ(1, write(q[1], "\n", 1));	/* let the orphaned command go */
	return wg_close(fd);
}

/* SIGKILL of the command: its supervisor reports 128 + 9. */
static int t_spawn_command_killed(void)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	struct wg_wait res;
	pid_t pid;

	TRUE(fd >= 0);
	TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = wg_spawn(fd, blk, 0);
	TRUE(pid > 0);
	TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	EQ(0, kill(atoi(buf), SIGKILL));
	EQ(pid, waitpid(pid, &st, 0));
	EQ(137, wg_status_error(st));
	EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	EQ(137, res.error);
	EQ(0, res.abandoned);
	return wg_close(fd);
}

static int t_run(void)
{
	char *five[] = { "sh", "-c", "exit 5", NULL };
	char *ok[] = { "true", NULL };
	char *missing[] = { "wg-no-such-command", NULL };
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), st;

	TRUE(fd >= 0);
	EQ(0, wg_run(fd, ok, 0, &st));
	EQ(0, st);
	EQ(0, wg_wait(fd, 0, &res));
	EQ(1, res.generation);
	EQ(0, res.error);

	EQ(0, wg_run(fd, five, 0, &st));
	EQ(5, wg_status_error(st));
	EQ(0, wg_wait(fd, 0, &res));
	EQ(5, res.error);
	EQ(0, res.abandoned);

	/* Could not execute: counted, reported failed with 127. */
	EQ(-ENOENT, wg_run(fd, missing, 0, &st));
	EQ(127, wg_status_error(st));
	EQ(0, wg_wait(fd, 0, &res));
	EQ(127, res.error);
	EQ(3, res.generation);

	/* Not counted at all: *wstatus says so. */
	EQ(-EINVAL, wg_run(fd, ok, 1, &st));
	EQ(-1, st);
	EQ(-EBADF, wg_run(-1, ok, 0, &st));
	{
		const char *name = uname_("runro");
		int c = wg_create(name, 0, 0600, WG_EXCL), ro;

		TRUE(c >= 0);
		ro = wg_open(name, WG_ACCESS_WAIT);
		TRUE(ro >= 0);
		EQ(-EBADF, wg_run(ro, ok, 0, &st));
		EQ(-1, st);
		wg_unlink(name);
		wg_close(ro);
		wg_close(c);
	}
	EQ(0, wg_wait(fd, 0, &res));
	EQ(3, res.generation);		/* nothing happened since */
	return wg_close(fd);
}

/* SIGKILL of the process inside wg_run(): the kernel undoes its add. */
static int t_run_killed(void)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	struct wg_wait res;
	pid_t pid;

	TRUE(fd >= 0);
	TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = fork();
	TRUE(pid >= 0);
	if (!pid)
		_exit(wg_run(fd, blk, 0, &st) ? 1 : 0);
	TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	EQ(1, count_of(fd));
	EQ(0, kill(pid, SIGKILL));
	EQ(pid, waitpid(pid, &st, 0));
	TRUE(WIFSIGNALED(st));
	EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	EQ(1, res.abandoned);
	EQ(EOWNERDEAD, res.error);
	EQ(1, write(q[1], "\n", 1));
	return wg_close(fd);
}

static int t_permissions(void)
{
	char name[WG_NAME_MAX], name2[WG_NAME_MAX];
	int fd, fd2, st;
	pid_t pid;

	if (geteuid() != 0) {
		printf("# not root: skipping\n");
		return 77;
	}
	strcpy(name, uname_("perm"));
	strcpy(name2, uname_("perm2"));
	fd = wg_create(name, 0, 0600, WG_EXCL);
	fd2 = wg_create(name2, 0, 0604, WG_EXCL);
	TRUE(fd >= 0 && fd2 >= 0);
	pid = fork();
	TRUE(pid >= 0);
	if (!pid) {
		int w;

		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			_exit(2);
		if (wg_open(name, 0) != -EACCES ||
		    wg_open(name, WG_ACCESS_WAIT) != -EACCES ||
		    wg_open(name2, WG_ACCESS_ADD) != -EACCES ||
		    wg_open(name2, 0) != -EACCES ||
		    wg_unlink(name2) != -EPERM)
			_exit(3);
		w = wg_open(name2, WG_ACCESS_WAIT);
		if (w < 0 || wg_trywait(w, NULL) || wg_done(w) != -EBADF)
			_exit(4);
		_exit(0);
	}
	EQ(pid, waitpid(pid, &st, 0));
	EQ(0, st);
	EQ(0, wg_unlink(name));
	EQ(0, wg_unlink(name2));
	wg_close(fd2);
	return wg_close(fd);
}

/* Read the terminal until @text has appeared in what it showed. */
static int pty_expect(int m, char *buf, size_t len, size_t *have, const char *text)
{
	while (!strstr(buf, text)) {
		ssize_t r;

		if (*have + 1 >= len)
			return 0;
		r = read(m, buf + *have, len - 1 - *have);
		if (r <= 0)
			return 0;
		*have += r;
		buf[*have] = '\0';
	}
	return 1;
}

/* waitgroup(1)'s --progress bar on a terminal (a pseudo-terminal here). */
static int t_cmd_progress_tty(void)
{
	char name[WG_NAME_MAX], buf[8192] = "";
	int fd, m, st;
	size_t have = 0;
	pid_t pid;

	if (system("command -v waitgroup >/dev/null 2>&1")) {
		printf("# no waitgroup command on PATH\n");
		return 77;
	}
	strcpy(name, uname_("bar"));
	fd = wg_create(name, 2, 0600, WG_EXCL);
	TRUE(fd >= 0);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	TRUE(m >= 0 && !grantpt(m) && !unlockpt(m));
	pid = fork();
	TRUE(pid >= 0);
	if (!pid) {
		int s;

		setsid();
		s = open(ptsname(m), O_RDWR);
		if (s < 0 || dup2(s, STDERR_FILENO) < 0)
			_exit(100);
		execlp("waitgroup", "waitgroup", "wait", name, "--progress", NULL);
		_exit(101);
	}
	/* Each step waits for the bar to show the state before it. */
	TRUE(pty_expect(m, buf, sizeof(buf), &have, "] 0/2 done"));
	EQ(0, wg_done(fd));
	TRUE(pty_expect(m, buf, sizeof(buf), &have, "] 1/2 done"));
	TRUE(strstr(buf, "[####################--------------------] 1/2"));
	EQ(0, wg_done(fd));
	TRUE(pty_expect(m, buf, sizeof(buf), &have, "] 2/2 done"));
	EQ(pid, waitpid(pid, &st, 0));
	TRUE(WIFEXITED(st));
	EQ(0, WEXITSTATUS(st));
	EQ(0, wg_unlink(name));
	close(m);
	return wg_close(fd);
}

static const struct {
	const char *name;
	int (*fn)(void);
} cases[] = {
	{ "wg_create: anonymous group, wg_info, wg_close", t_create_anon },
	{ "wg_create/wg_open/wg_unlink: named group, WG_EXCL", t_create_named },
	{ "wg_create/wg_open/wg_unlink: ENAMETOOLONG, EINVAL, ERANGE, ENOENT", t_create_invalid },
	{ "every call leaves errno alone", t_errno_untouched },
	{ "wg_add/wg_done: ERANGE, EOVERFLOW, EINVAL", t_add_done },
	{ "access bits: EBADF without WG_ACCESS_ADD / WG_ACCESS_WAIT", t_access },
	{ "wg_wait/wg_trywait/wg_wait_timeout: ETIMEDOUT, EAGAIN, errors", t_wait },
	{ "wg_deadline", t_deadline },
	{ "wg_wait blocks in another process until the last done", t_wait_blocks },
	{ "a generation completed before the wait is not waited for", t_generation_before_wait },
	{ "epoll reports EPOLLIN on completion", t_epoll },
	{ "wg_dup: WG_CLOEXEC, same group, EINVAL, EBADF", t_dup },
	{ "WG_UNDO: close undoes the ledger's remainder", t_undo_close },
	{ "WG_UNDO: SIGKILL of the holder is undone as abandoned", t_undo_sigkill },
	{ "wg_status_error", t_status_error },
	{ "wg_spawn: exit status becomes the task's error", t_spawn },
	{ "wg_spawn: ENOENT takes the add back, EINVAL, EBADF", t_spawn_errors },
	{ "wg_spawn: SIGKILLed supervisor is abandoned", t_spawn_supervisor_killed },
	{ "wg_spawn: SIGKILLed command reports 137", t_spawn_command_killed },
	{ "wg_run: statuses, 127 for a missing command, EBADF", t_run },
	{ "wg_run: SIGKILL of the running process is abandoned", t_run_killed },
	{ "permissions: EACCES, EPERM for another user", t_permissions },
	{ "waitgroup wait --progress draws finished/total on a terminal", t_cmd_progress_tty },
};

int main(void)
{
	int n = sizeof(cases) / sizeof(cases[0]), i, pass = 0, fail = 0, skip = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n");
	if (access(WG_DEVICE_PATH, R_OK | W_OK)) {
		printf("1..0 # SKIP no %s\n", WG_DEVICE_PATH);
		printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n");
		return 77;
	}
	printf("1..%d\n", n);
	for (i = 0; i < n; i++) {
		int st, rc;
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (!pid) {
			alarm(CASE_TIMEOUT);
			exit(cases[i].fn());
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid)
			rc = 1;
		else if (WIFEXITED(st))
			rc = WEXITSTATUS(st);
		else {
			printf("# killed by signal %d%s\n", WTERMSIG(st),
			       WTERMSIG(st) == SIGALRM ? " (timeout)" : "");
			rc = 1;
		}
		if (rc == 0) {
			pass++;
			printf("ok %d %s\n", i + 1, cases[i].name);
		} else if (rc == 77) {
			skip++;
			printf("ok %d %s # SKIP\n", i + 1, cases[i].name);
		} else {
			fail++;
			printf("not ok %d %s\n", i + 1, cases[i].name);
		}
	}
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       pass, fail, skip);
	return fail ? 1 : 0;
}
