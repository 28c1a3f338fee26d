// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

// The ABI of uapi/linux/waitgroup.h, transcribed: every structure with
// its current (grown) layout, and the first version's size of each one
// that grew, for a module older than 1.2 (which answers ENOTTY to the
// new sizes). A module of 1.2 or 1.3 takes the grown sizes but has no
// batch totals: it answers EINVAL to waitTotals. TestABI holds the
// numbers the C compiler gives.

import "unsafe"

const (
	devicePath = "/dev/waitgroup"
	nameMax    = 64 // WG_NAME_MAX, including the NUL
	forever    = ^uint64(0)

	flagCloexec    = 1 << 0 // WG_CLOEXEC
	flagExcl       = 1 << 1 // WG_EXCL
	flagAccessWait = 1 << 2 // WG_ACCESS_WAIT
	flagAccessAdd  = 1 << 3 // WG_ACCESS_ADD

	addUndo = 1 << 0 // WG_UNDO
	addWait = 1 << 1 // WG_ADD_WAIT

	waitCancelOnError = 1 << 0 // WG_WAIT_CANCEL_ON_ERROR
	waitTotals        = 1 << 1 // WG_WAIT_TOTALS
	waitReset         = 1 << 2 // WG_WAIT_RESET
	resultCanceled    = 1 << 0 // WG_RESULT_CANCELED
	resultExpired     = 1 << 1 // WG_RESULT_EXPIRED

	infoCanceled     = 1 << 0 // WG_INFO_CANCELED
	infoLastCanceled = 1 << 1 // WG_INFO_LAST_CANCELED

	sizeCreateVer0 = 80 // WG_SIZE_CREATE_VER0
	sizeAddVer0    = 16
	sizeWaitVer0   = 32
	sizeInfoVer0   = 104
)

type wgCreate struct {
	flags uint32
	mode  uint32
	count int32
	_     uint32
	name  [nameMax]byte
	limit uint32
	_     uint32
}

type wgOpen struct {
	flags uint32
	_     uint32
	name  [nameMax]byte
}

type wgAdd struct {
	delta    int32
	flags    uint32
	error    int32
	_        uint32
	deadline uint64
}

type wgTotals struct {
	done      uint64
	failed    uint64
	abandoned uint64
	error     int32
	_         uint32
}

type wgWait struct {
	deadline   uint64
	flags      uint32
	_          uint32
	generation uint64
	error      int32
	abandoned  uint32
	outflags   uint32
	_          uint32
	target     uint64 // in and out: the generation a resumed wait is for
	totals     wgTotals
}

type wgInfo struct {
	count       int32
	waiters     uint32
	generation  uint64
	abandoned   uint32
	error       int32
	uid         uint32
	gid         uint32
	mode        uint32
	_           uint32
	name        [nameMax]byte
	limit       uint32
	roomWaiters uint32
	flags       uint32
	cancelError int32
	totals      wgTotals
}

type wgCancel struct {
	error int32
	flags uint32
}

// _IOC of <asm-generic/ioctl.h>: direction, size, type, number.
const (
	iocWrite = 1
	iocRead  = 2
	iocMagic = 0xBC
)

func ioc(dir, nr, size uintptr) uintptr {
	return dir<<30 | size<<16 | iocMagic<<8 | nr
}

var (
	iocCreate     = ioc(iocWrite, 0x00, unsafe.Sizeof(wgCreate{}))
	iocCreateVer0 = ioc(iocWrite, 0x00, sizeCreateVer0)
	iocOpen       = ioc(iocWrite, 0x01, unsafe.Sizeof(wgOpen{}))
	iocUnlink     = ioc(iocWrite, 0x02, unsafe.Sizeof(wgOpen{}))
	iocAdd        = ioc(iocWrite, 0x10, unsafe.Sizeof(wgAdd{}))
	iocAddVer0    = ioc(iocWrite, 0x10, sizeAddVer0)
	iocDone       = ioc(0, 0x11, 0)
	iocWait       = ioc(iocRead|iocWrite, 0x12, unsafe.Sizeof(wgWait{}))
	iocWaitVer0   = ioc(iocRead|iocWrite, 0x12, sizeWaitVer0)
	iocInfo       = ioc(iocRead, 0x13, unsafe.Sizeof(wgInfo{}))
	iocInfoVer0   = ioc(iocRead, 0x13, sizeInfoVer0)
	iocDup        = ioc(iocWrite, 0x14, 4)
	iocLimit      = ioc(iocWrite, 0x15, 4)
	iocCancel     = ioc(iocWrite, 0x16, unsafe.Sizeof(wgCancel{}))
)
