// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"syscall"
)

// Cmd is a command counted as a task of a group, as wg_spawn(3) counts
// one: Start adds 1 with undo (waiting for room under a limit) on a
// private open file of the group, starts the command, and from then on a
// goroutine of this process supervises it and reports the done, carrying
// the command's exit status as the task's error code (128 + the signal
// for a command killed by one), whether Wait is called or not.
//
// A slot is free only when its job is gone: the command holds the task's
// open file too. Start hands it a copy at the lowest descriptor free here
// from 100 up (through ExtraFiles, after the caller's own, which keep
// their numbers 3, 4, ...; the numbers in between are passed on as the
// command would have inherited them, a descriptor of this process that is
// not close-on-exec as itself, the others closed). So the kernel takes the
// add back, and waiters see the task abandoned (EOWNERDEAD), only once
// this process and the command, and whatever the command handed the
// descriptor to, are all gone: if this process dies first, the command
// runs on and holds its slot until it exits. A command that closes the
// descriptor leaves the add to this process alone.
//
// As with wg_run(3), the command does not die with this process. To have
// it do so, set SysProcAttr.Pdeathsig to syscall.SIGKILL (Go then checks,
// as userlib does, that the parent did not die before the signal was
// set); the signal follows the OS thread that called Start, so call it
// from a goroutine that is not locked to a thread that exits
// (runtime.LockOSThread) before the command.
//
// The embedded exec.Cmd is set up as usual (Dir, Env, Stdin, Stdout,
// ExtraFiles, SysProcAttr, ...) before Start; use Cmd's own Start, Wait,
// Run, Output and CombinedOutput, not the exec.Cmd's.
type Cmd struct {
	*exec.Cmd

	// Code is the error code the task reported (the exit status, 0 for
	// success), valid once Wait has returned.
	Code int

	g         *Group
	ctx       context.Context
	done      chan struct{}
	err       error
	reportErr error
}

// Command returns a Cmd that runs name with arg, as exec.Command, counted
// as a task of g once started.
func (g *Group) Command(name string, arg ...string) *Cmd {
	return &Cmd{Cmd: exec.Command(name, arg...), g: g, ctx: context.Background()}
}

// CommandContext is Command with a context, as exec.CommandContext: its
// end kills the command (which counts as a failed task, 137); before the
// command starts, it bounds Start's wait for room under a limit.
func (g *Group) CommandContext(ctx context.Context, name string, arg ...string) *Cmd {
	return &Cmd{Cmd: exec.CommandContext(ctx, name, arg...), g: g, ctx: ctx}
}

// ExitCode is the error code a task reports for a command that ended as
// state says: its exit status, or 128 + the signal that killed it, as
// sh(1) and wg_status_error(3) have it.
func ExitCode(state syscall.WaitStatus) int {
	switch {
	case state.Exited():
		return state.ExitStatus()
	case state.Signaled():
		return 128 + int(state.Signal())
	}
	return 126
}

// Start counts the task and starts the command. If the command cannot be
// started, the add is taken back with a done that reports no error (as
// wg_spawn(3) does; on a group that was at zero, that add and done still
// complete a generation) and the error of exec.Cmd.Start is returned.
func (c *Cmd) Start() error {
	if c.done != nil {
		return errors.New("waitgroup: Cmd already started")
	}
	ledger, err := c.g.Dup()
	if err != nil {
		return err
	}
	if err := ledger.AddContext(c.ctx, 1, true); err != nil {
		ledger.Close()
		return err
	}
	restore, err := c.handOver(ledger)
	if err == nil {
		err = c.Cmd.Start()
		restore()
	}
	if err != nil {
		ledger.DoneErr()
		ledger.Close()
		return err
	}
	c.done = make(chan struct{})
	go c.supervise(ledger)
	return nil
}

// taskFDMin is where the command's copy of the task's open file goes:
// at or above it, out of the way of the low numbers a command or a
// script uses itself.
const taskFDMin = 100

func fcntl(fd, cmd, arg int) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), uintptr(arg))
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

// handOver sets ExtraFiles for Start: the caller's own, then at the
// number of a close-on-exec copy of ledger's descriptor, the lowest free
// from taskFDMin up (from 3 up when the descriptor limit leaves none
// there), that copy, which Go makes inheritable in the command alone.
// The numbers in between keep what the command would have inherited
// without it: a copy of each descriptor that is not close-on-exec, nil
// (closed) for the others. The returned function puts the caller's
// ExtraFiles back and closes the copies.
func (c *Cmd) handOver(ledger *Group) (func(), error) {
	fd := -1
	var err error
	cerr := ledger.rc.Control(func(l uintptr) {
		fd, err = fcntl(int(l), syscall.F_DUPFD_CLOEXEC, taskFDMin)
		if err == syscall.EINVAL {
			fd, err = fcntl(int(l), syscall.F_DUPFD_CLOEXEC, 3)
		}
	})
	if cerr != nil {
		return nil, cerr
	}
	if err != nil {
		return nil, &Error{Op: "start", Name: c.g.name, Err: err}
	}
	own := os.NewFile(uintptr(fd), "waitgroup task")
	copies := []*os.File{own}
	user := c.Cmd.ExtraFiles
	at := fd
	if at < 3+len(user) {
		at = 3 + len(user)
	}
	files := make([]*os.File, at-3+1)
	copy(files, user)
	// No descriptor is made inheritable meanwhile (syscall.ForkLock's rule).
	syscall.ForkLock.RLock()
	for i := 3 + len(user); i < at; i++ {
		flags, err := fcntl(i, syscall.F_GETFD, 0)
		if err != nil || flags&syscall.FD_CLOEXEC != 0 {
			continue
		}
		if d, err := fcntl(i, syscall.F_DUPFD_CLOEXEC, 0); err == nil {
			files[i-3] = os.NewFile(uintptr(d), "inherited")
			copies = append(copies, files[i-3])
		}
	}
	syscall.ForkLock.RUnlock()
	files[at-3] = own
	c.Cmd.ExtraFiles = files
	return func() {
		c.Cmd.ExtraFiles = user
		for _, f := range copies {
			f.Close()
		}
	}, nil
}

func (c *Cmd) supervise(ledger *Group) {
	err := c.Cmd.Wait()
	code := 126
	if ps := c.Cmd.ProcessState; ps != nil {
		if ws, ok := ps.Sys().(syscall.WaitStatus); ok {
			code = ExitCode(ws)
		}
	}
	// Report before closing, or the close would undo the add as abandoned.
	c.reportErr = ledger.Fail(code)
	ledger.Close()
	c.err, c.Code = err, code
	close(c.done)
}

// Wait waits for the command to exit and its done to be reported, and
// returns what exec.Cmd.Wait returned (an *exec.ExitError for a nonzero
// status), or the error of the report.
func (c *Cmd) Wait() error {
	if c.done == nil {
		return errors.New("waitgroup: Cmd not started")
	}
	<-c.done
	if c.err != nil {
		return c.err
	}
	return c.reportErr
}

// Run starts the command and waits for it, as exec.Cmd.Run.
func (c *Cmd) Run() error {
	if err := c.Start(); err != nil {
		return err
	}
	return c.Wait()
}

// Output runs the command and returns its standard output.
func (c *Cmd) Output() ([]byte, error) {
	if c.Stdout != nil {
		return nil, errors.New("waitgroup: Stdout already set")
	}
	var b bytes.Buffer
	c.Stdout = &b
	err := c.Run()
	return b.Bytes(), err
}

// CombinedOutput runs the command and returns its standard output and
// standard error, interleaved.
func (c *Cmd) CombinedOutput() ([]byte, error) {
	if c.Stdout != nil || c.Stderr != nil {
		return nil, errors.New("waitgroup: Stdout or Stderr already set")
	}
	var b bytes.Buffer
	c.Stdout, c.Stderr = &b, &b
	err := c.Run()
	return b.Bytes(), err
}
