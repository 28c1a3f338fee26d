// SPDX-License-Identifier: GPL-2.0
/*
 * libwaitgroup tests: every call, every errno it can report, the spawn and
 * run helpers (including SIGKILL of the process holding the undo ledger),
 * and epoll integration, on the kselftest harness (each case in its own
 * forked process under a timeout; TAP and a "# Totals:" line). Exits 0
 * pass, 1 fail, 77 skip (no /dev/waitgroup).
 *
 * No sleep synchronises anything: a process signals readiness through a
 * pipe, or the test reads the group's own state.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <waitgroup.h>

/* The 6.1 harness's SIGALRM handler has an unused parameter. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/* Cases that spawn and kill processes take longer than 30 s under TCG. */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 60

/* No state: the fixture is there for TEST_F()'s timeout and its skip. */
FIXTURE(lib) {
	int unused;
};

FIXTURE_SETUP(lib)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(lib)
{
}


static char name_buf[WG_NAME_MAX];

/* A name no other test run shares. */
static const char *uname_(const char *tag)
{
	snprintf(name_buf, sizeof(name_buf), "libtest.%d.%s", (int)getpid(), tag);
	return name_buf;
}

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

/*
 * The undo ledger of the open file process @pid has at descriptor 100, the
 * copy of its task's a command holds (wg_spawn(3)); -1 if that is not a
 * waitgroup.
 */
static long long ledger_at_100(pid_t pid)
{
	char path[64], buf[512];
	long long undo = -1;
	ssize_t n;
	char *u;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/fd/100", (int)pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (strcmp(buf, "anon_inode:[waitgroup]"))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/100", (int)pid);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	u = strstr(buf, "\nundo:");
	if (!u || sscanf(u + 6, "%lld", &undo) != 1)
		return -1;
	return undo;
}

/* A shell command reading fd @r after writing its pid to fd @w. */
static char *blocker(int w, int r)
{
	static char cmd[128];

	snprintf(cmd, sizeof(cmd), "echo $$ >&%d; read x <&%d", w, r);
	return cmd;
}

/* wg_create: anonymous group, wg_info, wg_close */
TEST_F(lib, create_anon)
{
	struct wg_info info;
	int fd;

	fd = wg_create(NULL, 3, 0, 0);
	ASSERT_TRUE(fd >= 0);
	memset(&info, 0xcc, sizeof(info));
	ASSERT_EQ(0, wg_info(fd, &info));
	ASSERT_EQ(3, info.count);
	ASSERT_EQ(0U, info.waiters);
	ASSERT_EQ(0U, info.generation);
	ASSERT_EQ(0U, info.mode);
	ASSERT_EQ('\0', info.name[0]);
	ASSERT_EQ(0, wg_close(fd));
	ASSERT_EQ(-EBADF, wg_close(fd));
	fd = wg_create("", 0, 0, 0);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_create/wg_open/wg_unlink: named group, WG_EXCL */
TEST_F(lib, create_named)
{
	const char *name = uname_("named");
	struct wg_info info;
	int fd, fd2;

	fd = wg_create(name, 2, 0640, WG_EXCL);
	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, wg_info(fd, &info));
	ASSERT_EQ(2, info.count);
	ASSERT_EQ(0640U, info.mode);
	ASSERT_EQ(0, strcmp(name, info.name));
	ASSERT_EQ(getuid(), info.uid);
	ASSERT_EQ(-EEXIST, wg_create(name, 5, 0640, WG_EXCL));
	fd2 = wg_create(name, 5, 0, 0);	/* opens it; count ignored */
	ASSERT_TRUE(fd2 >= 0);
	ASSERT_EQ(2, count_of(fd2));
	ASSERT_EQ(0, wg_close(fd2));
	fd2 = wg_open(name, 0);
	ASSERT_TRUE(fd2 >= 0);
	ASSERT_EQ(0, wg_unlink(name));
	ASSERT_EQ(-ENOENT, wg_unlink(name));
	ASSERT_EQ(-ENOENT, wg_open(name, 0));
	/* Open descriptors outlive the name. */
	ASSERT_EQ(0, wg_done(fd2));
	ASSERT_EQ(1, count_of(fd));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(0, count_of(fd2));
	wg_close(fd2);
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_create/wg_open/wg_unlink: ENAMETOOLONG, EINVAL, ERANGE, ENOENT */
TEST_F(lib, create_invalid)
{
	char longname[WG_NAME_MAX + 1];

	memset(longname, 'a', WG_NAME_MAX);
	longname[WG_NAME_MAX] = '\0';
	ASSERT_EQ(-ENAMETOOLONG, wg_create(longname, 0, 0, 0));
	ASSERT_EQ(-ENAMETOOLONG, wg_open(longname, 0));
	ASSERT_EQ(-ENAMETOOLONG, wg_unlink(longname));
	longname[WG_NAME_MAX - 1] = '\0';	/* 63 characters: fine */
	longname[0] = 'L';
	snprintf(longname + 1, 12, "%010d", (int)getpid());
	longname[11] = 'x';
	{
		int fd = wg_create(longname, 0, 0, WG_EXCL);

		ASSERT_TRUE(fd >= 0);
		ASSERT_EQ(0, wg_unlink(longname));
		wg_close(fd);
	}
	ASSERT_EQ(-EINVAL, wg_create("a/b", 0, 0, 0));
	ASSERT_EQ(-EINVAL, wg_create("a b", 0, 0, 0));
	ASSERT_EQ(-EINVAL, wg_open("", 0));
	ASSERT_EQ(-EINVAL, wg_open(NULL, 0));
	ASSERT_EQ(-EINVAL, wg_unlink(""));
	ASSERT_EQ(-EINVAL, wg_create(NULL, 0, 0600, 0));	/* mode on anonymous */
	ASSERT_EQ(-EINVAL, wg_create(NULL, 0, 0, WG_EXCL));
	ASSERT_EQ(-ERANGE, wg_create(uname_("neg"), -1, 0, 0));
	ASSERT_EQ(-EINVAL, wg_create(uname_("flag"), 0, 0, 1u << 31));
	ASSERT_EQ(-EINVAL, wg_create(uname_("mode"), 0, 01000, 0));
	ASSERT_EQ(-EINVAL, wg_open(uname_("flag"), 1u << 31));
	ASSERT_EQ(-ENOENT, wg_open(uname_("missing"), 0));
}

/* every call leaves errno alone */
TEST_F(lib, errno_untouched)
{
	errno = 4242;
	ASSERT_EQ(-ENOENT, wg_open(uname_("missing"), 0));
	ASSERT_EQ(4242, errno);
	ASSERT_EQ(-EBADF, wg_done(-1));
	ASSERT_EQ(-EBADF, wg_info(-1, NULL));
	ASSERT_EQ(-EBADF, wg_dup(-1, 0));
	ASSERT_EQ(4242, errno);
}

/* wg_add/wg_done: ERANGE, EOVERFLOW, EINVAL */
TEST_F(lib, add_done)
{
	int fd = wg_create(NULL, 0, 0, 0);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, wg_add(fd, 3, 0));
	ASSERT_EQ(3, count_of(fd));
	ASSERT_EQ(0, wg_add(fd, -1, 0));
	ASSERT_EQ(2, count_of(fd));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(0, wg_done_error(fd, 0));
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(-ERANGE, wg_done(fd));
	ASSERT_EQ(-ERANGE, wg_add(fd, -1, 0));
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(0, wg_add(fd, INT_MAX, 0));
	ASSERT_EQ(-EOVERFLOW, wg_add(fd, 1, 0));
	ASSERT_EQ(INT_MAX, count_of(fd));
	ASSERT_EQ(0, wg_add(fd, -INT_MAX, 0));
	ASSERT_EQ(-EINVAL, wg_add_error(fd, 1, 0, 5));	/* error needs delta < 0 */
	ASSERT_EQ(-EINVAL, wg_add(fd, 1, 0x80));
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(0, wg_close(fd));
}

/* access bits: EBADF without WG_ACCESS_ADD / WG_ACCESS_WAIT */
TEST_F(lib, access_modes)
{
	const char *name = uname_("access");
	struct wg_info info;
	int fd, w, a, d;

	fd = wg_create(name, 1, 0600, WG_EXCL);
	w = wg_open(name, WG_ACCESS_WAIT);
	a = wg_open(name, WG_ACCESS_ADD);
	ASSERT_TRUE(fd >= 0 && w >= 0 && a >= 0);
	ASSERT_EQ(-EBADF, wg_add(w, 1, 0));
	ASSERT_EQ(-EBADF, wg_done(w));
	ASSERT_EQ(-EBADF, wg_done_error(w, 3));
	ASSERT_EQ(0, wg_info(w, &info));
	ASSERT_EQ(-EAGAIN, wg_trywait(w, NULL));
	ASSERT_EQ(-EBADF, wg_info(a, &info));
	ASSERT_EQ(-EBADF, wg_wait(a, 0, NULL));
	ASSERT_EQ(-EBADF, wg_trywait(a, NULL));
	/* A dup keeps the access of its original. */
	d = wg_dup(w, 0);
	ASSERT_TRUE(d >= 0);
	ASSERT_EQ(-EBADF, wg_done(d));
	wg_close(d);
	ASSERT_EQ(0, wg_done(a));
	ASSERT_EQ(0, wg_trywait(w, NULL));
	ASSERT_EQ(0, wg_unlink(name));
	wg_close(w);
	wg_close(a);
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_wait/wg_trywait/wg_wait_timeout: ETIMEDOUT, EAGAIN, errors */
TEST_F(lib, wait_results)
{
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0);

	ASSERT_TRUE(fd >= 0);
	memset(&res, 0xcc, sizeof(res));
	ASSERT_EQ(0, wg_wait(fd, WG_FOREVER, &res));	/* zero: at once */
	ASSERT_EQ(0U, res.generation);
	ASSERT_EQ(0, res.error);
	ASSERT_EQ(0U, res.abandoned);
	ASSERT_EQ(0, wg_add(fd, 1, 0));
	ASSERT_EQ(-EAGAIN, wg_trywait(fd, &res));
	ASSERT_EQ(-ETIMEDOUT, wg_wait(fd, 0, NULL));
	ASSERT_EQ(-ETIMEDOUT, wg_wait_timeout(fd, 1000000, NULL));
	ASSERT_EQ(-ETIMEDOUT, wg_wait(fd, wg_deadline(2000000), NULL));
	ASSERT_EQ(0, wg_done_error(fd, 42));
	ASSERT_EQ(0, wg_wait(fd, WG_FOREVER, &res));
	ASSERT_EQ(1U, res.generation);
	ASSERT_EQ(42, res.error);
	ASSERT_EQ(0U, res.abandoned);
	/* The next generation starts clean. */
	ASSERT_EQ(0, wg_add(fd, 2, 0));
	ASSERT_EQ(0, wg_add_error(fd, -2, 0, 7));
	ASSERT_EQ(0, wg_wait_timeout(fd, -1, &res));
	ASSERT_EQ(2U, res.generation);
	ASSERT_EQ(7, res.error);
	ASSERT_EQ(0, wg_add(fd, 1, 0));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(3U, res.generation);
	ASSERT_EQ(0, res.error);
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * A program built against 1.0 or 1.1 is bound to the 1.0 versions of
 * wg_wait and wg_info, which write only the first sizes of the structures
 * that grew in 1.2: nothing past them is touched.
 */
int wg_wait_1_0(int fd, uint64_t deadline_ns, void *res);
int wg_info_1_0(int fd, void *info);
int wg_trywait_1_0(int fd, void *res);
__asm__(".symver wg_wait_1_0, wg_wait@LIBWAITGROUP_1.0");
__asm__(".symver wg_info_1_0, wg_info@LIBWAITGROUP_1.0");
__asm__(".symver wg_trywait_1_0, wg_trywait@LIBWAITGROUP_1.0");

TEST_F(lib, old_symbols_write_old_sizes)
{
	unsigned char buf[256];
	int fd = wg_create(NULL, 0, 0, 0);
	struct wg_info *info = (void *)buf;
	unsigned int i;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, wg_add(fd, 1, 0));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_info_1_0(fd, buf));
	ASSERT_EQ(1, info->count);
	for (i = WG_SIZE_INFO_VER0; i < sizeof(buf); i++)
		ASSERT_EQ(0xcc, buf[i]);
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(-EAGAIN, wg_trywait_1_0(fd, buf));
	ASSERT_EQ(0, wg_done_error(fd, 9));
	ASSERT_EQ(0, wg_wait_1_0(fd, WG_FOREVER, buf));
	ASSERT_EQ(9, ((struct wg_wait *)buf)->error);
	for (i = WG_SIZE_WAIT_VER0; i < sizeof(buf); i++)
		ASSERT_EQ(0xcc, buf[i]);
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * A program built against 1.2 is bound to the 1.2 versions of the waits,
 * which write struct wg_wait's 40 bytes of 1.2 (arrays of them in
 * wg_wait_all): nothing past them is touched. The 1.3 ones write 48,
 * the target 0 with a result.
 */
int wg_wait_1_2(int fd, uint64_t deadline_ns, void *res);
int wg_wait_timeout_1_2(int fd, int64_t timeout_ns, void *res);
int wg_trywait_1_2(int fd, void *res);
int wg_wait_flags_1_2(int fd, uint64_t deadline_ns, unsigned int flags,
		      void *res);
int wg_wait_all_1_2(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res);
int wg_wait_any_1_2(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res);
__asm__(".symver wg_wait_1_2, wg_wait@LIBWAITGROUP_1.2");
__asm__(".symver wg_wait_timeout_1_2, wg_wait_timeout@LIBWAITGROUP_1.2");
__asm__(".symver wg_trywait_1_2, wg_trywait@LIBWAITGROUP_1.2");
__asm__(".symver wg_wait_flags_1_2, wg_wait_flags@LIBWAITGROUP_1.2");
__asm__(".symver wg_wait_all_1_2, wg_wait_all@LIBWAITGROUP_1.2");
__asm__(".symver wg_wait_any_1_2, wg_wait_any@LIBWAITGROUP_1.2");

#define WAIT_SIZE_1_2 40

/* @buf[from..len) still holds the 0xcc it was filled with. */
static int untouched(const unsigned char *buf, size_t from, size_t len)
{
	for (; from < len; from++) {
		if (buf[from] != 0xcc)
			return 0;
	}
	return 1;
}

/* The generation and error of a result at @p, of any version's layout. */
static uint64_t gen_at(const unsigned char *p)
{
	return ((const struct wg_wait *)p)->generation;
}

static int error_at(const unsigned char *p)
{
	return ((const struct wg_wait *)p)->error;
}

TEST_F(lib, v12_symbols_write_v12_sizes)
{
	int a = wg_create(NULL, 0, 0, 0), b = wg_create(NULL, 0, 0, 0);
	unsigned char buf[256];
	int fds[2];
	struct wg_wait *w = (void *)buf;

	ASSERT_TRUE(a >= 0 && b >= 0);
	fds[0] = a;
	fds[1] = b;
	ASSERT_EQ(0, wg_add(a, 1, 0));
	ASSERT_EQ(0, wg_done_error(a, 3));
	ASSERT_EQ(0, wg_add(b, 1, 0));
	ASSERT_EQ(0, wg_done_error(b, 5));

	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_1_2(a, WG_FOREVER, buf));
	ASSERT_EQ(1U, gen_at(buf));
	ASSERT_EQ(3, error_at(buf));
	ASSERT_EQ(0U, w->outflags);
	ASSERT_TRUE(untouched(buf, WAIT_SIZE_1_2, sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_timeout_1_2(a, -1, buf));
	ASSERT_EQ(3, error_at(buf));
	ASSERT_TRUE(untouched(buf, WAIT_SIZE_1_2, sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_trywait_1_2(a, buf));
	ASSERT_EQ(3, error_at(buf));
	ASSERT_TRUE(untouched(buf, WAIT_SIZE_1_2, sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_flags_1_2(a, 0, WG_WAIT_CANCEL_ON_ERROR, buf));
	ASSERT_EQ(3, error_at(buf));
	ASSERT_TRUE(untouched(buf, WAIT_SIZE_1_2, sizeof(buf)));

	/* Arrays: a stride of 40, and nothing after the second entry. */
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_all_1_2(fds, 2, WG_FOREVER, buf));
	ASSERT_EQ(1U, gen_at(buf));
	ASSERT_EQ(3, error_at(buf));
	ASSERT_EQ(1U, gen_at(buf + WAIT_SIZE_1_2));
	ASSERT_EQ(5, error_at(buf + WAIT_SIZE_1_2));
	ASSERT_TRUE(untouched(buf, 2 * WAIT_SIZE_1_2, sizeof(buf)));
	ASSERT_EQ(0, wg_add(b, 1, 0));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(-ETIMEDOUT, wg_wait_all_1_2(fds, 2, 0, buf));
	ASSERT_EQ(1U, gen_at(buf));
	ASSERT_EQ(WG_NO_GENERATION, gen_at(buf + WAIT_SIZE_1_2));
	ASSERT_TRUE(untouched(buf, 2 * WAIT_SIZE_1_2, sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_any_1_2(fds, 2, WG_FOREVER, buf));
	ASSERT_EQ(3, error_at(buf));
	ASSERT_TRUE(untouched(buf, WAIT_SIZE_1_2, sizeof(buf)));

	/* The current versions: the whole struct, the target 0. */
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait(a, WG_FOREVER, w));
	ASSERT_EQ(3, w->error);
	ASSERT_EQ(0U, w->target);
	ASSERT_TRUE(untouched(buf, sizeof(*w), sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(-ETIMEDOUT, wg_wait_all(fds, 2, 0, w));
	ASSERT_EQ(3, w[0].error);
	ASSERT_EQ(0U, w[0].target);
	ASSERT_EQ(WG_NO_GENERATION, w[1].generation);
	ASSERT_TRUE(untouched(buf, 2 * sizeof(*w), sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_any(fds, 2, 0, w));
	ASSERT_EQ(0U, w->target);
	ASSERT_TRUE(untouched(buf, sizeof(*w), sizeof(buf)));
	wg_close(b);
	ASSERT_EQ(0, wg_close(a));
}

/*
 * A program built against 1.3 is bound to the 1.3 versions: 48 bytes of
 * struct wg_wait (no totals), and 1.2's wg_info, 120 bytes of struct
 * wg_info. The 1.4 ones write it all.
 */
int wg_wait_1_3(int fd, uint64_t deadline_ns, void *res);
int wg_wait_flags_1_3(int fd, uint64_t deadline_ns, unsigned int flags,
		      void *res);
int wg_wait_all_1_3(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res);
int wg_info_1_2(int fd, void *info);
__asm__(".symver wg_wait_1_3, wg_wait@LIBWAITGROUP_1.3");
__asm__(".symver wg_wait_flags_1_3, wg_wait_flags@LIBWAITGROUP_1.3");
__asm__(".symver wg_wait_all_1_3, wg_wait_all@LIBWAITGROUP_1.3");
__asm__(".symver wg_info_1_2, wg_info@LIBWAITGROUP_1.2");

#define WAIT_SIZE_1_3 48
#define INFO_SIZE_1_2 120

TEST_F(lib, v13_symbols_write_v13_sizes)
{
	int a = wg_create(NULL, 0, 0, 0), b = wg_create(NULL, 0, 0, 0);
	unsigned char buf[512];
	struct wg_wait *w = (void *)buf;
	struct wg_info *info = (void *)buf;
	int fds[2];

	ASSERT_TRUE(a >= 0 && b >= 0);
	fds[0] = a;
	fds[1] = b;
	ASSERT_EQ(0, wg_add(a, 1, 0));
	ASSERT_EQ(0, wg_done_error(a, 3));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_1_3(a, WG_FOREVER, buf));
	ASSERT_EQ(3, error_at(buf));
	ASSERT_EQ(0U, w->target);
	ASSERT_TRUE(untouched(buf, WAIT_SIZE_1_3, sizeof(buf)));
	/* Totals asked for, not written: 1.3's structure has no room. */
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_flags_1_3(a, 0, WG_WAIT_TOTALS, buf));
	ASSERT_TRUE(untouched(buf, WAIT_SIZE_1_3, sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_all_1_3(fds, 2, 0, buf));
	ASSERT_EQ(3, error_at(buf));
	ASSERT_EQ(0U, gen_at(buf + WAIT_SIZE_1_3));
	ASSERT_TRUE(untouched(buf, 2 * WAIT_SIZE_1_3, sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_info_1_2(a, buf));
	ASSERT_EQ(3, info->error);
	ASSERT_TRUE(untouched(buf, INFO_SIZE_1_2, sizeof(buf)));
	/* 1.4: the whole structures, totals included. */
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_info(a, info));
	ASSERT_EQ(1U, info->totals.done);
	ASSERT_EQ(1U, info->totals.failed);
	ASSERT_TRUE(untouched(buf, sizeof(*info), sizeof(buf)));
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_flags(a, 0, WG_WAIT_TOTALS, w));
	ASSERT_EQ(1U, w->totals.failed);
	ASSERT_EQ(3, w->totals.error);
	ASSERT_TRUE(untouched(buf, sizeof(*w), sizeof(buf)));
	wg_close(b);
	ASSERT_EQ(0, wg_close(a));
}

/*
 * wg_totals(): a batch over many generations, as a shell loop of fast
 * tasks makes it; the last wait's own result is clean, the totals are not.
 */
TEST_F(lib, totals_of_a_batch)
{
	int fd = wg_create(NULL, 0, 0, 0), i;
	struct wg_totals t;
	struct wg_wait w;

	ASSERT_TRUE(fd >= 0);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, wg_add(fd, 1, 0));
		ASSERT_EQ(0, wg_done_error(fd, i == 2 ? 7 : 0));
	}
	ASSERT_EQ(0, wg_wait(fd, WG_FOREVER, &w));
	ASSERT_EQ(10U, w.generation);
	ASSERT_EQ(0, w.error);
	ASSERT_EQ(0, wg_totals(fd, &t));
	ASSERT_EQ(10U, t.done);
	ASSERT_EQ(1U, t.failed);
	ASSERT_EQ(0U, t.abandoned);
	ASSERT_EQ(7, t.error);
	ASSERT_EQ(0, wg_wait_flags(fd, 0, WG_WAIT_TOTALS | WG_WAIT_RESET, &w));
	ASSERT_EQ(1U, w.totals.failed);
	ASSERT_EQ(0, wg_totals(fd, &t));
	ASSERT_EQ(0U, t.done);
	ASSERT_EQ(0, t.error);
	ASSERT_EQ(-EBADF, wg_totals(-1, &t));
	ASSERT_EQ(0, wg_close(fd));
}

/* Complete the running generation with @error and re-arm the group. */
static int complete_rearm(int fd, int error)
{
	int ret = wg_done_error(fd, error);

	return ret ? ret : wg_add(fd, 1, 0);
}

/*
 * wg_wait_call() in slices: each slice that ends without a result leaves
 * the generation it waits for in the target, and the next slice with the
 * same structure returns that generation's result, though the group was
 * re-armed and completed again in between. A new wait does not.
 */
TEST_F(lib, wait_call_slices)
{
	struct wg_wait w = { 0 }, fresh = { 0 };
	int fd = wg_create(NULL, 1, 0, 0);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, complete_rearm(fd, 0));		/* generation 1; 2 runs */
	w.deadline_ns = 0;
	ASSERT_EQ(-ETIMEDOUT, wg_wait_call(fd, &w));
	ASSERT_EQ(2U, w.target);
	w.deadline_ns = wg_deadline(1000000);
	ASSERT_EQ(-ETIMEDOUT, wg_wait_call(fd, &w));	/* a slice that sleeps */
	ASSERT_EQ(2U, w.target);
	ASSERT_EQ(0, complete_rearm(fd, 7));		/* 2 completes */
	ASSERT_EQ(0, complete_rearm(fd, 8));		/* and 3 */
	w.deadline_ns = wg_deadline(1000000);
	ASSERT_EQ(0, wg_wait_call(fd, &w));
	ASSERT_EQ(2U, w.generation);
	ASSERT_EQ(7, w.error);
	ASSERT_EQ(0U, w.outflags);
	ASSERT_EQ(0U, w.target);
	/* Without the target: a new wait, for generation 4, now running. */
	ASSERT_EQ(-ETIMEDOUT, wg_wait_call(fd, &fresh));
	ASSERT_EQ(4U, fresh.target);
	/* Not begun yet: EINVAL. */
	fresh.target = 5;
	ASSERT_EQ(-EINVAL, wg_wait_call(fd, &fresh));
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * A result that has left the group's ring of the last 8 is reported as
 * expired, never replaced by another generation's; 8 completions later
 * it is still there.
 */
TEST_F(lib, wait_call_expired)
{
	struct wg_wait w = { 0 }, kept;
	int fd = wg_create(NULL, 1, 0, 0), i;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(-ETIMEDOUT, wg_wait_call(fd, &w));
	ASSERT_EQ(1U, w.target);
	kept = w;
	for (i = 1; i <= 8; i++)
		ASSERT_EQ(0, complete_rearm(fd, 10 + i));	/* 1 to 8 */
	ASSERT_EQ(0, wg_wait_call(fd, &kept));
	ASSERT_EQ(1U, kept.generation);
	ASSERT_EQ(11, kept.error);
	ASSERT_EQ(0U, kept.outflags);
	ASSERT_EQ(0, complete_rearm(fd, 19));		/* 9: 1 leaves the ring */
	memset(&w.generation, 0xcc, offsetof(struct wg_wait, target) -
	       offsetof(struct wg_wait, generation));
	ASSERT_EQ(0, wg_wait_call(fd, &w));
	ASSERT_EQ(1U, w.generation);
	ASSERT_EQ((uint32_t)WG_RESULT_EXPIRED, w.outflags);
	ASSERT_EQ(0, w.error);
	ASSERT_EQ(0U, w.abandoned);
	ASSERT_EQ(0U, w.target);
	ASSERT_EQ(0, wg_close(fd));
}

static int sig_fd = -1;

/* Generation 1 completes (error 21) and 2 (error 22); 3 runs. */
static void complete_twice(int sig)
{
	(void)sig;
	if (complete_rearm(sig_fd, 21) || complete_rearm(sig_fd, 22))
		_exit(90);
}

/*
 * A child that signals @parent once it sleeps in a wait of @fd (and exits
 * if the parent goes first).
 */
static pid_t signal_when_waiting(int fd, pid_t parent, int sig)
{
	struct wg_info info;
	pid_t pid = fork();

	if (pid)
		return pid;
	do {
		if (wg_info(fd, &info) || getppid() != parent)
			_exit(1);
	} while (info.waiters < 1 && !usleep(1000));
	_exit(kill(parent, sig) ? 1 : 0);
}

/*
 * EINTR: the kernel leaves the target in the caller's structure, and
 * wg_wait_call() with it returns the generation the wait began in, which
 * the signal handler completed, re-armed and completed again.
 */
TEST_F(lib, wait_call_after_eintr)
{
	struct sigaction sa = { .sa_handler = complete_twice };
	struct wg_wait w = { .deadline_ns = WG_FOREVER };
	pid_t pid;
	int st;

	sig_fd = wg_create(NULL, 1, 0, 0);
	ASSERT_TRUE(sig_fd >= 0);
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));	/* no SA_RESTART */
	pid = signal_when_waiting(sig_fd, getpid(), SIGUSR1);
	ASSERT_TRUE(pid > 0);
	ASSERT_EQ(-EINTR, wg_wait_call(sig_fd, &w));
	ASSERT_EQ(1U, w.target);
	ASSERT_EQ(1, count_of(sig_fd));			/* re-armed */
	w.deadline_ns = wg_deadline(10000000000LL);
	ASSERT_EQ(0, wg_wait_call(sig_fd, &w));
	ASSERT_EQ(1U, w.generation);
	ASSERT_EQ(21, w.error);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, wg_close(sig_fd));
}

/*
 * SA_RESTART: the kernel restarts the library's own wait with the target
 * in it, for wg_wait() of 1.3 and of 1.2 alike (which still writes no
 * more than its 40 bytes). A restart that began anew would sleep into
 * generation 3 and time out.
 */
TEST_F(lib, wait_restart_keeps_generation)
{
	struct sigaction sa = {
		.sa_handler = complete_twice, .sa_flags = SA_RESTART,
	};
	unsigned char buf[128];
	struct wg_wait res;
	pid_t pid;
	int st;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	sig_fd = wg_create(NULL, 1, 0, 0);
	ASSERT_TRUE(sig_fd >= 0);
	pid = signal_when_waiting(sig_fd, getpid(), SIGUSR1);
	ASSERT_TRUE(pid > 0);
	ASSERT_EQ(0, wg_wait(sig_fd, wg_deadline(10000000000LL), &res));
	ASSERT_EQ(1U, res.generation);
	ASSERT_EQ(21, res.error);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, wg_close(sig_fd));

	sig_fd = wg_create(NULL, 1, 0, 0);
	ASSERT_TRUE(sig_fd >= 0);
	pid = signal_when_waiting(sig_fd, getpid(), SIGUSR1);
	ASSERT_TRUE(pid > 0);
	memset(buf, 0xcc, sizeof(buf));
	ASSERT_EQ(0, wg_wait_1_2(sig_fd, wg_deadline(10000000000LL), buf));
	ASSERT_EQ(1U, gen_at(buf));
	ASSERT_EQ(21, error_at(buf));
	ASSERT_TRUE(untouched(buf, WAIT_SIZE_1_2, sizeof(buf)));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, wg_close(sig_fd));
}

/* wg_create_limit, wg_set_limit, wg_add_wait, wg_cancel, wg_wait_flags */
TEST_F(lib, limit_and_cancel)
{
	struct wg_info info;
	struct wg_wait res;
	int fd = wg_create_limit(NULL, 0, 0, WG_CLOEXEC, 2);

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, wg_info(fd, &info));
	ASSERT_EQ(2U, info.limit);
	ASSERT_EQ(0, wg_add(fd, 2, 0));
	ASSERT_EQ(-EAGAIN, wg_add(fd, 1, 0));
	ASSERT_EQ(-ETIMEDOUT, wg_add_wait(fd, 1, 0, wg_deadline(1000000)));
	ASSERT_EQ(0, wg_set_limit(fd, 3));
	ASSERT_EQ(0, wg_add_wait(fd, 1, WG_UNDO, WG_FOREVER));
	ASSERT_EQ(-EINVAL, wg_cancel(fd, -1));
	ASSERT_EQ(1, wg_cancel(fd, 0));
	ASSERT_EQ(0, wg_cancel(fd, 0));
	ASSERT_EQ(0, wg_wait(fd, WG_FOREVER, &res));
	ASSERT_EQ(ECANCELED, res.error);
	ASSERT_EQ((uint32_t)WG_RESULT_CANCELED, res.outflags);
	ASSERT_EQ(-ECANCELED, wg_add(fd, 1, 0));
	ASSERT_EQ(0, wg_add(fd, -3, 0));
	/* The next generation: an error cancels a wait that asks for it. */
	ASSERT_EQ(0, wg_add(fd, 2, 0));
	ASSERT_EQ(0, wg_done_error(fd, 5));
	ASSERT_EQ(-ETIMEDOUT, wg_wait(fd, 0, &res));
	ASSERT_EQ(0, wg_wait_flags(fd, 0, WG_WAIT_CANCEL_ON_ERROR, &res));
	ASSERT_EQ(5, res.error);
	ASSERT_EQ((uint32_t)WG_RESULT_CANCELED, res.outflags);
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_deadline */
TEST_F(lib, deadline)
{
	uint64_t before = wg_deadline(0), d;

	ASSERT_EQ(WG_FOREVER, wg_deadline(-1));
	d = wg_deadline(1000000000);
	ASSERT_TRUE(d >= before + 1000000000);
	ASSERT_TRUE(wg_deadline(0) >= before);
	ASSERT_TRUE(wg_deadline(INT64_MAX) != WG_FOREVER);
	ASSERT_TRUE(wg_deadline(INT64_MAX) > before);
}

/* A waiter blocked in another process is released by the last done. */
TEST_F(lib, wait_blocks)
{
	struct wg_wait res;
	struct wg_info info;
	int fd = wg_create(NULL, 1, 0, 0), p[2], st;
	pid_t pid;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p));
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid) {
		int ret = wg_wait(fd, WG_FOREVER, &res);

		if (ret || write(p[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	/* Until the child sleeps in the wait (the group's own state). */
	do {
		ASSERT_EQ(0, wg_info(fd, &info));
		ASSERT_EQ(1, info.count);
	} while (info.waiters < 1 && !usleep(1000));
	ASSERT_EQ(1U, info.waiters);
	ASSERT_EQ(0, wg_done_error(fd, 9));
	ASSERT_EQ((ssize_t)sizeof(res), read(p[0], &res, sizeof(res)));
	ASSERT_EQ(1U, res.generation);
	ASSERT_EQ(9, res.error);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * Go's rule: a generation that completed (and was re-armed) before the
 * wait began is not waited for; the wait waits for the running one.
 */
TEST_F(lib, generation_before_wait)
{
	struct wg_wait res;
	int fd = wg_create(NULL, 1, 0, 0), w;

	ASSERT_TRUE(fd >= 0);
	w = wg_dup(fd, 0);
	ASSERT_TRUE(w >= 0);
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(0, wg_add(fd, 1, 0));
	ASSERT_EQ(-EAGAIN, wg_trywait(w, &res));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(0, wg_trywait(w, &res));
	ASSERT_EQ(2U, res.generation);
	wg_close(w);
	ASSERT_EQ(0, wg_close(fd));
}

/* epoll reports EPOLLIN on completion */
TEST_F(lib, epoll)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct wg_wait res;
	int fd = wg_create(NULL, 1, 0, 0), ep;

	ASSERT_TRUE(fd >= 0);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_TRUE(ep >= 0);
	ev.data.fd = fd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 5000));
	ASSERT_TRUE((out.events & EPOLLIN) != 0);
	ASSERT_EQ(fd, out.data.fd);
	ASSERT_EQ(0, wg_trywait(fd, &res));
	ASSERT_EQ(1U, res.generation);
	ASSERT_EQ(0, wg_add(fd, 1, 0));
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	/* Completed and re-armed before anyone looked: still readable. */
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(0, wg_add(fd, 1, 0));
	ASSERT_EQ(1, epoll_wait(ep, &out, 1, 5000));
	ASSERT_EQ(0, wg_trywait(fd, &res));
	ASSERT_EQ(2U, res.generation);
	ASSERT_EQ(0, epoll_wait(ep, &out, 1, 0));
	close(ep);
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_dup: WG_CLOEXEC, same group, EINVAL, EBADF */
TEST_F(lib, dup_flags)
{
	int fd = wg_create(NULL, 0, 0, WG_CLOEXEC), d;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	d = wg_dup(fd, WG_CLOEXEC);
	ASSERT_TRUE(d >= 0 && d != fd);
	ASSERT_TRUE(fcntl(d, F_GETFD) & FD_CLOEXEC);
	wg_close(d);
	d = wg_dup(fd, 0);
	ASSERT_TRUE(d >= 0);
	ASSERT_TRUE(!(fcntl(d, F_GETFD) & FD_CLOEXEC));
	ASSERT_EQ(0, wg_add(d, 1, 0));
	ASSERT_EQ(1, count_of(fd));	/* same group */
	ASSERT_EQ(0, wg_done(fd));
	wg_close(d);
	ASSERT_EQ(-EINVAL, wg_dup(fd, 0x10));
	ASSERT_EQ(-EBADF, wg_dup(-1, 0));
	ASSERT_EQ(0, wg_close(fd));
}

/* Closing an open file undoes what its ledger still holds. */
TEST_F(lib, undo_close)
{
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), d;

	ASSERT_TRUE(fd >= 0);
	d = wg_dup(fd, 0);
	ASSERT_EQ(0, wg_add(d, 1, WG_UNDO));
	ASSERT_EQ(0, wg_done(d));		/* drawn from the ledger */
	wg_close(d);
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(0U, res.abandoned);
	ASSERT_EQ(0, res.error);
	d = wg_dup(fd, 0);
	ASSERT_EQ(0, wg_add(d, 3, WG_UNDO));
	ASSERT_EQ(0, wg_add(d, 1, 0));	/* not in the ledger */
	ASSERT_EQ(0, wg_done(d));
	ASSERT_EQ(3, count_of(fd));
	wg_close(d);
	ASSERT_EQ(1, count_of(fd));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(2U, res.abandoned);
	ASSERT_EQ(EOWNERDEAD, res.error);
	ASSERT_EQ(0, wg_close(fd));
}

/* A process killed with SIGKILL gives its ledger back. */
TEST_F(lib, undo_sigkill)
{
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), p[2], st;
	pid_t pid;
	char c;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p));
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid) {
		int d = wg_dup(fd, 0);

		if (d < 0 || wg_add(d, 2, WG_UNDO) || write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_EQ(1, read(p[0], &c, 1));
	ASSERT_EQ(2, count_of(fd));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(2U, res.abandoned);
	ASSERT_EQ(EOWNERDEAD, res.error);
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_status_error */
TEST_F(lib, status_error)
{
	int st;
	pid_t pid;

	ASSERT_EQ(0, wg_status_error(0));
	pid = fork();
	if (!pid)
		_exit(3);
	waitpid(pid, &st, 0);
	ASSERT_EQ(3, wg_status_error(st));
	pid = fork();
	if (!pid) {
		raise(SIGKILL);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	ASSERT_EQ(128 + SIGKILL, wg_status_error(st));
}

/* wg_spawn: exit status becomes the task's error */
TEST_F(lib, spawn)
{
	char *ok[] = { "sh", "-c", "exit 0", NULL };
	char *bad[] = { "sh", "-c", "exit 3", NULL };
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	pid_t pid;

	ASSERT_TRUE(fd >= 0);
	pid = wg_spawn(fd, ok, 0);
	ASSERT_TRUE(pid > 0);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, wg_status_error(st));
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(0, res.error);
	ASSERT_EQ(0, count_of(fd));

	pid = wg_spawn(fd, bad, 0);
	ASSERT_TRUE(pid > 0);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(3, wg_status_error(st));
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(3, res.error);
	ASSERT_EQ(0U, res.abandoned);

	/* The add is made before wg_spawn() returns. */
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = wg_spawn(fd, blk, 0);
	ASSERT_TRUE(pid > 0);
	ASSERT_EQ(1, count_of(fd));
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	/* The command holds the task's open file, its add in the ledger. */
	ASSERT_EQ(1, ledger_at_100(atoi(buf)));
	ASSERT_EQ(1, write(q[1], "\n", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, wg_status_error(st));
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(0, res.error);
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_spawn: ENOENT takes the add back, EINVAL, EBADF */
TEST_F(lib, spawn_errors)
{
	char *missing[] = { "/nonexistent/wg-no-such-command", NULL };
	char *ok[] = { "true", NULL };
	char *empty[] = { NULL };
	int fd = wg_create(NULL, 1, 0, 0), w;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(-ENOENT, wg_spawn(fd, missing, 0));
	ASSERT_EQ(1, count_of(fd));		/* the add was taken back */
	ASSERT_EQ(-EINVAL, wg_spawn(fd, ok, 1));
	ASSERT_EQ(-EINVAL, wg_spawn(fd, NULL, 0));
	ASSERT_EQ(-EINVAL, wg_spawn(fd, empty, 0));
	ASSERT_EQ(-EBADF, wg_spawn(-1, ok, 0));
	ASSERT_EQ(-EBADF, wg_spawn(999, ok, 0));
	w = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_EQ(-ENOTTY, wg_spawn(w, ok, 0));	/* not a waitgroup */
	close(w);
	ASSERT_EQ(1, count_of(fd));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * SIGKILL of the supervisor wg_spawn() returns: the command dies with it
 * (the last holder of the pipe @p but for this test), and the kernel
 * undoes the add once both are gone.
 */
TEST_F(lib, spawn_supervisor_killed)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	struct wg_wait res;
	pid_t pid;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = wg_spawn(fd, blk, 0);
	ASSERT_TRUE(pid > 0);
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);	/* command runs */
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSIGNALED(st));
	ASSERT_EQ(0, close(p[1]));
	ASSERT_EQ(0, read(p[0], buf, 1));	/* EOF: the command is gone */
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(1U, res.abandoned);
	ASSERT_EQ(EOWNERDEAD, res.error);
	ASSERT_EQ(0, wg_close(fd));
}

/* SIGKILL of the command: its supervisor reports 128 + 9. */
TEST_F(lib, spawn_command_killed)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	struct wg_wait res;
	pid_t pid;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = wg_spawn(fd, blk, 0);
	ASSERT_TRUE(pid > 0);
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	ASSERT_EQ(0, kill(atoi(buf), SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(137, wg_status_error(st));
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(137, res.error);
	ASSERT_EQ(0U, res.abandoned);
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_run: statuses, 127 for a missing command, EBADF */
TEST_F(lib, run_statuses)
{
	char *five[] = { "sh", "-c", "exit 5", NULL };
	char *ok[] = { "true", NULL };
	char *missing[] = { "wg-no-such-command", NULL };
	const char *name = uname_("runro");
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), st, c, ro;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(0, wg_run(fd, ok, 0, &st));
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(1U, res.generation);
	ASSERT_EQ(0, res.error);

	ASSERT_EQ(0, wg_run(fd, five, 0, &st));
	ASSERT_EQ(5, wg_status_error(st));
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(5, res.error);
	ASSERT_EQ(0U, res.abandoned);

	/* Could not execute: counted, reported failed with 127. */
	ASSERT_EQ(-ENOENT, wg_run(fd, missing, 0, &st));
	ASSERT_EQ(127, wg_status_error(st));
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(127, res.error);
	ASSERT_EQ(3U, res.generation);

	/* Not counted at all: *wstatus says so. */
	ASSERT_EQ(-EINVAL, wg_run(fd, ok, 1, &st));
	ASSERT_EQ(-1, st);
	ASSERT_EQ(-EBADF, wg_run(-1, ok, 0, &st));
	c = wg_create(name, 0, 0600, WG_EXCL);
	ASSERT_TRUE(c >= 0);
	ro = wg_open(name, WG_ACCESS_WAIT);
	ASSERT_TRUE(ro >= 0);
	ASSERT_EQ(-EBADF, wg_run(ro, ok, 0, &st));
	ASSERT_EQ(-1, st);
	wg_unlink(name);
	wg_close(ro);
	wg_close(c);
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(3U, res.generation);		/* nothing happened since */
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * SIGKILL of the process inside wg_run(): the command, which holds the
 * task's open file too, is left running and keeps the add; the kernel
 * undoes it once the command has exited.
 */
TEST_F(lib, run_killed)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	struct wg_wait res;
	pid_t pid;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid)
		_exit(wg_run(fd, blk, 0, &st) ? 1 : 0);
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	ASSERT_EQ(1, count_of(fd));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSIGNALED(st));
	ASSERT_EQ(1, ledger_at_100(atoi(buf)));
	ASSERT_EQ(-ETIMEDOUT, wg_wait(fd, 0, &res));
	ASSERT_EQ(1, count_of(fd));
	ASSERT_EQ(1, write(q[1], "\n", 1));	/* the command exits */
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(1U, res.abandoned);
	ASSERT_EQ(EOWNERDEAD, res.error);
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_*_opts: the structure is checked, the room deadline counts nothing. */
TEST_F(lib, task_opts)
{
	struct {
		struct wg_task_opts o;
		unsigned char tail[8];
	} big;
	struct wg_task_opts o = WG_TASK_OPTS_INIT;
	char *ok[] = { "true", NULL };
	struct wg_wait res;
	int fd = wg_create_limit(NULL, 1, 0, WG_CLOEXEC, 1), st;

	ASSERT_TRUE(fd >= 0);
	o.size = sizeof(o) - 1;
	ASSERT_EQ(-EINVAL, wg_run_opts(fd, ok, &o, &st));
	ASSERT_EQ(-1, st);
	o.size = sizeof(o);
	o.flags = 1;
	ASSERT_EQ(-EINVAL, wg_spawn_opts(fd, ok, &o));
	o.flags = 0;
	o.__pad = 1;
	ASSERT_EQ(-EINVAL, wg_go_opts(fd, ok, &o, &st));
	o.__pad = 0;
	o.grace_ns = -2;
	ASSERT_EQ(-EINVAL, wg_run_opts(fd, ok, &o, &st));
	o.grace_ns = WG_GRACE_NONE;
	/* A longer structure of a newer header: only zeros past what we know. */
	memset(&big, 0, sizeof(big));
	big.o = o;
	big.o.size = sizeof(big);
	big.tail[3] = 1;
	ASSERT_EQ(-E2BIG, wg_run_opts(fd, ok, &big.o, &st));
	/* No room before the deadline: not counted, *wstatus -1. */
	o.room_deadline = wg_deadline(1000000);
	ASSERT_EQ(-ETIMEDOUT, wg_run_opts(fd, ok, &o, &st));
	ASSERT_EQ(-1, st);
	ASSERT_EQ(-ETIMEDOUT, wg_go_opts(fd, ok, &o, &st));
	ASSERT_EQ(-1, st);
	ASSERT_EQ(-ETIMEDOUT, wg_spawn_opts(fd, ok, &o));
	ASSERT_EQ(1, count_of(fd));
	ASSERT_EQ(0, wg_done(fd));
	big.tail[3] = 0;
	ASSERT_EQ(0, wg_run_opts(fd, ok, &big.o, &st));
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(0, res.error);
	ASSERT_EQ(2U, res.generation);
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * A cancel ends the commands of wg_spawn_opts(): SIGTERM, and SIGKILL
 * after the grace period for one that ignores SIGTERM (or at once with a
 * grace of 0); each supervisor reports its command's status.
 */
TEST_F(lib, cancel_ends_commands)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	char deaf[128], *deafv[] = { "sh", "-c", deaf, NULL };
	struct wg_task_opts o = WG_TASK_OPTS_INIT;
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	pid_t term, kill_late, kill_now;
	struct wg_wait res;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe2(p, O_CLOEXEC) && !pipe2(q, O_CLOEXEC));
	blk[2] = blocker(p[1], q[0]);
	snprintf(deaf, sizeof(deaf), "trap '' TERM; echo $$ >&%d; read x <&%d",
		 p[1], q[0]);
	/* The descriptors the commands use must reach them: not O_CLOEXEC. */
	ASSERT_EQ(0, fcntl(p[1], F_SETFD, 0));
	ASSERT_EQ(0, fcntl(q[0], F_SETFD, 0));
	term = wg_spawn_opts(fd, blk, &o);
	ASSERT_TRUE(term > 0);
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	o.grace_ns = 50000000;
	kill_late = wg_spawn_opts(fd, deafv, &o);
	ASSERT_TRUE(kill_late > 0);
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	o.grace_ns = 0;
	kill_now = wg_spawn_opts(fd, deafv, &o);
	ASSERT_TRUE(kill_now > 0);
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	ASSERT_EQ(3, count_of(fd));
	ASSERT_EQ(1, wg_cancel(fd, 0));
	ASSERT_EQ(term, waitpid(term, &st, 0));
	ASSERT_EQ(128 + SIGTERM, wg_status_error(st));
	ASSERT_EQ(kill_late, waitpid(kill_late, &st, 0));
	ASSERT_EQ(128 + SIGKILL, wg_status_error(st));
	ASSERT_EQ(kill_now, waitpid(kill_now, &st, 0));
	ASSERT_EQ(128 + SIGKILL, wg_status_error(st));
	/* Every supervisor reported: the canceled generation drained. */
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(0, wg_wait(fd, 0, &res));
	ASSERT_EQ(0U, res.abandoned);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	ASSERT_EQ(0, wg_close(fd));
}

/* The pid in /proc/@pid/stat's field @field (4 ppid, 5 pgrp, 6 session). */
static int stat_field(pid_t pid, int field)
{
	char path[64], buf[512], *p;
	int i, v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	p = strrchr(buf, ')');	/* after the command name, which may hold spaces */
	for (i = 2; p && i < field; i++)
		p = strchr(p + 1, ' ');
	if (p)
		v = atoi(p + 1);
	return v;
}

/* wg_go: counted before it returns, a detached supervisor, its statuses */
TEST_F(lib, go)
{
	char *bad[] = { "sh", "-c", "exit 3", NULL };
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	struct wg_wait res;
	pid_t sup, cmd;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	st = 0xcc;
	sup = wg_go(fd, blk, 0, &st);
	ASSERT_TRUE(sup > 0);
	ASSERT_EQ(0, st);
	ASSERT_EQ(1, count_of(fd));		/* counted before wg_go() returned */
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	cmd = atoi(buf);
	/* The command's parent is the supervisor: not ours, its own session. */
	ASSERT_EQ(sup, stat_field(cmd, 4));
	ASSERT_NE(getpid(), stat_field(sup, 4));
	ASSERT_EQ(sup, getsid(sup));
	ASSERT_EQ(-1, waitpid(sup, &st, WNOHANG));
	ASSERT_EQ(ECHILD, errno);
	ASSERT_EQ(1, write(q[1], "\n", 1));
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(0, res.error);
	ASSERT_EQ(0U, res.abandoned);

	ASSERT_TRUE(wg_go(fd, bad, 0, NULL) > 0);
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(3, res.error);
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(0, wg_close(fd));
}

/* wg_go: exec failures are reported tasks, other failures count nothing */
TEST_F(lib, go_errors)
{
	char *missing[] = { "wg-no-such-command", NULL };
	char *ok[] = { "true", NULL };
	const char *name = uname_("goro");
	struct wg_wait res;
	int fd = wg_create(NULL, 0, 0, 0), st, c, ro;

	ASSERT_TRUE(fd >= 0);
	ASSERT_EQ(-ENOENT, wg_go(fd, missing, 0, &st));
	ASSERT_EQ(127, wg_status_error(st));
	/* Reported before wg_go() returned. */
	ASSERT_EQ(0, wg_trywait(fd, &res));
	ASSERT_EQ(1U, res.generation);
	ASSERT_EQ(127, res.error);

	ASSERT_EQ(-EINVAL, wg_go(fd, ok, 1, &st));
	ASSERT_EQ(-1, st);
	ASSERT_EQ(-EINVAL, wg_go(fd, NULL, 0, &st));
	ASSERT_EQ(-EBADF, wg_go(-1, ok, 0, &st));
	ASSERT_EQ(-1, st);
	c = wg_create(name, 0, 0600, WG_EXCL);
	ASSERT_TRUE(c >= 0);
	ro = wg_open(name, WG_ACCESS_WAIT);
	ASSERT_TRUE(ro >= 0);
	ASSERT_EQ(-EBADF, wg_go(ro, ok, 0, &st));
	ASSERT_EQ(-1, st);
	wg_unlink(name);
	wg_close(ro);
	wg_close(c);
	ASSERT_EQ(0, wg_trywait(fd, &res));
	ASSERT_EQ(1U, res.generation);		/* nothing happened since */
	ASSERT_EQ(0, count_of(fd));
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * Once wg_go() or wg_spawn() returns, the supervisor holds none of the
 * caller's descriptors: the end of a close-on-exec pipe (which the
 * command never had) reaches EOF as soon as the caller closes its own.
 */
TEST_F(lib, supervisor_holds_nothing)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), x[2], p[2], q[2], st, round;
	struct pollfd pfd;
	struct wg_wait res;
	pid_t sup;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	for (round = 0; round < 2; round++) {
		ASSERT_EQ(0, pipe2(x, O_CLOEXEC));
		sup = round ? wg_spawn(fd, blk, 0) : wg_go(fd, blk, 0, NULL);
		ASSERT_TRUE(sup > 0);
		ASSERT_EQ(0, close(x[1]));
		pfd = (struct pollfd){ .fd = x[0], .events = POLLIN };
		ASSERT_EQ(1, poll(&pfd, 1, 0));
		ASSERT_TRUE((pfd.revents & POLLHUP) != 0);
		close(x[0]);
		ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
		ASSERT_EQ(1, write(q[1], "\n", 1));
		if (round) {
			ASSERT_EQ(sup, waitpid(sup, &st, 0));
		}
		ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
		ASSERT_EQ(0, res.error);
	}
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * SIGKILL of a wg_go() supervisor: the command dies with it, and the
 * kernel undoes the add once both are gone.
 */
TEST_F(lib, go_supervisor_killed)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2];
	struct wg_wait res;
	pid_t sup;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	sup = wg_go(fd, blk, 0, NULL);
	ASSERT_TRUE(sup > 0);
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	ASSERT_EQ(1, ledger_at_100(atoi(buf)));
	ASSERT_EQ(0, kill(sup, SIGKILL));
	ASSERT_EQ(0, close(p[1]));
	ASSERT_EQ(0, read(p[0], buf, 1));	/* EOF: the command is gone */
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(1U, res.abandoned);
	ASSERT_EQ(EOWNERDEAD, res.error);
	ASSERT_EQ(0, wg_close(fd));
}

/*
 * A signal to the process in wg_run() reaches the command instead: the
 * command traps it, says which on a pipe and exits 9; the caller, whose
 * own SIGTERM would have killed it, returns.
 */
TEST_F(lib, run_forwards_signals)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	char cmd[256], buf[32], *argv[] = { "sh", "-c", cmd, NULL };
	struct wg_wait res;
	size_t i;
	pid_t pid;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/*
		 * The wait builtin is interrupted by a trapped signal; the
		 * read in the background blocks on a pipe nobody writes.
		 */
		snprintf(cmd, sizeof(cmd),
			 "trap 'echo $$ %d >&%d; exit 9' %d; kill -%d $PPID; read x <&%d & wait $!",
			 sigs[i], p[1], sigs[i], sigs[i], q[0]);
		pid = fork();
		ASSERT_TRUE(pid >= 0);
		if (!pid) {
			/* Not ignored here: the command inherits what we have. */
			signal(sigs[i], SIG_DFL);
			if (wg_run(fd, argv, 0, &st))
				_exit(100);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 101);
		}
		ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
		ASSERT_EQ(sigs[i], atoi(strchr(buf, ' ') + 1));
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		ASSERT_TRUE(WIFEXITED(st));
		ASSERT_EQ(9, WEXITSTATUS(st));
		ASSERT_EQ(0, wg_trywait(fd, &res));
		ASSERT_EQ(9, res.error);
	}
	ASSERT_EQ(0, wg_close(fd));
}

/* A signal to wg_spawn()'s supervisor kills the command, not it. */
TEST_F(lib, spawn_forwards_signals)
{
	char buf[32], *blk[] = { "sh", "-c", NULL, NULL };
	int fd = wg_create(NULL, 0, 0, 0), p[2], q[2], st;
	struct wg_wait res;
	pid_t pid;

	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p) && !pipe(q));
	blk[2] = blocker(p[1], q[0]);
	pid = wg_spawn(fd, blk, 0);
	ASSERT_TRUE(pid > 0);
	ASSERT_TRUE(read_line(p[0], buf, sizeof(buf)) > 0);
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(128 + SIGUSR1, WEXITSTATUS(st));
	ASSERT_EQ(0, wg_wait_timeout(fd, 10000000000LL, &res));
	ASSERT_EQ(128 + SIGUSR1, res.error);
	ASSERT_EQ(0U, res.abandoned);
	ASSERT_EQ(0, wg_close(fd));
}

/* waitgroup run dies of the signal that killed its command, as timeout(1). */
TEST_F(lib, cmd_run_dies_as_command)
{
	char name[WG_NAME_MAX];
	int fd, p[2], st;
	struct wg_wait res;
	pid_t pid;

	if (system("command -v waitgroup >/dev/null 2>&1")) {
		SKIP(return, "no waitgroup command on PATH");
	}
	strcpy(name, uname_("reraise"));
	fd = wg_create(name, 0, 0600, WG_EXCL);
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(!pipe(p));
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid) {
		/* stdin: a pipe nobody writes, so that read blocks. */
		dup2(p[0], STDIN_FILENO);
		signal(SIGUSR2, SIG_DFL);
		execlp("waitgroup", "waitgroup", "run", name, "--", "sh", "-c",
		       "kill -USR2 $PPID; read x", NULL);
		_exit(101);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFSIGNALED(st));
	ASSERT_EQ(SIGUSR2, WTERMSIG(st));
	ASSERT_FALSE(WCOREDUMP(st));
	ASSERT_EQ(0, wg_trywait(fd, &res));
	ASSERT_EQ(128 + SIGUSR2, res.error);
	ASSERT_EQ(0, wg_unlink(name));
	ASSERT_EQ(0, wg_close(fd));
}

/* Until process @pid has an epoll instance watching something. */
static void until_epoll_registered(pid_t pid)
{
	char path[64], line[256];
	int fd, found = 0;
	FILE *f;

	while (!found) {
		for (fd = 0; fd < 64 && !found; fd++) {
			snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
			f = fopen(path, "re");
			if (!f)
				continue;
			while (fgets(line, sizeof(line), f))
				found |= !strncmp(line, "tfd:", 4);
			fclose(f);
		}
		if (!found)
			usleep(1000);
	}
}

/* wg_wait_all: every group, partial results on timeout, errors */
TEST_F(lib, wait_all)
{
	int a = wg_create(NULL, 1, 0, 0), b = wg_create(NULL, 1, 0, 0);
	int fds[2] = { a, b }, dup2fds[2] = { a, a }, bad[1] = { -1 }, n;
	struct wg_wait res[2];

	ASSERT_TRUE(a >= 0 && b >= 0);
	memset(res, 0xcc, sizeof(res));
	ASSERT_EQ(-ETIMEDOUT, wg_wait_all(fds, 2, 0, res));
	ASSERT_EQ(WG_NO_GENERATION, res[0].generation);
	ASSERT_EQ(WG_NO_GENERATION, res[1].generation);
	ASSERT_EQ(0, wg_done(a));
	ASSERT_EQ(-ETIMEDOUT, wg_wait_all(fds, 2, wg_deadline(1000000), res));
	ASSERT_EQ(1U, res[0].generation);
	ASSERT_EQ(0, res[0].error);
	ASSERT_EQ(WG_NO_GENERATION, res[1].generation);
	ASSERT_EQ(0, wg_done_error(b, 4));
	ASSERT_EQ(0, wg_wait_all(fds, 2, WG_FOREVER, res));
	ASSERT_EQ(1U, res[0].generation);
	ASSERT_EQ(1U, res[1].generation);
	ASSERT_EQ(4, res[1].error);
	ASSERT_EQ(0, wg_wait_all(fds, 2, 0, NULL));

	ASSERT_EQ(-EINVAL, wg_wait_all(fds, 0, 0, res));
	ASSERT_EQ(-EINVAL, wg_wait_all(NULL, 1, 0, res));
	ASSERT_EQ(-EINVAL, wg_wait_all(dup2fds, 2, 0, res));
	ASSERT_EQ(-EBADF, wg_wait_all(bad, 1, 0, res));
	n = open("/dev/null", O_RDONLY | O_CLOEXEC);
	bad[0] = n;
	ASSERT_EQ(-ENOTTY, wg_wait_all(bad, 1, 0, res));
	close(n);
	wg_close(b);
	ASSERT_EQ(0, wg_close(a));
}

/*
 * wg_wait_all returns for a group that completes and is re-armed at once
 * while it waits (readable: a completion its file has not reported), and
 * for one that completes later.
 */
TEST_F(lib, wait_all_rearmed)
{
	int a = wg_create(NULL, 1, 0, 0), b = wg_create(NULL, 1, 0, 0), st;
	int fds[2] = { a, b };
	struct wg_wait res[2];
	pid_t pid, parent = getpid();

	ASSERT_TRUE(a >= 0 && b >= 0);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid) {
		until_epoll_registered(parent);
		if (wg_done(a) || wg_add(a, 1, 0) || wg_done_error(b, 6))
			_exit(1);
		_exit(0);
	}
	ASSERT_EQ(0, wg_wait_all(fds, 2, wg_deadline(30000000000LL), res));
	ASSERT_EQ(1U, res[0].generation);
	ASSERT_EQ(1U, res[1].generation);
	ASSERT_EQ(6, res[1].error);
	ASSERT_EQ(1, count_of(a));		/* re-armed */
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, st);
	wg_close(b);
	ASSERT_EQ(0, wg_close(a));
}

#ifndef __NR_epoll_pwait2
#define __NR_epoll_pwait2 441
#endif

/* Until process @pid sleeps in epoll_wait(2): its /proc/PID/syscall. */
static int until_in_epoll_wait(pid_t pid)
{
	char path[64], line[128];
	long nr;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (;;) {
		f = fopen(path, "re");
		if (!f)
			return -errno;
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
		/* "running", or the number of the call it sleeps in. */
		if (sscanf(line, "%ld", &nr) == 1 &&
		    (nr == __NR_epoll_wait || nr == __NR_epoll_pwait ||
		     nr == __NR_epoll_pwait2))
			return 0;
		usleep(1000);
	}
}

/* The calling thread on CPU 0 only. */
static int on_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * A child on CPU 0 that waits for @fds with wg_wait_all() (@any:
 * wg_wait_any()) and writes the return value and the results to @out.
 */
static pid_t wait_set_child(const int *fds, int any, int out)
{
	struct { int ret; struct wg_wait res[2]; } r;
	pid_t pid = fork();

	if (pid)
		return pid;
	memset(&r, 0, sizeof(r));
	if (on_cpu0())
		_exit(2);
	if (any)
		r.ret = wg_wait_any(fds, 2, wg_deadline(30000000000LL), r.res);
	else
		r.ret = wg_wait_all(fds, 2, wg_deadline(30000000000LL), r.res);
	_exit(write(out, &r, sizeof(r)) == sizeof(r) ? 0 : 1);
}

/*
 * wg_wait_all and wg_wait_any keep each group's target between their
 * looks: a group that completes, is re-armed and completes again after
 * the call's first look (it sleeps in epoll) and before its next is
 * reported with the generation the call began in. Between the two the
 * child cannot run: it is on CPU 0, where this process then runs
 * SCHED_FIFO, which no normal task preempts, until it reads the pipe.
 * (A stop would not do: epoll_wait() fails with EINTR after SIGCONT.)
 */
TEST_F(lib, wait_set_keeps_generation)
{
	struct sched_param fifo = { .sched_priority = 1 }, other = { 0 };
	struct { int ret; struct wg_wait res[2]; } r;
	int a, b, fds[2], p[2], st, any;
	pid_t pid;

	ASSERT_TRUE(!pipe(p));
	ASSERT_EQ(0, on_cpu0());
	if (sched_setscheduler(0, SCHED_FIFO, &fifo)) {
		SKIP(return, "no SCHED_FIFO: %s", strerror(errno));
	}
	ASSERT_EQ(0, sched_setscheduler(0, SCHED_OTHER, &other));
	for (any = 0; any < 2; any++) {
		a = wg_create(NULL, 1, 0, 0);
		b = wg_create(NULL, 1, 0, 0);
		ASSERT_TRUE(a >= 0 && b >= 0);
		fds[0] = a;
		fds[1] = b;
		pid = wait_set_child(fds, any, p[1]);
		ASSERT_TRUE(pid > 0);
		ASSERT_EQ(0, until_in_epoll_wait(pid));
		ASSERT_EQ(0, sched_setscheduler(0, SCHED_FIFO, &fifo));
		ASSERT_EQ(0, complete_rearm(a, 3));	/* generation 1 */
		ASSERT_EQ(0, complete_rearm(a, 4));	/* generation 2 */
		if (!any)
			ASSERT_EQ(0, wg_done_error(b, 5));
		ASSERT_EQ((ssize_t)sizeof(r), read(p[0], &r, sizeof(r)));
		ASSERT_EQ(0, sched_setscheduler(0, SCHED_OTHER, &other));
		ASSERT_EQ(0, r.ret);
		ASSERT_EQ(1U, r.res[0].generation);
		ASSERT_EQ(3, r.res[0].error);
		if (!any) {
			ASSERT_EQ(1U, r.res[1].generation);
			ASSERT_EQ(5, r.res[1].error);
		}
		ASSERT_EQ(pid, waitpid(pid, &st, 0));
		ASSERT_EQ(0, st);
		wg_close(b);
		ASSERT_EQ(0, wg_close(a));
	}
}

/* wg_wait_any: the first group in order that completed; the others keep theirs */
TEST_F(lib, wait_any)
{
	int a = wg_create(NULL, 1, 0, 0), b = wg_create(NULL, 1, 0, 0), st;
	int fds[2] = { a, b };
	struct wg_wait res;
	pid_t pid, parent = getpid();

	ASSERT_TRUE(a >= 0 && b >= 0);
	ASSERT_EQ(-ETIMEDOUT, wg_wait_any(fds, 2, 0, &res));
	ASSERT_EQ(-ETIMEDOUT, wg_wait_any(fds, 2, wg_deadline(1000000), NULL));
	ASSERT_EQ(0, wg_done_error(b, 2));
	memset(&res, 0xcc, sizeof(res));
	ASSERT_EQ(1, wg_wait_any(fds, 2, WG_FOREVER, &res));
	ASSERT_EQ(1U, res.generation);
	ASSERT_EQ(2, res.error);
	ASSERT_EQ(-EAGAIN, wg_trywait(a, NULL));
	ASSERT_EQ(0, wg_done(a));
	ASSERT_EQ(0, wg_wait_any(fds, 2, 0, &res));	/* both ready: the first */
	ASSERT_EQ(1U, res.generation);
	ASSERT_EQ(0, res.error);

	/* Released by a completion that happens while it waits. */
	ASSERT_EQ(0, wg_add(a, 1, 0));
	ASSERT_EQ(0, wg_add(b, 1, 0));
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid) {
		until_epoll_registered(parent);
		_exit(wg_done_error(b, 8) ? 1 : 0);
	}
	ASSERT_EQ(1, wg_wait_any(fds, 2, wg_deadline(30000000000LL), &res));
	ASSERT_EQ(2U, res.generation);
	ASSERT_EQ(8, res.error);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_EQ(-EINVAL, wg_wait_any(fds, 0, 0, &res));
	ASSERT_EQ(1, count_of(a));
	wg_close(b);
	ASSERT_EQ(0, wg_close(a));
}

/* permissions: EACCES, EPERM for another user */
TEST_F(lib, permissions)
{
	char name[WG_NAME_MAX], name2[WG_NAME_MAX];
	int fd, fd2, st;
	pid_t pid;

	if (geteuid() != 0) {
		SKIP(return, "not root: skipping");
	}
	strcpy(name, uname_("perm"));
	strcpy(name2, uname_("perm2"));
	fd = wg_create(name, 0, 0600, WG_EXCL);
	fd2 = wg_create(name2, 0, 0604, WG_EXCL);
	ASSERT_TRUE(fd >= 0 && fd2 >= 0);
	pid = fork();
	ASSERT_TRUE(pid >= 0);
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
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_EQ(0, st);
	ASSERT_EQ(0, wg_unlink(name));
	ASSERT_EQ(0, wg_unlink(name2));
	wg_close(fd2);
	ASSERT_EQ(0, wg_close(fd));
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
TEST_F(lib, cmd_progress_tty)
{
	char name[WG_NAME_MAX], buf[8192] = "";
	int fd, m, st;
	size_t have = 0;
	pid_t pid;

	if (system("command -v waitgroup >/dev/null 2>&1")) {
		SKIP(return, "no waitgroup command on PATH");
	}
	strcpy(name, uname_("bar"));
	fd = wg_create(name, 2, 0600, WG_EXCL);
	ASSERT_TRUE(fd >= 0);
	m = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_TRUE(m >= 0 && !grantpt(m) && !unlockpt(m));
	pid = fork();
	ASSERT_TRUE(pid >= 0);
	if (!pid) {
		int s;

		setsid();
		s = open(ptsname(m), O_RDWR);
		if (s < 0 || dup2(s, STDERR_FILENO) < 0)
			_exit(100);
		/* A terminal that can redraw (the VM's TERM is dumb). */
		setenv("TERM", "xterm", 1);
		execlp("waitgroup", "waitgroup", "wait", name, "--progress", NULL);
		_exit(101);
	}
	/* Each step waits for the bar to show the state before it. */
	ASSERT_TRUE(pty_expect(m, buf, sizeof(buf), &have, "] 0/2 done"));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_TRUE(pty_expect(m, buf, sizeof(buf), &have, "] 1/2 done"));
	ASSERT_NE(NULL, strstr(buf, "[####################--------------------] 1/2"));
	ASSERT_EQ(0, wg_done(fd));
	ASSERT_TRUE(pty_expect(m, buf, sizeof(buf), &have, "] 2/2 done"));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	ASSERT_EQ(0, wg_unlink(name));
	close(m);
	ASSERT_EQ(0, wg_close(fd));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access(WG_DEVICE_PATH, R_OK | W_OK)) {
		printf("TAP version 13\n1..0 # SKIP no %s\n", WG_DEVICE_PATH);
		printf("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0\n");
		return 77;
	}
	return test_harness_run(argc, argv);
}
