/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels waitgroup builds on, in one place.
 */
#ifndef _WG_COMPAT_H
#define _WG_COMPAT_H

#include <linux/ipc_namespace.h>
#include <linux/proc_ns.h>

/*
 * Symbol namespaces became string literals in 6.13. Kbuild defines
 * WG_SYMBOL_NS_IDENT when the kernel's export.h still stringifies them.
 */
#ifdef WG_SYMBOL_NS_IDENT
#define WG_SYMBOL_NS	WAITGROUP
#else
#define WG_SYMBOL_NS	"WAITGROUP"
#endif

/*
 * get_ipc_ns() is an inline a module may call, but put_ipc_ns() is not
 * exported. The namespace's own ns.ops->put, which setns() uses, drops the
 * reference the same way from a module.
 */
static inline struct ipc_namespace *wg_ipc_ns_get(struct ipc_namespace *ns)
{
	return get_ipc_ns(ns);
}

static inline void wg_ipc_ns_put(struct ipc_namespace *ns)
{
#ifdef CONFIG_IPC_NS
	ns->ns.ops->put(&ns->ns);
#endif
}

/* True when nothing but the caller's own reference keeps @ns alive. */
static inline bool wg_ipc_ns_orphaned(struct ipc_namespace *ns)
{
#ifdef CONFIG_IPC_NS
	return ns->ns.inum != PROC_IPC_INIT_INO &&
	       refcount_read(&ns->ns.count) == 1;
#else
	return false;
#endif
}

#endif /* _WG_COMPAT_H */
