// SPDX-License-Identifier: GPL-2.0
/*
 * send - replay pcap files onto an interface as fast as it takes them
 *
 *   send IFNAME SRCMAC DSTMAC FILE.pcap...
 *
 * Every frame is read into memory first, its Ethernet addresses replaced
 * by SRCMAC/DSTMAC, then sent through an AF_PACKET socket (qdisc bypassed,
 * so nothing is dropped on our side without us knowing: a failed send is
 * retried).  Prints "frames N bytes B seconds S" on stdout.
 *
 * Part of the nipsec packet fuzzer (tools/testing/fuzz/README); built by
 * tools/testing/fuzz/corpus.sh on the host, run in the guest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct frame {
	unsigned int len;
	unsigned char *data;
};

static struct frame *frames;
static size_t nframes, cap;

static void mac(const char *s, unsigned char *out)
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &out[0], &out[1], &out[2],
		   &out[3], &out[4], &out[5]) != 6) {
		fprintf(stderr, "send: bad MAC %s\n", s);
		exit(2);
	}
}

static void load(const char *path, const unsigned char *src, const unsigned char *dst)
{
	FILE *f = fopen(path, "rb");
	uint32_t gh[6], rh[4];

	if (!f || fread(gh, 4, 6, f) != 6 || gh[0] != 0xa1b2c3d4) {
		fprintf(stderr, "send: %s: not a (little-endian, us) pcap\n", path);
		exit(2);
	}
	while (fread(rh, 4, 4, f) == 4) {
		if (nframes == cap) {
			cap = cap ? cap * 2 : 4096;
			frames = realloc(frames, cap * sizeof(*frames));
		}
		frames[nframes].len = rh[2];
		frames[nframes].data = malloc(rh[2] + 1);
		if (!frames[nframes].data || rh[2] > 65535 ||
		    fread(frames[nframes].data, 1, rh[2], f) != rh[2]) {
			fprintf(stderr, "send: %s: short record\n", path);
			exit(2);
		}
		if (rh[2] >= 12) {
			memcpy(frames[nframes].data, dst, 6);
			memcpy(frames[nframes].data + 6, src, 6);
		}
		nframes++;
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	unsigned char src[6], dst[6];
	struct sockaddr_ll sll = { 0 };
	struct timespec t0, t1;
	unsigned long long bytes = 0;
	int fd, one = 1, i;
	size_t k;

	if (argc < 5) {
		fprintf(stderr, "usage: send IFNAME SRCMAC DSTMAC FILE.pcap...\n");
		return 2;
	}
	mac(argv[2], src);
	mac(argv[3], dst);
	for (i = 4; i < argc; i++)
		load(argv[i], src, dst);

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("send: socket");
		return 1;
	}
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = if_nametoindex(argv[1]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dst, 6);
	if (!sll.sll_ifindex) {
		perror("send: interface");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (k = 0; k < nframes; k++) {
		int tries = 0;

		while (sendto(fd, frames[k].data, frames[k].len, 0,
			      (struct sockaddr *)&sll, sizeof(sll)) < 0) {
			if ((errno != ENOBUFS && errno != EAGAIN && errno != EINTR) ||
			    ++tries > 1000) {
				fprintf(stderr, "send: frame %zu (%u bytes): %s\n", k,
					frames[k].len, strerror(errno));
				return 1;
			}
			usleep(1000);
		}
		bytes += frames[k].len;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("frames %zu bytes %llu seconds %.3f\n", nframes, bytes,
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
}
