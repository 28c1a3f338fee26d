// SPDX-License-Identifier: GPL-2.0
/*
 * wg_abi_smoke: every waitgroup ioctl once, using nothing but
 * <linux/waitgroup.h> and libc. Prints "ok"/"not ok" lines; exits 1 on any
 * failure, 4 (kselftest SKIP) if /dev/waitgroup is absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/waitgroup.h>

static int failures;
static int num;

static void check(int cond, const char *what, int err)
{
	num++;
	if (cond) {
		printf("ok %d %s\n", num, what);
	} else {
		printf("not ok %d %s (%s)\n", num, what, strerror(err));
		failures++;
	}
}

int main(void)
{
	struct wg_create c;
	struct wg_open o;
	struct wg_add a;
	struct wg_wait w;
	struct wg_info info;
	struct wg_list l;
	char names[WG_LIST_MAX][WG_NAME_MAX];
	__u32 i, found;
	__u32 dflags = WG_CLOEXEC, lim;
	struct wg_cancel cn;
	int dev, fd, fd2, dupfd, ret;

	dev = open("/dev/waitgroup", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		printf("1..0 # SKIP /dev/waitgroup: %s\n", strerror(errno));
		return 4;
	}
	printf("1..10\n");

	memset(&c, 0, sizeof(c));
	c.flags = WG_CLOEXEC | WG_EXCL;
	c.mode = 0600;
	c.count = 0;
	snprintf(c.name, WG_NAME_MAX, "wg_abi_smoke.%d", (int)getpid());
	fd = ioctl(dev, WG_IOC_CREATE, &c);
	check(fd >= 0, "WG_IOC_CREATE", errno);

	memset(&o, 0, sizeof(o));
	o.flags = WG_CLOEXEC;
	memcpy(o.name, c.name, WG_NAME_MAX);
	fd2 = ioctl(dev, WG_IOC_OPEN, &o);
	check(fd2 >= 0, "WG_IOC_OPEN", errno);

	memset(&a, 0, sizeof(a));
	a.delta = 2;
	a.flags = WG_UNDO;
	ret = ioctl(fd, WG_IOC_ADD, &a);
	check(ret == 0, "WG_IOC_ADD", errno);

	ret = ioctl(fd2, WG_IOC_DONE);
	check(ret == 0, "WG_IOC_DONE", errno);

	dupfd = ioctl(fd, WG_IOC_DUP, &dflags);
	check(dupfd >= 0, "WG_IOC_DUP", errno);

	memset(&info, 0xcc, sizeof(info));
	ret = ioctl(dupfd, WG_IOC_INFO, &info);
	check(ret == 0 && info.count == 1 && info.generation == 0 &&
	      info.mode == 0600 && !strcmp(info.name, c.name),
	      "WG_IOC_INFO", errno);

	memset(&w, 0xcc, sizeof(w));
	w.deadline_ns = 0;
	w.flags = 0;
	w.__pad = 0;
	w.target = 0;
	ret = ioctl(fd2, WG_IOC_WAIT, &w);
	check(ret == -1 && errno == ETIMEDOUT, "WG_IOC_WAIT times out", errno);

	a.delta = -1;
	a.flags = 0;
	ret = ioctl(fd, WG_IOC_ADD, &a);
	memset(&w, 0xcc, sizeof(w));
	w.deadline_ns = WG_FOREVER;
	w.flags = 0;
	w.__pad = 0;
	w.target = 0;
	if (!ret)
		ret = ioctl(fd2, WG_IOC_WAIT, &w);
	check(ret == 0 && w.generation == 1 && w.error == 0 &&
	      w.abandoned == 0, "WG_IOC_WAIT completes", errno);

	/* The value form of ADD, then a limit, then a cancel (since 1.2). */
	ret = ioctl(fd, WG_IOC_ADD_VAL, WG_ADD_VAL(1, 0));
	if (!ret)
		ret = ioctl(fd, WG_IOC_INFO, &info);
	check(ret == 0 && info.count == 1, "WG_IOC_ADD_VAL", errno);

	lim = 3;
	ret = ioctl(fd, WG_IOC_LIMIT, &lim);
	if (!ret)
		ret = ioctl(fd, WG_IOC_INFO, &info);
	check(ret == 0 && info.limit == 3, "WG_IOC_LIMIT", errno);

	memset(&cn, 0, sizeof(cn));
	cn.error = ECANCELED;
	ret = ioctl(fd, WG_IOC_CANCEL, &cn);
	memset(&w, 0xcc, sizeof(w));
	w.deadline_ns = WG_FOREVER;
	w.flags = 0;
	w.__pad = 0;
	w.target = 0;
	if (ret == 1)
		ret = ioctl(fd2, WG_IOC_WAIT, &w);
	check(ret == 0 && w.error == ECANCELED &&
	      w.outflags == WG_RESULT_CANCELED, "WG_IOC_CANCEL", errno);
	ret = ioctl(fd, WG_IOC_ADD_VAL, WG_ADD_VAL(-1, 0));
	lim = 0;
	if (!ret)
		ret = ioctl(fd, WG_IOC_LIMIT, &lim);
	if (!ret)
		ret = ioctl(fd, WG_IOC_INFO, &info);
	check(ret == 0 && info.count == 0 && info.limit == 0 &&
	      (info.flags & WG_INFO_LAST_CANCELED), "canceled generation drained", errno);

	/* Our name is listed, whole, among at most WG_LIST_MAX a call. */
	memset(&l, 0, sizeof(l));
	l.names = (__u64)(unsigned long)names;
	l.count = WG_LIST_MAX;
	found = 0;
	do {
		memset(names, 0, sizeof(names));
		ret = ioctl(dev, WG_IOC_LIST, &l);
		if (ret)
			break;
		for (i = 0; i < l.count && i < WG_LIST_MAX; i++)
			found += !strcmp(names[i], c.name);
		l.count = WG_LIST_MAX;
	} while (l.cursor);
	check(ret == 0 && found == 1, "WG_IOC_LIST", errno);

	o.flags = 0;	/* must be zero for unlink */
	ret = ioctl(dev, WG_IOC_UNLINK, &o);
	check(ret == 0, "WG_IOC_UNLINK", errno);

	close(dupfd);
	close(fd2);
	close(fd);
	close(dev);
	printf("# %d failed\n", failures);
	return failures ? 1 : 0;
}
