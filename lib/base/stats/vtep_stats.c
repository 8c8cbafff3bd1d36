/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>
#include <string.h>

#include "vtep_stats.h"

static const char *const drop_names[] = {
#define X(e, name, help) [VTEP_DROP_##e] = name,
#include "vtep_drop.def"
#undef X
};

static const char *const drop_helps[] = {
#define X(e, name, help) [VTEP_DROP_##e] = help,
#include "vtep_drop.def"
#undef X
};

const char *
vtep_drop_name(enum vtep_drop d)
{
	return d < VTEP_DROP_MAX ? drop_names[d] : "unknown";
}

const char *
vtep_drop_help(enum vtep_drop d)
{
	return d < VTEP_DROP_MAX ? drop_helps[d] : "";
}

void
vtep_stats_sum(struct vtep_lcore_stats *sum, const struct vtep_lcore_stats *blocks, unsigned int nb)
{
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)sum;
	size_t n = offsetof(struct vtep_lcore_stats, remotes) / sizeof(uint64_t);

	memset(sum, 0, sizeof(*sum));
	for (unsigned int b = 0; b < nb; b++) {
		src = (const uint64_t *)&blocks[b];
		for (size_t i = 0; i < n; i++)
			dst[i] += src[i];
	}
}

void
vtep_stats_sum_remote(struct vtep_remote_stats *sum, const struct vtep_lcore_stats *blocks,
		unsigned int nb, unsigned int idx)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int b = 0; b < nb && idx < VTEP_STATS_REMOTES; b++) {
		const struct vtep_remote_stats *r = &blocks[b].remotes[idx];

#define X(name, help) sum->name += r->name;
		VTEP_REMOTE_COUNTERS(X)
#undef X
	}
}

void
vtep_stats_sum_att(struct vtep_att_stats *sum, const struct vtep_lcore_stats *blocks,
		unsigned int nb, unsigned int idx)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned int b = 0; b < nb && idx < VTEP_STATS_ATTS; b++) {
		const struct vtep_att_stats *a = &blocks[b].atts[idx];

#define X(name, help) sum->name += a->name;
		VTEP_ATT_COUNTERS(X)
#undef X
	}
}
