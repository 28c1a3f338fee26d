/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels waitgroup builds on, in one place.
 */
#ifndef _WG_COMPAT_H
#define _WG_COMPAT_H

#include <linux/ipc_namespace.h>
#include <linux/proc_ns.h>
#include <linux/slab.h>

/*
 * kzalloc_obj(), the typed allocator of 7.x that checkpatch asks for, is
 * a macro: where the kernel lacks it, the same thing spelled out.
 */
#ifndef kzalloc_obj
#define kzalloc_obj(P, gfp)	kzalloc(sizeof(P), gfp)
#endif

/*
 * Symbol namespaces became string literals in 6.13. Kbuild defines
 * WG_SYMBOL_NS_IDENT when the kernel's export.h still stringifies them.
 * Only the module's own exports need this: importers use
 * WAITGROUP_IMPORT_NS() of <linux/waitgroup.h>.
 */
#ifdef WG_SYMBOL_NS_IDENT
#define WG_SYMBOL_NS	WAITGROUP
#else
#define WG_SYMBOL_NS	"WAITGROUP"
#endif

/*
 * no_llseek went away in 6.12: a file without ->llseek is not seekable
 * there (lseek fails with ESPIPE, as no_llseek made it fail before).
 * Kbuild defines WG_HAVE_NO_LLSEEK when the kernel's fs.h declares it.
 */
#ifdef WG_HAVE_NO_LLSEEK
#define WG_NO_LLSEEK	no_llseek
#else
#define WG_NO_LLSEEK	NULL
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
