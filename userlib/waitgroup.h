/* SPDX-License-Identifier: LGPL-2.1-or-later OR MIT */
/*
 * libwaitgroup: Go's sync.WaitGroup as a kernel object, from C.
 *
 * Every function returns 0 (or a file descriptor, a pid, a count) on
 * success and a negative errno on failure, in the style of liburing; none
 * of them reports through errno. A group is a file descriptor: poll it
 * for POLLIN (the counter is zero, the group is canceled, or a generation
 * completed that this open file has not reported: wg_trywait() then
 * returns it), pass it to children or over a socket, close it with
 * wg_close() or close(2).
 *
 *	int wg = wg_create("build", 0, 0600, 0);
 *	wg_spawn(wg, (char *const[]){ "make", "-C", "lib", NULL }, 0);
 *	wg_go(wg, (char *const[]){ "make", "-C", "app", NULL }, 0, NULL);
 *	wg_wait(wg, WG_FOREVER, &res);     // res.error: first failure
 *
 * The structures and flags are those of <linux/waitgroup.h>, the kernel's
 * ABI, which this header includes.
 */
#ifndef WAITGROUP_H
#define WAITGROUP_H

#include <stdint.h>
#include <sys/types.h>
#include <linux/waitgroup.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WG_DEVICE_PATH "/dev/waitgroup"

#define LIBWAITGROUP_VERSION_MAJOR 1
#define LIBWAITGROUP_VERSION_MINOR 4

/* Groups: wg_create(3) */
int wg_create(const char *name, int count, unsigned int mode,
	      unsigned int flags);
int wg_open(const char *name, unsigned int flags);
int wg_unlink(const char *name);
int wg_list(char (*names)[WG_NAME_MAX], unsigned int count, uint64_t *cursor);
int wg_dup(int fd, unsigned int flags);
int wg_close(int fd);

/* Counting: wg_add(3) */
int wg_add(int fd, int delta, unsigned int flags);
int wg_add_error(int fd, int delta, unsigned int flags, int error);
int wg_done(int fd);
int wg_done_error(int fd, int error);

/* Waiting: wg_wait(3); @res may be NULL */
int wg_wait(int fd, uint64_t deadline_ns, struct wg_wait *res);
int wg_wait_timeout(int fd, int64_t timeout_ns, struct wg_wait *res);
int wg_trywait(int fd, struct wg_wait *res);
int wg_info(int fd, struct wg_info *info);
/* The batch's totals (1.4): tasks done, failed, abandoned, first error */
int wg_totals(int fd, struct wg_totals *totals);
uint64_t wg_deadline(int64_t timeout_ns);
/*
 * WG_IOC_WAIT itself (1.3): @w is read and written as the kernel does, so
 * a wait that returned -EINTR or -ETIMEDOUT resumes, for the generation
 * it began in, when called again with the same @w (its target).
 */
int wg_wait_call(int fd, struct wg_wait *w);

/* Several groups at once: wg_wait_all(3) (1.2) */
#define WG_NO_GENERATION UINT64_MAX	/* res[i] of a group still running */
int wg_wait_all(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		struct wg_wait *res);
int wg_wait_any(const int *fds, unsigned int nfds, uint64_t deadline_ns,
		struct wg_wait *res);

/* Tasks as processes: wg_spawn(3) */
pid_t wg_spawn(int fd, char *const argv[], unsigned int flags);
int wg_run(int fd, char *const argv[], unsigned int flags, int *wstatus);
int wg_status_error(int wstatus);
pid_t wg_go(int fd, char *const argv[], unsigned int flags, int *wstatus); /* 1.2 */

/*
 * How a task is counted and ended (1.2): wg_spawn(3). Set @size to
 * sizeof(struct wg_task_opts) (WG_TASK_OPTS_INIT does), so the structure
 * can grow at its end.
 */
struct wg_task_opts {
	size_t size;
	unsigned int flags;		/* 0 */
	unsigned int __pad;		/* 0 */
	uint64_t room_deadline;		/* the add's wait for room: wg_deadline() */
	int64_t grace_ns;		/* on cancel: SIGTERM, SIGKILL after this */
};

#define WG_GRACE_DEFAULT	10000000000LL	/* 10 s */
#define WG_GRACE_NONE		(-1LL)		/* SIGTERM, never SIGKILL */
#define WG_TASK_OPTS_INIT \
	{ sizeof(struct wg_task_opts), 0, 0, WG_FOREVER, WG_GRACE_DEFAULT }

pid_t wg_spawn_opts(int fd, char *const argv[], const struct wg_task_opts *opts);
int wg_run_opts(int fd, char *const argv[], const struct wg_task_opts *opts,
		int *wstatus);
pid_t wg_go_opts(int fd, char *const argv[], const struct wg_task_opts *opts,
		 int *wstatus);

/* Job control (1.2): a limit kept by the kernel, adds that wait for room, cancel. */
int wg_create_limit(const char *name, int count, unsigned int mode,
		    unsigned int flags, unsigned int limit);
int wg_set_limit(int fd, unsigned int limit);
int wg_add_wait(int fd, int delta, unsigned int flags, uint64_t deadline_ns);
int wg_cancel(int fd, int error);
int wg_wait_flags(int fd, uint64_t deadline_ns, unsigned int flags,
		  struct wg_wait *res);

#ifdef __cplusplus
}
#endif

#endif /* WAITGROUP_H */
