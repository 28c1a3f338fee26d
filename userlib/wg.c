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
#include <sys/epoll.h>
#include <sys/ioctl.h>

#include "waitgroup.h"

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

/* ioctl(2) as the library reports it: the result or -errno. */
static int wg_ioctl_val(int fd, unsigned long cmd, unsigned long arg)
{
	int saved = errno, ret;

	ret = ioctl(fd, cmd, arg);
	if (ret < 0)
		ret = -errno;
	errno = saved;
	return ret;
}

static int wg_ioctl(int fd, unsigned long cmd, void *arg)
{
	return wg_ioctl_val(fd, cmd, (unsigned long)arg);
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

/* Without a limit, the first version's size: every module knows it. */
#define WG_IOC_CREATE_VER0 \
	_IOC(_IOC_WRITE, WG_IOC_MAGIC, 0x00, WG_SIZE_CREATE_VER0)

int wg_create_limit(const char *name, int count, unsigned int mode,
		    unsigned int flags, unsigned int limit)
{
	struct wg_create arg = {
		.flags = flags, .mode = mode, .count = count, .limit = limit,
	};
	int ret;

	ret = wg_copy_name(arg.name, name, 1);
	if (ret)
		return ret;
	return wg_ctl(limit ? WG_IOC_CREATE : WG_IOC_CREATE_VER0, &arg);
}

int wg_create(const char *name, int count, unsigned int mode,
	      unsigned int flags)
{
	return wg_create_limit(name, count, mode, flags, 0);
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

/* Without a deadline, the first version's size: every module knows it. */
#define WG_IOC_ADD_VER0 _IOC(_IOC_WRITE, WG_IOC_MAGIC, 0x10, WG_SIZE_ADD_VER0)

/* A module older than 1.2 has no WG_IOC_ADD_VAL: set on its first ENOTTY. */
static int no_add_val;

int wg_add_error(int fd, int delta, unsigned int flags, int error)
{
	struct wg_add arg = { .delta = delta, .flags = flags, .error = error };
	int ret;

	/* The delta and WG_UNDO in the argument: nothing copied from memory. */
	if (!error && !(flags & ~WG_UNDO) && sizeof(long) == 8 &&
	    !__atomic_load_n(&no_add_val, __ATOMIC_RELAXED)) {
		ret = wg_ioctl_val(fd, WG_IOC_ADD_VAL, WG_ADD_VAL(delta, flags));
		if (ret != -ENOTTY)
			return ret;
		/* Not a group, or an older module: the structure tells. */
		ret = wg_ioctl(fd, WG_IOC_ADD_VER0, &arg);
		if (ret != -ENOTTY)
			__atomic_store_n(&no_add_val, 1, __ATOMIC_RELAXED);
		return ret;
	}
	return wg_ioctl(fd, WG_IOC_ADD_VER0, &arg);
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

/*
 * struct wg_wait and struct wg_info grew in 1.2 (uapi: "Structures only
 * ever grow at their end"). A program built against 1.0 or 1.1 passes the
 * first version's sizes: in the shared library it is bound to the *_v0
 * symbols below (the 1.0 versions of the names), which write no more than
 * that. Against a module older than 1.2, which knows only the first
 * sizes, the calls fall back to them (ENOTTY).
 */
#define WG_IOC_WAIT_VER0 \
	_IOC(_IOC_READ | _IOC_WRITE, WG_IOC_MAGIC, 0x12, WG_SIZE_WAIT_VER0)
#define WG_IOC_INFO_VER0 \
	_IOC(_IOC_READ, WG_IOC_MAGIC, 0x13, WG_SIZE_INFO_VER0)

#ifdef __PIC__
#define WG_COMPAT(impl, name) \
	__asm__(".symver " #impl "," #name "@LIBWAITGROUP_1.0")
/* In the shared library the 1.2 function is name_v12, name@@1.2. */
#define WG_V12(name) name##_v12
#define WG_DEFAULT(name) \
	__asm__(".symver " #name "_v12," #name "@@LIBWAITGROUP_1.2")
#else
#define WG_COMPAT(impl, name)
#define WG_V12(name) name
#define WG_DEFAULT(name)
#endif
WG_DEFAULT(wg_wait);
WG_DEFAULT(wg_wait_timeout);
WG_DEFAULT(wg_trywait);
WG_DEFAULT(wg_info);
#ifdef __PIC__
int wg_wait_v12(int fd, uint64_t deadline_ns, struct wg_wait *res);
int wg_wait_timeout_v12(int fd, int64_t timeout_ns, struct wg_wait *res);
int wg_trywait_v12(int fd, struct wg_wait *res);
int wg_info_v12(int fd, struct wg_info *info);
#endif

static int wait_sized(int fd, uint64_t deadline_ns, unsigned int flags,
		      void *res, size_t size)
{
	struct wg_wait arg = { .deadline_ns = deadline_ns, .flags = flags };
	int ret;

	ret = wg_ioctl(fd, WG_IOC_WAIT, &arg);
	if (ret == -ENOTTY && !flags)
		ret = wg_ioctl(fd, WG_IOC_WAIT_VER0, &arg);
	if (!ret && res)
		memcpy(res, &arg, size);
	return ret;
}

static int info_sized(int fd, void *info, size_t size)
{
	struct wg_info arg;
	int ret;

	memset(&arg, 0, sizeof(arg));
	ret = wg_ioctl(fd, WG_IOC_INFO, &arg);
	if (ret == -ENOTTY)
		ret = wg_ioctl(fd, WG_IOC_INFO_VER0, &arg);
	if (!ret)
		memcpy(info, &arg, size);
	return ret;
}

int WG_V12(wg_wait)(int fd, uint64_t deadline_ns, struct wg_wait *res)
{
	return wait_sized(fd, deadline_ns, 0, res, sizeof(*res));
}

int wg_wait_flags(int fd, uint64_t deadline_ns, unsigned int flags,
		  struct wg_wait *res)
{
	return wait_sized(fd, deadline_ns, flags, res, sizeof(*res));
}

int wg_wait_v0(int fd, uint64_t deadline_ns, void *res);
WG_COMPAT(wg_wait_v0, wg_wait);
int wg_wait_v0(int fd, uint64_t deadline_ns, void *res)
{
	return wait_sized(fd, deadline_ns, 0, res, WG_SIZE_WAIT_VER0);
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

int WG_V12(wg_wait_timeout)(int fd, int64_t timeout_ns, struct wg_wait *res)
{
	return WG_V12(wg_wait)(fd, wg_deadline(timeout_ns), res);
}

int wg_wait_timeout_v0(int fd, int64_t timeout_ns, void *res);
WG_COMPAT(wg_wait_timeout_v0, wg_wait_timeout);
int wg_wait_timeout_v0(int fd, int64_t timeout_ns, void *res)
{
	return wg_wait_v0(fd, wg_deadline(timeout_ns), res);
}

int WG_V12(wg_trywait)(int fd, struct wg_wait *res)
{
	int ret = WG_V12(wg_wait)(fd, 0, res);

	return ret == -ETIMEDOUT ? -EAGAIN : ret;
}

int wg_trywait_v0(int fd, void *res);
WG_COMPAT(wg_trywait_v0, wg_trywait);
int wg_trywait_v0(int fd, void *res)
{
	int ret = wg_wait_v0(fd, 0, res);

	return ret == -ETIMEDOUT ? -EAGAIN : ret;
}

int WG_V12(wg_info)(int fd, struct wg_info *info)
{
	return info_sized(fd, info, sizeof(*info));
}

int wg_info_v0(int fd, void *info);
WG_COMPAT(wg_info_v0, wg_info);
int wg_info_v0(int fd, void *info)
{
	return info_sized(fd, info, WG_SIZE_INFO_VER0);
}

int wg_add_wait(int fd, int delta, unsigned int flags, uint64_t deadline_ns)
{
	struct wg_add arg = {
		.delta = delta,
		.flags = flags | WG_ADD_WAIT,
		.deadline_ns = deadline_ns,
	};

	return wg_ioctl(fd, WG_IOC_ADD, &arg);
}

int wg_set_limit(int fd, unsigned int limit)
{
	uint32_t arg = limit;

	return wg_ioctl(fd, WG_IOC_LIMIT, &arg);
}

int wg_cancel(int fd, int error)
{
	struct wg_cancel arg = { .error = error };

	return wg_ioctl(fd, WG_IOC_CANCEL, &arg);
}

/*
 * Several groups: one epoll instance holds every descriptor for the whole
 * call. While a file is registered, a completion that the kernel sees on
 * it is latched (uapi: "The poll latch"), so a group that completes and
 * is re-armed at once is not missed; poll(2) in a loop would lose it
 * while between two calls. A readable descriptor is then asked with a
 * deadline of 0, which takes the latched completion or finds the counter
 * zero; EAGAIN means it was re-armed after a zero and is waited for on.
 */
struct wait_set {
	int ep;
	unsigned int left;	/* groups not yet completed */
};

/* Milliseconds for epoll_wait() until @deadline_ns, rounded up; -1: never. */
static int ms_until(uint64_t deadline_ns)
{
	uint64_t now, ms;

	if (deadline_ns == WG_FOREVER)
		return -1;
	now = wg_deadline(0);
	if (now >= deadline_ns)
		return 0;
	ms = (deadline_ns - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC;
	return ms > INT32_MAX ? INT32_MAX : (int)ms;
}

static int wait_set_init(struct wait_set *ws, const int *fds,
			 unsigned int nfds, struct wg_wait *res)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct wg_info info;
	unsigned int i;
	int ret;

	if (!fds || !nfds || nfds > INT32_MAX)
		return -EINVAL;
	for (i = 0; res && i < nfds; i++)
		res[i] = (struct wg_wait){ .generation = WG_NO_GENERATION };
	/* Each a waitgroup descriptor with WG_ACCESS_WAIT, before anything. */
	for (i = 0; i < nfds; i++) {
		ret = WG_V12(wg_info)(fds[i], &info);
		if (ret)
			return ret;
	}
	ws->ep = epoll_create1(EPOLL_CLOEXEC);
	if (ws->ep < 0)
		return -errno;
	for (i = 0; i < nfds; i++) {
		ev.data.u32 = i;
		if (epoll_ctl(ws->ep, EPOLL_CTL_ADD, fds[i], &ev)) {
			ret = errno == EEXIST ? -EINVAL : -errno;
			close(ws->ep);
			return ret;
		}
	}
	ws->left = nfds;
	return 0;
}

/*
 * Wait until some descriptors are readable and take their completions:
 * all of them, or with @any only the lowest-indexed one's (the others keep
 * theirs for their next wait). *@first is that index, or -1 if no group
 * completed in this round. Returns 0, -ETIMEDOUT or another -errno.
 */
static int wait_set_round(struct wait_set *ws, const int *fds,
			  uint64_t deadline_ns, struct wg_wait *res, int any,
			  int *first)
{
	struct epoll_event evs[16];
	int n, i, j, ret;
	unsigned int idx;
	struct wg_wait r;

	*first = -1;
	n = epoll_wait(ws->ep, evs, 16, ms_until(deadline_ns));
	if (n < 0)
		return -errno;
	if (!n && deadline_ns != WG_FOREVER && wg_deadline(0) >= deadline_ns)
		return -ETIMEDOUT;
	/* Lowest index first, so that wait_any's choice is the caller's order. */
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && evs[j - 1].data.u32 > evs[j].data.u32; j--) {
			struct epoll_event tmp = evs[j];

			evs[j] = evs[j - 1];
			evs[j - 1] = tmp;
		}
	}
	for (i = 0; i < n; i++) {
		idx = evs[i].data.u32;
		ret = WG_V12(wg_trywait)(fds[idx], &r);
		if (ret == -EAGAIN)
			continue;
		if (ret)
			return ret;
		epoll_ctl(ws->ep, EPOLL_CTL_DEL, fds[idx], NULL);
		ws->left--;
		if (res)
			res[any ? 0 : idx] = r;
		if (*first < 0)
			*first = idx;
		if (any)
			break;
	}
	return 0;
}

int wg_wait_all(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		struct wg_wait *res)
{
	int saved = errno, ret, first;
	struct wait_set ws;

	ret = wait_set_init(&ws, fds, nfds, res);
	if (ret)
		return ret;
	while (ws.left && !ret)
		ret = wait_set_round(&ws, fds, deadline_ns, res, 0, &first);
	close(ws.ep);
	errno = saved;
	return ret;
}

int wg_wait_any(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		struct wg_wait *res)
{
	int saved = errno, ret, first = -1;
	struct wait_set ws;

	ret = wait_set_init(&ws, fds, nfds, NULL);
	if (ret)
		return ret;
	while (first < 0 && !ret)
		ret = wait_set_round(&ws, fds, deadline_ns, res, 1, &first);
	close(ws.ep);
	errno = saved;
	return ret ? ret : first;
}
