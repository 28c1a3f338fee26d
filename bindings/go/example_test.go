// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"sync"
	"syscall"
	"time"

	"waitgroup.example/waitgroup"
)

// The example of sync.WaitGroup, fetching several URLs at once, with a
// kernel group instead: the same four calls.
func Example() {
	wg, err := waitgroup.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer wg.Close()
	var mu sync.Mutex
	var fetched []string
	urls := []string{
		"http://www.golang.org/",
		"http://www.google.com/",
		"http://www.example.com/",
	}
	for _, url := range urls {
		// Increment the WaitGroup counter.
		wg.Add(1)
		// Launch a goroutine to fetch the URL.
		go func(url string) {
			// Decrement the counter when the goroutine completes.
			defer wg.Done()
			// Fetch the URL (here: pretend to).
			mu.Lock()
			fetched = append(fetched, url)
			mu.Unlock()
		}(url)
	}
	// Wait for all fetches to complete.
	wg.Wait()
	sort.Strings(fetched)
	fmt.Println(fetched)
	// Output: [http://www.example.com/ http://www.golang.org/ http://www.google.com/]
}

// The idiom across processes: the coordinator creates the group by name
// where it had a sync.WaitGroup; each worker, in any process of the same
// IPC namespace, opens it. (Here both sides are in one process.)
func ExampleOpen() {
	name := fmt.Sprintf("example-build-%d", os.Getpid())
	build, err := waitgroup.Create(name, waitgroup.Mode(0600), waitgroup.Exclusive())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer waitgroup.Unlink(name)
	defer build.Close()
	build.Add(2)

	// A worker.
	w, err := waitgroup.Open(name)
	if err != nil {
		fmt.Println(err)
		return
	}
	w.Done()
	w.Done()
	w.Close()

	build.Wait()
	info, _ := build.Info()
	fmt.Println("count", info.Count, "generation", info.Generation)
	// Output: count 0 generation 1
}

// Go starts a goroutine counted with undo: if the process died before
// it returned, the kernel would take the task back as abandoned.
func ExampleGroup_Go() {
	wg, _ := waitgroup.New()
	defer wg.Close()
	results := make([]int, 4)
	for i := range results {
		i := i
		wg.Go(func() { results[i] = i * i })
	}
	wg.Wait()
	fmt.Println(results)
	// Output: [0 1 4 9]
}

// A context's deadline is the kernel's: the error is both ETIMEDOUT and
// context.DeadlineExceeded.
func ExampleGroup_WaitContext() {
	wg, _ := waitgroup.New(waitgroup.Count(1))
	defer wg.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := wg.WaitContext(ctx)
	fmt.Println(errors.Is(err, syscall.ETIMEDOUT), errors.Is(err, context.DeadlineExceeded))

	wg.Fail(5) // the task failed with code 5
	res, err := wg.WaitContext(context.Background())
	fmt.Println(res.Generation, res.Error, err)
	// Output:
	// true true
	// 1 5 <nil>
}

// Commands as tasks: each is counted while it runs, and its exit status
// is the task's error code. However many generations they completed, the
// batch has every task, and Err judges it.
func ExampleGroup_Command() {
	wg, _ := waitgroup.New(waitgroup.Limit(2)) // at most two at once
	defer wg.Close()
	a := wg.Command("sh", "-c", "exit 0")
	b := wg.Command("sh", "-c", "exit 3")
	a.Start()
	b.Start()
	a.Wait()
	b.Wait()
	res, _ := wg.WaitContext(context.Background())
	fmt.Println(res.Batch.Done, res.Batch.Failed, res.Batch.Error)
	fmt.Println(res.Err())
	// Output:
	// 2 1 3
	// waitgroup: batch: 1 task(s) failed, 0 abandoned (first error 3)
}

// Cancel releases every waiter of the running generation at once, as
// errgroup's context does.
func ExampleGroup_Cancel() {
	wg, _ := waitgroup.New(waitgroup.Count(3))
	defer wg.Close()
	canceled, _ := wg.Cancel(0)
	res, _ := wg.WaitContext(context.Background())
	fmt.Println(canceled, res.Canceled, errors.Is(res.Err(), syscall.ECANCELED))
	fmt.Println(errors.Is(wg.AddErr(1), syscall.ECANCELED))
	// Output:
	// true true true
	// true
}

// Add and Done panic where sync.WaitGroup's do; the Err forms return.
func ExampleGroup_DoneErr() {
	wg, _ := waitgroup.New()
	defer wg.Close()
	err := wg.DoneErr()
	fmt.Println(errors.Is(err, syscall.ERANGE))
	fmt.Println(err)
	// Output:
	// true
	// waitgroup: done: negative WaitGroup counter
}

// A child gets an anonymous group as its descriptor 3 through
// ExtraFiles. (Not run: "worker" stands for a program of yours.)
func ExampleFromFile() {
	// In the parent:
	wg, err := waitgroup.New()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer wg.Close()
	wg.Add(1)
	child := exec.Command("worker")
	child.ExtraFiles = []*os.File{wg.File()}
	if err := child.Start(); err != nil {
		wg.Done()
	}
	wg.Wait()

	// In the child, "worker":
	//
	//	g, err := waitgroup.FromFile(os.NewFile(3, "group"))
	//	if err != nil {
	//		log.Fatal(err)
	//	}
	//	defer g.Done()
}
