#include "vmm/acpi_dump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acpi/acpi.h"
#include "vmm/arch.h"

static int write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = data;

	if (fd < 0)
		return -1;
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return close(fd);
}

int acpi_dump(const char *dir, unsigned ncpus, bool ghes, unsigned nvirtio, char *why, size_t whylen)
{
	struct acpi_blob blob;
	int rc = 0;

	/* The tables first: a machine without them leaves no empty folder. */
	if (arch_acpi_tables(ncpus, ghes, nvirtio, &blob)) {
		if (errno == EOPNOTSUPP)
			snprintf(why, whylen, "--dump-acpi: this machine boots its guest with a device tree, "
				 "without ACPI tables");
		else
			snprintf(why, whylen, "cannot build the ACPI tables: %s", strerror(errno));
		return -1;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(why, whylen, "cannot create '%s': %s", dir, strerror(errno));
		acpi_blob_free(&blob);
		return -1;
	}
	for (unsigned i = 0; i < blob.ntables && !rc; i++) {
		const struct acpi_table_ref *t = &blob.tables[i];
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s.dat", dir, t->sig);
		if (write_file(path, blob.buf + t->offset, t->length)) {
			snprintf(why, whylen, "cannot write '%s': %s", path, strerror(errno));
			rc = -1;
		}
	}
	acpi_blob_free(&blob);
	return rc;
}
