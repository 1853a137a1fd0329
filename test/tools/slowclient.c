/* slowclient -- opens N HTTP connections to 127.0.0.1:PORT at once, sends one GET on each, and
 * reports, per response, the time from the request leaving to the response ending. A load tool for
 * scripts/waiting-probes: Python cannot read thousands of simultaneous answers without adding its own
 * delay to what it measures.
 *
 * usage: slowclient PORT N PATH EXPECT
 * Prints "latency <seconds> <ok> <probe_duration_seconds or -1>" per response (ok: status 200 and
 * EXPECT in the body; the last field tells the exporter's own view of the probe's time), then
 * "done <answered> <failed>". Exit status 0 when all N answered and matched. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

typedef struct conn {
	double sent;
	char *body;
	size_t len, cap;
} conn_t;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: slowclient PORT N PATH EXPECT\n");
		return 2;
	}
	int port = atoi(argv[1]), n = atoi(argv[2]);
	const char *path = argv[3], *expect = argv[4];
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	char req[4096];
	int rlen = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int ep = epoll_create1(0);
	conn_t *c = calloc(65536, sizeof(*c));
	if (ep < 0 || !c)
		return 2;
	for (int i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0 || fd >= 65536 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
		    write(fd, req, (size_t)rlen) != rlen) {
			fprintf(stderr, "connection %d: %s\n", i, strerror(errno));
			return 2;
		}
		c[fd].sent = now();
		fcntl(fd, F_SETFL, O_NONBLOCK);
		struct epoll_event e = { .events = EPOLLIN, .data.fd = fd };
		epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
	}
	int answered = 0, failed = 0;
	char buf[65536];
	while (answered < n) {
		struct epoll_event ev[256];
		int k = epoll_wait(ep, ev, 256, 300000);
		if (k <= 0)
			break;
		for (int i = 0; i < k; i++) {
			int fd = ev[i].data.fd;
			ssize_t r;
			while ((r = read(fd, buf, sizeof(buf))) > 0) {
				if (c[fd].len + (size_t)r + 1 > c[fd].cap) {
					c[fd].cap = (c[fd].len + (size_t)r + 1) * 2;
					c[fd].body = realloc(c[fd].body, c[fd].cap);
				}
				memcpy(c[fd].body + c[fd].len, buf, (size_t)r);
				c[fd].len += (size_t)r;
				c[fd].body[c[fd].len] = '\0';
			}
			if (r == 0 || (r < 0 && errno != EAGAIN)) {
				double lat = now() - c[fd].sent;
				int ok = c[fd].body && strncmp(c[fd].body, "HTTP/1.1 200", 12) == 0 &&
				         strstr(c[fd].body, expect) != NULL;
				double dur = -1;
				const char *pd = c[fd].body ? strstr(c[fd].body, "\nprobe_duration_seconds ") : NULL;
				if (pd)
					dur = strtod(pd + 24, NULL);
				printf("latency %.6f %d %.6f\n", lat, ok, dur);
				answered++;
				failed += !ok;
				free(c[fd].body);
				c[fd].body = NULL;
				close(fd);
			}
		}
	}
	printf("done %d %d\n", answered, failed + (n - answered));
	return answered == n && failed == 0 ? 0 : 1;
}
