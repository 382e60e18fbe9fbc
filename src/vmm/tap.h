/* A TAP interface of the host, as the file descriptor a virtio network
 * device reads and writes whole Ethernet frames on. */
#ifndef VMRAS_VMM_TAP_H
#define VMRAS_VMM_TAP_H

#include <stddef.h>

/* Attaches to the TAP interface ifname, creating it if it does not exist
 * (it then goes away with vmras). The descriptor is non-blocking; each read
 * or write is one frame, with no header in front (IFF_NO_PI, no vnet
 * header). Returns it, or -1 with a one-line reason. */
int tap_open(const char *ifname, char *why, size_t whylen);

#endif
