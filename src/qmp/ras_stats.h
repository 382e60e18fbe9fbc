/* query-ras-stats: what vmras did with memory failures, in numbers. Pure.
 * For benchmarks and monitoring; every count is since vmras started. */
#ifndef VMRAS_QMP_RAS_STATS_H
#define VMRAS_QMP_RAS_STATS_H

#include <stdint.h>

struct ras_stats {
	uint64_t reports;          /* memory-error reports (SIGBUS) the RAS thread took */
	uint64_t scan_found;       /* poisoned guest pages scans found that no report had named */
	uint64_t pages;            /* distinct 4 KiB guest pages in the poison registry */
	uint64_t told_ghes;        /* pages written into GHES error status blocks */
	uint64_t told_mce;         /* machine checks injected for memory failures */
	uint64_t dropped;          /* pages never told to the guest, whatever the cause */
	uint64_t ghes_backlog_max; /* deepest GHES page backlog, pages, any source */
};

struct json_object;
/* The reply's object (members named as in commands.c), or NULL when out
 * of memory. */
struct json_object *qmp_ras_stats(const struct ras_stats *s);

#endif
