#include "vmm/virtio_devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
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
#include "devices/virtio_net.h"
#include "kvm/kvm.h"
#include "vmm/arch.h"
#include "vmm/guest_access.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/tap.h"

struct virtio_slot {
	struct machine *m;
	char name[24];               /* in events and logs: virtio-blk0, virtio-net0 */
	const struct cli_disk *disk; /* a disk, or NULL: */
	const struct cli_net *net;   /* a network device */
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
	int tap_fd;
	uint64_t image_size;
	dev_t image_dev;
	ino_t image_ino;
	struct guest_access ga;
	struct virtio_mmio transport;
	struct virtio_blk blk;
	struct virtio_net netdev;
};

struct virtio_devices {
	unsigned count;
	struct virtio_slot slot[CLI_MAX_DISKS + CLI_MAX_NETS];
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

	if (!o->ndisks && !o->nnets)
		return 0;
	vd = calloc(1, sizeof(*vd));
	if (!vd) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	m->virtio = vd;
	for (unsigned i = 0; i < o->ndisks + o->nnets; i++) {
		struct virtio_slot *s = &vd->slot[i];
		bool disk = i < o->ndisks;

		s->m = m;
		s->disk = disk ? &o->disk[i] : NULL;
		s->net = disk ? NULL : &o->net[i - o->ndisks];
		s->image_fd = -1;
		s->tap_fd = -1;
		s->kick_fd = -1;
		s->vm_fd = -1;
		if (disk)
			snprintf(s->name, sizeof(s->name), "virtio-blk%u", i);
		else
			snprintf(s->name, sizeof(s->name), "virtio-net%u", i - o->ndisks);
		pthread_mutex_init(&s->irq_lock, NULL);
		vd->count++;
		if (arch_virtio_place(i, &s->base, &s->kvm_irq)) {
			snprintf(why, whylen, "%s: this machine has room for %u virtio devices", s->name, i);
			return -1;
		}
		if (disk ? open_image(s, why, whylen) : (s->tap_fd = tap_open(s->net->ifname, why, whylen)) < 0)
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

static void kick_queue(void *opaque, unsigned queue)
{
	(void)queue;
	kick(opaque);
}

/* The network device's loop (the contract in devices/virtio_net.h): the
 * TAP is watched for frames only while the guest has buffers for them, and
 * for room only while a frame waits for it. */
static void *serve_net(void *arg)
{
	struct virtio_slot *s = arg;
	unsigned flags = VIRTIO_NET_RX_NO_BUFFERS;
	bool tap_failed = false;

	for (;;) {
		struct pollfd p[2] = { { .fd = s->kick_fd, .events = POLLIN }, { .fd = s->tap_fd } };
		uint64_t n;

		if (!(flags & VIRTIO_NET_RX_NO_BUFFERS) && !tap_failed)
			p[1].events |= POLLIN;
		if (flags & VIRTIO_NET_TX_BLOCKED)
			p[1].events |= POLLOUT;
		if (!p[1].events)
			p[1].fd = -1;   /* else a hung-up TAP would wake the loop for ever */
		if (poll(p, 2, flags & VIRTIO_NET_TX_MORE ? 0 : -1) < 0 && errno != EINTR) {
			log_error("%s: poll: %s", s->name, strerror(errno));
			return NULL;
		}
		if (p[0].revents & POLLIN)
			(void)!read(s->kick_fd, &n, sizeof(n));
		if (__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE))
			return NULL;
		flags = virtio_net_tx(&s->netdev, &s->transport) | virtio_net_rx(&s->netdev, &s->transport);
		if ((flags & VIRTIO_NET_TAP_ERROR) && !tap_failed) {
			tap_failed = true;
			log_error("%s: reading tap:%s failed (%s); no more frames reach the guest", s->name,
				  s->net->ifname, s->netdev.tap_errno ? strerror(s->netdev.tap_errno) : "end of file");
		}
	}
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

/* A MAC of the locally administered range, the same for the same TAP
 * every run (a guest's network configuration may hang on it), different
 * for different TAPs: 02:76:72 ("vr"), then 24 bits of a hash of the name. */
static void net_mac(const char *ifname, uint8_t mac[6])
{
	uint32_t h = 2166136261u;   /* FNV-1a */

	for (const char *c = ifname; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x02;
	mac[1] = 0x76;
	mac[2] = 0x72;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

/* What a device did, once, as vmras ends: an operator's first question
 * after a memory failure is what it cost. */
static void say_stats(struct virtio_slot *s)
{
	if (s->disk) {
		struct virtio_blk_stats b = virtio_blk_stats(&s->blk);

		log_info("%s: %llu requests, %llu I/O errors, %llu poisoned pages met, %llu ring failures", s->name,
			 (unsigned long long)b.requests, (unsigned long long)b.io_errors,
			 (unsigned long long)b.poisoned_pages, (unsigned long long)b.ring_failures);
	} else {
		struct virtio_net_stats n = virtio_net_stats(&s->netdev);

		log_info("%s: %llu frames received, %llu sent, %llu and %llu dropped, %llu poisoned pages met, "
			 "%llu ring failures", s->name, (unsigned long long)n.rx_frames,
			 (unsigned long long)n.tx_frames, (unsigned long long)n.rx_dropped,
			 (unsigned long long)n.tx_dropped, (unsigned long long)n.poisoned_pages,
			 (unsigned long long)n.ring_failures);
	}
}

int virtio_devices_start(struct machine *m, char *why, size_t whylen)
{
	struct virtio_devices *vd = m->virtio;

	for (unsigned i = 0; vd && i < vd->count; i++) {
		struct virtio_slot *s = &vd->slot[i];
		int err;

		guest_access_init(&s->ga, m, s->name);
		if (s->disk) {
			const struct virtio_blk_conf conf = { .fd = s->image_fd, .size_bytes = s->image_size,
							      .readonly = s->disk->readonly, .serial = s->name };

			err = virtio_blk_init(&s->blk, &conf, &s->ga.mem) ? errno : 0;
			s->blk.kick = kick;
			s->blk.kick_opaque = s;
		} else {
			struct virtio_net_conf conf = { .tap_fd = s->tap_fd };

			net_mac(s->net->ifname, conf.mac);
			err = virtio_net_init(&s->netdev, &conf, &s->ga.mem) ? errno : 0;
			s->netdev.kick = kick_queue;
			s->netdev.kick_opaque = s;
		}
		if (err) {
			snprintf(why, whylen, "%s: %s", s->name, strerror(err));
			return -1;
		}
		if (virtio_mmio_init(&s->transport, s->disk ? &virtio_blk_ops : &virtio_net_ops,
				     s->disk ? (void *)&s->blk : (void *)&s->netdev, set_irq, s) ||
		    virtio_mmio_register(&s->transport, &m->bus, s->base)) {
			snprintf(why, whylen, "internal error: cannot place %s at 0x%llx", s->name,
				 (unsigned long long)s->base);
			return -1;
		}
		s->kick_fd = eventfd(0, EFD_CLOEXEC | (s->net ? EFD_NONBLOCK : 0));
		if (s->kick_fd < 0) {
			snprintf(why, whylen, "%s: eventfd: %s", s->name, strerror(errno));
			return -1;
		}
		err = pthread_create(&s->thread, NULL, s->disk ? serve : serve_net, s);
		if (err) {
			snprintf(why, whylen, "%s: cannot start its thread: %s", s->name, strerror(err));
			return -1;
		}
		s->started = true;
		pthread_setname_np(s->thread, s->name);
		if (s->disk)
			log_info("%s: %s, %llu bytes%s, at 0x%llx", s->name, s->disk->path,
				 (unsigned long long)s->image_size, s->disk->readonly ? ", read-only" : "",
				 (unsigned long long)s->base);
		else
			log_info("%s: tap:%s, MAC %02x:%02x:%02x:%02x:%02x:%02x, at 0x%llx", s->name, s->net->ifname,
				 s->netdev.conf.mac[0], s->netdev.conf.mac[1], s->netdev.conf.mac[2],
				 s->netdev.conf.mac[3], s->netdev.conf.mac[4], s->netdev.conf.mac[5],
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
			say_stats(s);
			if (s->disk)
				virtio_blk_destroy(&s->blk);
			else
				virtio_net_destroy(&s->netdev);
		}
		if (s->tap_fd >= 0)
			close(s->tap_fd);
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
