#include "guest_maps.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEMFD_PREFIX "/memfd:vmras:"

bool guest_maps_parse_line(const char *line, struct guest_mapping *m)
{
	unsigned long long start, end, offset, gpa;
	const char *name, *at;
	int path_at = 0;
	size_t len;

	memset(m, 0, sizeof(*m));
	/* start-end perms offset dev inode path */
	if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &start, &end, &offset, &path_at) != 3 || !path_at)
		return false;
	name = strstr(line + path_at, MEMFD_PREFIX);
	if (!name)
		return false;
	name += strlen(MEMFD_PREFIX);
	at = strchr(name, '@');
	if (!at || sscanf(at + 1, "0x%llx", &gpa) != 1 || end <= start)
		return false;
	len = (size_t)(at - name);
	if (len == 0 || len >= sizeof(m->region))
		return false;
	memcpy(m->region, name, len);
	m->start = start;
	m->end = end;
	m->file_offset = offset;
	m->region_gpa = gpa;
	return true;
}

/* One number of a spec, ending at stop (':' or the string's end). */
static bool spec_number(const char **p, char stop, uint64_t *v)
{
	char *end;

	if (**p < '0' || **p > '9')
		return false;
	errno = 0;
	*v = strtoull(*p, &end, 0);
	if (errno || end == *p || *end != stop)
		return false;
	*p = stop ? end + 1 : end;
	return true;
}

bool guest_maps_parse_ram_spec(const char *spec, struct guest_mapping *m)
{
	uint64_t gpa, hva, size;

	memset(m, 0, sizeof(*m));
	if (!spec_number(&spec, ':', &gpa) || !spec_number(&spec, ':', &hva) || !spec_number(&spec, 0, &size))
		return false;
	if (!size || hva + size < hva || gpa + size < gpa)
		return false;
	m->start = hva;
	m->end = hva + size;
	m->region_gpa = gpa;
	strcpy(m->region, "ram");
	return true;
}

bool guest_maps_gpa_to_hva(const struct guest_mapping *m, uint64_t gpa, uint64_t *hva)
{
	uint64_t first = m->region_gpa + m->file_offset;  /* guest address at m->start */

	if (gpa < first || gpa - first >= m->end - m->start)
		return false;
	*hva = m->start + (gpa - first);
	return true;
}
