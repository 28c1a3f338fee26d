// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

// The tests run across processes: the test binary starts itself again as
// a worker (WG_GO_TEST_ROLE selects what it does, TestMain runs it
// instead of the tests), and the workers reach the group by its name
// (Open) or through exec.Cmd.ExtraFiles (FromFile). Pipes, never sleeps,
// order what the processes do.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

const roleEnv = "WG_GO_TEST_ROLE"

func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		os.Exit(runRole(role))
	}
	if _, err := os.Stat(devicePath); err != nil {
		fmt.Printf("--- SKIP: TestMain (%v: the waitgroup module is not loaded)\n", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A worker's descriptors: ExtraFiles are 3, 4, ... in the order given.
func extra(i int) *os.File { return os.NewFile(uintptr(3+i), "extra"+strconv.Itoa(i)) }

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(100)
	}
}

func readByte(f *os.File) bool {
	var b [1]byte
	n, _ := f.Read(b[:])
	return n == 1
}

func writeByte(f *os.File) {
	_, err := f.Write([]byte{1})
	must(err)
}

func runRole(role string) int {
	name := os.Getenv("WG_NAME")
	switch role {
	case "barrier":
		// A round: a token, done on the first group, wait on the second,
		// then say so. The first group by name, the second as fd 3.
		wg1, err := Open(name)
		must(err)
		wg2, err := FromFile(extra(0))
		must(err)
		tokens, exited := extra(1), extra(2)
		for readByte(tokens) {
			wg1.Done()
			wg2.Wait()
			writeByte(exited)
		}
		return 0
	case "misuse":
		g, err := Open(name)
		must(err)
		g.Done()
		defer func() {
			x := recover()
			err, ok := x.(error)
			if ok && errors.Is(err, syscall.ERANGE) &&
				strings.Contains(err.Error(), "negative WaitGroup counter") {
				os.Exit(3)
			}
			fmt.Fprintf(os.Stderr, "worker: recovered %v\n", x)
			os.Exit(1)
		}()
		g.Done()
		return 0
	case "race":
		// For each token: something visible, then done.
		g, err := FromFile(extra(0))
		must(err)
		tokens, out := extra(1), extra(2)
		for readByte(tokens) {
			writeByte(out)
			g.Done()
		}
		return 0
	case "go":
		// n tasks with Go, each held until a byte on fd 4, then visible
		// on fd 5; fd 3 says they are counted.
		g, err := Open(name)
		must(err)
		ready, release, out := extra(0), extra(1), extra(2)
		n, _ := strconv.Atoi(os.Getenv("WG_N"))
		for i := 0; i < n; i++ {
			g.Go(func() {
				readByte(release)
				writeByte(out)
			})
		}
		writeByte(ready)
		g.Wait() // exiting before the dones would abandon the tasks
		return 0
	case "hold":
		// An add with undo, then nothing until killed.
		g, err := Open(name)
		must(err)
		must(g.AddUndo(1))
		writeByte(extra(0))
		readByte(extra(1))
		return 0
	case "gopanic":
		// A Go task that panics: the process dies without its done.
		g, err := Open(name)
		must(err)
		g.Go(func() { panic("worker task panics on purpose") })
		select {}
	case "room":
		// An add that waits for room, then done.
		g, err := Open(name)
		must(err)
		must(g.AddUndo(1))
		writeByte(extra(0))
		must(g.DoneErr())
		return 0
	case "waiter":
		// One wait; its result on stdout.
		g, err := Open(name, WaitOnly())
		must(err)
		r, err := g.WaitContext(bg())
		must(err)
		fmt.Printf("generation=%d error=%d abandoned=%d canceled=%v\n",
			r.Generation, r.Error, r.Abandoned, r.Canceled)
		return 0
	case "fds":
		// Its descriptors from 3 up, as "FD:pipe" and "FD:wg:UNDO" (the
		// fdinfo's undo ledger), on fd 3.
		fmt.Fprint(extra(0), describeFDs())
		return 0
	case "supervise":
		// A Cmd supervised here: sh, which says "x" on fd 3 and then
		// reads fd 4 to its end; with WG_PDEATH, it dies with us.
		g, err := Open(name)
		must(err)
		c := g.Command("sh", "-c", "printf x >&3; read x <&4")
		c.ExtraFiles = []*os.File{extra(0), extra(1)}
		if os.Getenv("WG_PDEATH") != "" {
			c.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		}
		must(c.Run())
		return 0
	case "anon":
		// An anonymous group as fd 3: done, with an error code.
		g, err := FromFile(extra(0))
		must(err)
		code, _ := strconv.Atoi(os.Getenv("WG_N"))
		must(g.Fail(code))
		return 0
	}
	fmt.Fprintln(os.Stderr, "unknown role", role)
	return 101
}

// describeFDs lists this process's pipes and waitgroup descriptors from 3
// up, "3:pipe 100:wg:1", in the order of their numbers.
func describeFDs() string {
	ents, err := os.ReadDir("/proc/self/fd")
	must(err)
	fds := []int{}
	for _, e := range ents {
		if n, err := strconv.Atoi(e.Name()); err == nil && n >= 3 {
			fds = append(fds, n)
		}
	}
	sort.Ints(fds)
	var out []string
	for _, fd := range fds {
		link, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(fd))
		switch {
		case err != nil:
		case strings.HasPrefix(link, "pipe:"):
			out = append(out, strconv.Itoa(fd)+":pipe")
		case link == "anon_inode:[waitgroup]":
			info, err := os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(fd))
			must(err)
			undo := "?"
			for _, l := range strings.Split(string(info), "\n") {
				if f := strings.Fields(l); len(f) == 2 && f[0] == "undo:" {
					undo = f[1]
				}
			}
			out = append(out, strconv.Itoa(fd)+":wg:"+undo)
		}
	}
	return strings.Join(out, " ")
}

// worker starts the test binary again in role, with WG_NAME=name and
// files as descriptors 3 and up.
func worker(t *testing.T, role, name string, env []string, files ...*os.File) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), roleEnv+"="+role, "WG_NAME="+name)
	cmd.Env = append(cmd.Env, env...)
	cmd.ExtraFiles = files
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting worker %s: %v", role, err)
	}
	return cmd
}

func waitWorker(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Wait(); err != nil {
		t.Errorf("worker %v: %v", cmd.Env[len(os.Environ())], err)
	}
}

var nameSeq int

// groupName is a name of this test's own, removed at its end.
func groupName(t *testing.T) string {
	nameSeq++
	n := fmt.Sprintf("go-%d-%d-%s", os.Getpid(), nameSeq, strings.ReplaceAll(t.Name(), "/", "."))
	if len(n) > 63 {
		n = n[:63]
	}
	t.Cleanup(func() { Unlink(n) })
	return n
}

func named(t *testing.T, opts ...Option) (*Group, string) {
	t.Helper()
	name := groupName(t)
	g, err := Create(name, append(opts, Exclusive())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return g, name
}

func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// pending reports whether f, a pipe end of os.Pipe that no child was
// given (so still non-blocking), has a byte to read now; it takes it.
func pending(t *testing.T, f *os.File) bool {
	t.Helper()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		n, rerr = syscall.Read(int(fd), b[:])
		return true // never wait: that is the point
	})
	if err == nil && rerr != nil && rerr != syscall.EAGAIN {
		err = rerr
	}
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// until polls the group's own state, yielding between looks, until cond
// holds of it.
func until(t *testing.T, g *Group, what string, cond func(Info) bool) Info {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		info, err := g.Info()
		if err != nil {
			t.Fatal(err)
		}
		if cond(info) {
			return info
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: never happened (info %+v)", what, info)
		}
		time.Sleep(time.Millisecond) // a look at the state, not a guess at timing
	}
}

func bg() context.Context { return context.Background() }
