// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

import (
	"bytes"
	"context"
	"errors"
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
// The private open file is never inherited by the command: this process
// holds the task's undo ledger. If this process dies before the command
// has exited, the kernel takes the add back and waiters see the task
// abandoned (EOWNERDEAD), even though the command may go on running.
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
	if err := c.Cmd.Start(); err != nil {
		ledger.DoneErr()
		ledger.Close()
		return err
	}
	c.done = make(chan struct{})
	go c.supervise(ledger)
	return nil
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
