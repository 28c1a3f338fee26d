/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * waitgroup: Go's sync.WaitGroup as a kernel object, through /dev/waitgroup.
 *
 * Documentation/userspace-api/waitgroup.rst describes the semantics, the
 * errors and how the structures grow.
 */
#ifndef _UAPI_LINUX_WAITGROUP_H
#define _UAPI_LINUX_WAITGROUP_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/**
 * define WG_NAME_MAX - size of a name buffer, including the terminating NUL
 */
#define WG_NAME_MAX		64

/**
 * define WG_FOREVER - a deadline that never expires
 */
#define WG_FOREVER		(~0ULL)

/**
 * define WG_CLOEXEC - the new descriptor is closed on execve()
 */
#define WG_CLOEXEC		_BITUL(0)
/**
 * define WG_EXCL - WG_IOC_CREATE fails with EEXIST if the name exists
 */
#define WG_EXCL			_BITUL(1)
/**
 * define WG_ACCESS_WAIT - the new descriptor may wait, poll and read info
 */
#define WG_ACCESS_WAIT		_BITUL(2)
/**
 * define WG_ACCESS_ADD - the new descriptor may add, done, limit and cancel
 */
#define WG_ACCESS_ADD		_BITUL(3)

/**
 * define WG_UNDO - record a positive delta in the open file's undo ledger
 */
#define WG_UNDO			_BITUL(0)
/**
 * define WG_ADD_WAIT - wait for room under the limit instead of EAGAIN
 */
#define WG_ADD_WAIT		_BITUL(1)

/**
 * define WG_WAIT_CANCEL_ON_ERROR - the generation's first error cancels it
 */
#define WG_WAIT_CANCEL_ON_ERROR	_BITUL(0)

/**
 * define WG_WAIT_TOTALS - fill the batch's totals in (struct wg_wait's @totals)
 */
#define WG_WAIT_TOTALS		_BITUL(1)
/**
 * define WG_WAIT_RESET - with WG_WAIT_TOTALS, a new batch starts as it returns
 */
#define WG_WAIT_RESET		_BITUL(2)

/**
 * define WG_RESULT_CANCELED - the generation returned for was canceled
 */
#define WG_RESULT_CANCELED	_BITUL(0)
/**
 * define WG_RESULT_EXPIRED - the generation completed, its result is gone
 */
#define WG_RESULT_EXPIRED	_BITUL(1)

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
 * @mode: permission bits of a new named group, 0 for 0600
 * @count: initial counter of a new group
 * @__pad: zero
 * @name: NUL-terminated name, empty for an anonymous group
 * @limit: limit of a new group (as WG_IOC_LIMIT sets), 0 for none
 * @__pad2: zero
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
 * @flags: WG_CLOEXEC, WG_ACCESS_WAIT, WG_ACCESS_ADD; zero for unlink
 * @__pad: zero
 * @name: NUL-terminated name
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
 * @error: with a negative @delta, nonzero reports a failed task
 * @__pad: zero
 * @deadline_ns: with WG_ADD_WAIT, when to stop waiting for room
 */
struct wg_add {
	__s32 delta;
	__u32 flags;
	__s32 error;
	__u32 __pad;
	__u64 deadline_ns;
};

/**
 * struct wg_totals - the tasks of a batch: from the group's creation or
 * its last WG_WAIT_RESET on
 * @done: tasks done (the magnitude of every negative add and done)
 * @failed: of them, those done with an error
 * @abandoned: adds undone by abandonment
 * @error: the first error among them (EOWNERDEAD for an abandonment)
 * @__pad: zero
 */
struct wg_totals {
	__u64 done;
	__u64 failed;
	__u64 abandoned;
	__s32 error;
	__u32 __pad;
};

/**
 * struct wg_wait - argument of WG_IOC_WAIT, read and written
 * @deadline_ns: in: when to give up, absolute CLOCK_MONOTONIC
 * @flags: in: WG_WAIT_CANCEL_ON_ERROR, WG_WAIT_TOTALS, WG_WAIT_RESET
 * @__pad: in: zero
 * @generation: out: the generation returned for
 * @error: out: its first error, or its cancel's code
 * @abandoned: out: its adds undone by abandonment
 * @outflags: out: WG_RESULT_CANCELED, WG_RESULT_EXPIRED
 * @__pad2: out: zero
 * @target: in/out: 0 for a new wait, else the generation to wait for
 * @totals: out: with WG_WAIT_TOTALS, the batch's totals as the wait
 *	returns; zero without
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
	__u64 target;
	struct wg_totals totals;
};

/**
 * struct wg_info - result of WG_IOC_INFO
 * @count: the counter
 * @waiters: tasks sleeping in WG_IOC_WAIT
 * @generation: the last completed generation
 * @abandoned: its adds undone by abandonment
 * @error: its first error, or its cancel's code
 * @uid: owner, in the caller's user namespace
 * @gid: group, in the caller's user namespace
 * @mode: permission bits of a named group, 0 for an anonymous one
 * @__pad: zero
 * @name: the group's name, empty for an anonymous group
 * @limit: the limit, 0 for none
 * @room_waiters: adds waiting for room under the limit
 * @flags: WG_INFO_CANCELED, WG_INFO_LAST_CANCELED
 * @cancel_error: the running generation's cancel code, if canceled
 * @totals: the batch's totals
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
	struct wg_totals totals;
};

/**
 * struct wg_cancel - argument of WG_IOC_CANCEL
 * @error: the code the waiters get, 0 for ECANCELED
 * @flags: zero
 */
struct wg_cancel {
	__s32 error;
	__u32 flags;
};

/**
 * struct wg_list - argument of WG_IOC_LIST, read and written
 * @names: in: user pointer to @count buffers of WG_NAME_MAX bytes
 * @count: in: buffers at @names; out: names written
 * @flags: in: zero
 * @cursor: in: 0 to start, else the last call's; out: 0 at the end
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

/**
 * define WG_IOC_MAGIC - the ioctl type of every waitgroup command
 */
#define WG_IOC_MAGIC		0xBC

/**
 * WG_ADD_VAL() - the argument of WG_IOC_ADD_VAL
 * @delta: the delta, in the low 32 bits
 * @flags: WG_UNDO or 0, in the high 32 bits (64-bit callers only)
 */
#define WG_ADD_VAL(delta, flags) \
	((unsigned long)(__u32)(__s32)(delta) | \
	 (sizeof(unsigned long) > 4 ? (unsigned long)(flags) << 16 << 16 : 0))

/* The first size of each structure that has grown. */
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
