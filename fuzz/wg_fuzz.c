// SPDX-License-Identifier: GPL-2.0
/*
 * wg-fuzz: drive /dev/waitgroup with random and hostile ioctls from several
 * processes and threads, deterministically from a seed.
 *
 *   wg-fuzz [--seed S] [--seconds N] [--ops N] [--procs P] [--threads T]
 *           [--limit N] [--kill-ms N] [--fork-pm N] [--timeout S]
 *
 * A supervisor forks P worker processes of T fuzzing threads each (plus one
 * helper thread), SIGKILLs and respawns workers at random moments, sends them
 * signals (EINTR and restart), and stops them after --seconds or --ops.
 * Workers share a small pool of names (so create, open and unlink race),
 * some run as unprivileged users or in their own IPC namespace, and the
 * threads of one worker share a table of descriptor slots (so close races
 * with wait, add and dup).
 *
 * What it checks, and nothing more:
 * - every ioctl fails only with an errno that uapi/linux/waitgroup.h allows
 *   for it; bad ioctl numbers fail with ENOTTY; a hostile pointer (NULL,
 *   unmapped, kernel, non-canonical, straddling into an unmapped page) never
 *   succeeds;
 * - invariants visible from userspace: INFO's count is never negative, its
 *   waiters plausible, its name and mode well formed; the generation INFO
 *   returns never goes behind one WAIT or INFO returned on the same file;
 * - exact results on private anonymous groups that nobody else can reach
 *   (a model of counter, generation, first error, undo ledger, abandonment
 *   and poll: a wait or a poll between completions is ready only at zero,
 *   since no poll is in progress at a completion), and WG_FOREVER waits released by
 *   another thread's done or by closing a descriptor whose ledger holds adds;
 * - at the end, with every worker gone: no named group has waiters left.
 *
 * Prints per-ioctl totals with an errno histogram and "ok"/"not ok". Exit
 * status 0 when ok, 1 on a failure, 2 on bad usage.
 *
 * Slot descriptors have fixed numbers: "closing" a slot replaces its file
 * with dup3() of the control device, which releases the group file exactly
 * like close() does, but never frees the number for another thread's next
 * open to reuse (a stale number would let a racing thread hit a private
 * group and turn an exact check into a false alarm).
 */

#include "fuzz.h"

struct shared *sh;
bool in_child;		/* a fork child of a worker thread */
uint64_t g_seed;
int g_procs = 4, g_threads = 3;
unsigned int g_fork_pm = 3;	/* per mille of ops that fork */

/* ---- Threads -------------------------------------------------------- */

static void *fuzz_thread(void *arg)
{
	struct thr *t = arg;

	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed))
		fuzz_one(t);
	atomic_fetch_sub(&t->p->threads_left, 1);
	pthread_mutex_lock(&t->p->hmu);
	pthread_cond_signal(&t->p->hcv);
	pthread_mutex_unlock(&t->p->hmu);
	return NULL;
}

/* Releases forever-waits; runs until the fuzzing threads are gone. */
static void *helper_thread(void *arg)
{
	struct thr *t = arg;
	struct proc *p = t->p;

	pthread_mutex_lock(&p->hmu);
	for (;;) {
		uint64_t now = wg_now_ns();
		struct timespec ts;

		for (int i = 0; i < p->hn; i++) {
			if (p->hq[i].due > now)
				continue;
			struct helper_item it = p->hq[i];

			p->hq[i] = p->hq[--p->hn];
			i--;
			pthread_mutex_unlock(&p->hmu);
			helper_do(t, &it);
			pthread_mutex_lock(&p->hmu);
		}
		if (!p->hn && !atomic_load(&p->threads_left))
			break;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 300000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->hcv, &p->hmu, &ts);
	}
	pthread_mutex_unlock(&p->hmu);
	return NULL;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void die(const char *what)
{
	fprintf(stderr, "wg-fuzz: %s: %s\n", what, strerror(errno));
	_exit(3);
}

static void drop_privileges(uid_t uid)
{
	gid_t gid = uid;

	if (setgroups(1, &gid) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid))
		die("dropping privileges");
}

/* One worker process, incarnation @inc of index @idx. */
static void __attribute__((noreturn)) worker(int idx, int inc)
{
	struct proc *p = calloc(1, sizeof(*p));
	struct thr *ts = calloc(g_threads + 1, sizeof(*ts));
	pthread_t th[MAX_THREADS + 1];
	struct sigaction sa = { .sa_handler = on_usr1 };
	uint64_t seed = g_seed ^ ((uint64_t)idx << 40) ^ ((uint64_t)inc << 8);
	struct rng r;
	int ep;

	if (!p || !ts)
		die("calloc");
	signal(SIGALRM, SIG_DFL);	/* the supervisor's watchdog is its own */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	rng_seed(&r, splitmix64(&seed));
	p->idx = idx;
	p->inc = inc;
	p->root = geteuid() == 0;
	if (p->root && chance(&r, 1, 4) && unshare(CLONE_NEWIPC))
		die("unshare(CLONE_NEWIPC)");
	if (p->root && idx % 4 == 2) {
		drop_privileges(1000);
		p->root = false;
	} else if (p->root && idx % 4 == 3) {
		drop_privileges(65534);
		p->root = false;
	}
	p->ctl = open(WG_DEV, O_RDWR | O_CLOEXEC);
	if (p->ctl < 0)
		die("open /dev/waitgroup");
	for (int i = 0; i < NSLOTS; i++) {
		p->slots[i].fd = SLOT_BASE + i;
		if (dup3(p->ctl, SLOT_BASE + i, O_CLOEXEC) < 0)
			die("dup3");
	}
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || dup3(ep, EPOLL_FD, O_CLOEXEC) < 0)
		die("epoll");
	close(ep);
	if (chance(&r, 1, 3)) {
		/*
		 * Little room for descriptors: EMFILE on create, open, dup.
		 * The numbers below the slots are filled, a few above stay.
		 */
		struct rlimit rl = { EPOLL_FD + 1 + below(&r, 5),
				     EPOLL_FD + 8 };

		while (dup(p->ctl) >= 0 && fcntl(SLOT_BASE - 1, F_GETFD) < 0)
			;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			die("setrlimit");
	}
	p->rw = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p->rw == MAP_FAILED)
		die("mmap");
	p->none = p->rw + 4096;
	p->ro = p->rw + 2 * 4096;
	memset(p->ro, 0, 4096);		/* a wg_wait with deadline 0 */
	if (mprotect(p->none, 4096, PROT_NONE) || mprotect(p->ro, 4096, PROT_READ))
		die("mprotect");
	if (pthread_rwlock_init(&p->forklock, NULL) ||
	    pthread_mutex_init(&p->hmu, NULL) || pthread_cond_init(&p->hcv, NULL))
		die("pthread init");
	if (chance(&r, 1, 2))
		sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	atomic_store(&p->threads_left, g_threads);
	for (int i = 0; i <= g_threads; i++) {
		ts[i].p = p;
		ts[i].tid = i;
		ts[i].op = -1;
		ts[i].st = &sh->st[idx * (MAX_THREADS + 1) + i];
		ts[i].names = malloc((size_t)(WG_LIST_MAX + 1) * WG_NAME_MAX);
		if (!ts[i].names)
			die("malloc");
		rng_seed(&ts[i].r, rnd(&r));
		if (pthread_create(&th[i], NULL,
				   i < g_threads ? fuzz_thread : helper_thread,
				   &ts[i]))
			die("pthread_create");
	}
	for (int i = 0; i <= g_threads; i++)
		pthread_join(th[i], NULL);
	/* Exit without closing: the exit releases every slot and ledger. */
	_exit(0);
}

/* ---- Supervisor ----------------------------------------------------- */

static pid_t pids[MAX_PROCS];

static void on_alarm(int sig)
{
	static const char msg[] =
		"# FAIL wg-fuzz watchdog: the run did not end in time (hang?)\nnot ok - wg-fuzz: watchdog\n";

	(void)sig;
	for (int i = 0; i < g_procs; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(4);
	_exit(4);
}

static pid_t spawn(int idx, int inc)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		worker(idx, inc);
	return pid;
}

static uint64_t total_ops(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < sizeof(sh->st) / sizeof(sh->st[0]); i++)
		n += sh->st[i].total;
	return n;
}

static const char *errname(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "ok";
	case EINVAL: return "EINVAL";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ERANGE: return "ERANGE";
	case EEXIST: return "EEXIST";
	case EACCES: return "EACCES";
	case ENOSPC: return "ENOSPC";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case EOVERFLOW: return "EOVERFLOW";
	case EBADF: return "EBADF";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EINTR: return "EINTR";
	case ENOTTY: return "ENOTTY";
	case EBUSY: return "EBUSY";
	case NERR - 1: return "other";
	}
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/* With every worker gone, nobody can be waiting on a named group. */
static void final_check(void)
{
	struct proc p = { .idx = -1, .root = geteuid() == 0 };
	struct thr t = { .p = &p, .op = -1, .st = &sh->st[0] };
	int ctl = open(WG_DEV, O_RDWR | O_CLOEXEC);

	if (ctl < 0) {
		fail(NULL, "final check: open /dev/waitgroup: %s", strerror(errno));
		return;
	}
	p.ctl = ctl;
	for (int i = 0; i < NNAMES; i++) {
		struct wg_open o = { .flags = WG_ACCESS_WAIT };
		struct wg_info in;
		int fd, err;

		strcpy(o.name, name_pool[i]);
		fd = ioctl(ctl, WG_IOC_OPEN, &o);
		if (fd < 0)
			continue;
		note(&t, OP_INFO, fd, WG_IOC_INFO, i, 0, 0, 0);
		if (ioctl(fd, WG_IOC_INFO, &in)) {
			err = errno;
			fail(&t, "final INFO on %s: errno %d", o.name, err);
		} else {
			check_info(&t, &in);
			if (in.waiters)
				fail(&t, "%s has %u waiters with every process gone",
				     o.name, in.waiters);
			if (strcmp(in.name, o.name))
				fail(&t, "%s reports name %.64s", o.name, in.name);
		}
		close(fd);
		o.flags = 0;
		if (ioctl(ctl, WG_IOC_UNLINK, &o) && errno != ENOENT)
			fail(&t, "final UNLINK %s: errno %d", o.name, errno);
	}
	close(ctl);
}

static const char limit_path[] =
	"/sys/module/waitgroup/parameters/max_groups_per_user";

static long read_limit(void)
{
	FILE *f = fopen(limit_path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static bool write_limit(long v)
{
	FILE *f = fopen(limit_path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", v) > 0;
	return !fclose(f) && ok;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: wg-fuzz [--seed S] [--seconds N] [--ops N] [--procs P] [--threads T]\n"
		"               [--limit N] [--kill-ms N] [--fork-pm N] [--timeout S]\n"
		"  --seed S      PRNG seed (default: from the clock; always printed)\n"
		"  --seconds N   stop after N seconds (default 10 unless --ops is given)\n"
		"  --ops N       stop after about N operations (by all workers)\n"
		"  --procs P     worker processes (default 4, at most %d)\n"
		"  --threads T   fuzzing threads per worker (default 3, at most %d)\n"
		"  --limit N     max_groups_per_user during the run, moved now and then\n"
		"                between 4 and 4N (default 32; 0: leave it alone)\n"
		"  --kill-ms N   mean interval between SIGKILLs of workers (default 1000; 0: none)\n"
		"  --fork-pm N   per mille of ops that fork a child (default 3)\n"
		"  --timeout S   watchdog: fail if the run has not ended after S seconds\n"
		"                (default: the run's length + 120)\n",
		MAX_PROCS, MAX_THREADS);
}

static unsigned long long num_arg(const char *opt, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end) {
		fprintf(stderr, "wg-fuzz: %s: not a number: %s\n", opt, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	unsigned long long seconds = 0, max_ops = 0, timeout = 0;
	long limit = 32, old_limit = -1;
	unsigned long long kill_ms = 1000;
	bool seeded = false;
	struct rng r;
	uint64_t t0, t1, nops, nioctl = 0;
	int incs[MAX_PROCS] = { 0 }, status, nfail;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		if (!strcmp(a, "--seed")) {
			g_seed = num_arg(a, v);
			seeded = true;
		} else if (!strcmp(a, "--seconds")) {
			seconds = num_arg(a, v);
		} else if (!strcmp(a, "--ops")) {
			max_ops = num_arg(a, v);
		} else if (!strcmp(a, "--procs")) {
			g_procs = (int)num_arg(a, v);
		} else if (!strcmp(a, "--threads")) {
			g_threads = (int)num_arg(a, v);
		} else if (!strcmp(a, "--limit")) {
			limit = (long)num_arg(a, v);
		} else if (!strcmp(a, "--kill-ms")) {
			kill_ms = num_arg(a, v);
		} else if (!strcmp(a, "--fork-pm")) {
			g_fork_pm = (unsigned int)num_arg(a, v);
		} else if (!strcmp(a, "--timeout")) {
			timeout = num_arg(a, v);
		} else {
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (g_procs < 1 || g_procs > MAX_PROCS || g_threads < 1 ||
	    g_threads > MAX_THREADS) {
		usage(stderr);
		return 2;
	}
	if (!seconds && !max_ops)
		seconds = 10;
	if (!seeded)
		g_seed = wg_now_ns() ^ ((uint64_t)getpid() << 32);
	if (!timeout)
		timeout = (seconds ? seconds : 3600) + 120;

	for (int i = 0; i < NNAMES; i++)
		snprintf(name_pool[i], sizeof(name_pool[i]), "wgfuzz-%d", i);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	rng_seed(&r, g_seed);

	printf("# wg-fuzz: seed %llu, %d processes x %d threads, %llu s, %llu ops, limit %ld\n",
	       (unsigned long long)g_seed, g_procs, g_threads, seconds,
	       max_ops, limit);
	printf("# reproduce: wg-fuzz --seed %llu --procs %d --threads %d --kill-ms %llu --fork-pm %u%s%llu\n",
	       (unsigned long long)g_seed, g_procs, g_threads, kill_ms, g_fork_pm,
	       seconds ? " --seconds " : " --ops ", seconds ? seconds : max_ops);
	fflush(stdout);
	status = open(WG_DEV, O_RDWR | O_CLOEXEC);
	if (status < 0) {
		printf("not ok - wg-fuzz: cannot open /dev/waitgroup: %s\n",
		       strerror(errno));
		return 1;
	}
	close(status);
	if (limit > 0) {
		old_limit = read_limit();
		if (old_limit < 0 || !write_limit(limit)) {
			printf("# note: cannot set max_groups_per_user; limits untouched\n");
			old_limit = -1;
		}
	}

	/* Orphaned fork children come to us: all are reaped before we end. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGUSR1, SIG_IGN);	/* until a new worker has its handler */
	signal(SIGALRM, on_alarm);
	alarm((unsigned int)timeout);
	t0 = wg_now_ns();
	for (int i = 0; i < g_procs; i++)
		pids[i] = spawn(i, incs[i]++);
	for (;;) {
		pid_t pid;
		int idx;

		sleep_us(10000);
		if ((seconds && wg_now_ns() - t0 >= seconds * 1000000000ULL) ||
		    (max_ops && total_ops() >= max_ops))
			break;
		/* A worker that died on its own is a failure: fuzzers don't crash. */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (idx = 0; idx < g_procs && pids[idx] != pid; idx++)
				;
			if (idx == g_procs)
				continue;
			pids[idx] = 0;
			fail(NULL, "worker %d died (status %#x)", idx, status);
			if (atomic_load(&sh->nfail) > 20)
				goto stop;	/* no respawn storm */
			pids[idx] = spawn(idx, incs[idx]++);
		}
		if (kill_ms && chance(&r, 10, kill_ms)) {
			idx = below(&r, g_procs);
			if (pids[idx] <= 0)
				continue;
			kill(pids[idx], SIGKILL);
			while (waitpid(pids[idx], &status, 0) < 0 && errno == EINTR)
				;
			atomic_fetch_add(&sh->kills, 1);
			pids[idx] = spawn(idx, incs[idx]++);
			atomic_fetch_add(&sh->respawns, 1);
		}
		if (old_limit >= 0 && chance(&r, 1, 200)) {
			/* move the limit under the charges already made */
			long lim[] = { 4, 16, limit, limit * 4 };

			write_limit(lim[below(&r, 4)]);
		}
		idx = below(&r, g_procs);
		if (chance(&r, 1, 4) && pids[idx] > 0) {
			kill(pids[idx], SIGUSR1);
			atomic_fetch_add(&sh->signals, 1);
		}
	}
stop:
	t1 = wg_now_ns();
	atomic_store(&sh->stop, 1);
	for (int i = 0; i < g_procs; i++) {
		uint64_t give_up = wg_now_ns() + 60000000000ULL;

		if (pids[i] <= 0)
			continue;
		while (waitpid(pids[i], &status, WNOHANG) == 0) {
			if (wg_now_ns() > give_up) {
				fail(NULL, "worker %d did not stop within 60 s (hang?)", i);
				kill(pids[i], SIGKILL);
				waitpid(pids[i], &status, 0);
				break;
			}
			sleep_us(10000);
		}
		if (wg_wait_status(status))
			fail(NULL, "worker %d ended with status %d", i,
			     wg_wait_status(status));
		pids[i] = 0;
	}
	while (waitpid(-1, &status, 0) > 0 || errno == EINTR)
		;
	final_check();
	alarm(0);
	if (old_limit >= 0 && !write_limit(old_limit))
		fail(NULL, "cannot restore max_groups_per_user to %ld", old_limit);

	/* Totals */
	{
		static struct stats sum;
		double secs = (t1 - t0) / 1e9;

		for (size_t i = 0; i < sizeof(sh->st) / sizeof(sh->st[0]); i++) {
			sum.total += sh->st[i].total;
			sum.models += sh->st[i].models;
			sum.forevers += sh->st[i].forevers;
			sum.child_ops += sh->st[i].child_ops;
			for (int o = 0; o < NOPS; o++)
				for (int e = 0; e < NERR; e++)
					sum.n[o][e] += sh->st[i].n[o][e];
		}
		nops = sum.total;
		printf("# %-8s %12s  errno histogram\n", "op", "issued");
		for (int o = 0; o < NOPS; o++) {
			uint64_t n = 0;
			char line[1024];
			int len = 0;

			for (int e = 0; e < NERR; e++)
				n += sum.n[o][e];
			if (o < OP_NIOCTL)
				nioctl += n;
			for (int e = 0; e < NERR && len < (int)sizeof(line) - 40; e++)
				if (sum.n[o][e])
					len += snprintf(line + len, sizeof(line) - len,
							" %s:%llu", errname(e),
							(unsigned long long)sum.n[o][e]);
			line[len] = 0;
			printf("# %-8s %12llu %s\n", op_names[o],
			       (unsigned long long)n, line);
		}
		printf("# ioctls: %llu in %.1f s (%.0f/s); all ops: %llu (%.0f/s)\n",
		       (unsigned long long)nioctl, secs, nioctl / secs,
		       (unsigned long long)nops, nops / secs);
		printf("# workers killed: %llu, signals: %llu, model runs: %llu, forever waits: %llu, ops in fork children: %llu\n",
		       (unsigned long long)atomic_load(&sh->kills),
		       (unsigned long long)atomic_load(&sh->signals),
		       (unsigned long long)sum.models,
		       (unsigned long long)sum.forevers,
		       (unsigned long long)sum.child_ops);
	}
	nfail = atomic_load(&sh->nfail);
	for (int i = 0; i < nfail && i < MAX_FAILS; i++)
		printf("# failure %d: %s\n", i + 1, sh->fails[i]);
	if (nfail) {
		printf("not ok - wg-fuzz seed %llu: %d failures\n",
		       (unsigned long long)g_seed, nfail);
		return 1;
	}
	printf("ok - wg-fuzz seed %llu: %llu ioctls, no failures\n",
	       (unsigned long long)g_seed, (unsigned long long)nioctl);
	return 0;
}
