// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

// The scenarios of Go's src/sync/waitgroup_test.go, across processes.

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestWaitGroup: workers are let through the first group one each; none
// may leave the second before the coordinator's last done on it, and all
// must once it is done. Several rounds on the same two groups, so that
// each generation starts clean. wg1 is reached by name, wg2 as a file.
func TestWaitGroup(t *testing.T) {
	const workers, rounds = 4, 4
	wg1, name1 := named(t)
	wg2, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer wg2.Close()
	tokR, tokW := pipe(t)
	exR, exW := pipe(t)
	for i := 0; i < workers; i++ {
		cmd := worker(t, "barrier", name1, nil, wg2.File(), tokR, exW)
		defer waitWorker(t, cmd)
	}
	defer tokW.Close() // EOF ends the workers (deferred before the waits)
	for r := 0; r < rounds; r++ {
		wg1.Add(workers)
		wg2.Add(workers)
		for i := 0; i < workers; i++ {
			tokW.Write([]byte{1})
		}
		wg1.Wait()
		for i := 0; i < workers; i++ {
			if pending(t, exR) {
				t.Fatalf("round %d: a worker left the second group too soon", r)
			}
			wg2.Done()
		}
		for i := 0; i < workers; i++ {
			if !readByte(exR) {
				t.Fatalf("round %d: a worker never left the second group", r)
			}
		}
	}
	info, err := wg1.Info()
	if err != nil || info.Generation != rounds || info.Count != 0 {
		t.Errorf("wg1 after %d rounds: %+v, %v", rounds, info, err)
	}
}

// TestWaitGroupMisuse: a done past zero panics, as sync.WaitGroup's does,
// here and in another process, and changes nothing.
func TestWaitGroupMisuse(t *testing.T) {
	g, name := named(t)
	func() {
		defer func() {
			err, _ := recover().(error)
			if err == nil || !errors.Is(err, syscall.ERANGE) ||
				!strings.Contains(err.Error(), "negative WaitGroup counter") {
				t.Fatalf("Done past zero: recovered %v, want a negative counter panic", err)
			}
		}()
		g.Add(1)
		g.Done()
		g.Done()
		t.Fatal("Done past zero did not panic")
	}()
	g.Add(1)
	cmd := worker(t, "misuse", name, nil)
	err := cmd.Wait()
	if cmd.ProcessState.ExitCode() != 3 {
		t.Fatalf("worker's second Done: %v (exit 3 is the panic it expects)", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("Add(-1) at zero did not panic")
			}
		}()
		g.Add(-1)
	}()
	if info, _ := g.Info(); info.Count != 0 || info.Generation != 2 {
		t.Fatalf("after the misuse: %+v", info)
	}
}

// TestWaitGroupRace: two workers each make something visible and then
// do their done; the wait must never return before both are visible.
func TestWaitGroupRace(t *testing.T) {
	const iterations = 200
	g, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	outR, outW := pipe(t)
	var toks [2]*os.File
	for i := range toks {
		r, w := pipe(t)
		toks[i] = w
		cmd := worker(t, "race", "", nil, g.File(), r, outW)
		defer waitWorker(t, cmd)
		defer w.Close()
	}
	for i := 0; i < iterations; i++ {
		g.Add(1)
		toks[0].Write([]byte{1})
		g.Add(1)
		toks[1].Write([]byte{1})
		g.Wait()
		for j := 0; j < 2; j++ {
			if !pending(t, outR) {
				t.Fatalf("iteration %d: Wait returned before both workers were done", i)
			}
		}
	}
}

// TestWaitGroupGo: Go's own test, then a worker's Go tasks waited for in
// the coordinator.
func TestWaitGroupGo(t *testing.T) {
	g, name := named(t)
	var i int
	g.Go(func() { i++ })
	g.Wait()
	if i != 1 {
		t.Fatalf("got %d, want 1", i)
	}

	const n = 3
	readyR, readyW := pipe(t)
	relR, relW := pipe(t)
	outR, outW := pipe(t)
	cmd := worker(t, "go", name, []string{fmt.Sprintf("WG_N=%d", n)}, readyW, relR, outW)
	defer waitWorker(t, cmd)
	readByte(readyR)
	if info, _ := g.Info(); info.Count != n {
		t.Fatalf("worker's Go tasks counted: %d, want %d", info.Count, n)
	}
	for j := 0; j < n; j++ {
		relW.Write([]byte{1})
	}
	r, err := g.WaitContext(bg())
	if err != nil || r.Err() != nil {
		t.Fatalf("waiting for the worker's tasks: %+v, %v", r, err)
	}
	for j := 0; j < n; j++ {
		if !pending(t, outR) {
			t.Fatalf("Wait returned with %d of the worker's %d tasks seen", j, n)
		}
	}
}

// TestWaitGroupReuse: what sync.WaitGroup calls misuse ("reused before
// previous Wait has returned") is not one here: a waiter is released by
// its generation's zero even if an add re-arms the group at once.
func TestWaitGroupReuse(t *testing.T) {
	g, _ := named(t)
	g.Add(1)
	done := make(chan uint64)
	go func() {
		r, err := g.WaitContext(bg())
		if err != nil {
			t.Error(err)
		}
		done <- r.Generation
	}()
	until(t, g, "a waiter sleeps", func(i Info) bool { return i.Waiters == 1 })
	g.Done()
	g.Add(1)
	if gen := <-done; gen != 1 {
		t.Fatalf("waiter released for generation %d, want 1", gen)
	}
	g.Done()
	if info, _ := g.Info(); info.Generation != 2 {
		t.Fatalf("generation %d, want 2", info.Generation)
	}
}
