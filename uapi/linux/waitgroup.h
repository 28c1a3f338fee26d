/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * waitgroup: Go's sync.WaitGroup as a kernel object shared through
 * /dev/waitgroup.
 *
 * This header is the ABI. Structures only ever grow at their end; every
 * flag bit and padding field that is not defined here must be zero, or the
 * kernel answers EINVAL.
 *
 * A grown structure changes the size encoded in its ioctl's number, and
 * the kernel accepts every size from the first version's (the
 * WG_SIZE_*_VER0 constants) up: a shorter structure reads as if its
 * missing tail were zero and gets only the part of a result that fits; a
 * longer one must hold zeros past what the kernel knows (E2BIG if not),
 * and what the kernel writes back is followed by zeros. A size below
 * VER0, or one that is not a multiple of 8 (it would split a field), is
 * no command (ENOTTY). A module older than 1.2 knows only the
 * VER0 sizes, so a program built against a newer header gets ENOTTY from
 * it for the new ones, and can retry with the VER0 size.
 */
#ifndef _UAPI_LINUX_WAITGROUP_H
#define _UAPI_LINUX_WAITGROUP_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * define WG_NAME_MAX - size of a name buffer, including the terminating NUL
 *
 * A name is 1 to 63 characters of printable, non-space ASCII (0x21 to 0x7e)
 * other than '/'. An empty name in &struct wg_create asks for an anonymous
 * group. A name that fills the buffer with no NUL fails with ENAMETOOLONG;
 * any other bad character fails with EINVAL.
 */
#define WG_NAME_MAX		64

/**
 * define WG_FOREVER - &wg_wait.deadline_ns that never expires
 */
#define WG_FOREVER		(~0ULL)

/* Flags of struct wg_create and struct wg_open. */

/**
 * define WG_CLOEXEC - the new file descriptor is closed on execve()
 */
#define WG_CLOEXEC		_BITUL(0)
/**
 * define WG_EXCL - WG_IOC_CREATE fails with EEXIST if the name exists
 */
#define WG_EXCL			_BITUL(1)
/**
 * define WG_ACCESS_WAIT - the new descriptor may wait, poll and read info
 *
 * Opening a named group for waiting needs read permission on it.
 * Without WG_ACCESS_WAIT and WG_ACCESS_ADD the descriptor gets both. A
 * descriptor without this access gets EBADF from WG_IOC_WAIT and
 * WG_IOC_INFO, and poll() reports only EPOLLERR on it.
 */
#define WG_ACCESS_WAIT		_BITUL(2)
/**
 * define WG_ACCESS_ADD - the new descriptor may add and done
 *
 * Opening a named group for adding needs write permission on it. A
 * descriptor without this access gets EBADF from WG_IOC_ADD and
 * WG_IOC_DONE.
 */
#define WG_ACCESS_ADD		_BITUL(3)

/* Flags of struct wg_add. */

/**
 * define WG_UNDO - record a positive delta in this open file's undo ledger
 *
 * When the last reference to the open file description goes away (close,
 * exit, SIGKILL), the kernel subtracts what the ledger still holds and
 * reports it as abandoned. Negative deltas and WG_IOC_DONE always draw
 * from the ledger first, with or without this flag.
 */
#define WG_UNDO			_BITUL(0)
/**
 * define WG_ADD_WAIT - wait for room under the limit instead of EAGAIN
 *
 * A positive delta that would take the counter past the group's limit
 * (WG_IOC_LIMIT), or that comes while other adds wait for room, waits
 * until enough tasks are done, first come first served, or until
 * &wg_add.deadline_ns (absolute CLOCK_MONOTONIC; WG_FOREVER never; 0, as
 * in a VER0 structure, only tests: ETIMEDOUT). The wait is interruptible:
 * EINTR, or with SA_RESTART a restart (with the same deadline, but at the
 * back of the queue). ECANCELED if the generation is canceled meanwhile;
 * EINVAL if the delta is above the limit, which it could never fit under
 * (also when the limit is lowered while it waits).
 */
#define WG_ADD_WAIT		_BITUL(1)

/* Flags of struct wg_wait. */

/**
 * define WG_WAIT_CANCEL_ON_ERROR - the first error of the generation cancels it
 *
 * In &wg_wait.flags. errgroup's WithContext: if the running generation already has an error
 * (a done with an error code, or an abandoned add), the wait cancels it
 * at once with that error as by WG_IOC_CANCEL; otherwise the first error
 * reported while the wait sleeps does, and the wait returns with
 * WG_RESULT_CANCELED. The done that reports it lets no add waiting for
 * room in: they fail with ECANCELED. If that done is the last one (the
 * counter reaches zero), the generation completes with the error instead
 * (no WG_RESULT_CANCELED) and the adds waiting for room start the next.
 */
#define WG_WAIT_CANCEL_ON_ERROR	_BITUL(0)

/**
 * define WG_RESULT_CANCELED - the generation a wait returns for was canceled
 *
 * In &wg_wait.outflags; &wg_wait.error then holds the cancel's code.
 */
#define WG_RESULT_CANCELED	_BITUL(0)

/* Flags of struct wg_info. */

/**
 * define WG_INFO_CANCELED - the running generation is canceled
 */
#define WG_INFO_CANCELED	_BITUL(0)
/**
 * define WG_INFO_LAST_CANCELED - the last completed generation was canceled
 */
#define WG_INFO_LAST_CANCELED	_BITUL(1)

/**
 * struct wg_create - argument of WG_IOC_CREATE
 * @flags: WG_CLOEXEC, WG_EXCL, WG_ACCESS_WAIT, WG_ACCESS_ADD
 * @mode: permission bits (at most 0777) of a new named group; 0 means 0600.
 *	Must be 0 for an anonymous group.
 * @count: initial counter of a new group, 0 to INT32_MAX (ERANGE if
 *	negative). Ignored, and not checked, when an existing named group
 *	is opened; with WG_EXCL an existing name fails with EEXIST whatever
 *	the count.
 * @__pad: must be zero
 * @name: NUL-terminated name, or empty for an anonymous group
 * @limit: the limit of a new group, as set by WG_IOC_LIMIT: 0 for none, at
 *	most INT32_MAX (EINVAL). Ignored, as @count is, when an existing
 *	group is opened. (Since version 1.2; not in WG_SIZE_CREATE_VER0.)
 * @__pad2: must be zero
 *
 * Returns a new file descriptor for the group. A named group lives in the
 * caller's IPC namespace, owned by the caller's fsuid and fsgid. If the
 * name exists and WG_EXCL is not set, the existing group is opened as by
 * WG_IOC_OPEN and @mode and @count are ignored. The result does not say
 * which happened: a caller that must know creates with WG_EXCL, and on
 * EEXIST opens with WG_IOC_OPEN (trying WG_EXCL again on ENOENT).
 *
 * Errors: EINVAL (unknown flag, nonzero pad, bad mode, WG_EXCL or @mode
 * without a name, bad name), ENAMETOOLONG, ERANGE (a negative @count for a
 * new group), EEXIST, EACCES (opening an existing group without
 * permission), ENOSPC (a group limit is reached), EMFILE, ENFILE, ENOMEM,
 * E2BIG (nonzero bytes past the known structure), EFAULT.
 */
struct wg_create {
	__u32 flags;
	__u32 mode;
	__s32 count;
	__u32 __pad;
	char name[WG_NAME_MAX];
	__u32 limit;
	__u32 __pad2;
};

/**
 * struct wg_open - argument of WG_IOC_OPEN and WG_IOC_UNLINK
 * @flags: WG_CLOEXEC, WG_ACCESS_WAIT, WG_ACCESS_ADD for WG_IOC_OPEN;
 *	must be zero for WG_IOC_UNLINK
 * @__pad: must be zero
 * @name: NUL-terminated name of a group in the caller's IPC namespace
 *
 * WG_IOC_OPEN returns a new file descriptor. WG_IOC_UNLINK returns 0 and
 * removes the name; descriptors already open keep working and the group
 * is freed when the last one is closed.
 *
 * Errors: EINVAL, ENAMETOOLONG, ENOENT (no such name), EACCES (open without
 * the permission asked for), EPERM (unlink by neither the owner nor a
 * holder of CAP_IPC_OWNER), EMFILE, ENFILE, ENOMEM, EFAULT.
 */
struct wg_open {
	__u32 flags;
	__u32 __pad;
	char name[WG_NAME_MAX];
};

/**
 * struct wg_add - argument of WG_IOC_ADD
 * @delta: amount to add to the counter, may be negative
 * @flags: WG_UNDO, WG_ADD_WAIT
 * @error: with a negative @delta, a nonzero code reports a failed task;
 *	the first one of a generation is kept for its waiters. Must be zero
 *	with a @delta that is not negative.
 * @__pad: must be zero
 * @deadline_ns: with WG_ADD_WAIT, the absolute CLOCK_MONOTONIC time to
 *	stop waiting for room at, WG_FOREVER for never; must be zero
 *	without it. (Since version 1.2; not in WG_SIZE_ADD_VER0.)
 *
 * Nothing changes when the call fails. Errors: ERANGE (the counter would
 * become negative), EOVERFLOW (the counter would pass INT32_MAX), EAGAIN
 * (a positive @delta would pass the limit, or other adds wait for room,
 * and WG_ADD_WAIT is not set), ETIMEDOUT, EINTR (WG_ADD_WAIT), ECANCELED
 * (a positive @delta while the generation is canceled), EINVAL, E2BIG
 * (nonzero bytes past the known structure), EBADF (descriptor opened
 * without WG_ACCESS_ADD), EFAULT.
 */
struct wg_add {
	__s32 delta;
	__u32 flags;
	__s32 error;
	__u32 __pad;
	__u64 deadline_ns;
};

/**
 * struct wg_wait - argument of WG_IOC_WAIT, read and written
 * @deadline_ns: in: absolute CLOCK_MONOTONIC time to give up at;
 *	WG_FOREVER never gives up; a time already past only tests
 * @flags: in: WG_WAIT_CANCEL_ON_ERROR
 * @__pad: in: must be zero
 * @generation: out: number of the completed generation (the count of
 *	times the counter has reached zero)
 * @error: out: first error reported in that generation, 0 if none
 * @abandoned: out: how many of that generation's adds were undone because
 *	their holder went away (saturates at UINT32_MAX)
 * @outflags: out: WG_RESULT_CANCELED (since version 1.2; not in
 *	WG_SIZE_WAIT_VER0); not read, as the other out fields are not
 * @__pad2: out: zero; not read
 *
 * Returns 0 when the counter is zero (with the last completed generation),
 * or once a generation completes after the wait began: the one running
 * when it began, whose result it reports even if more generations complete
 * (or the group is re-armed at once) before the caller runs again. As in
 * Go, a generation that completed before the wait began is not waited for:
 * add, done, add, wait sleeps until the second add is done.
 *
 * Cancel (WG_IOC_CANCEL): every wait of the running generation, sleeping
 * or starting before it completes, returns at once with the generation
 * that is to complete (the last completed one plus one), the cancel's
 * code as @error, the adds abandoned so far and WG_RESULT_CANCELED. When
 * the counter then reaches zero that generation completes: a wait
 * starting afterwards gets it, canceled, with the same code, and the next
 * generation starts clean.
 *
 * The poll latch: a completion that happens while someone polls this open
 * file (a poll() or select() in progress, or an epoll registration) is
 * kept for it. poll() then reports it, and the file's next WG_IOC_WAIT
 * returns it at once and lets it go; a wait that was itself released by
 * that completion lets it go too. Without a poll nothing is kept.
 * Readiness from a zero counter is level-triggered: if the group is
 * re-armed between poll() and the wait, the wait sleeps; use a deadline of
 * 0 after poll() to take the result without ever blocking.
 *
 * Errors: ETIMEDOUT (deadline passed), EINTR (a signal arrived and the
 * handler has no SA_RESTART; with SA_RESTART, or after a stop, the wait
 * resumes with the same absolute deadline and for the same generation: if
 * that completed meanwhile it returns at once; after EINTR the same
 * thread's next wait of the file does, and the waits of the file's other
 * threads are not affected), EINVAL, E2BIG (nonzero bytes past the known
 * structure), EBADF (no WG_ACCESS_WAIT), EFAULT (the result could not be
 * written; it is latched, so the file's next wait returns it at once).
 */
struct wg_wait {
	__u64 deadline_ns;
	__u32 flags;
	__u32 __pad;
	__u64 generation;
	__s32 error;
	__u32 abandoned;
	__u32 outflags;
	__u32 __pad2;
};

/**
 * struct wg_info - result of WG_IOC_INFO
 * @count: current counter
 * @waiters: tasks currently sleeping in a wait
 * @generation: last completed generation
 * @abandoned: adds undone by abandonment in that generation
 * @error: first error of that generation
 * @uid: owner, in the caller's user namespace
 * @gid: group, in the caller's user namespace
 * @mode: permission bits of a named group, 0 for an anonymous one
 * @__pad: zero
 * @name: name given at creation, empty for an anonymous group
 * @limit: the limit (WG_IOC_LIMIT), 0 for none
 * @room_waiters: adds waiting for room under the limit
 * @flags: WG_INFO_CANCELED, WG_INFO_LAST_CANCELED
 * @cancel_error: the code of the running generation's cancel, if
 *	WG_INFO_CANCELED
 *
 * A snapshot for tools. @limit and what follows are since version 1.2,
 * not in WG_SIZE_INFO_VER0. Errors: EBADF (no WG_ACCESS_WAIT), EFAULT.
 */
struct wg_info {
	__s32 count;
	__u32 waiters;
	__u64 generation;
	__u32 abandoned;
	__s32 error;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 __pad;
	char name[WG_NAME_MAX];
	__u32 limit;
	__u32 room_waiters;
	__u32 flags;
	__s32 cancel_error;
};

/**
 * struct wg_cancel - argument of WG_IOC_CANCEL
 * @error: the code the waiters get, a positive errno value; 0 means
 *	ECANCELED; negative: EINVAL
 * @flags: must be zero
 *
 * Cancels the running generation, as errgroup's context cancel does: see
 * &struct wg_wait for what its waiters get. While it is canceled, a
 * positive add fails with ECANCELED (adds waiting for room too); dones
 * go on as before, and poll() reports the descriptor readable. Needs
 * WG_ACCESS_ADD (EBADF). Returns 1 if it canceled the generation, 0 if
 * there was nothing to cancel: the counter is zero, or the generation is
 * already canceled. Errors: EINVAL, EBADF, EFAULT.
 */
struct wg_cancel {
	__s32 error;
	__u32 flags;
};

/**
 * struct wg_list - argument of WG_IOC_LIST, read and written
 * @names: in: user pointer to @count buffers of WG_NAME_MAX bytes each
 * @count: in: how many buffers @names holds (at most WG_LIST_MAX is
 *	used); out: how many names were written
 * @flags: in: must be zero
 * @cursor: in: 0 to start, else the value a previous call returned
 *	(EINVAL if it is not one a call could return); out: where the next
 *	call resumes, 0 once the end is reached
 *
 * Lists the names of the caller's IPC namespace that it could open with
 * WG_ACCESS_WAIT (all of them with CAP_IPC_OWNER), oldest first. A name
 * created or removed between calls is never listed twice nor makes
 * another be skipped. One call examines at most WG_LIST_MAX names,
 * whether the caller may see them or not, so it can return fewer names
 * than @count, even none, with a nonzero @cursor: only a @cursor of 0 means
 * the end. Errors: EINVAL (nonzero @flags, zero @count), ENOMEM, EFAULT.
 */
struct wg_list {
	__u64 names;
	__u32 count;
	__u32 flags;
	__u64 cursor;
};

/**
 * define WG_LIST_MAX - most names one WG_IOC_LIST call returns or examines
 */
#define WG_LIST_MAX		256

/*
 * The ioctl code: free (every sequence number) in the newest
 * Documentation/userspace-api/ioctl/ioctl-number.rst, which the build lane
 * checks. (0xB8, used before the first release, is mshv's and Marvell
 * CN10K DPI's.)
 */
#define WG_IOC_MAGIC		0xBC

/**
 * DOC: WG_IOC_DONE
 *
 * ``ioctl(fd, WG_IOC_DONE)`` on a waitgroup descriptor takes no argument:
 * it is WG_IOC_ADD with a delta of -1, drawn from this open file's undo
 * ledger first. Errors: ERANGE (the counter is already zero; nothing
 * changes), EBADF (descriptor opened without WG_ACCESS_ADD).
 */

/**
 * DOC: WG_IOC_ADD_VAL
 *
 * ``ioctl(fd, WG_IOC_ADD_VAL, WG_ADD_VAL(delta, flags))`` on a waitgroup
 * descriptor is WG_IOC_ADD with the delta and the flags in the argument
 * itself, so that nothing is read from user memory: the cheapest add. The
 * argument's low 32 bits hold the delta (two's complement), its high 32
 * bits the flags, WG_UNDO or none; a 32-bit caller has no high half and
 * passes no flags. An error code or WG_ADD_WAIT needs &struct wg_add.
 * (Since version 1.2.) Errors: those of WG_IOC_ADD, EINVAL for an unknown
 * flag.
 */
#define WG_ADD_VAL(delta, flags) \
	((unsigned long)(__u32)(__s32)(delta) | \
	 (sizeof(unsigned long) > 4 ? (unsigned long)(flags) << 16 << 16 : 0))

/**
 * DOC: WG_IOC_DUP
 *
 * ``ioctl(fd, WG_IOC_DUP, &flags)`` on a waitgroup descriptor, where flags
 * is a __u32 holding 0 or WG_CLOEXEC, returns a new descriptor for a new
 * open file description of the same group, with the same access and an
 * empty undo ledger (unlike dup(2), which shares the ledger). Errors:
 * EINVAL (unknown flag), EMFILE, ENFILE, ENOMEM, EFAULT.
 */

/**
 * DOC: WG_IOC_LIMIT
 *
 * ``ioctl(fd, WG_IOC_LIMIT, &limit)`` on a waitgroup descriptor, where limit
 * is a __u32, sets the most a positive add may take the counter to: with a
 * limit of n, at most n tasks of one each are counted at once, whoever
 * adds them. 0 removes the limit. A limit below the counter takes nothing
 * away; raising or removing it lets in at once the adds waiting for room
 * that now fit. Needs WG_ACCESS_ADD (EBADF). Errors: EINVAL (above
 * INT32_MAX), EBADF, EFAULT.
 */

/* The first size of each structure that has grown (see the top). */
#define WG_SIZE_CREATE_VER0	80
#define WG_SIZE_ADD_VER0	16
#define WG_SIZE_WAIT_VER0	32
#define WG_SIZE_INFO_VER0	104

/* On the control device /dev/waitgroup. */
#define WG_IOC_CREATE		_IOW(WG_IOC_MAGIC, 0x00, struct wg_create)
#define WG_IOC_OPEN		_IOW(WG_IOC_MAGIC, 0x01, struct wg_open)
#define WG_IOC_UNLINK		_IOW(WG_IOC_MAGIC, 0x02, struct wg_open)
#define WG_IOC_LIST		_IOWR(WG_IOC_MAGIC, 0x03, struct wg_list)

/* On a waitgroup file descriptor. */
#define WG_IOC_ADD		_IOW(WG_IOC_MAGIC, 0x10, struct wg_add)
#define WG_IOC_DONE		_IO(WG_IOC_MAGIC, 0x11)
#define WG_IOC_WAIT		_IOWR(WG_IOC_MAGIC, 0x12, struct wg_wait)
#define WG_IOC_INFO		_IOR(WG_IOC_MAGIC, 0x13, struct wg_info)
#define WG_IOC_DUP		_IOW(WG_IOC_MAGIC, 0x14, __u32)
#define WG_IOC_LIMIT		_IOW(WG_IOC_MAGIC, 0x15, __u32)
#define WG_IOC_CANCEL		_IOW(WG_IOC_MAGIC, 0x16, struct wg_cancel)
#define WG_IOC_ADD_VAL		_IO(WG_IOC_MAGIC, 0x17)

#endif /* _UAPI_LINUX_WAITGROUP_H */
