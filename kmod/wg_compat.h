/* SPDX-License-Identifier: GPL-2.0 */
/* What differs between the kernels waitgroup builds on, in one place. */
#ifndef _WG_COMPAT_H
#define _WG_COMPAT_H

#include <linux/ipc_namespace.h>
#include <linux/proc_ns.h>
#include <linux/slab.h>

/* kzalloc_obj(), which checkpatch asks for, spelled out before 7.x. */
#ifndef kzalloc_obj
#define kzalloc_obj(P, gfp)	kzalloc(sizeof(P), gfp)
#endif

/*
 * Symbol namespaces became string literals in 6.13; Kbuild defines
 * WG_SYMBOL_NS_IDENT when export.h still stringifies them.
 */
#ifdef WG_SYMBOL_NS_IDENT
#define WG_SYMBOL_NS	WAITGROUP
#else
#define WG_SYMBOL_NS	"WAITGROUP"
#endif

/*
 * no_llseek went away in 6.12, where a file without ->llseek is not
 * seekable (ESPIPE either way). Kbuild probes for it.
 */
#ifdef WG_HAVE_NO_LLSEEK
#define WG_NO_LLSEEK	no_llseek
#else
#define WG_NO_LLSEEK	NULL
#endif

/*
 * put_ipc_ns() is not exported; the namespace's own ns.ops->put, which
 * setns() uses, drops the reference the same way.
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

/* ns_common's reference count: ns_ref_read() since 6.18, count before. */
static inline unsigned int wg_ns_refs(struct ipc_namespace *ns)
{
#ifdef WG_HAVE_NS_REF_READ
	return ns_ref_read(ns);
#else
	return refcount_read(&ns->ns.count);
#endif
}

/* True when nothing but the caller's own reference keeps @ns alive. */
static inline bool wg_ipc_ns_orphaned(struct ipc_namespace *ns)
{
#ifdef CONFIG_IPC_NS
	return ns->ns.inum != PROC_IPC_INIT_INO &&
	       wg_ns_refs(ns) == 1;
#else
	return false;
#endif
}

#endif /* _WG_COMPAT_H */
