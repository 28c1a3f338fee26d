// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

// Batches (every task since the group's creation or the last reset,
// however many generations fast tasks completed) and commands that hold
// their slot (the task's open file handed to the command).

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBatch: twenty tasks one after another, each completing a
// generation of its own; one fails, one is abandoned. The last
// generation's result is clean, as Go's Wait would say; the batch has
// both, and Err judges it.
func TestBatch(t *testing.T) {
	g, _ := named(t)
	for i := 0; i < 20; i++ {
		switch {
		case i == 3:
			g.Add(1)
			if err := g.Fail(int(syscall.EIO)); err != nil {
				t.Fatal(err)
			}
		case i == 11:
			d, err := g.Dup()
			if err != nil {
				t.Fatal(err)
			}
			if err := d.AddUndo(1); err != nil {
				t.Fatal(err)
			}
			d.Close() // without its done: abandoned
		case i%2 == 0:
			if err := g.Command("true").Run(); err != nil {
				t.Fatal(err)
			}
		default:
			g.Add(1)
			g.Done()
		}
	}
	want := Result{Generation: 20, HasBatch: true,
		Batch: Totals{Done: 19, Failed: 1, Abandoned: 1, Error: int(syscall.EIO)}}
	r, err := g.TryWait()
	if err != nil || r != want {
		t.Fatalf("got %+v, %v; want %+v", r, err, want)
	}
	var te *TaskError
	if err := r.Err(); !errors.As(err, &te) || !te.Batch || te.Failed != 1 ||
		te.Abandoned != 1 || !errors.Is(err, syscall.EIO) {
		t.Fatalf("Err: %#v", err)
	}
	if r, err := g.WaitContext(bg()); err != nil || r != want {
		t.Fatalf("WaitContext: %+v, %v", r, err)
	}
	if info, err := g.Info(); err != nil || info.Batch != want.Batch {
		t.Fatalf("Info: %+v, %v", info, err)
	}
}

// TestBatchFailedBeforeCommand: the example. A task fails, then a
// command runs as the next generation: the wait comes back for the
// command's, with no error, and Err still reports the failure.
func TestBatchFailedBeforeCommand(t *testing.T) {
	g, _ := named(t)
	g.Add(1)
	g.Fail(int(syscall.EIO))
	c := g.Command("true")
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	r, err := g.WaitContext(bg())
	if err != nil || r.Error != 0 || !errors.Is(r.Err(), syscall.EIO) {
		t.Fatalf("result %+v (%v), %v", r, r.Err(), err)
	}
	if err := c.Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestWaitReset: a reset starts a new batch as the wait returns, only
// then, and only with add access.
func TestWaitReset(t *testing.T) {
	g, name := named(t)
	g.Add(2)
	g.Fail(7)
	g.Done()
	g.Add(1)
	past, cancel := context.WithDeadline(bg(), time.Now())
	defer cancel()
	if _, err := g.WaitReset(past); !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("WaitReset at a count of 1: %v", err)
	}
	if info, _ := g.Info(); info.Batch != (Totals{Done: 2, Failed: 1, Error: 7}) {
		t.Fatalf("a wait that timed out reset the batch: %+v", info.Batch)
	}
	w, err := Open(name, WaitOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	g.Done()
	if _, err := w.WaitReset(bg()); !errors.Is(err, syscall.EBADF) {
		t.Fatalf("WaitReset on a WaitOnly descriptor: %v", err)
	}
	r, err := g.WaitReset(bg())
	if err != nil || r.Batch != (Totals{Done: 3, Failed: 1, Error: 7}) || r.Err() == nil {
		t.Fatalf("WaitReset: %+v, %v", r, err)
	}
	// At zero a wait returns the last generation again; the new batch is
	// empty, and judged so.
	r, err = w.TryWait()
	if err != nil || r.Generation != 2 || !r.HasBatch || r.Batch != (Totals{}) || r.Err() != nil {
		t.Fatalf("after the reset: %+v (%v), %v", r, r.Err(), err)
	}
	g.Add(1)
	g.Done()
	if r, _ := w.TryWait(); r.Batch != (Totals{Done: 1}) || r.Err() != nil {
		t.Fatalf("the new batch: %+v", r)
	}
	// With a context that can be canceled (the polled wait, on a private
	// descriptor of the group), the same.
	ctx, cancelPolled := context.WithCancel(bg())
	defer cancelPolled()
	if r, err := g.WaitReset(ctx); err != nil || r.Batch != (Totals{Done: 1}) {
		t.Fatalf("polled WaitReset: %+v, %v", r, err)
	}
	if info, _ := g.Info(); info.Batch != (Totals{}) {
		t.Fatalf("after the polled WaitReset: %+v", info.Batch)
	}
}

// TestCommandHoldsItsTask: the command's only waitgroup descriptor is the
// task's open file, at 100 or above, its ledger holding the add; the
// caller's ExtraFiles keep their numbers, and a descriptor of ours that
// is not close-on-exec is inherited as it would be without the hand-over.
func TestCommandHoldsItsTask(t *testing.T) {
	g, _ := named(t)
	r, w := pipe(t)
	ir, iw := pipe(t)
	const inherited = 50
	if err := syscall.Dup2(int(ir.Fd()), inherited); err != nil { // not close-on-exec
		t.Fatal(err)
	}
	defer syscall.Close(inherited)
	iw.Close()
	c := g.Command(os.Args[0])
	c.Env = append(os.Environ(), roleEnv+"=fds")
	c.ExtraFiles = []*os.File{w}
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	var b [256]byte
	n, _ := r.Read(b[:])
	fds := strings.Fields(string(b[:n]))
	var tasks []string
	for _, f := range fds {
		if strings.Contains(f, ":wg:") {
			tasks = append(tasks, f)
		}
	}
	if len(tasks) != 1 || !strings.HasSuffix(tasks[0], ":wg:1") {
		t.Fatalf("the command's waitgroup descriptors: %q", fds)
	}
	if fd, _ := strconv.Atoi(strings.SplitN(tasks[0], ":", 2)[0]); fd < taskFDMin {
		t.Fatalf("the task's descriptor is %d, below %d", fd, taskFDMin)
	}
	if fds[0] != "3:pipe" || !strings.Contains(" "+string(b[:n])+" ", " 50:pipe ") {
		t.Fatalf("the command's pipes: %q", fds)
	}
	if r, err := g.TryWait(); err != nil || r.Batch != (Totals{Done: 1}) {
		t.Fatalf("after the command: %+v, %v", r, err)
	}
}

// TestCommandOutlivesItsSupervisor: the process that runs a Cmd is killed
// while the command runs. The command goes on, and holds the add until it
// exits; then the kernel undoes it as abandoned.
func TestCommandOutlivesItsSupervisor(t *testing.T) {
	g, name := named(t)
	readyR, readyW := pipe(t)
	holdR, holdW := pipe(t)
	sup := worker(t, "supervise", name, nil, readyW, holdR)
	readyW.Close()
	holdR.Close()
	if !readByte(readyR) {
		t.Fatal("the command did not start")
	}
	sup.Process.Kill()
	sup.Wait()
	// The supervisor's descriptors are closed by now: the command's copy
	// of the task's open file holds the add.
	if info, _ := g.Info(); info.Count != 1 {
		t.Fatalf("the command's slot after its supervisor died: %+v", info)
	}
	holdW.Close() // the command reads its end of file and exits
	r, err := g.WaitContext(bg())
	if err != nil || r.Abandoned != 1 || r.Batch != (Totals{Abandoned: 1, Error: int(syscall.EOWNERDEAD)}) {
		t.Fatalf("after the command: %+v, %v", r, err)
	}
}

// TestCommandDiesWithItsSupervisor: with SysProcAttr.Pdeathsig, a killed
// supervisor takes its command with it, and the task is abandoned once
// both are gone (the command would otherwise wait for its input forever).
func TestCommandDiesWithItsSupervisor(t *testing.T) {
	g, name := named(t)
	readyR, readyW := pipe(t)
	holdR, _ := pipe(t)
	sup := worker(t, "supervise", name, []string{"WG_PDEATH=1"}, readyW, holdR)
	readyW.Close()
	holdR.Close()
	if !readByte(readyR) {
		t.Fatal("the command did not start")
	}
	sup.Process.Kill()
	sup.Wait()
	ctx, cancel := context.WithTimeout(bg(), time.Minute)
	defer cancel()
	r, err := g.WaitContext(ctx)
	if err != nil || r.Abandoned != 1 {
		t.Fatalf("the command outlived its supervisor: %+v, %v", r, err)
	}
}
