// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

import (
	"context"
	"strconv"
	"syscall"
)

// Error is the error of an operation on a group: what was done, to which
// group, and why. Err is the syscall.Errno the kernel answered (so
// errors.Is(err, syscall.ERANGE) and the like hold), or the context's
// error for a wait whose context was canceled.
type Error struct {
	Op   string // "create", "open", "add", "done", "wait", ...
	Name string // the group's name; empty for an anonymous group
	Err  error
}

// Error says what failed; a negative counter is worded as sync.WaitGroup
// words it.
func (e *Error) Error() string {
	s := "waitgroup: "
	if e.Name != "" {
		s += e.Name + ": "
	}
	s += e.Op + ": "
	if e.Err == syscall.ERANGE && (e.Op == "add" || e.Op == "done") {
		return s + "negative WaitGroup counter"
	}
	return s + e.Err.Error()
}

// Unwrap returns the underlying error, a syscall.Errno or a context error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports a timed-out wait (ETIMEDOUT) as context.DeadlineExceeded too,
// since a context's deadline is what set it.
func (e *Error) Is(target error) bool {
	return target == context.DeadlineExceeded && e.Err == syscall.ETIMEDOUT
}

// Timeout reports whether the operation gave up at its deadline.
func (e *Error) Timeout() bool {
	return e.Err == syscall.ETIMEDOUT || e.Err == context.DeadlineExceeded
}

// TaskError is how Result.Err reports a batch (Batch set) or a
// generation that did not end well: a task that reported an error code,
// a task abandoned by a holder that died (EOWNERDEAD, unless a code came
// first), or a cancel; or a generation whose outcome is not known, its
// result expired. It unwraps to syscall.Errno(Code), so errors.Is(err,
// syscall.ECANCELED) tells a plain cancel.
type TaskError struct {
	Code      int    // the first error code of the batch or generation
	Abandoned uint32 // adds undone because their holder went away
	Canceled  bool   // the generation was canceled (Code is the cancel's)
	Expired   bool   // its result was no longer kept (Code is 0)
	Batch     bool   // the verdict is the batch's (Result.Batch)
	Failed    uint64 // with Batch: the tasks of the batch that failed
}

// Error describes the outcome.
func (e *TaskError) Error() string {
	switch {
	case e.Batch:
		return "waitgroup: batch: " + strconv.FormatUint(e.Failed, 10) +
			" task(s) failed, " + strconv.FormatUint(uint64(e.Abandoned), 10) +
			" abandoned (first error " + strconv.Itoa(e.Code) + ")"
	case e.Expired:
		return "waitgroup: the generation's result is no longer kept"
	case e.Canceled:
		return "waitgroup: canceled (error " + strconv.Itoa(e.Code) + ")"
	case e.Abandoned > 0:
		return "waitgroup: " + strconv.FormatUint(uint64(e.Abandoned), 10) +
			" task(s) abandoned (error " + strconv.Itoa(e.Code) + ")"
	}
	return "waitgroup: a task failed with error " + strconv.Itoa(e.Code)
}

// Unwrap returns syscall.Errno(Code), or nil when Code is not positive.
func (e *TaskError) Unwrap() error {
	if e.Code <= 0 {
		return nil
	}
	return syscall.Errno(e.Code)
}

func (g *Group) err(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, Name: g.name, Err: err}
}
