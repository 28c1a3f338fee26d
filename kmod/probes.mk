# SPDX-License-Identifier: GPL-2.0
#
# Feature probes: what differs between the kernels waitgroup builds on is
# tested here, against the headers of the kernel being built for, and
# spelled out in wg_compat.h. Never a version test: a backport carries the
# feature, not the version number.
wg_kinc := $(srctree)/include/linux

# Before 6.13, symbol namespaces are identifiers that export.h stringifies.
ifneq ($(shell grep -s 'EXPORT_SYMBOL_NS_GPL.*__stringify(ns)' $(wg_kinc)/export.h),)
ccflags-y += -DWG_SYMBOL_NS_IDENT
endif

# no_llseek() is gone since 6.12.
ifneq ($(shell grep -s -w no_llseek $(wg_kinc)/fs.h),)
ccflags-y += -DWG_HAVE_NO_LLSEEK
endif

# Since 6.18 ns_common's reference count is __ns_ref, read through
# ns_ref_read().
ifneq ($(shell grep -s 'define ns_ref_read' $(wg_kinc)/ns_common.h),)
ccflags-y += -DWG_HAVE_NS_REF_READ
endif
