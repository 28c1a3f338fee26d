// SPDX-License-Identifier: GPL-2.0
/*
 * waitgroup: the counter, one ioctl at a time, on anonymous groups:
 * create, add, done, wait and its deadlines, errors, generations, poll.
 */
#include <poll.h>

#include "wg_fixture.h"

TEST_F(wg, device_is_char_device)
{
	struct stat st;

	ASSERT_EQ(0, fstat(self->dev, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST_F(wg, create_anon_info)
{
	struct wg_info info;
	int fd;

	fd = sys_wg_create(self->dev, 0, 0, 0, "");
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(0, info.count);
	EXPECT_EQ(0U, info.waiters);
	EXPECT_EQ(0ULL, info.generation);
	EXPECT_EQ(0U, info.abandoned);
	EXPECT_EQ(0, info.error);
	EXPECT_EQ(geteuid(), info.uid);
	EXPECT_EQ(getegid(), info.gid);
	EXPECT_EQ(0U, info.mode);
	EXPECT_EQ(0U, info.__pad);
	EXPECT_EQ(0, info.name[0]);
	close(fd);
}

TEST_F(wg, create_anon_initial_count)
{
	int fd = wg_create_anon(self->dev, 5);

	ASSERT_LE(0, fd);
	EXPECT_EQ(5, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	close(fd);
}

TEST_F(wg, create_int32_max_count)
{
	int fd = wg_create_anon(self->dev, INT32_MAX);

	ASSERT_LE(0, fd);
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	close(fd);
}

TEST_F(wg, anon_inode_link)
{
	char path[64], link[128];
	ssize_t len;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	len = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, len);
	link[len] = 0;
	EXPECT_STREQ("anon_inode:[waitgroup]", link);
	close(fd);
}

TEST_F(wg, cloexec_flag)
{
	int fd1 = sys_wg_create(self->dev, WG_CLOEXEC, 0, 0, "");
	int fd2 = sys_wg_create(self->dev, 0, 0, 0, "");

	ASSERT_LE(0, fd1);
	ASSERT_LE(0, fd2);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd1, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, fcntl(fd2, F_GETFD) & FD_CLOEXEC);
	close(fd1);
	close(fd2);
}

TEST_F(wg, fdinfo_lines)
{
	int fd = wg_create_anon(self->dev, 3);

	ASSERT_LE(0, fd);
	EXPECT_EQ(3, wg_fdinfo(fd, "count"));
	EXPECT_EQ(0, wg_fdinfo(fd, "waiters"));
	EXPECT_EQ(0, wg_fdinfo(fd, "generation"));
	ASSERT_EQ(0, sys_wg_add(fd, -3, 0, 0, 0));
	EXPECT_EQ(0, wg_fdinfo(fd, "count"));
	EXPECT_EQ(1, wg_fdinfo(fd, "generation"));
	close(fd);
}

TEST_F(wg, add_done_wait)
{
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, 3, 0, 0, 0));
	EXPECT_EQ(3, wg_count(fd));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(1, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	EXPECT_EQ(0, sys_wg_done(fd));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(1, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	close(fd);
}

/* WG_IOC_ADD_VAL: the delta and WG_UNDO in the argument, checked as ADD's. */
TEST_F(wg, add_val)
{
	int fd = wg_create_anon(self->dev, 0), ro;
	char name[WG_NAME_MAX];
	struct wg_wait w;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add_val(fd, 3, 0));
	EXPECT_EQ(3, wg_count(fd));
	ASSERT_EQ(0, sys_wg_add_val(fd, -1, 0));
	EXPECT_EQ(2, wg_count(fd));
	EXPECT_EQ(-ERANGE, sys_wg_add_val(fd, -3, 0));
	EXPECT_EQ(-EOVERFLOW, sys_wg_add_val(fd, INT_MAX, 0));
	EXPECT_EQ(-EINVAL, sys_wg_add_val(fd, 1, WG_ADD_WAIT));
	EXPECT_EQ(-EINVAL, sys_wg_add_val(fd, 1, 1U << 31));
	/* Garbage above the delta is an unknown flag, not a bigger delta. */
	EXPECT_EQ(-EINVAL, sys_wg_add_val_raw(fd, ~0UL));
	EXPECT_EQ(2, wg_count(fd));
	ASSERT_EQ(0, sys_wg_add_val(fd, 0, 0));
	ASSERT_EQ(0, sys_wg_add_val(fd, 1, WG_UNDO));
	EXPECT_EQ(1, wg_fdinfo(fd, "undo"));
	EXPECT_EQ(3, wg_count(fd));
	/* A negative delta draws from the ledger first, as DONE does. */
	ASSERT_EQ(0, sys_wg_add_val(fd, -3, 0));
	EXPECT_EQ(0, wg_fdinfo(fd, "undo"));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1U, w.generation);
	EXPECT_EQ(0, w.error);
	/* A descriptor that may not add. */
	wg_name(name, "addval");
	ro = sys_wg_create(self->dev, WG_EXCL, 0600, 0, name);
	ASSERT_LE(0, ro);
	close(ro);
	ro = sys_wg_open(self->dev, WG_ACCESS_WAIT, name);
	ASSERT_LE(0, ro);
	EXPECT_EQ(-EBADF, sys_wg_add_val(ro, 1, 0));
	close(ro);
	ASSERT_EQ(0, sys_wg_unlink(self->dev, name));
	close(fd);
}

#ifdef __x86_64__
/*
 * ioctl(2) through the 32-bit entry (int 0x80, i386's syscall 54), as a
 * 32-bit program calls it: the file's compat_ioctl answers.
 */
static int ia32_ioctl(int fd, unsigned int cmd, unsigned int arg)
{
	long ret;

	asm volatile ("int $0x80"
		      : "=a" (ret)
		      : "0" (54L), "b" ((long)fd), "c" ((long)cmd),
			"d" ((long)arg)
		      : "r8", "r9", "r10", "r11", "memory", "cc");
	return (int)ret;
}

/* The 32-bit calls of add_val_through_compat_ioctl; the exit code. */
static int compat_add_vals(int fd)
{
	struct wg_info *info = mmap(NULL, sizeof(*info), PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
				    -1, 0);

	if (info == MAP_FAILED)
		return 20;
	/* A 32-bit argument: the delta only, -1 is one done. */
	if (ia32_ioctl(fd, WG_IOC_ADD_VAL, (__u32)-1))
		return 1;
	if (ia32_ioctl(fd, WG_IOC_INFO, (__u32)(uintptr_t)info) ||
	    info->count != 2)
		return 2;
	if (ia32_ioctl(fd, WG_IOC_ADD_VAL, (__u32)-2))
		return 3;
	if (ia32_ioctl(fd, WG_IOC_ADD_VAL, 5))
		return 4;
	if (ia32_ioctl(fd, WG_IOC_ADD_VAL, (__u32)-6) != -ERANGE)
		return 5;
	if (ia32_ioctl(fd, WG_IOC_ADD_VAL, (__u32)INT32_MIN) != -ERANGE)
		return 6;
	return 0;
}
#endif

/*
 * WG_IOC_ADD_VAL's argument is an integer: through the compat path a
 * negative delta stays negative (compat_ptr() would clear bit 31 on
 * s390, making -1 INT32_MAX). Here, on x86-64, with int 0x80.
 */
TEST_F(wg, add_val_through_compat_ioctl)
{
#ifdef __x86_64__
	int fd = wg_create_anon(self->dev, 3), status;
	pid_t pid;

	ASSERT_LE(0, fd);
	/* In a child: without ia32 emulation, int 0x80 is a SIGSEGV. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(compat_add_vals(fd));
	status = wg_reap(pid);
	if (status == 128 + SIGSEGV) {
		close(fd);
		SKIP(return, "no 32-bit system calls (ia32_emulation off)");
	}
	EXPECT_EQ(0, status);
	EXPECT_EQ(5, wg_count(fd));
	EXPECT_EQ(1, wg_generation(fd));
	close(fd);
#else
	SKIP(return, "int 0x80 is x86-64's");
#endif
}

TEST_F(wg, wait_on_zero_returns_at_once)
{
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(0ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	/* Again: count 0 always returns at once, also with WG_FOREVER. */
	ASSERT_EQ(0, sys_wg_wait(fd, WG_FOREVER, 0, &w));
	EXPECT_EQ(0ULL, w.generation);
	close(fd);
}

TEST_F(wg, wait_past_deadlines_only_test)
{
	struct wg_wait w;
	__u64 t0 = wg_now_ns();
	int fd = wg_create_anon(self->dev, 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 1, 0, &w));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, t0 - 1, 0, &w));
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, wg_now_ns(), 0, &w));
	EXPECT_GT(5 * NSEC_PER_SEC, wg_now_ns() - t0);
	EXPECT_EQ(1, wg_count(fd));
	close(fd);
}

TEST_F(wg, wait_future_deadline_expires)
{
	__u64 deadline = wg_now_ns() + 50 * NSEC_PER_MSEC;
	int fd = wg_create_anon(self->dev, 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, deadline, 0, NULL));
	EXPECT_LE(deadline, wg_now_ns());
	EXPECT_EQ(0, wg_fdinfo(fd, "waiters"));
	EXPECT_EQ(1, wg_count(fd));
	close(fd);
}

TEST_F(wg, add_zero_is_noop)
{
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_wg_add(fd, 0, 0, 0, 0));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 2, 0, 0, 0));
	EXPECT_EQ(0, sys_wg_add(fd, 0, 0, 0, 0));
	EXPECT_EQ(0, sys_wg_add(fd, 0, WG_UNDO, 0, 0));
	EXPECT_EQ(2, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	close(fd);
}

TEST_F(wg, done_on_zero_is_erange)
{
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ERANGE, sys_wg_done(fd));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(0, wg_generation(fd));
	close(fd);
}

TEST_F(wg, add_negative_exact_and_beyond)
{
	int fd = wg_create_anon(self->dev, 5);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ERANGE, sys_wg_add(fd, -6, 0, 0, 0));
	EXPECT_EQ(5, wg_count(fd));
	EXPECT_EQ(0, sys_wg_add(fd, -2, 0, 0, 0));
	EXPECT_EQ(3, wg_count(fd));
	EXPECT_EQ(0, sys_wg_add(fd, -3, 0, 0, 0));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(1, wg_generation(fd));
	close(fd);
}

TEST_F(wg, overflow_boundary)
{
	int fd = wg_create_anon(self->dev, INT32_MAX - 1);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd, 2, 0, 0, 0));
	EXPECT_EQ(INT32_MAX - 1, wg_count(fd));
	EXPECT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(-EOVERFLOW, sys_wg_add(fd, INT32_MAX, 0, 0, 0));
	EXPECT_EQ(INT32_MAX, wg_count(fd));
	EXPECT_EQ(0, sys_wg_add(fd, -INT32_MAX, 0, 0, 0));
	EXPECT_EQ(0, wg_count(fd));
	EXPECT_EQ(1, wg_generation(fd));
	close(fd);
}

TEST_F(wg, first_error_of_generation_is_kept)
{
	struct wg_info info;
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 3);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_wg_add(fd, -1, 0, 5, 0));
	EXPECT_EQ(0, sys_wg_add(fd, -1, 0, 7, 0));
	EXPECT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(1ULL, w.generation);
	EXPECT_EQ(5, w.error);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(5, info.error);
	EXPECT_EQ(1ULL, info.generation);

	/* The next generation starts clean. */
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(2ULL, w.generation);
	EXPECT_EQ(0, w.error);
	ASSERT_EQ(0, sys_wg_info(fd, &info));
	EXPECT_EQ(0, info.error);
	close(fd);
}

TEST_F(wg, error_with_negative_errno_value)
{
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 2);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, sys_wg_add(fd, -2, 0, -42, 0));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(-42, w.error);
	close(fd);
}

TEST_F(wg, generation_counts_completions)
{
	struct wg_wait w;
	int i, fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	for (i = 1; i <= 10; i++) {
		ASSERT_EQ(0, sys_wg_add(fd, i, 0, 0, 0));
		ASSERT_EQ(0, sys_wg_add(fd, -i, 0, 0, 0));
		EXPECT_EQ(i, wg_generation(fd));
	}
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(10ULL, w.generation);
	close(fd);
}

TEST_F(wg, completion_before_the_wait_is_not_waited_for)
{
	struct wg_wait w;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(1, wg_count(fd));
	/* Go's rule: generation 1 completed before the wait began. */
	EXPECT_EQ(-ETIMEDOUT, sys_wg_wait(fd, 0, 0, &w));
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, &w));
	EXPECT_EQ(2ULL, w.generation);
	EXPECT_EQ(0, w.error);
	EXPECT_EQ(0U, w.abandoned);
	close(fd);
}

TEST_F(wg, poll_readiness)
{
	struct pollfd p;
	int fd = wg_create_anon(self->dev, 0);

	ASSERT_LE(0, fd);
	p.fd = fd;
	p.events = POLLIN | POLLRDNORM;
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents & (POLLIN | POLLRDNORM));

	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	EXPECT_EQ(0, poll(&p, 1, 0));

	/*
	 * The first poll set the file's mark (generation 0): a completion
	 * after it is readable, re-armed or not, until a wait reports it.
	 */
	ASSERT_EQ(0, sys_wg_done(fd));
	ASSERT_EQ(0, sys_wg_add(fd, 1, 0, 0, 0));
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents & (POLLIN | POLLRDNORM));
	ASSERT_EQ(0, sys_wg_wait(fd, 0, 0, NULL));
	EXPECT_EQ(0, poll(&p, 1, 0));

	ASSERT_EQ(0, sys_wg_done(fd));
	p.revents = 0;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents & (POLLIN | POLLRDNORM));
	close(fd);
}

TEST_HARNESS_MAIN
