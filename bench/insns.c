// SPDX-License-Identifier: GPL-2.0
/*
 * wg-insns: the guest side of bench/insns, which counts the kernel
 * instructions of one call of each kind, from the syscall instruction to
 * the return to user mode, by single-stepping the VM through qemu's gdb
 * stub (bench/insns.py). Counts do not depend on the host's load.
 *
 * Every call goes through wg_insn_probe, one syscall instruction at a fixed
 * address (a static, non-PIE binary), with a mark in r12 that the kernel
 * neither reads nor changes: WG_INSN_MAGIC and the kind for a call to
 * count, 0 for the warm-up calls before it. The kinds, in the order the
 * marked calls come (bench/insns.py names them the same way):
 *
 *   1 getppid           2 null-ioctl (ENOTTY)   3 add-0-1 (WG_IOC_ADD)
 *   4 done-1-0          5 add-val-0-1            6 done-2-1
 *   7 wait0 (WAIT on a zero group, deadline 0)
 *
 * and the release of one sleeping waiter (a child, asleep before the
 * call), for waitgroup and its two peers in wg-bench's wake part:
 *
 *   8 wake-waitgroup (DONE 1 -> 0)   9 wake-futex-wg (FUTEX_WAKE, shared)
 *  10 wake-semop (semop -1 to 0 under a wait-for-zero)
 *
 * The child is SCHED_FIFO, so with one vCPU its wake-up preempts the
 * caller at the first chance (at the latest on the caller's way back to
 * user mode): the count runs from the release through the child's return
 * to its user mode, the whole path of a wake-up but the IPI.
 * bench/insns.py says which return it reached (the caller's r12 is the
 * mark, the child's 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sched.h>
#include <linux/futex.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wg_sys.h"

#define WG_INSN_MAGIC	0x5747494e534e0000UL	/* "WGINSN" and the kind */
#define NULL_IOC	_IO(WG_IOC_MAGIC, 0x7f)	/* as bench.h's null ioctl */
#define ROUNDS		3			/* marked runs, to see they agree */

__attribute__((noinline, noclone))
static long probe(unsigned long mark, long nr, long a0, long a1, long a2)
{
	register unsigned long r12 asm("r12") = mark;
	long ret;

	asm volatile(".globl wg_insn_probe\n"
		     "wg_insn_probe:\n\t"
		     "syscall"
		     : "=a"(ret)
		     : "a"(nr), "r"(r12), "D"(a0), "S"(a1), "d"(a2)
		     : "rcx", "r11", "memory");
	return ret;
}

static int bad;

static void expect(const char *what, long got, long want)
{
	if (got == want)
		return;
	fprintf(stderr, "wg-insns: %s returned %ld, not %ld\n", what, got, want);
	bad = 1;
}

/* Sleeping: the third field of /proc/PID/stat is S. */
static int asleep(pid_t pid)
{
	char path[64], buf[256], *p;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = open(path, O_RDONLY);
	if (f < 0)
		return 0;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

enum wake_kind { WAKE_WG = 8, WAKE_FUTEX, WAKE_SEM };

static _Atomic unsigned int *fword;	/* shared: FUTEX_WAIT, not private */
static int sem;

/*
 * A child sleeps on @kind's primitive; once it is asleep the release goes
 * through the probe, marked or not, and the child's exit status says it
 * returned as it should.
 */
static void wake_one(int dev, enum wake_kind kind, unsigned long mark)
{
	struct sembuf zero = { 0, 0, 0 }, down = { 0, -1, 0 };
	struct wg_wait w;
	int fd = -1, status;
	long ret = -1;
	pid_t pid;

	if (kind == WAKE_WG) {
		fd = sys_wg_create(dev, WG_CLOEXEC, 0, 0, NULL);
		expect("create", fd < 0 ? fd : 0, 0);
		expect("ADD_VAL", sys_wg_add_val(fd, 1, 0), 0);
	} else if (kind == WAKE_FUTEX) {
		*fword = 0;
	} else {
		expect("SETVAL", semctl(sem, 0, SETVAL, 1), 0);
	}
	pid = fork();
	if (pid < 0) {
		perror("wg-insns: fork");
		exit(1);
	}
	if (!pid) {
		struct sched_param sp = { .sched_priority = 1 };

		/* Real-time: its wake-up preempts the caller at once. */
		if (sched_setscheduler(0, SCHED_FIFO, &sp))
			perror("wg-insns: SCHED_FIFO");
		switch (kind) {
		case WAKE_WG:
			memset(&w, 0, sizeof(w));
			w.deadline_ns = WG_FOREVER;
			ret = probe(0, SYS_ioctl, fd, WG_IOC_WAIT, (long)&w);
			break;
		case WAKE_FUTEX:
			while (!*fword)
				ret = probe(0, SYS_futex, (long)fword, FUTEX_WAIT, 0);
			ret = 0;
			break;
		default:
			ret = probe(0, SYS_semop, sem, (long)&zero, 1);
		}
		_exit(ret ? 1 : 0);
	}
	while (!asleep(pid))
		sched_yield();
	switch (kind) {
	case WAKE_WG:
		expect("DONE to a sleeper", probe(mark, SYS_ioctl, fd, WG_IOC_DONE, 0), 0);
		break;
	case WAKE_FUTEX:
		*fword = 1;
		expect("FUTEX_WAKE", probe(mark, SYS_futex, (long)fword, FUTEX_WAKE, INT_MAX), 1);
		break;
	default:
		expect("semop -1", probe(mark, SYS_semop, sem, (long)&down, 1), 0);
	}
	expect("waitpid", waitpid(pid, &status, 0), pid);
	expect("the woken child", status, 0);
	if (fd >= 0)
		close(fd);
}

/* One pass over every kind; @marked: r12 carries the mark. */
static void pass(int dev, int fd, int marked)
{
	static const struct wg_add add_one = { .delta = 1 };
	struct wg_wait w;
	unsigned long m = marked ? WG_INSN_MAGIC : 0;

#define MARK(k) (m ? m | (k) : 0)
	expect("getppid", probe(MARK(1), SYS_getppid, 0, 0, 0), getppid());
	expect("null ioctl", probe(MARK(2), SYS_ioctl, fd, NULL_IOC, 0), -ENOTTY);
	expect("ADD", probe(MARK(3), SYS_ioctl, fd, WG_IOC_ADD, (long)&add_one), 0);
	expect("DONE 1->0", probe(MARK(4), SYS_ioctl, fd, WG_IOC_DONE, 0), 0);
	expect("ADD_VAL", probe(MARK(5), SYS_ioctl, fd, WG_IOC_ADD_VAL,
				(long)WG_ADD_VAL(1, 0)), 0);
	expect("ADD_VAL 1->2", probe(0, SYS_ioctl, fd, WG_IOC_ADD_VAL,
				     (long)WG_ADD_VAL(1, 0)), 0);
	expect("DONE 2->1", probe(MARK(6), SYS_ioctl, fd, WG_IOC_DONE, 0), 0);
	expect("DONE 1->0", probe(0, SYS_ioctl, fd, WG_IOC_DONE, 0), 0);
	memset(&w, 0, sizeof(w));
	expect("WAIT", probe(MARK(7), SYS_ioctl, fd, WG_IOC_WAIT, (long)&w), 0);
	wake_one(dev, WAKE_WG, MARK(WAKE_WG));
	wake_one(dev, WAKE_FUTEX, MARK(WAKE_FUTEX));
	wake_one(dev, WAKE_SEM, MARK(WAKE_SEM));
#undef MARK
}

/* For bench/insns --profile: the kernel's text symbols, on stdout. */
static void dump_symbols(void)
{
	char line[512], type;
	unsigned long addr;
	FILE *f = fopen("/proc/kallsyms", "r");

	if (!f) {
		perror("wg-insns: /proc/kallsyms");
		return;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx %c", &addr, &type) == 2 && addr &&
		    (type == 't' || type == 'T'))
			printf("SYM %s", line);
	fclose(f);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	int dev, fd, i;

	if (argc > 1 && !strcmp(argv[1], "--symbols"))
		dump_symbols();

	dev = open("/dev/waitgroup", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror("wg-insns: /dev/waitgroup");
		return 1;
	}
	fd = sys_wg_create(dev, WG_CLOEXEC, 0, 0, NULL);
	if (fd < 0) {
		fprintf(stderr, "wg-insns: create: %s\n", strerror(-fd));
		return 1;
	}
	fword = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sem = semget(IPC_PRIVATE, 1, 0600);
	if (fword == MAP_FAILED || sem < 0) {
		perror("wg-insns: mmap or semget");
		return 1;
	}
	/* Warm up: pages touched, caches of the paths filled. */
	for (i = 0; i < 3; i++)
		pass(dev, fd, 0);
	for (i = 0; i < ROUNDS; i++)
		pass(dev, fd, 1);
	/* The end: gdb stops counting at this mark. */
	probe(WG_INSN_MAGIC | 0xff, SYS_getppid, 0, 0, 0);
	semctl(sem, 0, IPC_RMID);
	printf("wg-insns: %d marked passes %s\n", ROUNDS, bad ? "FAILED" : "done");
	return bad;
}
