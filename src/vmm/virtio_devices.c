#include "vmm/virtio_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_mmio.h"
#include "kvm/kvm.h"
#include "vmm/arch.h"
#include "vmm/guest_access.h"
#include "vmm/log.h"
#include "vmm/machine.h"

struct virtio_slot {
	struct machine *m;
	char name[24];               /* in events and logs: virtio-blk0 */
	const struct cli_disk *disk;
	uint64_t base;
	unsigned kvm_irq;
	/* The VM whose line this device drives: the transport raises it under
	 * its own lock, from a vCPU thread or this device's, so it cannot wait
	 * for vm_lock, which the RAS thread holds while it waits for vCPUs. */
	pthread_mutex_t irq_lock;
	int vm_fd;
	int kick_fd;                 /* eventfd: the driver's notify, or a stop */
	bool stop;
	bool started;
	pthread_t thread;
	int image_fd;
	uint64_t image_size;
	dev_t image_dev;
	ino_t image_ino;
	struct guest_access ga;
	struct virtio_mmio transport;
	struct virtio_blk blk;
};

struct virtio_devices {
	unsigned count;
	struct virtio_slot slot[CLI_MAX_DISKS];
};

static int open_image(struct virtio_slot *s, char *why, size_t whylen)
{
	const struct cli_disk *d = s->disk;
	struct stat st;
	int fd = open(d->path, (d->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);

	if (fd < 0) {
		if (!d->readonly && (errno == EACCES || errno == EROFS || errno == EPERM))
			snprintf(why, whylen, "--disk %s: cannot open it for writing (%s); add ,readonly to give it "
				 "to the guest read-only", d->path, strerror(errno));
		else
			snprintf(why, whylen, "--disk %s: %s", d->path, strerror(errno));
		return -1;
	}
	s->image_fd = fd;
	if (fstat(fd, &st)) {
		snprintf(why, whylen, "--disk %s: %s", d->path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode)) {
		snprintf(why, whylen, "--disk %s: not a regular file or a block device", d->path);
		return -1;
	}
	/* root opens a file of mode 0444 for writing all the same: the mode
	 * still says what its owner meant. */
	if (!d->readonly && S_ISREG(st.st_mode) && !(st.st_mode & 0222)) {
		snprintf(why, whylen, "--disk %s: the file is read-only (mode %04o); add ,readonly to give it to "
			 "the guest read-only", d->path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	s->image_size = (uint64_t)st.st_size;
	s->image_dev = st.st_dev;
	s->image_ino = st.st_ino;
	for (struct virtio_slot *o = s->m->virtio->slot; o < s; o++)
		if (o->image_fd >= 0 && o->image_dev == st.st_dev && o->image_ino == st.st_ino) {
			snprintf(why, whylen, "--disk %s: the same image as --disk %s", d->path, o->disk->path);
			return -1;
		}
	if (S_ISBLK(st.st_mode) && ioctl(fd, BLKGETSIZE64, &s->image_size)) {
		snprintf(why, whylen, "--disk %s: cannot read the device's size: %s", d->path, strerror(errno));
		return -1;
	}
	if (s->image_size < 512) {
		snprintf(why, whylen, "--disk %s: %llu bytes, less than one 512-byte sector", d->path,
			 (unsigned long long)s->image_size);
		return -1;
	}
	/* Two writers of one image corrupt it; readers may share. */
	if (flock(fd, (d->readonly ? LOCK_SH : LOCK_EX) | LOCK_NB)) {
		snprintf(why, whylen, "--disk %s: in use by another process (%s)", d->path,
			 errno == EWOULDBLOCK ? "it holds a lock on the image" : strerror(errno));
		return -1;
	}
	return 0;
}

int virtio_devices_open(struct machine *m, char *why, size_t whylen)
{
	struct virtio_devices *vd;
	const struct vmras_options *o = m->opts;

	if (!o->ndisks)
		return 0;
	vd = calloc(1, sizeof(*vd));
	if (!vd) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	m->virtio = vd;
	for (unsigned i = 0; i < o->ndisks; i++) {
		struct virtio_slot *s = &vd->slot[i];

		s->m = m;
		s->disk = &o->disk[i];
		s->image_fd = -1;
		s->kick_fd = -1;
		s->vm_fd = -1;
		snprintf(s->name, sizeof(s->name), "virtio-blk%u", i);
		pthread_mutex_init(&s->irq_lock, NULL);
		vd->count++;
		if (arch_virtio_place(i, &s->base, &s->kvm_irq)) {
			snprintf(why, whylen, "--disk %s: this machine has room for %u virtio devices", s->disk->path, i);
			return -1;
		}
		if (open_image(s, why, whylen))
			return -1;
	}
	m->nvirtio = vd->count;
	return 0;
}

/* Called by the transport with its lock held. */
static void set_irq(void *opaque, int level)
{
	struct virtio_slot *s = opaque;

	pthread_mutex_lock(&s->irq_lock);
	if (s->vm_fd >= 0 && kvm_vm_irq_line(s->vm_fd, s->kvm_irq, level))
		log_error("%s: interrupt %u: %s", s->name, s->kvm_irq, strerror(errno));
	pthread_mutex_unlock(&s->irq_lock);
}

static void kick(void *opaque)
{
	struct virtio_slot *s = opaque;
	uint64_t one = 1;

	while (write(s->kick_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

static void *serve(void *arg)
{
	struct virtio_slot *s = arg;

	for (;;) {
		uint64_t n;

		if (read(s->kick_fd, &n, sizeof(n)) < 0 && errno == EINTR)
			continue;
		if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
			return NULL;
		while (virtio_blk_serve(&s->blk, &s->transport))
			;
	}
}

int virtio_devices_start(struct machine *m, char *why, size_t whylen)
{
	struct virtio_devices *vd = m->virtio;

	for (unsigned i = 0; vd && i < vd->count; i++) {
		struct virtio_slot *s = &vd->slot[i];
		const struct virtio_blk_conf conf = { .fd = s->image_fd, .size_bytes = s->image_size,
						      .readonly = s->disk->readonly, .serial = s->name };
		int err;

		guest_access_init(&s->ga, m, s->name);
		if (virtio_blk_init(&s->blk, &conf, &s->ga.mem)) {
			snprintf(why, whylen, "%s: %s", s->name, strerror(errno));
			return -1;
		}
		s->blk.kick = kick;
		s->blk.kick_opaque = s;
		if (virtio_mmio_init(&s->transport, &virtio_blk_ops, &s->blk, set_irq, s) ||
		    virtio_mmio_register(&s->transport, &m->bus, s->base)) {
			snprintf(why, whylen, "internal error: cannot place %s at 0x%llx", s->name,
				 (unsigned long long)s->base);
			return -1;
		}
		s->kick_fd = eventfd(0, EFD_CLOEXEC);
		if (s->kick_fd < 0) {
			snprintf(why, whylen, "%s: eventfd: %s", s->name, strerror(errno));
			return -1;
		}
		err = pthread_create(&s->thread, NULL, serve, s);
		if (err) {
			snprintf(why, whylen, "%s: cannot start its thread: %s", s->name, strerror(err));
			return -1;
		}
		s->started = true;
		pthread_setname_np(s->thread, s->name);
		log_info("%s: %s, %llu bytes%s, at 0x%llx", s->name, s->disk->path,
			 (unsigned long long)s->image_size, s->disk->readonly ? ", read-only" : "",
			 (unsigned long long)s->base);
	}
	return 0;
}

void virtio_devices_attach(struct machine *m, int vm_fd)
{
	struct virtio_devices *vd = m->virtio;

	for (unsigned i = 0; vd && i < vd->count; i++) {
		pthread_mutex_lock(&vd->slot[i].irq_lock);
		vd->slot[i].vm_fd = vm_fd;
		pthread_mutex_unlock(&vd->slot[i].irq_lock);
	}
}

void virtio_devices_detach(struct machine *m)
{
	virtio_devices_attach(m, -1);
}

void virtio_devices_reset(struct machine *m)
{
	struct virtio_devices *vd = m->virtio;

	for (unsigned i = 0; vd && i < vd->count; i++)
		if (vd->slot[i].started)
			virtio_mmio_reset(&vd->slot[i].transport);
}

void virtio_devices_destroy(struct machine *m)
{
	struct virtio_devices *vd = m->virtio;

	for (unsigned i = 0; vd && i < vd->count; i++) {
		struct virtio_slot *s = &vd->slot[i];

		if (s->started) {
			__atomic_store_n(&s->stop, true, __ATOMIC_RELEASE);
			kick(s);
			pthread_join(s->thread, NULL);
			virtio_mmio_destroy(&s->transport);
			virtio_blk_destroy(&s->blk);
		}
		if (s->image_fd >= 0) {
			if (!s->disk->readonly && fdatasync(s->image_fd) && errno != EINVAL)
				log_error("%s: flushing %s: %s", s->name, s->disk->path, strerror(errno));
			close(s->image_fd);
		}
		if (s->kick_fd >= 0)
			close(s->kick_fd);
	}
	free(vd);
	m->virtio = NULL;
}
