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
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
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

/* One pass over every kind; @marked: r12 carries the mark. */
static void pass(int fd, int marked)
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
	/* Warm up: pages touched, caches of the paths filled. */
	for (i = 0; i < 3; i++)
		pass(fd, 0);
	for (i = 0; i < ROUNDS; i++)
		pass(fd, 1);
	/* The end: gdb stops counting at this mark. */
	probe(WG_INSN_MAGIC | 0xff, SYS_getppid, 0, 0, 0);
	printf("wg-insns: %d marked passes %s\n", ROUNDS, bad ? "FAILED" : "done");
	return bad;
}
