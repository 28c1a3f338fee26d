// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

// What the kernel adds to sync.WaitGroup: deadlines and cancel of a wait,
// undo, the limit, cancel, Info, the errors, commands as tasks.

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestABI: the structures and ioctl numbers are the C compiler's for
// uapi/linux/waitgroup.h.
func TestABI(t *testing.T) {
	sizes := []struct {
		name      string
		got, want uintptr
	}{
		{"wg_create", unsafe.Sizeof(wgCreate{}), 88},
		{"wg_open", unsafe.Sizeof(wgOpen{}), 72},
		{"wg_add", unsafe.Sizeof(wgAdd{}), 24},
		{"wg_wait", unsafe.Sizeof(wgWait{}), 80},
		{"wg_info", unsafe.Sizeof(wgInfo{}), 152},
		{"wg_totals", unsafe.Sizeof(wgTotals{}), 32},
		{"wg_wait.totals", unsafe.Offsetof(wgWait{}.totals), 48},
		{"wg_info.totals", unsafe.Offsetof(wgInfo{}.totals), 120},
		{"wg_cancel", unsafe.Sizeof(wgCancel{}), 8},
		{"wg_info.name", unsafe.Offsetof(wgInfo{}.name), 40},
		{"wg_info.limit", unsafe.Offsetof(wgInfo{}.limit), sizeInfoVer0},
		{"wg_wait.outflags", unsafe.Offsetof(wgWait{}.outflags), sizeWaitVer0},
		{"wg_wait.target", unsafe.Offsetof(wgWait{}.target), 40},
		{"wg_add.deadline_ns", unsafe.Offsetof(wgAdd{}.deadline), sizeAddVer0},
		{"wg_create.limit", unsafe.Offsetof(wgCreate{}.limit), sizeCreateVer0},
		{"WG_IOC_CREATE", iocCreate, 0x4058bc00},
		{"WG_IOC_OPEN", iocOpen, 0x4048bc01},
		{"WG_IOC_UNLINK", iocUnlink, 0x4048bc02},
		{"WG_IOC_ADD", iocAdd, 0x4018bc10},
		{"WG_IOC_DONE", iocDone, 0x0000bc11},
		{"WG_IOC_WAIT", iocWait, 0xc050bc12},
		{"WG_IOC_INFO", iocInfo, 0x8098bc13},
		{"WG_IOC_DUP", iocDup, 0x4004bc14},
		{"WG_IOC_LIMIT", iocLimit, 0x4004bc15},
		{"WG_IOC_CANCEL", iocCancel, 0x4008bc16},
	}
	for _, s := range sizes {
		if s.got != s.want {
			t.Errorf("%s: %#x, want %#x", s.name, s.got, s.want)
		}
	}
}

func TestWaitContextDeadline(t *testing.T) {
	g, _ := named(t, Count(1))
	const d = 100 * time.Millisecond
	ctx, cancel := context.WithTimeout(bg(), d)
	defer cancel()
	_, err := g.WaitContext(ctx)
	if !errors.Is(err, syscall.ETIMEDOUT) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("wait past its deadline: %v, want ETIMEDOUT and DeadlineExceeded", err)
	}
	if dl, _ := ctx.Deadline(); time.Now().Before(dl) {
		t.Fatalf("returned %v before the deadline", time.Until(dl))
	}
	// Without a cancel function, the kernel's own wait has the deadline.
	dl := time.Now().Add(d)
	ctx2, cancel2 := context.WithDeadline(bg(), dl)
	defer cancel2()
	if _, err := g.WaitContext(noCancel{ctx2}); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("kernel deadline: %v", err)
	} else if time.Now().Before(dl) {
		t.Fatalf("kernel deadline: returned %v before it", time.Until(dl))
	}
	// A deadline already past only tests.
	past, cancel3 := context.WithDeadline(bg(), time.Now().Add(-time.Second))
	defer cancel3()
	if _, err := g.WaitContext(noCancel{past}); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("past deadline: %v", err)
	}
	if _, err := g.WaitContext(past); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("past deadline, cancelable: %v", err)
	}
	if _, err := g.TryWait(); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("TryWait with a task: %v, want EAGAIN", err)
	}
	g.Done()
	if r, err := g.TryWait(); err != nil || r.Generation != 1 {
		t.Fatalf("TryWait at zero: %+v, %v", r, err)
	}
	if r, err := g.WaitContext(past); err != nil || r.Generation != 1 {
		t.Fatalf("a past deadline tests: %+v, %v", r, err)
	}
}

// noCancel keeps a context's deadline but not its Done channel: the
// path where the kernel's wait alone has the deadline.
type noCancel struct{ context.Context }

func (noCancel) Done() <-chan struct{} { return nil }

func TestWaitContextCancel(t *testing.T) {
	g, _ := named(t, Count(1))
	ctx, cancel := context.WithCancel(bg())
	errc := make(chan error)
	go func() {
		_, err := g.WaitContext(ctx)
		errc <- err
	}()
	// The stimulus, whenever it comes: the wait must end with it.
	time.AfterFunc(20*time.Millisecond, cancel)
	err := <-errc
	if !errors.Is(err, context.Canceled) || errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("canceled wait: %v", err)
	}
	// Already canceled: at once.
	if _, err := g.WaitContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("wait on a canceled context: %v", err)
	}
	// A cancelable context that is never canceled: the group's zero,
	// from another process, ends the wait with its result.
	ctx2, cancel2 := context.WithCancel(bg())
	defer cancel2()
	resc := make(chan Result)
	go func() {
		r, err := g.WaitContext(ctx2)
		if err != nil {
			t.Error(err)
		}
		resc <- r
	}()
	f, err := g.Dup()
	if err != nil {
		t.Fatal(err)
	}
	cmd := worker(t, "anon", "", []string{"WG_N=7"}, f.File())
	f.Close()
	waitWorker(t, cmd)
	if r := <-resc; r.Generation != 1 || r.Error != 7 || !errors.Is(r.Err(), syscall.Errno(7)) {
		t.Fatalf("result %+v, err %v", r, r.Err())
	}
}

// TestWaitSignals: signals arriving while a wait or an add for room
// sleeps (SA_RESTART, as the Go runtime installs its handlers) neither
// end it nor lose it: the kernel's wait, the epoll one, the add.
func TestWaitSignals(t *testing.T) {
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	storm := func() {
		for i := 0; i < 20; i++ {
			syscall.Kill(os.Getpid(), syscall.SIGUSR1)
			<-sigs
		}
	}
	ctx, cancel := context.WithTimeout(bg(), time.Minute)
	defer cancel()

	t.Run("kernel", func(t *testing.T) {
		g, _ := named(t, Count(1))
		done := make(chan error)
		go func() {
			_, err := g.WaitContext(noCancel{ctx})
			done <- err
		}()
		until(t, g, "a waiter sleeps", func(i Info) bool { return i.Waiters == 1 })
		storm()
		select {
		case err := <-done:
			t.Fatalf("the signals ended the wait: %v", err)
		default:
		}
		// A signal takes the waiter out of its sleep for its handler; the
		// wait restarts, and sleeps again.
		until(t, g, "the waiter sleeps again", func(i Info) bool { return i.Waiters == 1 })
		g.Done()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("epoll", func(t *testing.T) {
		g, _ := named(t, Count(1))
		polling := make(chan bool, 1)
		testHookPolling = func() { polling <- true }
		defer func() { testHookPolling = nil }()
		done := make(chan error)
		go func() {
			_, err := g.WaitContext(ctx)
			done <- err
		}()
		<-polling
		storm()
		g.Done()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("room", func(t *testing.T) {
		g, _ := named(t, Limit(1), Count(1))
		done := make(chan error)
		go func() { done <- g.AddErr(1) }()
		until(t, g, "an add waits for room", func(i Info) bool { return i.RoomWaiters == 1 })
		storm()
		g.Done()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if info, _ := g.Info(); info.Count != 1 || info.RoomWaiters != 0 {
			t.Fatalf("after the add: %+v", info)
		}
		g.Done()
	})
}

// TestWaitContextRearm: a completion while the cancelable wait is
// registered is reported to it even if the group is re-armed at once
// (readable: a completion its private descriptor has not reported).
func TestWaitContextRearm(t *testing.T) {
	g, _ := named(t, Count(1))
	polling := make(chan bool, 1)
	testHookPolling = func() { polling <- true }
	defer func() { testHookPolling = nil }()
	ctx, cancel := context.WithTimeout(bg(), time.Minute) // a lost completion fails, not hangs
	defer cancel()
	res := make(chan Result)
	go func() {
		r, err := g.WaitContext(ctx)
		if err != nil {
			t.Error(err)
		}
		res <- r
	}()
	<-polling
	g.Done()
	g.Add(1)
	if r := <-res; r.Generation != 1 {
		t.Fatalf("released for generation %d, want 1", r.Generation)
	}
	g.Done()
}

// TestWaitKeepsGeneration: a wait that looks at the group between sleeps
// in epoll (WaitContext with a cancel) or sleeps in slices
// (WaitCancelOnError) waits for the generation it began in from one look
// to the next: completed, re-armed and completed again between two, the
// group reports the first of those; after 9 completions (more than the
// kernel keeps) its result has expired, and says so.
func TestWaitKeepsGeneration(t *testing.T) {
	ctx, cancel := context.WithTimeout(bg(), time.Minute) // a lost generation fails, not hangs
	defer cancel()
	polled := func(g *Group) (Result, error) { return g.WaitContext(ctx) }
	sliced := func(g *Group) (Result, error) { return g.WaitCancelOnError(ctx) }
	// Without the batch's totals (a module before 1.4), Err judges the
	// generation: an expired one is not known.
	plain := func(g *Group) (Result, error) {
		r, err := g.WaitContext(ctx)
		r.Batch, r.HasBatch = Totals{}, false
		return r, err
	}
	nine := []int{1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, c := range []struct {
		name  string
		wait  func(*Group) (Result, error)
		codes []int // each completes a generation with that error
		want  Result
	}{
		{"polled", polled, []int{3, 4}, Result{Generation: 1, Error: 3}},
		{"sliced", sliced, []int{3, 4}, Result{Generation: 1, Error: 3}},
		{"polled expired", polled, nine, Result{Generation: 1, Expired: true}},
		{"sliced expired", sliced, nine, Result{Generation: 1, Expired: true}},
		{"plain expired", plain, nine, Result{Generation: 1, Expired: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g, _ := named(t, Count(1))
			away := 0
			testHookAway = func() {
				if away++; away > 1 {
					return
				}
				for _, code := range c.codes {
					if err := g.Fail(code); err != nil {
						t.Error(err)
					}
					g.Add(1)
				}
			}
			defer func() { testHookAway = nil }()
			r, err := c.wait(g)
			want := c.want
			if c.name != "plain expired" {
				// The batch has every task of the generations completed.
				n := uint64(len(c.codes))
				want.Batch = Totals{Done: n, Failed: n, Error: c.codes[0]}
				want.HasBatch = true
			}
			if err != nil || r != want {
				t.Fatalf("got %+v, %v; want %+v", r, err, want)
			}
			var te *TaskError
			if !errors.As(r.Err(), &te) || te.Expired != (want.Expired && !want.HasBatch) ||
				te.Batch != want.HasBatch || (te.Batch && te.Code != c.codes[0]) {
				t.Fatalf("Err: %v", r.Err())
			}
		})
	}
}

// TestGoPanic: a Go task that panics ends its process without a done;
// the kernel reports the task abandoned instead of done.
func TestGoPanic(t *testing.T) {
	g, name := named(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), roleEnv+"=gopanic", "WG_NAME="+name)
	if out, err := cmd.CombinedOutput(); err == nil ||
		!strings.Contains(string(out), "panics on purpose") {
		t.Fatalf("worker: %v\n%s", err, out)
	}
	r, err := g.WaitContext(bg())
	if err != nil || r.Abandoned != 1 || !errors.Is(r.Err(), syscall.EOWNERDEAD) {
		t.Fatalf("after the panic: %+v (%v), %v", r, r.Err(), err)
	}
}

// TestUndoKilledWorker: a worker's add with undo is taken back when it
// is killed; the waiters learn that it was abandoned.
func TestUndoKilledWorker(t *testing.T) {
	g, name := named(t)
	readyR, readyW := pipe(t)
	holdR, holdW := pipe(t)
	defer holdW.Close()
	cmd := worker(t, "hold", name, nil, readyW, holdR)
	readByte(readyR)
	if info, _ := g.Info(); info.Count != 1 {
		t.Fatalf("worker's add: count %d", info.Count)
	}
	cmd.Process.Kill()
	cmd.Wait()
	r, err := g.WaitContext(bg())
	if err != nil {
		t.Fatal(err)
	}
	if r.Abandoned != 1 || r.Error != int(syscall.EOWNERDEAD) ||
		!errors.Is(r.Err(), syscall.EOWNERDEAD) {
		t.Fatalf("result %+v (%v), want one abandoned, EOWNERDEAD", r, r.Err())
	}
	var te *TaskError
	if !errors.As(r.Err(), &te) || te.Abandoned != 1 {
		t.Fatalf("Err() %v is no *TaskError with the abandoned count", r.Err())
	}
	// This process's own undo: Close takes it back.
	d, err := g.Dup()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.AddUndo(2); err != nil {
		t.Fatal(err)
	}
	d.Close()
	if r, err := g.TryWait(); err != nil || r.Abandoned != 2 {
		t.Fatalf("after closing an undo add: %+v, %v", r, err)
	}
}

func TestLimit(t *testing.T) {
	g, name := named(t, Limit(1))
	if info, _ := g.Info(); info.Limit != 1 {
		t.Fatalf("limit %d, want 1", info.Limit)
	}
	if err := g.AddUndo(1); err != nil {
		t.Fatal(err)
	}
	if err := g.TryAdd(1, false); !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("TryAdd past the limit: %v, want EAGAIN", err)
	}
	ctx, cancel := context.WithTimeout(bg(), 50*time.Millisecond)
	defer cancel()
	if err := g.AddContext(noCancel{ctx}, 1, true); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("AddContext past the limit: %v, want ETIMEDOUT", err)
	}
	ctx2, cancel2 := context.WithCancel(bg())
	time.AfterFunc(20*time.Millisecond, cancel2)
	if err := g.AddContext(ctx2, 1, false); !errors.Is(err, context.Canceled) {
		t.Fatalf("AddContext canceled: %v", err)
	}
	// Another process waits for room; a done lets it in.
	readyR, readyW := pipe(t)
	cmd := worker(t, "room", name, nil, readyW)
	until(t, g, "an add waits for room", func(i Info) bool { return i.RoomWaiters == 1 })
	g.Done()
	readByte(readyR)
	waitWorker(t, cmd)
	g.Wait()
	if info, _ := g.Info(); info.Count != 0 || info.Abandoned != 0 || info.Error != 0 {
		t.Fatalf("after the limit: %+v", info)
	}
	if err := g.SetLimit(0); err != nil {
		t.Fatal(err)
	}
	if err := g.TryAdd(3, false); err != nil {
		t.Fatalf("no limit: %v", err)
	}
	if err := g.SetLimit(-1); !errors.Is(err, syscall.EINVAL) {
		t.Fatalf("SetLimit(-1): %v", err)
	}
	g.Add(-3)
}

func TestCancel(t *testing.T) {
	g, name := named(t, Count(2))
	out := make(chan string)
	go func() {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), roleEnv+"=waiter", "WG_NAME="+name)
		b, err := cmd.Output()
		if err != nil {
			t.Error(err)
		}
		out <- strings.TrimSpace(string(b))
	}()
	until(t, g, "the other process waits", func(i Info) bool { return i.Waiters == 1 })
	ok, err := g.Cancel(0)
	if !ok || err != nil {
		t.Fatalf("Cancel: %v, %v", ok, err)
	}
	if got, want := <-out, "generation=1 error=125 abandoned=0 canceled=true"; got != want {
		t.Fatalf("canceled waiter: %q, want %q", got, want)
	}
	if ok, _ := g.Cancel(5); ok {
		t.Fatal("second Cancel canceled something")
	}
	if err := g.AddErr(1); !errors.Is(err, syscall.ECANCELED) {
		t.Fatalf("add while canceled: %v", err)
	}
	info, _ := g.Info()
	if !info.Canceled || info.CancelError != int(syscall.ECANCELED) {
		t.Fatalf("info while canceled: %+v", info)
	}
	r, err := g.WaitContext(bg())
	if err != nil || !r.Canceled || !errors.Is(r.Err(), syscall.ECANCELED) {
		t.Fatalf("wait while canceled: %+v (%v), %v", r, r.Err(), err)
	}
	g.Done()
	g.Done()
	if info, _ := g.Info(); info.Canceled || !info.LastCanceled || info.Generation != 1 {
		t.Fatalf("after the canceled generation: %+v", info)
	}
	// The next generation starts clean; cancel-on-error cancels it at the
	// first failure.
	g.Add(2)
	if err := g.Fail(9); err != nil {
		t.Fatal(err)
	}
	r, err = g.WaitCancelOnError(bg())
	if err != nil || !r.Canceled || r.Error != 9 {
		t.Fatalf("cancel on error: %+v, %v", r, err)
	}
	g.Done()
}

func TestInfo(t *testing.T) {
	g, name := named(t, Mode(0640), Count(3), Limit(5))
	info, err := g.Info()
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Name: name, Count: 3, UID: os.Geteuid(), GID: os.Getegid(), Mode: 0640, Limit: 5}
	if info != want {
		t.Fatalf("info %+v, want %+v", info, want)
	}
	g.Add(-2)
	g.Fail(4)
	info, _ = g.Info()
	if info.Count != 0 || info.Generation != 1 || info.Error != 4 ||
		info.Batch != (Totals{Done: 3, Failed: 1, Error: 4}) {
		t.Fatalf("after the generation: %+v", info)
	}
	// Opened by name and as a file, the same group.
	o, err := Open(name, WaitOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if err := o.AddErr(1); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("add on a WaitOnly descriptor: %v", err)
	}
	a, err := New(Count(1))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if info, _ := a.Info(); info.Name != "" || info.Count != 1 || info.Mode != 0 {
		t.Fatalf("anonymous: %+v", info)
	}
	r, w := pipe(t)
	_ = w
	if _, err := FromFile(r); err == nil {
		t.Fatal("FromFile of a pipe succeeded")
	}
}

func TestErrorsIs(t *testing.T) {
	g, name := named(t)
	if err := g.DoneErr(); !errors.Is(err, syscall.ERANGE) {
		t.Errorf("done at zero: %v", err)
	}
	if err := g.AddErr(-1); !errors.Is(err, syscall.ERANGE) {
		t.Errorf("add -1 at zero: %v", err)
	}
	if err := g.AddErr(math.MaxInt32); err != nil {
		t.Fatal(err)
	}
	if err := g.AddErr(1); !errors.Is(err, syscall.EOVERFLOW) {
		t.Errorf("add past MaxInt32: %v", err)
	}
	if err := g.AddErr(math.MaxInt32 + 1); !errors.Is(err, syscall.EOVERFLOW) {
		t.Errorf("delta past int32: %v", err)
	}
	g.Add(-math.MaxInt32)
	if _, err := Create(name, Exclusive()); !errors.Is(err, os.ErrExist) || !errors.Is(err, syscall.EEXIST) {
		t.Errorf("exclusive create of an existing name: %v", err)
	}
	if _, err := Open(name + "-none"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("open of a missing name: %v", err)
	}
	if _, err := Open("a/b"); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("open of a bad name: %v", err)
	}
	if _, err := Open(strings.Repeat("x", 64)); !errors.Is(err, syscall.ENAMETOOLONG) {
		t.Errorf("open of a long name: %v", err)
	}
	if _, err := Open(name, Count(1)); !errors.Is(err, syscall.EINVAL) {
		t.Errorf("open with a create option: %v", err)
	}
	var e *Error
	if err := g.DoneErr(); !errors.As(err, &e) || e.Op != "done" || e.Name != name {
		t.Errorf("error %#v", err)
	}
	c, err := Create(name) // not exclusive: opens it
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := c.AddErr(1); !errors.Is(err, os.ErrClosed) {
		t.Errorf("add after Close: %v", err)
	}
}

func TestCommand(t *testing.T) {
	g, _ := named(t, Limit(1))
	if err := g.Command("sh", "-c", "exit 3").Run(); err == nil {
		t.Fatal("exit 3 ran without error")
	}
	r, err := g.TryWait()
	if err != nil || r.Error != 3 {
		t.Fatalf("after exit 3: %+v, %v", r, err)
	}
	// Not started: the add taken back (its zero still ends a generation).
	if err := g.Command("/nonexistent/command").Start(); err == nil {
		t.Fatal("a missing command started")
	}
	if info, _ := g.Info(); info.Count != 0 || info.Error != 0 || info.Abandoned != 0 {
		t.Fatalf("after a command that did not start: %+v", info)
	}
	// Killed by a signal: 128 + 9. And under the limit of 1, the second
	// command's Start waits for the first to end.
	c := g.Command("sh", "-c", "kill -9 $$")
	out, err := g.Command("echo", "second").Output()
	if err != nil || string(out) != "second\n" {
		t.Fatalf("Output: %q, %v", out, err)
	}
	if err := c.Run(); err == nil || c.Code != 137 {
		t.Fatalf("killed command: %v, code %d", err, c.Code)
	}
	if r, _ := g.TryWait(); r.Error != 137 {
		t.Fatalf("killed command's generation: %+v", r)
	}
	hold := g.Command("cat")
	stdin, err := hold.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := hold.Start(); err != nil {
		t.Fatal(err)
	}
	until(t, g, "the command counted", func(i Info) bool { return i.Count == 1 })
	second := g.Command("true")
	started := make(chan error)
	go func() { started <- second.Start() }()
	until(t, g, "the second waits for room", func(i Info) bool { return i.RoomWaiters == 1 })
	stdin.Close()
	if err := hold.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := <-started; err != nil {
		t.Fatal(err)
	}
	if err := second.Wait(); err != nil {
		t.Fatal(err)
	}
	g.Wait()
	if info, _ := g.Info(); info.Error != 0 || info.Abandoned != 0 {
		t.Fatalf("two commands under the limit: %+v", info)
	}
}

// TestCommandContext: a command killed by its context is a failed task.
func TestCommandContext(t *testing.T) {
	g, _ := named(t)
	ctx, cancel := context.WithCancel(bg())
	c := g.CommandContext(ctx, "cat")
	if _, err := c.StdinPipe(); err != nil { // cat waits for its end
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := c.Wait(); err == nil || c.Code != 128+int(syscall.SIGKILL) {
		t.Fatalf("killed by its context: %v, code %d", err, c.Code)
	}
	if r, err := g.TryWait(); err != nil || r.Error != 137 {
		t.Fatalf("result %+v, %v", r, err)
	}
}

// TestExtraFiles: an anonymous group handed to a child.
func TestExtraFiles(t *testing.T) {
	g, err := New(Count(1))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	cmd := worker(t, "anon", "", []string{"WG_N=0"}, g.File())
	waitWorker(t, cmd)
	if r, err := g.TryWait(); err != nil || r.Generation != 1 || r.Err() != nil {
		t.Fatalf("after the child's done: %+v, %v", r, err)
	}
}
