// SPDX-License-Identifier: GPL-2.0
/*
 * Built by install-check.sh against a DESTDIR install with
 * "pkg-config --cflags --libs libwaitgroup", run in the VM: proves the
 * installed header, pkg-config file and library work together. Prints the
 * library it loaded so the runner can check it is the installed copy.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <sys/wait.h>
#include <waitgroup.h>

int main(void)
{
	char *job[] = { "sh", "-c", "exit 3", NULL };
	struct wg_wait res;
	Dl_info dl;
	pid_t pid;
	int wg;

	if (dladdr((void *)wg_create, &dl) && dl.dli_fname)
		printf("library: %s\n", dl.dli_fname);
	wg = wg_create(NULL, 0, 0, WG_CLOEXEC);
	if (wg < 0)
		return 1;
	pid = wg_spawn(wg, job, 0);
	if (pid < 0 || wg_wait(wg, WG_FOREVER, &res))
		return 1;
	waitpid(pid, NULL, 0);
	printf("spawned task reported error %d\n", res.error);
	return res.error == 3 && res.abandoned == 0 ? 0 : 1;
}
