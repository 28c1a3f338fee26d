// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Tasks as processes: Go 1.25's WaitGroup.Go across processes.
 *
 * Who holds the undo ledger decides what a SIGKILL means. The add is made
 * on a private open file (WG_IOC_DUP, close-on-exec) held by the process
 * that supervises the command: the caller itself in wg_run(), a forked
 * supervisor in wg_spawn(). The command never holds it, so its normal exit
 * is reported by its supervisor as a done carrying its exit status, while a
 * supervisor that dies before reporting (SIGKILL, crash) loses its last
 * reference to the open file and the kernel undoes the add as abandoned.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include "waitgroup.h"

int wg_status_error(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return -EINVAL;
}

/* The error a task that could not be executed reports, as sh(1) does. */
static int exec_error_code(int err)
{
	return err == ENOENT ? 127 : 126;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static int wait_child(pid_t pid, int *wstatus)
{
	while (waitpid(pid, wstatus, 0) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/*
 * Fork and exec @argv. Returns the child's pid once the exec succeeded, or
 * -errno (of fork or of the exec, the child then reaped).
 */
static pid_t start_command(char *const argv[])
{
	int p[2], err = 0, status;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(p[0]);
		close(p[1]);
		return -err;
	}
	if (!pid) {
		close(p[0]);
		execvp(argv[0], argv);
		err = errno;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(exec_error_code(err));
		_exit(exec_error_code(err));
	}
	close(p[1]);
	n = read_full(p[0], &err, sizeof(err));
	close(p[0]);
	if (n == (ssize_t)sizeof(err)) {
		wait_child(pid, &status);
		return -err;
	}
	return pid;
}

static int check_args(int fd, char *const argv[], unsigned int flags)
{
	if (fd < 0)
		return -EBADF;
	if (flags || !argv || !argv[0])
		return -EINVAL;
	return 0;
}

/* A private open file of @fd's group holding one add in its ledger. */
static int ledger_add(int fd)
{
	int lfd, ret;

	lfd = wg_dup(fd, WG_CLOEXEC);
	if (lfd < 0)
		return lfd;
	ret = wg_add(lfd, 1, WG_UNDO);
	if (ret) {
		wg_close(lfd);
		return ret;
	}
	return lfd;
}

int wg_run(int fd, char *const argv[], unsigned int flags, int *wstatus)
{
	int saved = errno, lfd, ret, status;
	pid_t pid;

	if (wstatus)
		*wstatus = -1;
	ret = check_args(fd, argv, flags);
	if (ret)
		return ret;
	lfd = ledger_add(fd);
	if (lfd < 0)
		return lfd;
	pid = start_command(argv);
	if (pid < 0) {
		status = exec_error_code(-pid) << 8;
		ret = pid;
	} else {
		ret = wait_child(pid, &status);
		if (ret)
			status = 126 << 8;
	}
	if (wstatus)
		*wstatus = status;
	/* Report before closing, or the close would undo it as abandoned. */
	if (!ret)
		ret = wg_done_error(lfd, wg_status_error(status));
	else
		wg_done_error(lfd, wg_status_error(status));
	wg_close(lfd);
	errno = saved;
	return ret;
}

/* The forked supervisor of wg_spawn(); never returns. */
static void supervise(int lfd, char *const argv[], int report)
{
	int err, status;
	pid_t pid;

	signal(SIGCHLD, SIG_DFL);
	pid = start_command(argv);
	if (pid < 0) {
		/* Not started: take the add back as if it never happened. */
		err = -pid;
		wg_done(lfd);
		if (write(report, &err, sizeof(err)) < 0)
			_exit(exec_error_code(err));
		_exit(exec_error_code(err));
	}
	close(report);
	if (wait_child(pid, &status))
		_exit(126);
	err = wg_status_error(status);
	wg_done_error(lfd, err);
	_exit(err & 0xff);
}

pid_t wg_spawn(int fd, char *const argv[], unsigned int flags)
{
	int saved = errno, lfd, p[2], err = 0, status;
	ssize_t n;
	pid_t pid;

	err = check_args(fd, argv, flags);
	if (err)
		return err;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	lfd = ledger_add(fd);
	if (lfd < 0) {
		err = lfd;
		goto out_close_pipe;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		wg_done(lfd);
		wg_close(lfd);
		goto out_close_pipe;
	}
	if (!pid) {
		close(p[0]);
		supervise(lfd, argv, p[1]);
	}
	/* From here the supervisor holds the ledger alone. */
	wg_close(lfd);
	close(p[1]);
	n = read_full(p[0], &err, sizeof(err));
	close(p[0]);
	errno = saved;
	if (n == (ssize_t)sizeof(err)) {
		wait_child(pid, &status);
		return -err;
	}
	return pid;

out_close_pipe:
	close(p[0]);
	close(p[1]);
	errno = saved;
	return err;
}
