/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw waitgroup ABI as the selftests, the fuzzer and the benchmark
 * use it: one sys_wg_*() call an ioctl, its arguments in the order of the
 * uapi structure's fields (the name last), returning the ioctl's result
 * (a file descriptor or 0) or a negative errno; a monotonic clock; the
 * name rule; and the decoding of a wait status. No test harness here:
 * selftests/wg_util.h adds the kselftest one.
 */
#ifndef WG_SYS_H
#define WG_SYS_H

#include <errno.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <linux/waitgroup.h>

#define WG_DEV "/dev/waitgroup"
#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

static inline int sys_wg_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* ioctl number @cmd with the structure size @size encoded instead. */
static inline unsigned long wg_ioc_sized(unsigned long cmd, size_t size)
{
	return (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       ((unsigned long)size << _IOC_SIZESHIFT);
}

/* Copy @name (NULL: the empty, anonymous name) into a WG_NAME_MAX buffer. */
static inline void wg_set_name(char *dst, const char *name)
{
	memset(dst, 0, WG_NAME_MAX);
	if (name)
		memcpy(dst, name, strnlen(name, WG_NAME_MAX));
}

/*
 * The name rule of <linux/waitgroup.h>: 1 to WG_NAME_MAX - 1 characters
 * of printable, non-space ASCII other than '/'.
 */
static inline bool wg_name_valid(const char *name)
{
	size_t i, len = strnlen(name, WG_NAME_MAX);

	if (!len || len == WG_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e || name[i] == '/')
			return false;
	return true;
}

static inline int sys_wg_create(int dev, __u32 flags, __u32 mode,
				__s32 count, const char *name)
{
	struct wg_create c;

	memset(&c, 0, sizeof(c));
	c.flags = flags;
	c.mode = mode;
	c.count = count;
	wg_set_name(c.name, name);
	return sys_wg_ioctl(dev, WG_IOC_CREATE, &c);
}

static inline int sys_wg_create_limit(int dev, __u32 flags, __s32 count,
				      __u32 limit, const char *name)
{
	struct wg_create c;

	memset(&c, 0, sizeof(c));
	c.flags = flags;
	c.count = count;
	c.limit = limit;
	wg_set_name(c.name, name);
	return sys_wg_ioctl(dev, WG_IOC_CREATE, &c);
}

static inline int sys_wg_open(int dev, __u32 flags, const char *name)
{
	struct wg_open o;

	memset(&o, 0, sizeof(o));
	o.flags = flags;
	wg_set_name(o.name, name);
	return sys_wg_ioctl(dev, WG_IOC_OPEN, &o);
}

static inline int sys_wg_unlink(int dev, const char *name)
{
	struct wg_open o;

	memset(&o, 0, sizeof(o));
	wg_set_name(o.name, name);
	return sys_wg_ioctl(dev, WG_IOC_UNLINK, &o);
}

/* @pad is the __pad field, nonzero only to test that it is refused. */
/* WG_IOC_ADD_VAL with a raw argument: the delta low, the flags high. */
static inline int sys_wg_add_val_raw(int fd, unsigned long arg)
{
	return ioctl(fd, WG_IOC_ADD_VAL, arg) < 0 ? -errno : 0;
}

static inline int sys_wg_add_val(int fd, __s32 delta, __u32 flags)
{
	return sys_wg_add_val_raw(fd, WG_ADD_VAL(delta, flags));
}

static inline int sys_wg_add(int fd, __s32 delta, __u32 flags, __s32 error,
			     __u32 pad)
{
	struct wg_add a;

	memset(&a, 0, sizeof(a));
	a.delta = delta;
	a.flags = flags;
	a.error = error;
	a.__pad = pad;
	return sys_wg_ioctl(fd, WG_IOC_ADD, &a);
}

/* WG_IOC_ADD with WG_ADD_WAIT (and @flags) until @deadline_ns. */
static inline int sys_wg_add_wait(int fd, __s32 delta, __u32 flags,
				  __u64 deadline_ns)
{
	struct wg_add a;

	memset(&a, 0, sizeof(a));
	a.delta = delta;
	a.flags = flags | WG_ADD_WAIT;
	a.deadline_ns = deadline_ns;
	return sys_wg_ioctl(fd, WG_IOC_ADD, &a);
}

static inline int sys_wg_limit(int fd, __u32 limit)
{
	return sys_wg_ioctl(fd, WG_IOC_LIMIT, &limit);
}

static inline int sys_wg_cancel(int fd, __s32 error, __u32 flags)
{
	struct wg_cancel c = { .error = error, .flags = flags };

	return sys_wg_ioctl(fd, WG_IOC_CANCEL, &c);
}

static inline int sys_wg_done(int fd)
{
	int ret = ioctl(fd, WG_IOC_DONE, 0);

	return ret < 0 ? -errno : ret;
}

/*
 * Wait until @deadline_ns (CLOCK_MONOTONIC, or WG_FOREVER) for generation
 * @target, or as a new wait if @target is 0. The output fields of *w are
 * prefilled with 0xcc so the caller can see what the kernel wrote; the
 * kernel leaves in w->target what a re-issued call passes back.
 */
static inline int sys_wg_wait_target(int fd, __u64 deadline_ns, __u32 flags,
				     __u64 target, struct wg_wait *w)
{
	struct wg_wait local;

	if (!w)
		w = &local;
	memset(w, 0xcc, sizeof(*w));
	w->deadline_ns = deadline_ns;
	w->flags = flags;
	w->__pad = 0;
	w->target = target;
	return sys_wg_ioctl(fd, WG_IOC_WAIT, w);
}

/* A new wait (target 0), as sys_wg_wait_target(). */
static inline int sys_wg_wait(int fd, __u64 deadline_ns, __u32 flags,
			      struct wg_wait *w)
{
	return sys_wg_wait_target(fd, deadline_ns, flags, 0, w);
}

/*
 * WG_IOC_WAIT with *@w as it is, as a structure of @size bytes: the size
 * a program built against an older header sends (WG_SIZE_WAIT_VER0, or
 * version 1.2's 40 bytes without the target), or the full one to re-issue
 * a call with the target an earlier one left.
 */
static inline int sys_wg_wait_sized(int fd, size_t size, void *w)
{
	return sys_wg_ioctl(fd, wg_ioc_sized(WG_IOC_WAIT, size), w);
}

/* *info is prefilled with 0xcc, as for sys_wg_wait(). */
static inline int sys_wg_info(int fd, struct wg_info *info)
{
	memset(info, 0xcc, sizeof(*info));
	return sys_wg_ioctl(fd, WG_IOC_INFO, info);
}

static inline int sys_wg_dup(int fd, __u32 flags)
{
	return sys_wg_ioctl(fd, WG_IOC_DUP, &flags);
}

/*
 * List names into @names, up to @count of them, from *@cursor on; the
 * number listed, or -errno. *@cursor becomes the cursor to resume from.
 */
static inline int sys_wg_list(int dev, char (*names)[WG_NAME_MAX],
			      __u32 count, __u32 flags, __u64 *cursor)
{
	struct wg_list l;
	int ret;

	memset(&l, 0, sizeof(l));
	l.names = (uintptr_t)names;
	l.count = count;
	l.flags = flags;
	l.cursor = *cursor;
	ret = sys_wg_ioctl(dev, WG_IOC_LIST, &l);
	if (ret)
		return ret;
	*cursor = l.cursor;
	return (int)l.count;
}

/* CLOCK_MONOTONIC in nanoseconds: the clock of wg_wait.deadline_ns. */
static inline __u64 wg_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * NSEC_PER_SEC + (__u64)ts.tv_nsec;
}

/*
 * A wait status as a shell reports it: the exit code, 128 + the signal
 * for a killed process, or -1 for anything else (stopped, continued).
 */
static inline int wg_wait_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

#endif /* WG_SYS_H */
