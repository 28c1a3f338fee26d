// SPDX-License-Identifier: GPL-2.0
/*
 * wg-bench scale: the memory of many named groups.
 */
#include "bench.h"

/* scale: many named groups */

#define MAX_SLABS 512

struct slab_snap {
	int n;
	struct {
		char name[64];
		long active, objsize, pages;
	} s[MAX_SLABS];
	long meminfo_slab_kb, meminfo_avail_kb;
};

static void snap(struct slab_snap *ss)
{
	char line[512];
	FILE *f;

	/* Files closed just now are freed after an RCU grace period. */
	usleep(500000);
	ss->n = 0;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		die("/proc/slabinfo");
	while (fgets(line, sizeof(line), f) && ss->n < MAX_SLABS) {
		long active, num, objsize, perslab, pagesper, aslabs, nslabs;
		char name[64];

		if (sscanf(line, "%63s %ld %ld %ld %ld %ld : tunables %*d %*d %*d : slabdata %ld %ld",
			   name, &active, &num, &objsize, &perslab, &pagesper,
			   &aslabs, &nslabs) != 8)
			continue;
		strcpy(ss->s[ss->n].name, name);
		ss->s[ss->n].active = active;
		ss->s[ss->n].objsize = objsize;
		ss->s[ss->n].pages = nslabs * pagesper;
		ss->n++;
	}
	fclose(f);
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "Slab: %ld kB", &ss->meminfo_slab_kb);
		sscanf(line, "MemAvailable: %ld kB", &ss->meminfo_avail_kb);
	}
	fclose(f);
}

/* Per group: bytes of slab objects, of slab pages, and the caches that grew. */
static void slab_delta(const struct slab_snap *a, const struct slab_snap *b,
		       int ngroups, const char *tag)
{
	double objs = 0, pages = 0;
	char work[96];
	int i, j;

	for (i = 0; i < b->n; i++) {
		long dact = b->s[i].active, dpages = b->s[i].pages;

		for (j = 0; j < a->n; j++)
			if (!strcmp(a->s[j].name, b->s[i].name)) {
				dact -= a->s[j].active;
				dpages -= a->s[j].pages;
				break;
			}
		objs += (double)dact * b->s[i].objsize;
		pages += (double)dpages * 4096;
		/* A cache that gained at least one object per 10 groups. */
		if (dact * 10 >= ngroups) {
			snprintf(work, sizeof(work), "%s-objs-per-group:%s(%ldB)",
				 tag, b->s[i].name, b->s[i].objsize);
			emit1("scale", work, "waitgroup", "objs", (double)dact / ngroups);
		}
	}
	snprintf(work, sizeof(work), "%s-slab-objects", tag);
	emit1("scale", work, "waitgroup", "B/group", objs / ngroups);
	snprintf(work, sizeof(work), "%s-slab-pages", tag);
	emit1("scale", work, "waitgroup", "B/group", pages / ngroups);
	note("%s: meminfo Slab %ld -> %ld kB, MemAvailable %ld -> %ld kB", tag,
	     a->meminfo_slab_kb, b->meminfo_slab_kb, a->meminfo_avail_kb,
	     b->meminfo_avail_kb);
	snprintf(work, sizeof(work), "%s-meminfo-Slab", tag);
	emit1("scale", work, "waitgroup", "B/group",
	      (double)(b->meminfo_slab_kb - a->meminfo_slab_kb) * 1024 / ngroups);
	snprintf(work, sizeof(work), "%s-meminfo-MemAvailable", tag);
	emit1("scale", work, "waitgroup", "B/group",
	      (double)(a->meminfo_avail_kb - b->meminfo_avail_kb) * 1024 / ngroups);
}

enum scale_op { SC_CREATE, SC_OPEN, SC_UNLINK };

static void scale_batch(enum scale_op op, int from, int to)
{
	struct wg_create c = { .flags = WG_EXCL | WG_CLOEXEC, .mode = 0600 };
	struct wg_open o = { 0 };
	int i, fd;

	for (i = from; i < to; i++) {
		switch (op) {
		case SC_CREATE:
			snprintf(c.name, sizeof(c.name), "wg-bench-%07d", i);
			fd = ioctl(ctl_fd, WG_IOC_CREATE, &c);
			if (fd < 0)
				die("create %s", c.name);
			close(fd);
			break;
		case SC_OPEN:
			o.flags = WG_CLOEXEC;
			snprintf(o.name, sizeof(o.name), "wg-bench-%07d", i);
			fd = ioctl(ctl_fd, WG_IOC_OPEN, &o);
			if (fd < 0)
				die("open %s", o.name);
			close(fd);
			break;
		case SC_UNLINK:
			o.flags = 0;
			snprintf(o.name, sizeof(o.name), "wg-bench-%07d", i);
			if (ioctl(ctl_fd, WG_IOC_UNLINK, &o))
				die("unlink %s", o.name);
			break;
		}
	}
}

void run_scale(int ngroups)
{
	static const char *const names[] = { "create+close", "open+close", "unlink" };
	static struct slab_snap before, created, unlinked;
	int batches = 10, per = ngroups / batches, op, b;
	double v[10];

	ngroups = per * batches;
	note("scale: %d named groups, %d batches", ngroups, batches);
	pin_cpu(0);
	snap(&before);
	for (op = SC_CREATE; op <= SC_UNLINK; op++) {
		for (b = 0; b < batches; b++) {
			uint64_t t = wg_now_ns();

			scale_batch(op, b * per, (b + 1) * per);
			v[b] = (double)(wg_now_ns() - t) / per;
		}
		emit("scale", names[op], "waitgroup", "ns", summarize(v, batches), per);
		if (op == SC_CREATE)
			snap(&created);
	}
	snap(&unlinked);
	slab_delta(&before, &created, ngroups, "live");
	slab_delta(&before, &unlinked, ngroups, "after-unlink");
	pin_cpu(-1);
}
