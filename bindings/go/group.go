// SPDX-License-Identifier: LGPL-2.1-or-later OR MIT

package waitgroup

import (
	"errors"
	"math"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// A Group is a waitgroup of the kernel: sync.WaitGroup's counter, kept
// in /dev/waitgroup and shared by every process that holds a descriptor
// for it. Its methods are safe for concurrent use by several goroutines,
// and by several processes through their own descriptors.
//
// A Group is one open file of the group. What an add with undo records
// (AddUndo, Go, Cmd) belongs to that open file: when its last descriptor
// is closed, in this process or a child that inherited it, the kernel
// takes back what no done has drawn yet and reports it as abandoned.
//
// A call that blocks (Wait, an add waiting for room) holds an OS thread
// while it sleeps in the kernel, as any blocking system call does in Go.
type Group struct {
	f    *os.File
	rc   syscall.RawConn
	name string
}

// oldModule is set once a module older than 1.2 answered ENOTTY to the
// grown structures; the calls then use the first version's sizes.
var oldModule int32

func isOldModule() bool { return atomic.LoadInt32(&oldModule) != 0 }
func setOldModule()     { atomic.StoreInt32(&oldModule, 1) }

func newGroup(fd int, name string) (*Group, error) {
	f := os.NewFile(uintptr(fd), "waitgroup:"+name)
	if f == nil {
		return nil, syscall.EBADF
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Group{f: f, rc: rc, name: name}, nil
}

// ioctl on the group's descriptor, restarted on EINTR: every blocking
// call here takes an absolute deadline, so a restart neither starts the
// time over nor changes what it waits for. The descriptor cannot be
// closed (and its number reused) while the call runs.
func (g *Group) ioctl(req uintptr, arg unsafe.Pointer) (int, error) {
	var r uintptr
	var errno syscall.Errno
	err := g.rc.Control(func(fd uintptr) {
		for {
			r, _, errno = syscall.Syscall(syscall.SYS_IOCTL, fd, req, uintptr(arg))
			if errno != syscall.EINTR {
				break
			}
		}
	})
	if err != nil {
		return -1, os.ErrClosed // the Group was closed
	}
	if errno != 0 {
		return -1, errno
	}
	return int(r), nil
}

// ctl runs one ioctl on the control device, opened for this call only,
// and returns the descriptor it answers with.
func ctl(req uintptr, arg unsafe.Pointer) (int, error) {
	var dev int
	var err error
	for {
		dev, err = syscall.Open(devicePath, syscall.O_RDWR|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return -1, err
	}
	defer syscall.Close(dev)
	for {
		r, _, errno := syscall.Syscall(syscall.SYS_IOCTL, uintptr(dev), req, uintptr(arg))
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return -1, errno
		}
		return int(r), nil
	}
}

func copyName(dst *[nameMax]byte, name string) error {
	if len(name) >= nameMax {
		return syscall.ENAMETOOLONG
	}
	for i := 0; i < len(name); i++ {
		if name[i] == 0 {
			return syscall.EINVAL
		}
	}
	copy(dst[:], name)
	return nil
}

type config struct {
	mode, access    uint32
	count, limit    int
	excl            bool
	forCreate, anon bool // the options only a new group takes were given
}

// An Option changes how Create, Open or New makes or opens a group.
type Option func(*config)

// Mode sets the permission bits (at most 0777) of a new named group; the
// default is 0600. Create only.
func Mode(perm os.FileMode) Option {
	return func(c *config) { c.mode = uint32(perm); c.forCreate = true }
}

// Count sets the initial counter of a new group (0 to math.MaxInt32).
// Create and New only; ignored when Create opens an existing group.
func Count(n int) Option {
	return func(c *config) { c.count = n; c.forCreate = true; c.anon = true }
}

// Limit sets the limit of a new group, as SetLimit does. Create and New
// only; ignored when Create opens an existing group.
func Limit(n int) Option {
	return func(c *config) { c.limit = n; c.forCreate = true; c.anon = true }
}

// Exclusive makes Create fail with EEXIST (errors.Is(err, os.ErrExist))
// when the name exists, instead of opening it. Create only.
func Exclusive() Option {
	return func(c *config) { c.excl = true; c.forCreate = true }
}

// WaitOnly opens a descriptor that may wait, poll and read Info but not
// add (EBADF): it needs only read permission on a named group.
func WaitOnly() Option { return func(c *config) { c.access |= flagAccessWait } }

// AddOnly opens a descriptor that may add, done, cancel and set the limit
// but not wait (EBADF): it needs only write permission on a named group.
func AddOnly() Option { return func(c *config) { c.access |= flagAccessAdd } }

func configure(opts []Option) config {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c
}

func create(name string, c config) (*Group, error) {
	if c.count < 0 {
		return nil, syscall.ERANGE
	}
	if c.count > math.MaxInt32 || c.limit < 0 || c.limit > math.MaxInt32 || c.mode > 0777 {
		return nil, syscall.EINVAL
	}
	arg := wgCreate{
		flags: flagCloexec | c.access,
		mode:  c.mode,
		count: int32(c.count),
		limit: uint32(c.limit),
	}
	if c.excl {
		arg.flags |= flagExcl
	}
	if err := copyName(&arg.name, name); err != nil {
		return nil, err
	}
	req := iocCreate
	if isOldModule() && c.limit == 0 {
		req = iocCreateVer0
	}
	fd, err := ctl(req, unsafe.Pointer(&arg))
	if err == syscall.ENOTTY && req == iocCreate && c.limit == 0 {
		setOldModule()
		fd, err = ctl(iocCreateVer0, unsafe.Pointer(&arg))
	}
	if err != nil {
		return nil, err
	}
	return newGroup(fd, name)
}

// Create creates the named group in the caller's IPC namespace, owned by
// the caller, or opens it if it exists (unless Exclusive is given, as with
// O_CREAT and O_EXCL). A name is 1 to 63 printable ASCII characters other
// than space and '/'. The group lives until Unlink and the last close.
func Create(name string, opts ...Option) (*Group, error) {
	if name == "" {
		return nil, &Error{Op: "create", Err: syscall.EINVAL}
	}
	g, err := create(name, configure(opts))
	if err != nil {
		return nil, &Error{Op: "create", Name: name, Err: err}
	}
	return g, nil
}

// New creates an anonymous group: it has no name, and lives until the last
// descriptor for it is closed. Hand it to other processes with File and
// exec.Cmd.ExtraFiles, or over a Unix socket. Count, Limit and the access
// options apply.
func New(opts ...Option) (*Group, error) {
	c := configure(opts)
	if c.mode != 0 || c.excl {
		return nil, &Error{Op: "create", Err: syscall.EINVAL}
	}
	g, err := create("", c)
	if err != nil {
		return nil, &Error{Op: "create", Err: err}
	}
	return g, nil
}

// Open opens the named group of the caller's IPC namespace, checking
// permission: read to wait, write to add (both unless WaitOnly or AddOnly
// is given). ENOENT (errors.Is(err, os.ErrNotExist)) if there is none.
func Open(name string, opts ...Option) (*Group, error) {
	c := configure(opts)
	if c.forCreate {
		return nil, &Error{Op: "open", Name: name, Err: syscall.EINVAL}
	}
	arg := wgOpen{flags: flagCloexec | c.access}
	err := copyName(&arg.name, name)
	if err == nil && name == "" {
		err = syscall.EINVAL
	}
	fd := -1
	if err == nil {
		fd, err = ctl(iocOpen, unsafe.Pointer(&arg))
	}
	if err == nil {
		var g *Group
		if g, err = newGroup(fd, name); err == nil {
			return g, nil
		}
	}
	return nil, &Error{Op: "open", Name: name, Err: err}
}

// Unlink removes a name. Descriptors already open keep working; the group
// is freed once the last is closed. Only the owner, the creator or a
// holder of CAP_IPC_OWNER may (EPERM).
func Unlink(name string) error {
	var arg wgOpen
	err := copyName(&arg.name, name)
	if err == nil && name == "" {
		err = syscall.EINVAL
	}
	if err == nil {
		_, err = ctl(iocUnlink, unsafe.Pointer(&arg))
	}
	if err != nil {
		return &Error{Op: "unlink", Name: name, Err: err}
	}
	return nil
}

// FromFile makes a Group of a waitgroup descriptor that this process was
// given, typically by its parent through exec.Cmd.ExtraFiles (the first
// of them is descriptor 3: os.NewFile(3, "group")). The Group takes f
// over: closing the Group closes f. The descriptor is the same open file
// as the parent's, so it shares the parent's undo ledger; Dup gives a
// ledger of this process's own.
func FromFile(f *os.File) (*Group, error) {
	if f == nil {
		return nil, &Error{Op: "fromfile", Err: syscall.EBADF}
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, &Error{Op: "fromfile", Err: err}
	}
	g := &Group{f: f, rc: rc}
	var info wgInfo
	_, err = g.ioctl(iocInfoVer0, unsafe.Pointer(&info))
	switch err {
	case nil:
		g.name = cstring(info.name[:])
	case syscall.EBADF:
		// A descriptor without WG_ACCESS_WAIT; a closed one fails here.
		var st syscall.Stat_t
		if e := rc.Control(func(fd uintptr) { err = syscall.Fstat(int(fd), &st) }); e != nil {
			err = e
		}
	}
	if err != nil {
		if err == syscall.ENOTTY || err == syscall.EINVAL {
			err = errors.New("not a waitgroup descriptor")
		}
		return nil, &Error{Op: "fromfile", Name: f.Name(), Err: err}
	}
	return g, nil
}

func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// Name is the group's name, empty for an anonymous group.
func (g *Group) Name() string { return g.name }

// File returns the group's open file, to hand to a child through
// exec.Cmd.ExtraFiles (the child then calls FromFile) or to poll. It is
// the Group's own: closing it closes the Group.
func (g *Group) File() *os.File { return g.f }

// Close closes the group's descriptor. What this open file's undo ledger
// still holds is taken back, as abandoned, once no process holds the open
// file any more. Calls in progress finish first.
func (g *Group) Close() error {
	return g.err("close", g.f.Close())
}

// Dup opens the group again: a new open file with the same access and an
// empty undo ledger of its own (unlike dup(2), which shares the ledger).
func (g *Group) Dup() (*Group, error) {
	flags := uint32(flagCloexec)
	fd, err := g.ioctl(iocDup, unsafe.Pointer(&flags))
	if err == nil {
		var d *Group
		if d, err = newGroup(fd, g.name); err == nil {
			return d, nil
		}
	}
	return nil, g.err("dup", err)
}

// add is every add: delta within int32, WG_UNDO and WG_ADD_WAIT (only
// for a positive delta; deadline then applies), a code with a negative
// delta.
func (g *Group) add(delta int, flags uint32, code int, deadline uint64) error {
	if delta > math.MaxInt32 {
		return syscall.EOVERFLOW
	}
	if delta < math.MinInt32 {
		return syscall.ERANGE
	}
	if delta <= 0 {
		flags &^= addWait
	}
	arg := wgAdd{delta: int32(delta), flags: flags, error: int32(code)}
	if flags&addWait != 0 {
		arg.deadline = deadline
	}
	if isOldModule() {
		// A module before 1.2 has no limit: there is never room to wait for.
		arg.flags &^= addWait
		arg.deadline = 0
		_, err := g.ioctl(iocAddVer0, unsafe.Pointer(&arg))
		return err
	}
	req := iocAdd
	if flags&addWait == 0 {
		req = iocAddVer0 // what every module knows
	}
	_, err := g.ioctl(req, unsafe.Pointer(&arg))
	if err == syscall.ENOTTY && req == iocAdd {
		setOldModule()
		return g.add(delta, flags, code, deadline)
	}
	return err
}

// Add adds delta, which may be negative, to the counter, as
// sync.WaitGroup's Add does: when the counter becomes zero, every Wait
// blocked on it (in any process) is released. It panics where
// sync.WaitGroup panics, if the counter would become negative, and also if
// it would pass math.MaxInt32 or the kernel refuses the add; nothing
// changes then. AddErr returns the error instead.
//
// Under a limit (SetLimit), a positive delta waits for room.
func (g *Group) Add(delta int) {
	if err := g.AddErr(delta); err != nil {
		panic(err)
	}
}

// AddErr is Add returning an error instead of panicking: ERANGE (the
// counter would become negative), EOVERFLOW (past math.MaxInt32),
// ECANCELED (a positive delta while the generation is canceled), EBADF (a
// WaitOnly descriptor). Nothing changes when it fails.
func (g *Group) AddErr(delta int) error {
	return g.err("add", g.add(delta, addWait, 0, forever))
}

// AddUndo adds a positive delta that the kernel takes back if this open
// file is closed, or its process dies, before Done has drawn it (SysV's
// SEM_UNDO): a worker killed with SIGKILL cannot hang the group. Waiters
// then see the generation's Abandoned count and EOWNERDEAD. Under a limit
// it waits for room.
func (g *Group) AddUndo(delta int) error {
	return g.err("add", g.add(delta, addWait|addUndo, 0, forever))
}

// TryAdd adds delta without waiting for room: under a limit that the
// delta would pass, or while other adds wait for room, it fails with
// EAGAIN. With undo, the add is recorded as AddUndo records it.
func (g *Group) TryAdd(delta int, undo bool) error {
	var flags uint32
	if undo {
		flags = addUndo
	}
	return g.err("add", g.add(delta, flags, 0, 0))
}

// Done decrements the counter by one, drawing first from what this open
// file added with undo. It panics, as sync.WaitGroup's Done does, if the
// counter is already zero.
func (g *Group) Done() {
	if err := g.DoneErr(); err != nil {
		panic(err)
	}
}

// DoneErr is Done returning an error instead of panicking: ERANGE if the
// counter is already zero, EBADF on a WaitOnly descriptor.
func (g *Group) DoneErr() error {
	_, err := g.ioctl(iocDone, nil)
	return g.err("done", err)
}

// Fail is Done for a task that failed: code (nonzero; by convention an
// errno value or an exit status) is kept as the generation's error if it
// is the first, and waiters see it in Result.Error. Fail(0) is DoneErr.
func (g *Group) Fail(code int) error {
	if code == 0 {
		return g.DoneErr()
	}
	if code > math.MaxInt32 || code < math.MinInt32 {
		return g.err("done", syscall.EINVAL)
	}
	return g.err("done", g.add(-1, 0, code, 0))
}

// Go calls f in a new goroutine and adds that task to the group, as
// sync.WaitGroup's Go does (Go 1.25). The add is made with undo, and a
// panic in f does not count as done: the panic ends the process, and the
// kernel then reports the task as abandoned instead of letting waiters
// believe it finished. Go panics if the add fails (see AddErr).
func (g *Group) Go(f func()) {
	if err := g.AddUndo(1); err != nil {
		panic(err)
	}
	go func() {
		defer func() {
			if x := recover(); x != nil {
				panic(x)
			}
			g.Done()
		}()
		f()
	}()
}

// SetLimit sets the most that positive adds may take the counter to: with
// a limit of n, at most n tasks of one each are counted at once, and the
// adds past it wait for room, first come first served. 0 removes the
// limit. A limit below the counter takes nothing away.
func (g *Group) SetLimit(n int) error {
	if n < 0 || n > math.MaxInt32 {
		return g.err("limit", syscall.EINVAL)
	}
	arg := uint32(n)
	_, err := g.ioctl(iocLimit, unsafe.Pointer(&arg))
	return g.err("limit", err)
}

// Cancel cancels the running generation, as errgroup's context cancel
// does: every wait for it returns at once, with Result.Canceled and code
// (a positive errno value; 0 means ECANCELED) as Result.Error, and
// positive adds fail with ECANCELED until the counter reaches zero. It
// reports whether it canceled anything: false if the counter was zero or
// the generation was already canceled.
func (g *Group) Cancel(code int) (bool, error) {
	if code < 0 || code > math.MaxInt32 {
		return false, g.err("cancel", syscall.EINVAL)
	}
	arg := wgCancel{error: int32(code)}
	r, err := g.ioctl(iocCancel, unsafe.Pointer(&arg))
	if err != nil {
		return false, g.err("cancel", err)
	}
	return r == 1, nil
}

// Info is a snapshot of a group, for tools.
type Info struct {
	Name         string      // empty for an anonymous group
	Count        int         // the counter
	Waiters      int         // tasks sleeping in a kernel wait
	Generation   uint64      // the last completed generation
	Abandoned    uint32      // that generation's adds undone by abandonment
	Error        int         // that generation's first error
	UID, GID     int         // owner, in the caller's user namespace
	Mode         os.FileMode // permission bits; 0 for an anonymous group
	Limit        int         // 0 for none
	RoomWaiters  int         // adds waiting for room under the limit
	Canceled     bool        // the running generation is canceled ...
	CancelError  int         // ... with this code
	LastCanceled bool        // the last completed generation was canceled
	Batch        Totals      // the batch's totals (zero from a module before 1.4)
}

// Info reads the group's state. The descriptor needs wait access.
func (g *Group) Info() (Info, error) {
	var arg wgInfo
	req := iocInfo
	if isOldModule() {
		req = iocInfoVer0
	}
	_, err := g.ioctl(req, unsafe.Pointer(&arg))
	if err == syscall.ENOTTY && req == iocInfo {
		setOldModule()
		_, err = g.ioctl(iocInfoVer0, unsafe.Pointer(&arg))
	}
	if err != nil {
		return Info{}, g.err("info", err)
	}
	return Info{
		Name:         cstring(arg.name[:]),
		Count:        int(arg.count),
		Waiters:      int(arg.waiters),
		Generation:   arg.generation,
		Abandoned:    arg.abandoned,
		Error:        int(arg.error),
		UID:          int(arg.uid),
		GID:          int(arg.gid),
		Mode:         os.FileMode(arg.mode),
		Limit:        int(arg.limit),
		RoomWaiters:  int(arg.roomWaiters),
		Canceled:     arg.flags&infoCanceled != 0,
		CancelError:  int(arg.cancelError),
		LastCanceled: arg.flags&infoLastCanceled != 0,
		Batch:        totalsOf(&arg.totals),
	}, nil
}
