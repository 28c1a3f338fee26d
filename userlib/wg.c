// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libwaitgroup: thin wrappers over the /dev/waitgroup ioctls. Each returns
 * the ioctl's result or -errno and leaves errno as the caller had it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "waitgroup.h"

#define NSEC_PER_SEC 1000000000ULL

/* ioctl(2) as the library reports it: the result or -errno. */
static int wg_ioctl(int fd, unsigned long cmd, void *arg)
{
	int saved = errno, ret;

	ret = ioctl(fd, cmd, arg);
	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

/* One ioctl on the control device, opened for this call only. */
static int wg_ctl(unsigned long cmd, void *arg)
{
	int saved = errno, ctl, ret;

	ctl = open(WG_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		ret = -errno;
		errno = saved;
		return ret;
	}
	ret = wg_ioctl(ctl, cmd, arg);
	close(ctl);
	errno = saved;
	return ret;
}

/* Copy @name into a WG_NAME_MAX buffer, as the kernel would judge it. */
static int wg_copy_name(char *dst, const char *name, int empty_ok)
{
	size_t len;

	if (!name)
		name = "";
	len = strlen(name);
	if (len >= WG_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len && !empty_ok)
		return -EINVAL;
	memcpy(dst, name, len + 1);
	return 0;
}

int wg_create(const char *name, int count, unsigned int mode,
	      unsigned int flags)
{
	struct wg_create arg = { .flags = flags, .mode = mode, .count = count };
	int ret;

	ret = wg_copy_name(arg.name, name, 1);
	if (ret)
		return ret;
	return wg_ctl(WG_IOC_CREATE, &arg);
}

int wg_open(const char *name, unsigned int flags)
{
	struct wg_open arg = { .flags = flags };
	int ret;

	ret = wg_copy_name(arg.name, name, 0);
	if (ret)
		return ret;
	return wg_ctl(WG_IOC_OPEN, &arg);
}

int wg_unlink(const char *name)
{
	struct wg_open arg = { 0 };
	int ret;

	ret = wg_copy_name(arg.name, name, 0);
	if (ret)
		return ret;
	return wg_ctl(WG_IOC_UNLINK, &arg);
}

int wg_list(char (*names)[WG_NAME_MAX], unsigned int count, uint64_t *cursor)
{
	struct wg_list arg = { 0 };
	int ret;

	arg.names = (uintptr_t)names;
	arg.count = count;
	arg.cursor = *cursor;
	ret = wg_ctl(WG_IOC_LIST, &arg);
	if (ret)
		return ret;
	*cursor = arg.cursor;
	return (int)arg.count;
}

int wg_dup(int fd, unsigned int flags)
{
	__u32 arg = flags;

	return wg_ioctl(fd, WG_IOC_DUP, &arg);
}

int wg_close(int fd)
{
	int saved = errno, ret;

	ret = close(fd) ? -errno : 0;
	errno = saved;
	return ret;
}

int wg_add_error(int fd, int delta, unsigned int flags, int error)
{
	struct wg_add arg = { .delta = delta, .flags = flags, .error = error };

	return wg_ioctl(fd, WG_IOC_ADD, &arg);
}

int wg_add(int fd, int delta, unsigned int flags)
{
	return wg_add_error(fd, delta, flags, 0);
}

int wg_done(int fd)
{
	return wg_ioctl(fd, WG_IOC_DONE, NULL);
}

int wg_done_error(int fd, int error)
{
	if (!error)
		return wg_done(fd);
	return wg_add_error(fd, -1, 0, error);
}

int wg_wait(int fd, uint64_t deadline_ns, struct wg_wait *res)
{
	struct wg_wait arg = { .deadline_ns = deadline_ns };
	int ret;

	ret = wg_ioctl(fd, WG_IOC_WAIT, &arg);
	if (!ret && res)
		*res = arg;
	return ret;
}

uint64_t wg_deadline(int64_t timeout_ns)
{
	struct timespec now;
	uint64_t t;

	if (timeout_ns < 0)
		return WG_FOREVER;
	clock_gettime(CLOCK_MONOTONIC, &now);
	t = (uint64_t)now.tv_sec * NSEC_PER_SEC + (uint64_t)now.tv_nsec;
	if ((uint64_t)timeout_ns >= WG_FOREVER - t)
		return WG_FOREVER - 1;
	return t + (uint64_t)timeout_ns;
}

int wg_wait_timeout(int fd, int64_t timeout_ns, struct wg_wait *res)
{
	return wg_wait(fd, wg_deadline(timeout_ns), res);
}

int wg_trywait(int fd, struct wg_wait *res)
{
	int ret = wg_wait(fd, 0, res);

	return ret == -ETIMEDOUT ? -EAGAIN : ret;
}

int wg_info(int fd, struct wg_info *info)
{
	return wg_ioctl(fd, WG_IOC_INFO, info);
}
