#include "vmm/tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int tap_open(const char *ifname, char *why, size_t whylen)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		snprintf(why, whylen, "--net tap:%s: /dev/net/tun: %s%s", ifname, strerror(errno),
			 errno == ENOENT ? " (is the tun module loaded?)" : "");
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		int err = errno;

		close(fd);
		snprintf(why, whylen, "--net tap:%s: cannot attach to the interface: %s", ifname,
			 err == EPERM   ? "not permitted (creating or using a TAP needs CAP_NET_ADMIN, or a TAP "
					  "made persistent for this user)" :
			 err == EBUSY   ? "in use by another process" :
			 err == EINVAL  ? "an interface of that name exists and is not a TAP" :
					  strerror(err));
		return -1;
	}
	return fd;
}
