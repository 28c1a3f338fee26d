// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * libwaitgroup: thin wrappers over the /dev/waitgroup ioctls. Each returns
 * the ioctl's result or -errno and leaves errno as the caller had it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
 * struct wg_wait and struct wg_info grew in 1.2, struct wg_wait in 1.3,
 * both in 1.4 (uapi: "Structures only ever grow at their end"). A
 * program built against an older release passes the sizes it knew: in
 * the shared library it is bound to the *_v0 symbols below (the 1.0
 * versions of the names), which write 32 bytes of struct wg_wait and 104
 * of struct wg_info, to the *_v12 ones (the 1.2 versions), which write 40
 * of struct wg_wait and 120 of struct wg_info, or to the *_v13 ones,
 * which write 48 of struct wg_wait, in arrays too. Every version calls
 * the kernel with the whole structure, whose target a restart after a
 * signal brings back.
 * A module older than 1.2 knows only the first sizes and answers ENOTTY
 * to the others: the calls then fall back to 32 bytes. (A module of 1.2
 * takes 48 bytes: it reads the target as the zero tail of a longer
 * structure and never writes it, so every call there is a new one.)
 */
#define WG_IOC_WAIT_VER0 \
	_IOC(_IOC_READ | _IOC_WRITE, WG_IOC_MAGIC, 0x12, WG_SIZE_WAIT_VER0)
#define WG_IOC_INFO_VER0 \
	_IOC(_IOC_READ, WG_IOC_MAGIC, 0x13, WG_SIZE_INFO_VER0)
/* struct wg_wait of 1.2, up to its __pad2, and of 1.3, up to its target. */
#define WG_SIZE_WAIT_V12 40
#define WG_SIZE_WAIT_V13 48
/* struct wg_info of 1.2 and 1.3, up to its cancel_error. */
#define WG_SIZE_INFO_V12 120

#ifdef __PIC__
/* @impl is the name's version @node, not the default one. */
#define WG_COMPAT(impl, name, node) \
	__asm__(".symver " #impl "," #name "@" #node)
/* In the shared library the current function is name_vNN, name@@node. */
#define WG_IMPL(name, v) name##_##v
#define WG_DEFAULT(name, v, node) \
	__asm__(".symver " #name "_" #v "," #name "@@" #node)
#else
#define WG_COMPAT(impl, name, node)
#define WG_IMPL(name, v) name
#define WG_DEFAULT(name, v, node)
#endif
WG_DEFAULT(wg_wait, v14, LIBWAITGROUP_1.4);
WG_DEFAULT(wg_wait_timeout, v14, LIBWAITGROUP_1.4);
WG_DEFAULT(wg_trywait, v14, LIBWAITGROUP_1.4);
WG_DEFAULT(wg_wait_flags, v14, LIBWAITGROUP_1.4);
WG_DEFAULT(wg_wait_all, v14, LIBWAITGROUP_1.4);
WG_DEFAULT(wg_wait_any, v14, LIBWAITGROUP_1.4);
WG_DEFAULT(wg_info, v14, LIBWAITGROUP_1.4);
#ifdef __PIC__
int wg_wait_v14(int fd, uint64_t deadline_ns, struct wg_wait *res);
int wg_wait_timeout_v14(int fd, int64_t timeout_ns, struct wg_wait *res);
int wg_trywait_v14(int fd, struct wg_wait *res);
int wg_wait_flags_v14(int fd, uint64_t deadline_ns, unsigned int flags,
		      struct wg_wait *res);
int wg_wait_all_v14(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    struct wg_wait *res);
int wg_wait_any_v14(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    struct wg_wait *res);
int wg_info_v14(int fd, struct wg_info *info);
#endif

/*
 * WG_IOC_WAIT with @w read and written, as the kernel leaves it: the
 * result, or on ETIMEDOUT and EINTR the target to come back with.
 */
static int wait_ioctl(int fd, struct wg_wait *w)
{
	int ret = wg_ioctl(fd, WG_IOC_WAIT, w);

	/* A module before 1.2: no flags, no target, no outflags. */
	if (ret == -ENOTTY && !w->flags && !w->target) {
		w->outflags = 0;
		ret = wg_ioctl(fd, WG_IOC_WAIT_VER0, w);
	}
	return ret;
}

int wg_wait_call(int fd, struct wg_wait *w)
{
	return wait_ioctl(fd, w);
}

/*
 * A new wait, its result copied to @res (if not NULL) in @size bytes: the
 * struct wg_wait of the caller's release.
 */
static int wait_sized(int fd, uint64_t deadline_ns, unsigned int flags,
		      void *res, size_t size)
{
	struct wg_wait arg = { .deadline_ns = deadline_ns, .flags = flags };
	int ret;

	ret = wait_ioctl(fd, &arg);
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

static int trywait_sized(int fd, void *res, size_t size)
{
	int ret = wait_sized(fd, 0, 0, res, size);

	return ret == -ETIMEDOUT ? -EAGAIN : ret;
}

int WG_IMPL(wg_wait, v14)(int fd, uint64_t deadline_ns, struct wg_wait *res)
{
	return wait_sized(fd, deadline_ns, 0, res, sizeof(*res));
}

int WG_IMPL(wg_wait_flags, v14)(int fd, uint64_t deadline_ns,
				unsigned int flags, struct wg_wait *res)
{
	return wait_sized(fd, deadline_ns, flags, res, sizeof(*res));
}

int WG_IMPL(wg_wait_timeout, v14)(int fd, int64_t timeout_ns,
				  struct wg_wait *res)
{
	return wait_sized(fd, wg_deadline(timeout_ns), 0, res, sizeof(*res));
}

int WG_IMPL(wg_trywait, v14)(int fd, struct wg_wait *res)
{
	return trywait_sized(fd, res, sizeof(*res));
}

int wg_wait_v13(int fd, uint64_t deadline_ns, void *res);
WG_COMPAT(wg_wait_v13, wg_wait, LIBWAITGROUP_1.3);
int wg_wait_v13(int fd, uint64_t deadline_ns, void *res)
{
	return wait_sized(fd, deadline_ns, 0, res, WG_SIZE_WAIT_V13);
}

int wg_wait_flags_v13(int fd, uint64_t deadline_ns, unsigned int flags,
		      void *res);
WG_COMPAT(wg_wait_flags_v13, wg_wait_flags, LIBWAITGROUP_1.3);
int wg_wait_flags_v13(int fd, uint64_t deadline_ns, unsigned int flags,
		      void *res)
{
	return wait_sized(fd, deadline_ns, flags, res, WG_SIZE_WAIT_V13);
}

int wg_wait_timeout_v13(int fd, int64_t timeout_ns, void *res);
WG_COMPAT(wg_wait_timeout_v13, wg_wait_timeout, LIBWAITGROUP_1.3);
int wg_wait_timeout_v13(int fd, int64_t timeout_ns, void *res)
{
	return wait_sized(fd, wg_deadline(timeout_ns), 0, res,
			  WG_SIZE_WAIT_V13);
}

int wg_trywait_v13(int fd, void *res);
WG_COMPAT(wg_trywait_v13, wg_trywait, LIBWAITGROUP_1.3);
int wg_trywait_v13(int fd, void *res)
{
	return trywait_sized(fd, res, WG_SIZE_WAIT_V13);
}

int wg_wait_v12(int fd, uint64_t deadline_ns, void *res);
WG_COMPAT(wg_wait_v12, wg_wait, LIBWAITGROUP_1.2);
int wg_wait_v12(int fd, uint64_t deadline_ns, void *res)
{
	return wait_sized(fd, deadline_ns, 0, res, WG_SIZE_WAIT_V12);
}

int wg_wait_flags_v12(int fd, uint64_t deadline_ns, unsigned int flags,
		      void *res);
WG_COMPAT(wg_wait_flags_v12, wg_wait_flags, LIBWAITGROUP_1.2);
int wg_wait_flags_v12(int fd, uint64_t deadline_ns, unsigned int flags,
		      void *res)
{
	return wait_sized(fd, deadline_ns, flags, res, WG_SIZE_WAIT_V12);
}

int wg_wait_timeout_v12(int fd, int64_t timeout_ns, void *res);
WG_COMPAT(wg_wait_timeout_v12, wg_wait_timeout, LIBWAITGROUP_1.2);
int wg_wait_timeout_v12(int fd, int64_t timeout_ns, void *res)
{
	return wait_sized(fd, wg_deadline(timeout_ns), 0, res,
			  WG_SIZE_WAIT_V12);
}

int wg_trywait_v12(int fd, void *res);
WG_COMPAT(wg_trywait_v12, wg_trywait, LIBWAITGROUP_1.2);
int wg_trywait_v12(int fd, void *res)
{
	return trywait_sized(fd, res, WG_SIZE_WAIT_V12);
}

int wg_wait_v0(int fd, uint64_t deadline_ns, void *res);
WG_COMPAT(wg_wait_v0, wg_wait, LIBWAITGROUP_1.0);
int wg_wait_v0(int fd, uint64_t deadline_ns, void *res)
{
	return wait_sized(fd, deadline_ns, 0, res, WG_SIZE_WAIT_VER0);
}

int wg_wait_timeout_v0(int fd, int64_t timeout_ns, void *res);
WG_COMPAT(wg_wait_timeout_v0, wg_wait_timeout, LIBWAITGROUP_1.0);
int wg_wait_timeout_v0(int fd, int64_t timeout_ns, void *res)
{
	return wait_sized(fd, wg_deadline(timeout_ns), 0, res,
			  WG_SIZE_WAIT_VER0);
}

int wg_trywait_v0(int fd, void *res);
WG_COMPAT(wg_trywait_v0, wg_trywait, LIBWAITGROUP_1.0);
int wg_trywait_v0(int fd, void *res)
{
	return trywait_sized(fd, res, WG_SIZE_WAIT_VER0);
}

int WG_IMPL(wg_info, v14)(int fd, struct wg_info *info)
{
	return info_sized(fd, info, sizeof(*info));
}

int wg_info_v12(int fd, void *info);
WG_COMPAT(wg_info_v12, wg_info, LIBWAITGROUP_1.2);
int wg_info_v12(int fd, void *info)
{
	return info_sized(fd, info, WG_SIZE_INFO_V12);
}

int wg_totals(int fd, struct wg_totals *totals)
{
	struct wg_info info;
	int ret = info_sized(fd, &info, sizeof(info));

	if (!ret)
		*totals = info.totals;
	return ret;
}

int wg_info_v0(int fd, void *info);
WG_COMPAT(wg_info_v0, wg_info, LIBWAITGROUP_1.0);
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
 * call, and each group has a wait of its own, a struct wg_wait that only
 * looks (a deadline of 0) and keeps its target from one look to the next.
 * The first look, made once the descriptor is registered, returns at once
 * for a zero counter (or a completion the file has not reported) and
 * otherwise leaves there the generation the call waits for; a completion
 * makes the file readable, and the next look returns that generation's
 * own result, even if the group was re-armed and others completed since.
 */
struct wait_set {
	int ep;
	unsigned int left;	/* groups not yet completed */
	struct wg_wait *w;	/* each group's wait: its target between looks */
	unsigned char *ready;	/* each group's "look again" */
};

static void wait_set_free(struct wait_set *ws)
{
	close(ws->ep);
	free(ws->w);
	free(ws->ready);
}

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

/* A group that did not complete: WG_NO_GENERATION in a zeroed entry. */
static void no_result(void *res, size_t size)
{
	struct wg_wait none = { .generation = WG_NO_GENERATION };

	memcpy(res, &none, size);
}

static int wait_set_init(struct wait_set *ws, const int *fds,
			 unsigned int nfds, void *res, size_t size)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct wg_info info;
	unsigned int i;
	int ret;

	if (!fds || !nfds || nfds > INT32_MAX)
		return -EINVAL;
	for (i = 0; res && i < nfds; i++)
		no_result((char *)res + (size_t)i * size, size);
	/* Each a waitgroup descriptor with WG_ACCESS_WAIT, before anything. */
	for (i = 0; i < nfds; i++) {
		ret = WG_IMPL(wg_info, v14)(fds[i], &info);
		if (ret)
			return ret;
	}
	ws->w = calloc(nfds, sizeof(*ws->w));
	ws->ready = malloc(nfds);
	ws->ep = epoll_create1(EPOLL_CLOEXEC);
	if (ws->ep < 0 || !ws->w || !ws->ready) {
		ret = ws->ep < 0 ? -errno : -ENOMEM;
		goto out_free;
	}
	/* Registered before the first look, so no completion after it is missed. */
	memset(ws->ready, 1, nfds);
	for (i = 0; i < nfds; i++) {
		ev.data.u32 = i;
		if (epoll_ctl(ws->ep, EPOLL_CTL_ADD, fds[i], &ev)) {
			ret = errno == EEXIST ? -EINVAL : -errno;
			goto out_free;
		}
	}
	ws->left = nfds;
	return 0;
out_free:
	if (ws->ep >= 0)
		close(ws->ep);
	free(ws->w);
	free(ws->ready);
	return ret;
}

/*
 * Look at every group marked ready, in the caller's order: the ones that
 * completed leave the set, their results go to @res (with @any only the
 * first one's, at res[0]; the others are not looked at and keep theirs for
 * their next wait). *@first is the index of the first one that completed,
 * or -1. Returns 0 or -errno.
 */
static int wait_set_look(struct wait_set *ws, const int *fds,
			 unsigned int nfds, void *res, size_t size, int any,
			 int *first)
{
	unsigned int i;
	int ret;

	*first = -1;
	for (i = 0; i < nfds; i++) {
		if (!ws->ready[i])
			continue;
		ws->ready[i] = 0;
		ret = wait_ioctl(fds[i], &ws->w[i]);
		if (ret == -ETIMEDOUT)
			continue;
		if (ret)
			return ret;
		epoll_ctl(ws->ep, EPOLL_CTL_DEL, fds[i], NULL);
		ws->left--;
		if (res)
			memcpy((char *)res + (any ? 0 : (size_t)i * size),
			       &ws->w[i], size);
		if (*first < 0)
			*first = (int)i;
		if (any)
			break;
	}
	return 0;
}

/*
 * Until a group completes (with @any) or all have: look, sleep in epoll
 * until some are readable, look at those. Returns the index of the first
 * that completed in the last look (0 for all), -ETIMEDOUT or -errno.
 */
static int wait_set_run(const int *fds, unsigned int nfds,
			uint64_t deadline_ns, void *res, size_t size, int any)
{
	int saved = errno, ret, first, n, i;
	struct epoll_event evs[16];
	struct wait_set ws = { .ep = -1 };

	ret = wait_set_init(&ws, fds, nfds, any ? NULL : res, size);
	if (ret) {
		errno = saved;
		return ret;
	}
	for (;;) {
		ret = wait_set_look(&ws, fds, nfds, res, size, any, &first);
		if (ret || !ws.left || (any && first >= 0))
			break;
		n = epoll_wait(ws.ep, evs, 16, ms_until(deadline_ns));
		if (n < 0) {
			ret = -errno;
			break;
		}
		if (!n && deadline_ns != WG_FOREVER &&
		    wg_deadline(0) >= deadline_ns) {
			ret = -ETIMEDOUT;
			break;
		}
		for (i = 0; i < n; i++)
			ws.ready[evs[i].data.u32] = 1;
	}
	wait_set_free(&ws);
	errno = saved;
	if (ret)
		return ret;
	return any ? first : 0;
}

int WG_IMPL(wg_wait_all, v14)(const int *fds, unsigned int nfds,
			      uint64_t deadline_ns, struct wg_wait *res)
{
	return wait_set_run(fds, nfds, deadline_ns, res, sizeof(*res), 0);
}

int WG_IMPL(wg_wait_any, v14)(const int *fds, unsigned int nfds,
			      uint64_t deadline_ns, struct wg_wait *res)
{
	return wait_set_run(fds, nfds, deadline_ns, res, sizeof(*res), 1);
}

int wg_wait_all_v13(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res);
WG_COMPAT(wg_wait_all_v13, wg_wait_all, LIBWAITGROUP_1.3);
int wg_wait_all_v13(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res)
{
	return wait_set_run(fds, nfds, deadline_ns, res, WG_SIZE_WAIT_V13, 0);
}

int wg_wait_any_v13(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res);
WG_COMPAT(wg_wait_any_v13, wg_wait_any, LIBWAITGROUP_1.3);
int wg_wait_any_v13(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res)
{
	return wait_set_run(fds, nfds, deadline_ns, res, WG_SIZE_WAIT_V13, 1);
}

int wg_wait_all_v12(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res);
WG_COMPAT(wg_wait_all_v12, wg_wait_all, LIBWAITGROUP_1.2);
int wg_wait_all_v12(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res)
{
	return wait_set_run(fds, nfds, deadline_ns, res, WG_SIZE_WAIT_V12, 0);
}

int wg_wait_any_v12(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res);
WG_COMPAT(wg_wait_any_v12, wg_wait_any, LIBWAITGROUP_1.2);
int wg_wait_any_v12(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		    void *res)
{
	return wait_set_run(fds, nfds, deadline_ns, res, WG_SIZE_WAIT_V12, 1);
}
