// SPDX-License-Identifier: GPL-2.0
/*
 * A sample user of the waitgroup kernel API.
 *
 * At load it fans work out to a workqueue and waits for it with a
 * DEFINE_WAITGROUP group. It also registers /dev/waitgroup_sample: a process
 * writes "FD N" to it, where FD is one of its waitgroup descriptors, and the
 * sample takes a reference with waitgroup_fdget(), adds N to that group and
 * runs N jobs, each of which marks the group done, so that userspace waits
 * for kernel work through its own descriptor.
 */
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/waitgroup.h>
#include <linux/workqueue.h>

#define SAMPLE_LOAD_JOBS	8
#define SAMPLE_MAX_JOBS		1024

static struct workqueue_struct *sample_wq;

struct sample_batch;

struct sample_job {
	struct work_struct work;
	struct sample_batch *batch;
};

/*
 * Jobs of one request, signalling one group. The last job to finish frees
 * the batch and, for a group from waitgroup_fdget(), drops its reference.
 */
struct sample_batch {
	struct waitgroup *wg;
	bool fdget;
	atomic_t left;
	atomic_t *sum;
	struct sample_job jobs[];
};

static void sample_job_fn(struct work_struct *work)
{
	struct sample_job *job = container_of(work, struct sample_job, work);
	struct sample_batch *batch = job->batch;
	int i;

	for (i = 1; i <= 1000; i++)
		atomic_add(i, batch->sum);
	waitgroup_done(batch->wg);
	if (atomic_dec_and_test(&batch->left)) {
		if (batch->fdget)
			waitgroup_put(batch->wg);
		kfree(batch);
	}
}

static struct sample_batch *sample_batch_alloc(struct waitgroup *wg,
					       bool fdget, int n, atomic_t *sum)
{
	struct sample_batch *batch;
	int i;

	batch = kzalloc(struct_size(batch, jobs, n), GFP_KERNEL);
	if (!batch)
		return NULL;
	batch->wg = wg;
	batch->fdget = fdget;
	batch->sum = sum;
	atomic_set(&batch->left, n);
	for (i = 0; i < n; i++) {
		INIT_WORK(&batch->jobs[i].work, sample_job_fn);
		batch->jobs[i].batch = batch;
	}
	return batch;
}

static void sample_batch_queue(struct sample_batch *batch, int n)
{
	int i;

	for (i = 0; i < n; i++)
		queue_work(sample_wq, &batch->jobs[i].work);
}

/* Load time: fan out to the workqueue, wait for all of it as a group. */
static int sample_self_test(void)
{
	static DEFINE_WAITGROUP(load_jobs);
	struct sample_batch *batch;
	atomic_t sum = ATOMIC_INIT(0);
	int ret;

	batch = sample_batch_alloc(&load_jobs, false, SAMPLE_LOAD_JOBS, &sum);
	if (!batch)
		return -ENOMEM;
	ret = waitgroup_add(&load_jobs, SAMPLE_LOAD_JOBS);
	if (ret) {
		kfree(batch);
		return ret;
	}
	sample_batch_queue(batch, SAMPLE_LOAD_JOBS);
	waitgroup_wait(&load_jobs);
	/* The last job may still be freeing the batch that points at sum. */
	flush_workqueue(sample_wq);
	pr_info("waitgroup_sample: %d jobs done, sum %d (expected %d)\n",
		SAMPLE_LOAD_JOBS, atomic_read(&sum), SAMPLE_LOAD_JOBS * 500500);
	return atomic_read(&sum) == SAMPLE_LOAD_JOBS * 500500 ? 0 : -EIO;
}

static atomic_t sample_user_sum = ATOMIC_INIT(0);

/*
 * "FD N": add N to the group behind FD and queue N jobs that each mark it
 * done. Returns at once; the caller waits on its own descriptor.
 */
static ssize_t sample_write(struct file *file, const char __user *buf,
			    size_t len, loff_t *ppos)
{
	struct sample_batch *batch;
	struct waitgroup *wg;
	char cmd[32] = {};
	int fd, n, ret;

	if (len >= sizeof(cmd))
		return -EINVAL;
	if (copy_from_user(cmd, buf, len))
		return -EFAULT;
	if (sscanf(cmd, "%d %d", &fd, &n) != 2 || n < 1 || n > SAMPLE_MAX_JOBS)
		return -EINVAL;

	wg = waitgroup_fdget(fd);
	if (IS_ERR(wg))
		return PTR_ERR(wg);
	batch = sample_batch_alloc(wg, true, n, &sample_user_sum);
	if (!batch) {
		ret = -ENOMEM;
		goto out_put;
	}
	ret = waitgroup_add(wg, n);
	if (ret)
		goto out_free;
	/* The batch owns the reference from here on. */
	sample_batch_queue(batch, n);
	return len;

out_free:
	kfree(batch);
out_put:
	waitgroup_put(wg);
	return ret;
}

static const struct file_operations sample_fops = {
	.owner	= THIS_MODULE,
	.write	= sample_write,
	.llseek	= noop_llseek,
};

static struct miscdevice sample_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "waitgroup_sample",
	.fops	= &sample_fops,
	.mode	= 0600,
};

static int __init sample_init(void)
{
	int ret;

	sample_wq = alloc_workqueue("waitgroup_sample", WQ_UNBOUND, 0);
	if (!sample_wq)
		return -ENOMEM;
	ret = sample_self_test();
	if (!ret)
		ret = misc_register(&sample_misc);
	if (ret)
		destroy_workqueue(sample_wq);
	return ret;
}

static void __exit sample_exit(void)
{
	misc_deregister(&sample_misc);
	destroy_workqueue(sample_wq);
}

module_init(sample_init);
module_exit(sample_exit);

WAITGROUP_IMPORT_NS();
MODULE_DESCRIPTION("Sample user of the waitgroup kernel API");
MODULE_LICENSE("GPL");
