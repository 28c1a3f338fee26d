// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

import (
	"context"
	"math"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Result is what a wait learns about the generation it waited for (each
// time the counter reaches zero a generation completes), as Go's Wait
// would tell it, and about the batch of tasks that generation ends.
type Result struct {
	Generation uint64 // the completed generation's number
	Error      int    // its first error code, 0 if none
	Abandoned  uint32 // its adds undone because their holder went away
	Canceled   bool   // it was canceled (Error is then the cancel's code)
	// Expired: the generation completed, but so many completed after it
	// before the wait came back for it (more than the kernel keeps, 8)
	// that its result is gone; Error and Abandoned are 0 and say nothing
	// (Batch still does).
	Expired bool
	// Batch is the group's batch totals as the wait returned: every task
	// of this generation and of the ones before it since the group's
	// creation or the last WaitReset. WaitContext, WaitCancelOnError,
	// WaitReset and TryWait fill it in, and set HasBatch; a module before
	// 1.4 has no totals, and leaves HasBatch false.
	Batch    Totals
	HasBatch bool
}

// Totals are a group's batch totals (struct wg_totals). Fast tasks
// started one after another let the counter reach zero between them, so
// a batch of many tasks may complete many generations, and the last
// one's result says nothing of a failure in the first: the batch does.
type Totals struct {
	Done      uint64 // tasks done: the magnitude of every Done, Fail, negative Add
	Failed    uint64 // of them, those done with an error code (Fail)
	Abandoned uint64 // adds undone because their holder went away
	Error     int    // the first error among them (EOWNERDEAD for an abandonment)
}

// Err is nil if every task of the batch succeeded, else a *TaskError
// with Batch set that unwraps to syscall.Errno(t.Error).
func (t Totals) Err() error {
	if t.Failed == 0 && t.Abandoned == 0 {
		return nil
	}
	abandoned := uint32(math.MaxUint32)
	if t.Abandoned < math.MaxUint32 {
		abandoned = uint32(t.Abandoned)
	}
	return &TaskError{Code: t.Error, Abandoned: abandoned, Failed: t.Failed, Batch: true}
}

// Err is the verdict of the wait: nil if every task succeeded, else a
// *TaskError. A canceled generation is one, whose Code is the cancel's
// (ECANCELED for a plain Cancel). Otherwise, with HasBatch, it is the
// batch's (Totals.Err): a failed or abandoned task of any generation
// since the last reset counts, not only of the one waited for. Without
// it, the generation's: unwrapping to syscall.Errno(r.Error), EOWNERDEAD
// for an abandoned task, and an expired result, whose outcome is not
// known, is a *TaskError with Expired set.
func (r Result) Err() error {
	if r.HasBatch && !r.Canceled {
		return r.Batch.Err()
	}
	if r.Error == 0 && r.Abandoned == 0 && !r.Canceled && !r.Expired {
		return nil
	}
	return &TaskError{Code: r.Error, Abandoned: r.Abandoned, Canceled: r.Canceled,
		Expired: r.Expired}
}

// monotonic is CLOCK_MONOTONIC in nanoseconds, the clock of the kernel's
// deadlines (and of the Go runtime's monotonic readings).
func monotonic() uint64 {
	var ts syscall.Timespec
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 1, uintptr(unsafe.Pointer(&ts)), 0)
	return uint64(ts.Sec)*1e9 + uint64(ts.Nsec)
}

// deadlineAt turns a time into an absolute CLOCK_MONOTONIC deadline: 0 if
// it has passed (the kernel then only tests), never WG_FOREVER.
func deadlineAt(t time.Time) uint64 {
	rem := time.Until(t)
	if rem <= 0 {
		return 0
	}
	now := monotonic()
	if uint64(rem) >= forever-1-now {
		return forever - 1
	}
	return now + uint64(rem)
}

func deadlineOf(ctx context.Context) uint64 {
	if t, ok := ctx.Deadline(); ok {
		return deadlineAt(t)
	}
	return forever
}

// noTotals is set once a module of 1.2 or 1.3 answered EINVAL to
// WG_WAIT_TOTALS; the waits then go without it.
var noTotals int32

// waitCall is WG_IOC_WAIT with arg read and written as the kernel does:
// when the call ends without a result (ETIMEDOUT; EINTR, which ioctl
// retries with the same arg) the kernel leaves in arg.target the
// generation the wait began in, and a call with the same arg resumes
// that wait, however many generations completed meanwhile. A module
// before 1.2 gets the first size, without flags or target; one before 1.4
// a new wait without WG_WAIT_TOTALS (taken out of arg, so that a resumed
// call goes on without it), and a reset it cannot do fails with EINVAL.
func (g *Group) waitCall(arg *wgWait) (Result, error) {
	if arg.flags&waitReset == 0 && atomic.LoadInt32(&noTotals) != 0 {
		arg.flags &^= waitTotals
	}
	old := arg.flags&^waitTotals == 0 && arg.target == 0
	req := iocWait
	if isOldModule() && old {
		req = iocWaitVer0
		arg.flags &^= waitTotals
	}
	_, err := g.ioctl(req, unsafe.Pointer(arg))
	switch {
	case err == syscall.ENOTTY && req == iocWait && old:
		setOldModule()
		arg.flags &^= waitTotals
		_, err = g.ioctl(iocWaitVer0, unsafe.Pointer(arg))
	case err == syscall.EINVAL && arg.flags&waitTotals != 0 &&
		arg.flags&waitReset == 0 && arg.target == 0:
		atomic.StoreInt32(&noTotals, 1)
		arg.flags &^= waitTotals
		_, err = g.ioctl(req, unsafe.Pointer(arg))
	}
	if err != nil {
		return Result{}, err
	}
	r := Result{
		Generation: arg.generation,
		Error:      int(arg.error),
		Abandoned:  arg.abandoned,
		Canceled:   arg.outflags&resultCanceled != 0,
		Expired:    arg.outflags&resultExpired != 0,
	}
	if arg.flags&waitTotals != 0 {
		r.Batch, r.HasBatch = totalsOf(&arg.totals), true
	}
	return r, nil
}

func totalsOf(t *wgTotals) Totals {
	return Totals{Done: t.done, Failed: t.failed, Abandoned: t.abandoned, Error: int(t.error)}
}

// wait is a new WG_IOC_WAIT.
func (g *Group) wait(deadline uint64, flags uint32) (Result, error) {
	return g.waitCall(&wgWait{deadline: deadline, flags: flags})
}

// Wait blocks until the counter is zero, as sync.WaitGroup's Wait does:
// it returns once the counter has been zero at some moment after it
// began, whoever (in whichever process) brought it there, even if the
// group is re-armed at once. A canceled generation releases it too. It
// panics if the kernel refuses the wait (a descriptor opened AddOnly);
// WaitContext returns errors and the generation's outcome instead.
func (g *Group) Wait() {
	if _, err := g.wait(forever, 0); err != nil {
		panic(g.err("wait", err))
	}
}

// TryWait reports the last completed generation and the batch's totals
// if the counter is zero, without blocking; EAGAIN (errors.Is(err,
// syscall.EAGAIN)) if it is not.
func (g *Group) TryWait() (Result, error) {
	r, err := g.wait(0, waitTotals)
	if err == syscall.ETIMEDOUT {
		err = syscall.EAGAIN
	}
	return r, g.err("wait", err)
}

// WaitContext is Wait that gives up when ctx is done, and tells how the
// generation it waited for went, and the batch it ends (Result.Err is
// the verdict on every task of the batch).
//
// A deadline of ctx becomes the absolute CLOCK_MONOTONIC deadline of the
// kernel's wait: past it the error satisfies both errors.Is(err,
// syscall.ETIMEDOUT) and errors.Is(err, context.DeadlineExceeded); a
// deadline already past only tests the counter. If ctx can be canceled,
// the wait sleeps in epoll on a private descriptor of the group and an
// eventfd that the cancel writes: a cancel ends it at once, with an error
// that satisfies errors.Is(err, context.Canceled). No signal is involved.
// Such a wait is not counted in Info().Waiters. Either way it returns the
// result of the generation it began in, even if the group is re-armed
// and others complete before it looks (Result.Expired if more than the
// kernel keeps did).
func (g *Group) WaitContext(ctx context.Context) (Result, error) {
	r, err := g.waitContext(ctx, waitTotals)
	return r, g.err("wait", err)
}

// WaitReset is WaitContext that starts a new batch as it returns: in the
// same step, under the group's lock, the batch's totals are read into
// the Result and zeroed, so the next wait's Batch holds only the tasks
// done after it. A wait that fails resets nothing. It changes what every
// waiter of the group is told, so it needs add access (EBADF on a
// WaitOnly descriptor); a module before 1.4 cannot (EINVAL).
func (g *Group) WaitReset(ctx context.Context) (Result, error) {
	r, err := g.waitContext(ctx, waitTotals|waitReset)
	return r, g.err("wait", err)
}

// WaitCancelOnError is WaitContext with errgroup's rule: the first error
// of the generation (a Fail, an abandoned add), if there is one already
// or when one is reported while this waits, cancels the generation with
// that code, which releases every waiter of it (Result.Canceled). With a
// context that can be canceled, the kernel's wait runs in slices of 50
// ms, between which the context is checked.
func (g *Group) WaitCancelOnError(ctx context.Context) (Result, error) {
	r, err := g.waitContext(ctx, waitCancelOnError|waitTotals)
	return r, g.err("wait", err)
}

// ctxErr is the error of a wait whose context is done: a deadline is the
// kernel's ETIMEDOUT (which is also context.DeadlineExceeded).
func ctxErr(ctx context.Context) error {
	if ctx.Err() == context.DeadlineExceeded {
		return syscall.ETIMEDOUT
	}
	return ctx.Err()
}

const cancelSlice = 50 * time.Millisecond

// testHookPolling, if set, runs once a wait that can be canceled has its
// epoll registration: from then on no completion is lost to it.
var testHookPolling func()

// testHookAway, if set, runs each time a wait that can be canceled has
// looked at the group (or slept a slice) without a result and before it
// looks again: it knows its generation by then.
var testHookAway func()

func (g *Group) waitContext(ctx context.Context, flags uint32) (Result, error) {
	deadline := deadlineOf(ctx)
	if ctx.Err() == context.Canceled {
		return Result{}, ctx.Err()
	}
	// No cancel to watch for, or a deadline past, which only tests.
	if ctx.Done() == nil || deadline == 0 {
		return g.wait(deadline, flags)
	}
	// A private open file: what it has reported (its poll mark) is this
	// wait's alone, whatever other goroutines do with the group's own
	// descriptor.
	priv, err := g.Dup()
	if err != nil {
		return Result{}, err.(*Error).Err
	}
	defer priv.Close()
	w, err := newWaiter(priv)
	if err != nil {
		return Result{}, err
	}
	defer w.close()
	stop, exited := make(chan struct{}), make(chan struct{})
	defer func() {
		close(stop)
		<-exited // no wake after the eventfd is closed
	}()
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
			w.wake()
		case <-stop:
		}
	}()
	if testHookPolling != nil {
		testHookPolling()
	}
	if flags&waitCancelOnError != 0 {
		return w.sliced(ctx, deadline, flags)
	}
	return w.polled(ctx, deadline, flags)
}

// A waiter holds an epoll instance on a group's private descriptor and
// on an eventfd that a cancel writes to.
type waiter struct {
	g      *Group
	ep, ev int
}

const (
	evGroup = 1
	evWake  = 2
)

func newWaiter(g *Group) (*waiter, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	r, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0,
		syscall.O_CLOEXEC|syscall.O_NONBLOCK, 0)
	if errno != 0 {
		syscall.Close(ep)
		return nil, errno
	}
	w := &waiter{g: g, ep: ep, ev: int(r)}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: evWake}
	err = syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, w.ev, &ev)
	if err == nil {
		ev.Fd = evGroup
		err = g.rc.Control(func(fd uintptr) {
			err = syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, int(fd), &ev)
		})
	}
	if err != nil {
		w.close()
		return nil, err
	}
	return w, nil
}

func (w *waiter) close() {
	syscall.Close(w.ep)
	syscall.Close(w.ev)
}

func (w *waiter) wake() {
	one := uint64(1)
	syscall.Write(w.ev, (*[8]byte)(unsafe.Pointer(&one))[:])
}

// msUntil is epoll_wait's timeout for a deadline, rounded up; -1: never.
func msUntil(deadline uint64) int {
	if deadline == forever {
		return -1
	}
	now := monotonic()
	if now >= deadline {
		return 0
	}
	ms := (deadline - now + 999999) / 1000000
	if ms > 1<<30 {
		ms = 1 << 30
	}
	return int(ms)
}

// polled looks at the group with a wait that does not block, and sleeps
// in epoll until the group is readable (and looks again), the eventfd is
// written, or the deadline passes (and looks a last time). Every look
// uses the same wgWait: the first one, made once the group is registered,
// leaves there the generation running then, and the later ones return
// that generation's result, even if the group was re-armed and others
// completed before this goroutine looked.
func (w *waiter) polled(ctx context.Context, deadline uint64, flags uint32) (Result, error) {
	var evs [2]syscall.EpollEvent
	call := wgWait{flags: flags} // deadline 0: each look only tests
	look, last := true, false
	for {
		if look {
			r, err := w.g.waitCall(&call)
			if err != syscall.ETIMEDOUT || last {
				return r, err
			}
			if testHookAway != nil {
				testHookAway()
			}
		}
		n, err := syscall.EpollWait(w.ep, evs[:], msUntil(deadline))
		if err == syscall.EINTR {
			look = false
			continue
		}
		if err != nil {
			return Result{}, err
		}
		look = n > 0
		for _, e := range evs[:n] {
			if e.Fd == evWake {
				return Result{}, ctxErr(ctx)
			}
		}
		if n == 0 && deadline != forever && monotonic() >= deadline {
			look, last = true, true
		}
	}
}

// sliced waits in the kernel (so that its flags act while it sleeps) in
// slices, checking ctx between them. The slices share one wgWait, whose
// target makes each one wait for the generation the first began in: a
// completion between two slices is the next one's result, even if the
// group was re-armed and others completed meanwhile.
func (w *waiter) sliced(ctx context.Context, deadline uint64, flags uint32) (Result, error) {
	call := wgWait{flags: flags}
	for {
		step := monotonic() + uint64(cancelSlice)
		if step > deadline {
			step = deadline
		}
		call.deadline = step
		r, err := w.g.waitCall(&call)
		if err != syscall.ETIMEDOUT {
			return r, err
		}
		if step == deadline {
			return Result{}, err
		}
		if ctx.Err() != nil {
			return Result{}, ctxErr(ctx)
		}
		if testHookAway != nil {
			testHookAway()
		}
	}
}

// AddContext is AddErr with a bound on the wait for room under a limit:
// ctx's deadline becomes the kernel's (ETIMEDOUT, also
// context.DeadlineExceeded, and nothing added); a ctx that can be
// canceled is checked every 50 ms, each slice of the wait rejoining the
// queue for room at its back. With undo, the add is recorded as AddUndo
// records it.
func (g *Group) AddContext(ctx context.Context, delta int, undo bool) error {
	flags := uint32(addWait)
	if undo {
		flags |= addUndo
	}
	deadline := deadlineOf(ctx)
	if ctx.Err() == context.Canceled {
		return g.err("add", ctx.Err())
	}
	if ctx.Done() == nil || deadline == 0 {
		return g.err("add", g.add(delta, flags, 0, deadline))
	}
	for {
		if ctx.Err() != nil {
			return g.err("add", ctxErr(ctx))
		}
		step := monotonic() + uint64(cancelSlice)
		if step > deadline {
			step = deadline
		}
		err := g.add(delta, flags, 0, step)
		if err != syscall.ETIMEDOUT || step == deadline {
			return g.err("add", err)
		}
	}
}
