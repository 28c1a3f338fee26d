# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
"""The kernel ABI of uapi/linux/waitgroup.h, as struct formats and numbers.

Every structure is packed native-endian with explicit padding, exactly as
the header lays it out; the ``*_VER0`` sizes are the first version's, which
every module accepts (a module older than 1.2 answers ENOTTY for the grown
sizes, and the callers retry with these). A module of 1.2 or 1.3 takes the
grown sizes, reading their tail as zero and clearing it, but has no batch
totals: it answers EINVAL to ``WAIT_TOTALS``.
"""

from __future__ import annotations

import struct

DEVICE_PATH = "/dev/waitgroup"

NAME_MAX = 64
FOREVER = (1 << 64) - 1

# struct wg_create / wg_open flags
CLOEXEC = 1 << 0
EXCL = 1 << 1
ACCESS_WAIT = 1 << 2
ACCESS_ADD = 1 << 3

# struct wg_add flags
UNDO = 1 << 0
ADD_WAIT = 1 << 1

# struct wg_wait flags and outflags
WAIT_CANCEL_ON_ERROR = 1 << 0
WAIT_TOTALS = 1 << 1
WAIT_RESET = 1 << 2
RESULT_CANCELED = 1 << 0
RESULT_EXPIRED = 1 << 1

# struct wg_info flags
INFO_CANCELED = 1 << 0
INFO_LAST_CANCELED = 1 << 1

LIST_MAX = 256

# struct wg_create { u32 flags, mode; s32 count; u32 pad; char name[64];
#                    u32 limit, pad2; }
CREATE = struct.Struct("=IIiI64sII")
# struct wg_open { u32 flags, pad; char name[64]; }
OPEN = struct.Struct("=II64s")
# struct wg_add { s32 delta; u32 flags; s32 error; u32 pad; u64 deadline_ns; }
ADD = struct.Struct("=iIiIQ")
# struct wg_totals { u64 done, failed, abandoned; s32 error; u32 pad; }
TOTALS = struct.Struct("=QQQiI")
# struct wg_wait { u64 deadline_ns; u32 flags, pad; u64 generation;
#                  s32 error; u32 abandoned, outflags, pad2; u64 target;
#                  struct wg_totals totals; }
WAIT = struct.Struct("=QIIQiIIIQ" + TOTALS.format[1:])
# struct wg_info { s32 count; u32 waiters; u64 generation; u32 abandoned;
#                  s32 error; u32 uid, gid, mode, pad; char name[64];
#                  u32 limit, room_waiters, flags; s32 cancel_error;
#                  struct wg_totals totals; }
INFO = struct.Struct("=iIQIiIIII64sIIIi" + TOTALS.format[1:])
# struct wg_cancel { s32 error; u32 flags; }
CANCEL = struct.Struct("=iI")
# struct wg_list { u64 names; u32 count, flags; u64 cursor; }
LIST = struct.Struct("=QIIQ")
U32 = struct.Struct("=I")

SIZE_CREATE_VER0 = 80
SIZE_ADD_VER0 = 16
SIZE_WAIT_VER0 = 32
SIZE_INFO_VER0 = 104
# Where the totals start: the sizes of 1.3's struct wg_wait and wg_info.
OFFSET_WAIT_TOTALS = 48
OFFSET_INFO_TOTALS = 120

assert CREATE.size == 88 and OPEN.size == 72 and ADD.size == 24
assert TOTALS.size == 32 and WAIT.size == 80 and INFO.size == 152 and CANCEL.size == 8
assert WAIT.size - TOTALS.size == OFFSET_WAIT_TOTALS
assert INFO.size - TOTALS.size == OFFSET_INFO_TOTALS
assert LIST.size == 24

MAGIC = 0xBC

_IOC_WRITE = 1
_IOC_READ = 2


def _ioc(direction: int, nr: int, size: int) -> int:
    return (direction << 30) | (size << 16) | (MAGIC << 8) | nr


def iow(nr: int, size: int) -> int:
    """_IOW(WG_IOC_MAGIC, nr, size)."""
    return _ioc(_IOC_WRITE, nr, size)


def ior(nr: int, size: int) -> int:
    """_IOR(WG_IOC_MAGIC, nr, size)."""
    return _ioc(_IOC_READ, nr, size)


def iowr(nr: int, size: int) -> int:
    """_IOWR(WG_IOC_MAGIC, nr, size)."""
    return _ioc(_IOC_READ | _IOC_WRITE, nr, size)


IOC_CREATE = iow(0x00, CREATE.size)
IOC_CREATE_VER0 = iow(0x00, SIZE_CREATE_VER0)
IOC_OPEN = iow(0x01, OPEN.size)
IOC_UNLINK = iow(0x02, OPEN.size)
IOC_LIST = iowr(0x03, LIST.size)
IOC_ADD = iow(0x10, ADD.size)
IOC_ADD_VER0 = iow(0x10, SIZE_ADD_VER0)
IOC_DONE = _ioc(0, 0x11, 0)
IOC_WAIT = iowr(0x12, WAIT.size)
IOC_WAIT_VER0 = iowr(0x12, SIZE_WAIT_VER0)
IOC_INFO = ior(0x13, INFO.size)
IOC_INFO_VER0 = ior(0x13, SIZE_INFO_VER0)
IOC_DUP = iow(0x14, U32.size)
IOC_LIMIT = iow(0x15, U32.size)
IOC_CANCEL = iow(0x16, CANCEL.size)
