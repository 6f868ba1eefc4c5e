// SPDX-License-Identifier: GPL-2.0
/*
 * cgroup_path.c - a cgroup v2 id back to its path, when a file is read.
 *
 * Probes keep only the id (stalls.c's cgroups table); the path is
 * looked up here, in the reader's process context, where taking
 * cgroup_mutex is allowed.
 */
#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>

#include <reclaimscope/stalls.h>

void rs_cgroup_path(u64 id, char *buf, size_t len)
{
#if defined(CONFIG_CGROUPS) && defined(RS_HAVE_CGROUP_GET_FROM_ID)
	struct cgroup *cgrp = cgroup_get_from_id(id);

	if (!IS_ERR_OR_NULL(cgrp)) {
		int ret = cgroup_path_ns(cgrp, buf, len,
					 current->nsproxy->cgroup_ns);

		cgroup_put(cgrp);
		if (ret >= 0 && ret < len)
			return;
	}
#endif
	snprintf(buf, len, "id:%llu", id);
}
