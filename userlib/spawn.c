// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
/*
 * Tasks as processes: Go 1.25's WaitGroup.Go across processes.
 *
 * A slot is free only when its job is gone. The add is made with WG_UNDO
 * on a private open file of the group (WG_IOC_DUP): its undo ledger is
 * given back when the last descriptor of that open file is closed. The
 * process that supervises the command holds it (the caller itself in
 * wg_run(), a forked supervisor in wg_spawn(), a detached one, in a
 * session of its own and a child of init, in wg_go()), and so does the
 * command: the child moves a copy to the lowest free descriptor from
 * TASK_FD_MIN up, not close-on-exec, before it executes the command
 * (task_hand_over()); the command's descriptors below that are as the
 * caller left them.
 *
 * So a normal exit changes nothing: the supervisor reaps the command and
 * reports its status with a done on that same open file, which empties the
 * ledger; whoever closes it last then gives nothing back. A supervisor that
 * dies before reporting (SIGKILL, crash) no longer frees the slot while
 * its command runs on: the add is undone, and the task reported abandoned,
 * only once the supervisor, the command and whatever the command handed
 * the descriptor to have all closed it. Under a limit that is what keeps
 * the pool's count of running jobs true.
 *
 * A forked supervisor (wg_spawn(), wg_go()) also takes its command with
 * it: the child sets PR_SET_PDEATHSIG to SIGKILL, then compares its parent
 * with the supervisor's pid taken before the fork and exits at once if
 * they differ: the supervisor died in between (task_die_with()). The
 * signal follows the thread that forked, the supervisor's only one. The
 * wg_go() supervisor's own session changes nothing: the command is still
 * its child. The supervisor itself never asks for the signal: it may
 * outlive its own parent (wg_go()'s short-lived first child always does,
 * the caller of wg_spawn() may) and still report. wg_run() does not ask
 * for it either: there the command is the caller's own child, as with
 * system(3), and in a caller with threads the signal would follow the one
 * thread that called (a pthread_cancel() in the call would kill the
 * command). If that caller dies, its command runs on and holds its slot
 * until it exits.
 *
 * A command that closes the descriptor leaves the add to its supervisor
 * alone; one that executes a set-user-ID program (which clears
 * PR_SET_PDEATHSIG) outlives a killed supervisor, holding its slot.
 *
 * Every task goes through the same steps, one function each:
 *   task_prepare()   count the task (task_add()) and block the signals
 *                    the supervisor forwards, before any fork;
 *   task_start()     fork and exec the command, confirmed by a pipe;
 *   task_supervise() the supervisor's loop: forward signals until the
 *                    command exits, and end it if the group is canceled
 *                    (SIGTERM, then SIGKILL once the grace period is over);
 *   task_report()    the done carrying the command's status;
 *   task_finish()    close what is left and give the signals back.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "waitgroup.h"

/* What a supervisor passes on to its command, as timeout(1) does. */
static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGTERM,
};

#define N_FORWARDED (sizeof(forwarded) / sizeof(forwarded[0]))

/*
 * The command's copy of the task's open file goes at or above this number,
 * out of the way of the low numbers a command or a script uses itself.
 */
#define TASK_FD_MIN 100

/**
 * struct task - one command counted as a task of a group
 * @lfd: the private open file whose ledger holds the task's add
 * @sup: the supervisor's pid when it is a process of its own, which its
 *	command is to die with; 0 in wg_run()
 * @sigfd: signalfd of the forwarded signals, which are blocked meanwhile
 * @oldmask: the signal mask before task_prepare(), the command's mask
 * @pid: the command once started, else 0
 * @pidfd: readable once the command has exited, or -1
 * @opts: how the task is counted and ended, the defaults filled in
 */
struct task {
	int lfd;
	pid_t sup;
	int sigfd;
	sigset_t oldmask;
	pid_t pid;
	int pidfd;
	struct wg_task_opts opts;
};

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

/* A short message on a pipe; what the reader makes of a failure is EOF. */
static void write_msg(int fd, const void *buf, size_t len)
{
	ssize_t n;

	do
		n = write(fd, buf, len);
	while (n < 0 && errno == EINTR);
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
 * Check the arguments every entry point takes and fill @o from @opts
 * (NULL: the defaults). A caller built against a longer structure may
 * pass it as long as what this library does not know is zero.
 */
static int check_args(int fd, char *const argv[],
		      const struct wg_task_opts *opts, struct wg_task_opts *o)
{
	static const struct wg_task_opts defaults = WG_TASK_OPTS_INIT;
	const unsigned char *tail;
	size_t i;

	if (fd < 0)
		return -EBADF;
	if (!argv || !argv[0])
		return -EINVAL;
	*o = defaults;
	if (!opts)
		return 0;
	if (opts->size < sizeof(*o))
		return -EINVAL;
	tail = (const unsigned char *)opts;
	for (i = sizeof(*o); i < opts->size; i++) {
		if (tail[i])
			return -E2BIG;
	}
	memcpy(o, opts, sizeof(*o));
	o->size = sizeof(*o);
	if (o->flags || o->__pad)
		return -EINVAL;
	if (o->grace_ns < 0 && o->grace_ns != WG_GRACE_NONE)
		return -EINVAL;
	return 0;
}

/*
 * Count one task: add 1 with WG_UNDO on a private open file of @fd's group
 * and return that file, whose last close undoes the add unless a done
 * drew it first. The one place a task's add is made, for wg_run(),
 * wg_spawn() and wg_go() (and so for waitgroup run and go).
 */
static int task_add(int fd, uint64_t room_deadline)
{
	int lfd, ret;

	lfd = wg_dup(fd, WG_CLOEXEC);
	if (lfd < 0)
		return lfd;
	/* Under a limit, wait for room (a module before 1.2: ENOTTY). */
	ret = wg_add_wait(lfd, 1, WG_UNDO, room_deadline);
	if (ret == -ENOTTY)
		ret = wg_add(lfd, 1, WG_UNDO);
	if (ret) {
		wg_close(lfd);
		return ret;
	}
	return lfd;
}

static void forwarded_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < N_FORWARDED; i++)
		sigaddset(set, forwarded[i]);
}

/*
 * Count the task, then block the forwarded signals in the calling thread
 * and open a signalfd for them: from here no such signal acts on the
 * supervisor (or on a supervisor forked from here, which inherits both);
 * they wait in the signalfd until task_supervise() passes them on.
 */
static int task_prepare(struct task *t, int fd)
{
	sigset_t set;
	int ret;

	t->sup = 0;
	t->pid = 0;
	t->pidfd = -1;
	t->lfd = task_add(fd, t->opts.room_deadline);
	if (t->lfd < 0)
		return t->lfd;
	forwarded_set(&set);
	ret = pthread_sigmask(SIG_BLOCK, &set, &t->oldmask);
	if (ret)
		goto out_undo;
	t->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->sigfd < 0) {
		ret = errno;
		pthread_sigmask(SIG_SETMASK, &t->oldmask, NULL);
		goto out_undo;
	}
	return 0;

out_undo:
	wg_done(t->lfd);
	wg_close(t->lfd);
	return -ret;
}

/* Give the signals back (pending ones act now) and close what is open. */
static void task_finish(struct task *t)
{
	if (t->pidfd >= 0)
		close(t->pidfd);
	close(t->sigfd);
	pthread_sigmask(SIG_SETMASK, &t->oldmask, NULL);
	if (t->lfd >= 0)
		wg_close(t->lfd);
}

/*
 * In the forked child of a supervisor that is a process of its own: die
 * with it. PR_SET_PDEATHSIG fires when the thread that forked exits (the
 * supervisor's only one); if the supervisor is gone already, the child has
 * another parent now and goes at once.
 */
static void task_die_with(pid_t sup)
{
	if (!sup)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sup)
		_exit(128 + SIGKILL);
}

/*
 * In the forked child: the command holds the task's open file too, so
 * its add is not undone while it runs. The copy is not close-on-exec; it
 * takes the lowest free number from TASK_FD_MIN up, or from 3 up when the
 * descriptor limit leaves none there. Returns 0 or -errno.
 */
static int task_hand_over(const struct task *t)
{
	int fd = fcntl(t->lfd, F_DUPFD, TASK_FD_MIN);

	if (fd < 0)
		fd = fcntl(t->lfd, F_DUPFD, STDERR_FILENO + 1);
	return fd < 0 ? -errno : 0;
}

/*
 * In the forked child: a forwarded signal that the caller catches would
 * run the caller's handler here, so it goes back to its default action
 * (exec would do that anyway); an ignored one stays ignored, as the
 * command would have inherited it. Then the caller's mask, and exec. A
 * failure goes to the parent on @report, as an exec's would.
 */
static void exec_command(const struct task *t, char *const argv[], int report)
{
	struct sigaction sa;
	size_t i;
	int err;

	task_die_with(t->sup);
	err = -task_hand_over(t);
	if (err)
		goto out_report;
	for (i = 0; i < N_FORWARDED; i++) {
		if (sigaction(forwarded[i], NULL, &sa))
			continue;
		if (sa.sa_handler != SIG_IGN && sa.sa_handler != SIG_DFL)
			signal(forwarded[i], SIG_DFL);
	}
	pthread_sigmask(SIG_SETMASK, &t->oldmask, NULL);
	execvp(argv[0], argv);
	err = errno;
out_report:
	write_msg(report, &err, sizeof(err));
	_exit(exec_error_code(err));
}

static int pidfd_open_(pid_t pid)
{
	return syscall(SYS_pidfd_open, pid, 0);
}

/*
 * Fork and exec @argv. Returns 0 once the exec succeeded (a close-on-exec
 * pipe reaches EOF), with t->pid and t->pidfd set; or -errno of the fork
 * or of the exec, the child then reaped.
 */
static int task_start(struct task *t, char *const argv[])
{
	int p[2], err = 0, status, spare;
	ssize_t n;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	/* A descriptor kept free for the pidfd: EMFILE cannot strike then. */
	spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(p[0]);
		close(p[1]);
		if (spare >= 0)
			close(spare);
		return -err;
	}
	if (!pid) {
		close(p[0]);
		exec_command(t, argv, p[1]);
	}
	close(p[1]);
	n = read_full(p[0], &err, sizeof(err));
	close(p[0]);
	if (spare >= 0)
		close(spare);
	if (n == (ssize_t)sizeof(err)) {
		wait_child(pid, &status);
		return -err;
	}
	t->pid = pid;
	t->pidfd = pidfd_open_(pid);
	return 0;
}

/*
 * Pass on every forwarded signal waiting in the signalfd. A signal the
 * kernel sent to the whole process group (a terminal's ^C, ^\ or hangup:
 * SI_KERNEL) has reached a command still in that group by itself, and is
 * not sent a second time.
 */
static void forward_signals(struct task *t)
{
	struct signalfd_siginfo si;

	while (read(t->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_code == SI_KERNEL && getpgid(t->pid) == getpgrp())
			continue;
		kill(t->pid, si.ssi_signo);
	}
}

/*
 * The ledger polled readable while it holds the task's add, so the
 * counter cannot be zero by the task's own count: the generation is
 * canceled (the usual case), or a generation completed that this open
 * file has not reported (taken here, which reports it), or dones the
 * group never had an add for took the counter to zero (level-triggered:
 * no longer polled). A descriptor that may not wait reports
 * POLLERR: not polled either, and the task is not ended by a cancel.
 * Returns 1 when canceled.
 */
static int task_canceled(struct task *t, struct pollfd *p)
{
	struct wg_info info;

	memset(&info, 0, sizeof(info));
	if ((p->revents & (POLLERR | POLLNVAL)) || wg_info(t->lfd, &info)) {
		p->fd = -1;
		return 0;
	}
	if (info.flags & WG_INFO_CANCELED) {
		p->fd = -1;
		return 1;
	}
	if (!info.count)
		p->fd = -1;
	else
		wg_trywait(t->lfd, NULL);
	return 0;
}

/*
 * End the command of a canceled group: SIGTERM, then SIGKILL when the
 * grace period is over. Returns a timerfd that is readable then, or -1
 * (no SIGKILL to come, or sent already).
 */
static int task_cancel(struct task *t)
{
	int64_t grace = t->opts.grace_ns;
	struct itimerspec its;
	int tfd;

	if (!grace) {
		kill(t->pid, SIGKILL);
		return -1;
	}
	kill(t->pid, SIGTERM);
	if (grace == WG_GRACE_NONE)
		return -1;
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = grace / 1000000000;
	its.it_value.tv_nsec = grace % 1000000000;
	if (tfd >= 0 && timerfd_settime(tfd, 0, &its, NULL)) {
		close(tfd);
		tfd = -1;
	}
	/* No timer to count the grace period with: the grace is over now. */
	if (tfd < 0)
		kill(t->pid, SIGKILL);
	return tfd;
}

/*
 * The supervisor's loop: until the command exits, forward the signals
 * that reach the supervisor to it, and end it when the group is
 * canceled; then reap it into *wstatus. One poll(2) over every source of
 * events. Returns 0 or -errno of waitpid().
 */
static int task_supervise(struct task *t, int *wstatus)
{
	enum { EXITED, SIGNALS, CANCELED, GRACE, N_EVENTS };
	struct pollfd pfd[N_EVENTS] = {
		[EXITED] = { .fd = t->pidfd, .events = POLLIN },
		[SIGNALS] = { .fd = t->sigfd, .events = POLLIN },
		[CANCELED] = { .fd = t->lfd, .events = POLLIN },
		[GRACE] = { .fd = -1, .events = POLLIN },
	};

	/* Without a pidfd (out of memory for one): only the wait. */
	while (t->pidfd >= 0) {
		if (poll(pfd, N_EVENTS, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[SIGNALS].revents)
			forward_signals(t);
		if (pfd[CANCELED].revents && task_canceled(t, &pfd[CANCELED]))
			pfd[GRACE].fd = task_cancel(t);
		if (pfd[GRACE].revents) {
			kill(t->pid, SIGKILL);
			close(pfd[GRACE].fd);
			pfd[GRACE].fd = -1;
		}
		if (pfd[EXITED].revents)
			break;
	}
	if (pfd[GRACE].fd >= 0)
		close(pfd[GRACE].fd);
	return wait_child(t->pid, wstatus);
}

/* Close every descriptor from @from up to @to (inclusive) but none other. */
static void close_fds(int from, int to)
{
	if (from <= to)
		syscall(SYS_close_range, from, to, 0);
}

/*
 * A forked supervisor, once its command runs, needs only its own three
 * descriptors: the command has its copies of the rest. Holding the
 * caller's would keep them open (a pipe's EOF, another group's ledger
 * that the caller's close is to undo) for as long as the command runs.
 * Standard input, output and error become /dev/null. @report, the pipe
 * to the caller, is closed last: once the caller sees its end, nothing
 * else of the caller's is held here.
 */
static void task_let_go(struct task *t, int report)
{
	int keep[4] = { t->lfd, t->sigfd, t->pidfd, report }, i, j, tmp, from, null;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	for (i = 1; i < 4; i++) {
		for (j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
			tmp = keep[j];
			keep[j] = keep[j - 1];
			keep[j - 1] = tmp;
		}
	}
	from = STDERR_FILENO + 1;
	for (i = 0; i < 4; i++) {
		if (keep[i] < from)
			continue;
		close_fds(from, keep[i] - 1);
		from = keep[i] + 1;
	}
	close_fds(from, INT32_MAX);
	close(report);
}

/* The done carrying the command's status; 0 or -errno. */
static int task_report(struct task *t, int wstatus)
{
	return wg_done_error(t->lfd, wg_status_error(wstatus));
}

int wg_run_opts(int fd, char *const argv[], const struct wg_task_opts *opts,
		int *wstatus)
{
	int saved = errno, ret, err, status;
	struct task t;

	if (wstatus)
		*wstatus = -1;
	ret = check_args(fd, argv, opts, &t.opts);
	if (ret)
		return ret;
	ret = task_prepare(&t, fd);
	if (ret)
		return ret;
	ret = task_start(&t, argv);
	if (ret) {
		status = exec_error_code(-ret) << 8;
	} else {
		ret = task_supervise(&t, &status);
		if (ret)
			status = 126 << 8;
	}
	if (wstatus)
		*wstatus = status;
	/* Report before closing, or the close would undo it as abandoned. */
	err = task_report(&t, status);
	if (!ret)
		ret = err;
	task_finish(&t);
	errno = saved;
	return ret;
}

/* The forked supervisor of wg_spawn(); never returns. */
static void spawn_supervise(struct task *t, char *const argv[], int report)
{
	int err, status;

	signal(SIGCHLD, SIG_DFL);
	t->sup = getpid();
	err = task_start(t, argv);
	if (err) {
		/* Not started: take the add back as if it never happened. */
		err = -err;
		wg_done(t->lfd);
		write_msg(report, &err, sizeof(err));
		_exit(exec_error_code(err));
	}
	task_let_go(t, report);
	if (task_supervise(t, &status))
		_exit(126);
	err = wg_status_error(status);
	task_report(t, status);
	_exit(err & 0xff);
}

/*
 * The caller's side once a supervisor is forked: the supervisor has the
 * blocked signals and their signalfd now; the caller takes its mask back.
 * The ledger is the caller's to close (wg_go() keeps it a while).
 */
static void task_leave(struct task *t)
{
	close(t->sigfd);
	pthread_sigmask(SIG_SETMASK, &t->oldmask, NULL);
}

pid_t wg_spawn_opts(int fd, char *const argv[], const struct wg_task_opts *opts)
{
	int saved = errno, p[2], err = 0, status;
	struct task t;
	ssize_t n;
	pid_t pid;

	err = check_args(fd, argv, opts, &t.opts);
	if (err)
		return err;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	err = task_prepare(&t, fd);
	if (err)
		goto out_close_pipe;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		wg_done(t.lfd);
		task_finish(&t);
		goto out_close_pipe;
	}
	if (!pid) {
		close(p[0]);
		spawn_supervise(&t, argv, p[1]);
	}
	task_leave(&t);
	wg_close(t.lfd);
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

/* What a wg_go() supervisor tells its caller, in order, on a pipe. */
struct go_msg {
	int what;
	int val;
};

enum {
	GO_PID,		/* val: the supervisor's pid, before it starts the command */
	GO_EXEC_FAILED,	/* val: errno of the exec; the task was reported failed */
	GO_NOT_STARTED,	/* val: errno of the fork of the supervisor */
};

static void go_tell(int report, int what, int val)
{
	struct go_msg m = { .what = what, .val = val };

	write_msg(report, &m, sizeof(m));
}

/*
 * The detached supervisor of wg_go(), in a session of its own: start the
 * command, tell the caller, let go of the caller's descriptors,
 * supervise, report. Never returns.
 */
static void go_supervise(struct task *t, char *const argv[], int report)
{
	int err, status;

	setsid();
	signal(SIGCHLD, SIG_DFL);
	t->sup = getpid();
	go_tell(report, GO_PID, t->sup);
	err = task_start(t, argv);
	if (err) {
		/* As wg_run(): counted, and reported failed with 126 or 127. */
		status = exec_error_code(-err) << 8;
		task_report(t, status);
		go_tell(report, GO_EXEC_FAILED, -err);
		_exit(WEXITSTATUS(status));
	}
	task_let_go(t, report);
	if (task_supervise(t, &status))
		status = 126 << 8;
	task_report(t, status);
	_exit(wg_status_error(status) & 0xff);
}

/* The first child of wg_go(): forks the supervisor and exits at once. */
static void go_detach(struct task *t, char *const argv[], int report)
{
	pid_t pid = fork();

	if (pid < 0) {
		go_tell(report, GO_NOT_STARTED, errno);
		_exit(1);
	}
	if (!pid)
		go_supervise(t, argv, report);
	_exit(0);
}

/*
 * Read what the supervisor says until it closes the pipe (it has exec'ed
 * the command, or failed). Returns the supervisor's pid, or -errno with
 * *status as wg_go() documents it.
 */
static pid_t go_result(int report, int *status)
{
	struct go_msg m;
	pid_t pid = 0;

	*status = -1;
	while (read_full(report, &m, sizeof(m)) == (ssize_t)sizeof(m)) {
		switch (m.what) {
		case GO_PID:
			pid = m.val;
			break;
		case GO_EXEC_FAILED:
			*status = exec_error_code(m.val) << 8;
			return -m.val;
		case GO_NOT_STARTED:
			return -m.val;
		}
	}
	if (!pid)
		return -ECHILD;	/* died before it could tell */
	*status = 0;
	return pid;
}

pid_t wg_go_opts(int fd, char *const argv[], const struct wg_task_opts *opts,
		 int *wstatus)
{
	int saved = errno, p[2], status, err;
	struct task t;
	pid_t pid;

	if (wstatus)
		*wstatus = -1;
	err = check_args(fd, argv, opts, &t.opts);
	if (err)
		return err;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	err = task_prepare(&t, fd);
	if (err)
		goto out_close_pipe;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		wg_done(t.lfd);
		task_finish(&t);
		goto out_close_pipe;
	}
	if (!pid) {
		close(p[0]);
		go_detach(&t, argv, p[1]);
	}
	/* The ledger stays open here until the supervisor has answered. */
	task_leave(&t);
	close(p[1]);
	wait_child(pid, &status);
	pid = go_result(p[0], &status);
	close(p[0]);
	/* Not counted after all: nobody else holds the add to take it back. */
	if (status == -1)
		wg_done(t.lfd);
	wg_close(t.lfd);
	if (wstatus)
		*wstatus = status;
	errno = saved;
	return pid;

out_close_pipe:
	close(p[0]);
	close(p[1]);
	errno = saved;
	return err;
}

/* The first entry points: the default options, and flags that must be 0. */
pid_t wg_spawn(int fd, char *const argv[], unsigned int flags)
{
	return flags ? -EINVAL : wg_spawn_opts(fd, argv, NULL);
}

int wg_run(int fd, char *const argv[], unsigned int flags, int *wstatus)
{
	if (wstatus)
		*wstatus = -1;
	return flags ? -EINVAL : wg_run_opts(fd, argv, NULL, wstatus);
}

pid_t wg_go(int fd, char *const argv[], unsigned int flags, int *wstatus)
{
	if (wstatus)
		*wstatus = -1;
	return flags ? -EINVAL : wg_go_opts(fd, argv, NULL, wstatus);
}
