#include "ras/bert.h"

#include <errno.h>

size_t bert_region_len(size_t n)
{
	size_t blocks = (n + BERT_SECTIONS_PER_BLOCK - 1) / BERT_SECTIONS_PER_BLOCK;

	return blocks * CPER_ESTATUS_LEN + n * CPER_MEM_ENTRY_LEN;
}

ssize_t bert_region_encode(void *buf, size_t len, const struct cper_mem_error *e, size_t n,
			   size_t *taken)
{
	uint8_t *p = buf;
	size_t used = 0, done = 0;

	*taken = 0;
	/* All checked first, so a bad one leaves nothing half written. */
	for (size_t i = 0; i < n; i++) {
		uint8_t probe[CPER_MEM_RECORD_LEN];
		if (cper_encode_mem_error(probe, sizeof(probe), &e[i]) < 0)
			return -1;
	}
	while (done < n) {
		size_t k = n - done < BERT_SECTIONS_PER_BLOCK ? n - done : BERT_SECTIONS_PER_BLOCK;
		ssize_t w;

		/* Fewer in the last block rather than none. */
		while (k && CPER_ESTATUS_LEN + k * CPER_MEM_ENTRY_LEN > len - used)
			k--;
		if (!k)
			break;
		w = cper_encode_mem_errors(p + used, len - used, e + done, k);
		if (w < 0)
			return -1;
		used += (size_t)w;
		done += k;
	}
	*taken = done;
	return (ssize_t)used;
}
