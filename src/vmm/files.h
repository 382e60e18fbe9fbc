/* Kernel and initrd images, mapped read-only once and copied into guest
 * memory at every boot (a reset reloads them, as firmware would). */
#ifndef VMRAS_VMM_FILES_H
#define VMRAS_VMM_FILES_H

#include <stddef.h>
#include <stdint.h>

struct mapped_file {
	const char *path;
	const uint8_t *data;
	size_t size;
};

/* Returns 0, or -1 with a one-line reason in why. */
int mapped_file_open(struct mapped_file *f, const char *path, char *why, size_t whylen);
void mapped_file_close(struct mapped_file *f);

#endif
