// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

// Package waitgroup is Go's sync.WaitGroup made a kernel object: a
// counter in /dev/waitgroup (the waitgroup Linux module) that goroutines
// of unrelated processes share. A *Group has sync.WaitGroup's methods,
// Add, Done, Wait and Go, with the same meaning and the same panic on a
// negative counter, so code moves from one to the other by replacing
//
//	var wg sync.WaitGroup
//
// with
//
//	wg, err := waitgroup.Create("build")
//
// in the coordinator, and waitgroup.Open("build") in every worker.
//
// What the kernel adds: a named group lives in the IPC namespace with
// permissions, or an anonymous one (New) is passed to children as a file
// (File, FromFile, exec.Cmd.ExtraFiles); an add with undo (AddUndo, Go,
// Cmd) is taken back when its holder dies, so a killed worker cannot hang
// the group; a wait has a deadline and a cancel (WaitContext), and tells
// the generation's first error (Fail, Result); a limit makes adds wait for
// room (SetLimit), and Cancel releases every waiter at once.
//
// Errors are *Error values wrapping the kernel's syscall.Errno:
// errors.Is(err, syscall.ERANGE), syscall.EOVERFLOW, syscall.ETIMEDOUT,
// syscall.ECANCELED, os.ErrNotExist and so on hold. The package is pure
// Go (no cgo) and needs Go 1.19; see waitgroup(4) and libwaitgroup(3)
// for the kernel's side.
package waitgroup
