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
// the generation's first error and the batch's totals (Fail, Result); a
// limit makes adds wait for room (SetLimit), and Cancel releases every
// waiter at once.
//
// # Add across processes: plain, and crash-safe with undo
//
// The plain Add is sync.WaitGroup's, and is right where the adder and the
// one that calls Done live and die together, as goroutines of one
// process do:
//
//	wg.Add(1)
//	go func() {
//		defer wg.Done()
//		work()
//	}()
//
// Across processes it is not: a worker killed (SIGKILL, OOM, a crash)
// between its Add and its Done leaves the counter up, and every waiter
// hangs. The crash-safe form records the add in the undo ledger of the
// Group's open file, and the Done on that same Group draws it back; if
// the process dies first, the kernel takes the add back and waiters see
// the task abandoned (Result.Abandoned, EOWNERDEAD) instead of hanging:
//
//	if err := wg.AddUndo(1); err != nil { // in the worker, on its own Open
//		return err
//	}
//	defer wg.Done()
//	work()
//
// Go and Cmd add with undo themselves. The ledger belongs to the open
// file, not the process: a child given the descriptor (File,
// exec.Cmd.ExtraFiles) shares it, and holds the add until it exits too;
// Dup gives a ledger of its own.
//
// # Batches
//
// A wait's Result tells of one generation, as Go's Wait does; fast tasks
// started one after another let the counter reach zero between them, so
// the last generation says nothing of a failure in the first. The kernel
// keeps the batch's totals too, every task since the group's creation or
// the last WaitReset (Result.Batch, Info.Batch), and Result.Err judges
// the batch:
//
//	res, err := wg.WaitContext(ctx)
//	if err == nil {
//		err = res.Err() // any task of the batch failed or was abandoned
//	}
//
// Errors are *Error values wrapping the kernel's syscall.Errno:
// errors.Is(err, syscall.ERANGE), syscall.EOVERFLOW, syscall.ETIMEDOUT,
// syscall.ECANCELED, os.ErrNotExist and so on hold. The package is pure
// Go (no cgo) and needs Go 1.19; see waitgroup(4) and libwaitgroup(3)
// for the kernel's side.
package waitgroup
