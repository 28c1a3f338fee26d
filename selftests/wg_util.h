/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the waitgroup kselftests on top of the raw ABI of wg_sys.h;
 * includes the kselftest harness. Like the sys_wg_*() calls, every helper
 * returns the ioctl's result or a negative errno, so a check reads
 * EXPECT_EQ(-EINVAL, sys_wg_add(fd, 1, 0, 5, 0)).
 */
#ifndef WG_UTIL_H
#define WG_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "wg_sys.h"

/*
 * The 6.1 harness does not build cleanly with -Wextra (an unused
 * parameter in its SIGALRM handler); silence that for the header only.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

/*
 * The 6.1 harness runs the test body even when FIXTURE_SETUP() calls
 * SKIP(return, ...), because SKIP() marks the test passed. Jumping back to
 * the harness's setjmp() instead ends the test before the body and the
 * teardown, and the child still exits with the harness's SKIP status.
 */
#define WG_SKIP_SETUP(fmt, ...) \
	SKIP(longjmp(_metadata->env, 1), fmt, ##__VA_ARGS__)

/* Open the control device, or skip the test when the module is absent. */
#define WG_OPEN_DEV_OR_SKIP(dev) do { \
	(dev) = open(WG_DEV, O_RDWR | O_CLOEXEC); \
	if ((dev) < 0 && (errno == ENOENT || errno == ENODEV || \
			  errno == ENXIO)) \
		WG_SKIP_SETUP("%s: %s (module not loaded)", WG_DEV, \
			      strerror(errno)); \
	ASSERT_LE(0, (dev)) \
		TH_LOG("open %s: %s", WG_DEV, strerror(errno)); \
} while (0)

static inline int wg_create_anon(int dev, __s32 count)
{
	return sys_wg_create(dev, WG_CLOEXEC, 0, count, NULL);
}

/* Wait at most @ms milliseconds from now. */
static inline int wg_wait_ms(int fd, unsigned int ms, struct wg_wait *w)
{
	return sys_wg_wait(fd, wg_now_ns() + ms * NSEC_PER_MSEC, 0, w);
}

/* The counter, or INT_MIN when WG_IOC_INFO fails. */
static inline int wg_count(int fd)
{
	struct wg_info info;

	return sys_wg_info(fd, &info) ? INT_MIN : info.count;
}

static inline long long wg_generation(int fd)
{
	struct wg_info info;

	return sys_wg_info(fd, &info) ? -1 : (long long)info.generation;
}

/*
 * Spin (yielding) until the __u32 field at @off of @fd's wg_info (waiters,
 * room_waiters) reads @n. Bounded: gives up after @ms milliseconds and
 * returns -ETIMEDOUT; -errno if the info fails.
 */
static inline int wg_wait_for_info(int fd, size_t off, unsigned int n,
				   unsigned int ms)
{
	__u64 end = wg_now_ns() + ms * NSEC_PER_MSEC;
	struct wg_info info;
	__u32 v;

	for (;;) {
		if (sys_wg_info(fd, &info))
			return -errno;
		memcpy(&v, (char *)&info + off, sizeof(v));
		if (v == n)
			return 0;
		if (wg_now_ns() > end)
			return -ETIMEDOUT;
		sched_yield();
	}
}

/* Until @fd's group has exactly @n sleeping waiters. */
static inline int wg_wait_for_waiters(int fd, unsigned int n, unsigned int ms)
{
	return wg_wait_for_info(fd, offsetof(struct wg_info, waiters), n, ms);
}

/* Until exactly @n adds wait for room. */
static inline int wg_wait_for_room_waiters(int fd, unsigned int n,
					   unsigned int ms)
{
	return wg_wait_for_info(fd, offsetof(struct wg_info, room_waiters), n, ms);
}

/* A name unique to this process and @tag. */
static inline void wg_name(char *buf, const char *tag)
{
	snprintf(buf, WG_NAME_MAX, "wgst.%d.%s", (int)getpid(), tag);
}

/* Value of "key:" in /proc/self/fdinfo/@fd, or -1. */
static inline long long wg_fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	long long val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			val = strtoll(line + klen + 1, NULL, 0);
			break;
		}
	}
	fclose(f);
	return val;
}

/* Exit status of child @pid: its exit code, or 128 + signal. */
static inline int wg_reap(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return wg_wait_status(status);
}

/* A number from a sysfs file (a module parameter, refcnt), or -1. */
static inline long wg_read_long(const char *path)
{
	char buf[32];
	long val = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		val = strtol(buf, NULL, 10);
	fclose(f);
	return val;
}

/*
 * The number after "@key:" in a /proc file of "key: value" lines
 * (/proc/meminfo, /proc/PID/status), or -1.
 */
static inline long wg_proc_field(const char *path, const char *key)
{
	size_t len = strlen(key);
	char line[256];
	long val = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			val = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return val;
}

/* The module's parameters. */
#define NR_GROUPS	"/sys/module/waitgroup/parameters/nr_groups"
#define PER_USER	"/sys/module/waitgroup/parameters/max_groups_per_user"

/* Write "@val\n" to a sysfs or proc file; 0 or -errno. */
static inline int wg_write_long(const char *path, long val)
{
	FILE *f = fopen(path, "we");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%ld\n", val) < 0 ? -EIO : 0;
	if (fclose(f))
		ret = -errno;
	return ret;
}

/*
 * In a forked child with real uid @ruid and effective @euid (gid alike, no
 * supplementary groups): create up to @want anonymous groups. Returns how
 * many it got before ENOSPC (the child's exit status), or 200+ on another
 * error. With @report >= 0, the child then writes a byte to @report and
 * holds its groups until it can read one back.
 */
static inline int wg_create_as(int dev, uid_t ruid, uid_t euid, int want,
			       int report)
{
	pid_t pid = fork();
	int n, fd;

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(ruid, ruid, ruid) ||
		    setresuid(ruid, euid, euid))
			_exit(201);
		for (n = 0; n < want; n++) {
			fd = wg_create_anon(dev, 0);
			if (fd == -ENOSPC)
				break;
			if (fd < 0)
				_exit(202);
		}
		if (report >= 0 && (write(report, "x", 1) != 1 ||
				    read(report, &fd, 1) < 0))
			_exit(203);
		_exit(n);
	}
	return wg_reap(pid);
}

/* Read one byte from @fd (blocking); 0 on success. */
static inline int wg_pipe_get(int fd)
{
	char c;

	return read(fd, &c, 1) == 1 ? 0 : -1;
}

static inline int wg_pipe_put(int fd)
{
	char c = 'x';

	return write(fd, &c, 1) == 1 ? 0 : -1;
}

/* The state letter of task @tid (of any process) in /proc, or 0. */
static inline char wg_task_state(int tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Spin (yielding) until task @tid sleeps, for a task whose only possible
 * sleep is the poll, select or wait the test is about. Bounded by @ms;
 * returns 0 or -ETIMEDOUT.
 */
static inline int wg_wait_asleep(int tid, unsigned int ms)
{
	__u64 end = wg_now_ns() + ms * NSEC_PER_MSEC;

	while (wg_task_state(tid) != 'S') {
		if (wg_now_ns() > end)
			return -ETIMEDOUT;
		sched_yield();
	}
	return 0;
}

#endif /* WG_UTIL_H */
